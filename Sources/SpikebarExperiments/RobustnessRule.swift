/// "Correct on at least p % of the chips (or transfers)": the one rule `evaluate --chips` (the chip
/// Monte-Carlo) and `sweep --transfers` count robust test points by, in exact integers —
/// `100·correct ≥ p·trials` — so the two never disagree on a tie the floating-point `0.95·n` would round.
public enum RobustnessRule {
    /// Whether `correct` successes out of `trials` reach `percent` %.
    @inlinable public static func reaches(_ percent: Int, correct: Int, of trials: Int) -> Bool {
        100 * correct >= percent * trials
    }

    /// Fraction of test points whose success count (`correct[k]` of `trials`) reaches `percent` %.
    public static func fraction(_ percent: Int, correct: [Int], of trials: Int) -> Double {
        correct.isEmpty ? 0 : Double(correct.filter { reaches(percent, correct: $0, of: trials) }.count) / Double(correct.count)
    }
}
