/// Pareto fronts of design points on two objectives (energy against accuracy, energy against latency).
///
/// A point is on the front when no other point is at least as good on both objectives and strictly
/// better on one. Equal points are all on the front (neither dominates the other). Non-finite points
/// are never on it.
public enum ParetoFront {
    /// Whether an objective is minimised (energy, latency) or maximised (accuracy).
    public enum Goal: Sendable { case minimize, maximize }

    /// Indices (ascending) of the non-dominated points among `points`, `x` optimised by `xGoal` and `y`
    /// by `yGoal`. O(n²): sweeps hold hundreds of points, not millions.
    public static func indices(_ points: [(x: Double, y: Double)], x xGoal: Goal, y yGoal: Goal) -> [Int] {
        func better(_ a: Double, _ b: Double, _ g: Goal) -> Bool { g == .minimize ? a < b : a > b }
        func noWorse(_ a: Double, _ b: Double, _ g: Goal) -> Bool { g == .minimize ? a <= b : a >= b }
        return points.indices.filter { i in
            let p = points[i]
            guard p.x.isFinite, p.y.isFinite else { return false }
            return !points.indices.contains { j in
                let q = points[j]
                guard j != i, q.x.isFinite, q.y.isFinite else { return false }
                return noWorse(q.x, p.x, xGoal) && noWorse(q.y, p.y, yGoal) && (better(q.x, p.x, xGoal) || better(q.y, p.y, yGoal))
            }
        }
    }
}
