import SpikebarCore

/// How well a price is known (Docs/cost-models.md, the H / M / U / A marks).
///
/// Every `CostComponent` carries the confidence of the price it multiplies, so a report can say which
/// share of an architecture's energy rests on unverified or assumed figures — next to the number.
public enum PriceConfidence: String, Codable, Sendable, CaseIterable, Comparable {
    /// Physics (Ohm's law, `C·V²` with a stated capacitance is *not* this: only closed forms of simulated
    /// quantities, e.g. `V_read²·ΣG·t`).
    case physics = "physics"
    /// Read in the source itself.
    case high = "H"
    /// Second-hand: a transcription, a citing paper, a simulator's configuration.
    case medium = "M"
    /// Unverified: recalled, not found in a checkable source.
    case unverified = "U"
    /// An engineering assumption stated in Docs/cost-models.md, with no source.
    case assumption = "A"
    /// Set in the scenario's price list (not the documented default): its source is the scenario's author's.
    case scenario = "S"

    /// The confidence of a price that is `value` where the documented default is `fallback` with
    /// confidence `documented`: `.scenario` once the scenario changed it.
    public static func of(_ value: Double, default fallback: Double, _ documented: PriceConfidence) -> PriceConfidence {
        value == fallback ? documented : .scenario
    }

    /// Sort order: best known first.
    var rank: Int {
        switch self {
        case .physics: return 0
        case .high: return 1
        case .medium: return 2
        case .scenario: return 3
        case .assumption: return 4
        case .unverified: return 5
        }
    }

    public static func < (a: PriceConfidence, b: PriceConfidence) -> Bool { a.rank < b.rank }
}

/// Share of an estimate's energy resting on prices of each confidence (fractions of the total, sum 1 when
/// the total is positive; all 0 for a zero total).
public struct ConfidenceShares: Codable, Sendable, Equatable {
    /// Fraction from closed forms of simulated quantities.
    public var physics: Double
    /// Fraction from prices read in their source (H).
    public var high: Double
    /// Fraction from second-hand prices (M).
    public var medium: Double
    /// Fraction from unverified prices (U).
    public var unverified: Double
    /// Fraction from stated assumptions (A).
    public var assumption: Double
    /// Fraction from prices set in the scenario (S).
    public var scenario: Double

    public init(_ components: [CostComponent]) {
        let total = components.reduce(0.0) { $0 + $1.value }
        func share(_ c: PriceConfidence) -> Double {
            guard total > 0 else { return 0 }
            return components.reduce(0.0) { $1.confidence == c ? $0 + $1.value : $0 } / total
        }
        physics = share(.physics); high = share(.high); medium = share(.medium)
        unverified = share(.unverified); assumption = share(.assumption); scenario = share(.scenario)
    }

    /// Fraction sourced (physics + H + M).
    public var sourced: Double { physics + high + medium }

    /// "physics 12 % · H 40 % · M 3 % · A 45 % · U 0 %" (shares ≥ 0.5 % only).
    public var summary: String {
        let parts: [(String, Double)] = [
            ("physics", physics), ("H", high), ("M", medium), ("S", scenario),
            ("A", assumption), ("U", unverified),
        ]
        let shown = parts.filter { $0.1 >= 0.005 }
        guard !shown.isEmpty else { return "—" }
        return shown.map { "\($0.0) \(Units.fixed($0.1 * 100, significant: 2)) %" }.joined(separator: " · ")
    }
}
