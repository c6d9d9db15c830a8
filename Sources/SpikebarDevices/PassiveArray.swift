import Foundation
import SpikebarCore

/// Which kind of crossbar holds the cells (`device.array`).
public enum ArrayKind: String, Sendable, Codable, CaseIterable {
    /// One transistor per cell (1T1R): cells are written one at a time without disturbing the others
    /// (the `RRAMDevice` level model).
    case active
    /// Passive (0T1R, selector-less) crossbar programmed with the V/3 scheme: `PassiveArraySpec`.
    case passive
}

/// A passive (0T1R) TiO₂ crossbar programmed device by device with the V/3 biasing scheme, after
/// Drolet et al., "Hardware-aware training techniques for improving robustness of ex-situ neural network
/// transfer onto passive TiO₂ ReRAM crossbars" (arXiv 2305.18495, 2023). `Docs/passive-arrays.md` has the
/// equations and sources. A device with target conductance `G` (S) that is followed by `k` further writes
/// in the same crossbar ends at
///
///     G_final = G·(1 + o + s(G)·ξ) + ΔG_k          (ξ ~ N(0, 1))
///
/// - tuning imprecision: `s(G) = (a·G[µS] + b)/100` with `a = −6.24e-4 /µS`, `b = 0.691 %` (std in % of
///   the target), offset `o ~ N(−0.589 %, 0.339 %)` drawn per device (Drolet et al., measured fits);
/// - V/3 disturbance: every write of another device puts V/3 on the already-programmed devices of the
///   array; `ΔG_k` is the change accumulated over the `k` writes that follow the device, drawn from the
///   measured changes for that `k` (`disturbance: samples`), from `N(μ_k, σ_k)` of the measured statistics
///   (`stats`), or from the parametric fit below (`parametric`, also the fallback without the database);
///   beyond the largest measured `k` the largest measured one is used (the measured arrays are 8×8);
/// - stuck devices: with probability `lrsFailure` a device is stuck at an LRS-failure conductance
///   `N(5.73e-4 S, 9.9e-5 S)`, with probability `hrsFailure` at an HRS-failure conductance uniform in
///   [10 µS, G_HRS] (G_HRS = the window's low end, 100 µS); stuck devices neither tune nor drift.
public struct PassiveArraySpec: Sendable, Equatable, Codable {
    public enum Order: String, Sendable, Codable, CaseIterable {
        /// Row by row, each row left to right (the measured arrays' order).
        case rowMajor = "row_major"
        /// Column by column, each column top to bottom.
        case columnMajor = "column_major"
    }
    public enum Disturbance: String, Sendable, Codable, CaseIterable {
        case samples, stats, parametric, off
    }
    public enum FailureValues: String, Sendable, Codable, CaseIterable {
        /// The paper's fits: LRS N(5.73e-4 S, 9.9e-5 S), HRS uniform in [10 µS, G_HRS].
        case fits
        /// Drawn uniformly from the failed devices of the dead-crossbar maps (needs the database; the
        /// fits without it).
        case maps
    }
    /// Programming order inside each crossbar.
    public var order: Order = .rowMajor
    /// Source of the V/3 disturbance (samples/stats need the database; without it, `parametric`).
    public var disturbance: Disturbance = .samples
    /// Level-dependent tuning imprecision and offset on.
    public var tuning: Bool = true
    /// Probabilities that a device is stuck at an LRS / HRS failure (Drolet et al.'s default 0.5 % + 0.5 %).
    public var lrsFailure: Double = 0.005, hrsFailure: Double = 0.005
    /// Where a failed device's conductance comes from.
    public var failureValues: FailureValues = .fits
    /// Database folder (relative to the scenario); nil: searched (`TiO2Database.locate`).
    public var data: String? = nil
    /// The measured database once loaded (`ScenarioLoader`); nil: the parametric model.
    public var database: TiO2Database? = nil

    public init() {}

    // Measured constants (Drolet et al. 2023, from the authors' repository; shared/data/README.md).
    /// Tuning std slope (% per µS) and intercept (%).
    public static let tuningSlope = -6.24e-4, tuningIntercept = 0.691
    /// Programming offset mean and std (fraction of the target).
    public static let offsetMean = -0.589e-2, offsetStd = 0.339e-2
    /// LRS-failure conductance mean and std (S).
    public static let lrsFailureMean = 5.73e-4, lrsFailureStd = 9.9e-5
    /// HRS failures reach down to this conductance (S).
    public static let hrsFailureFloor = 10e-6
    /// Parametric disturbance (least-squares fits to `bias-disturbance-stats.csv`, k = 1 … 49):
    /// `μ_k = μ∞·(1 − e^{−k/κ})`, `σ_k = σ₁·k^β`.
    public static let disturbanceMeanLimit = -6.36e-6, disturbanceMeanScale = 4.0
    public static let disturbanceStd1 = 8.72e-6, disturbanceStdExponent = 0.257

    enum CodingKeys: String, CodingKey, CaseIterable {
        case order, disturbance, tuning, lrsFailure = "lrs_failure", hrsFailure = "hrs_failure", data
        case failureValues = "failure_values"
    }
    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        order = try c.choice(.order, default: .rowMajor)
        disturbance = try c.choice(.disturbance, default: .samples)
        tuning = try c.decode(.tuning, default: true)
        lrsFailure = try c.decode(.lrsFailure, default: 0.005, in: 0...0.5)
        hrsFailure = try c.decode(.hrsFailure, default: 0.005, in: 0...0.5)
        data = try c.decodeIfPresent(String.self, forKey: .data)
        failureValues = try c.choice(.failureValues, default: .fits)
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(order, forKey: .order); try c.encode(disturbance, forKey: .disturbance)
        try c.encode(tuning, forKey: .tuning)
        try c.encode(lrsFailure, forKey: .lrsFailure); try c.encode(hrsFailure, forKey: .hrsFailure)
        try c.encodeIfPresent(data, forKey: .data)
        try c.encode(failureValues, forKey: .failureValues)
    }

    /// The disturbance model in use: `samples` or `stats` need the database.
    public var effectiveDisturbance: Disturbance {
        switch disturbance {
        case .samples, .stats: return database == nil ? .parametric : disturbance
        case .parametric, .off: return disturbance
        }
    }

    /// Tuning std as a fraction of the target `g` (S): `(a·g[µS] + b)/100`, floored at 0.
    public static func tuningStd(_ g: Double) -> Double { max(0, tuningSlope * g * 1e6 + tuningIntercept) / 100 }

    /// Mean and std (S) of the change after `k` writes, per the model in use (0 for `k ≤ 0` or `off`).
    public func disturbanceMoments(after k: Int) -> (mean: Double, std: Double) {
        guard k > 0 else { return (0, 0) }
        switch effectiveDisturbance {
        case .off: return (0, 0)
        case .parametric:
            return (
                Self.disturbanceMeanLimit * (1 - exp(-Double(k) / Self.disturbanceMeanScale)),
                Self.disturbanceStd1 * pow(Double(k), Self.disturbanceStdExponent)
            )
        case .stats:
            let st = statsEntry(k)
            return (st.mean, st.std)
        case .samples:
            let xs = sampleList(k)
            let m = xs.reduce(0, +) / Double(xs.count)
            let v = xs.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(max(1, xs.count - 1))
            return (m, v.squareRoot())
        }
    }

    func statsEntry(_ k: Int) -> TiO2Database.Stats {
        guard let db = database else { return .init(mean: 0, std: 0) }
        var kk = min(k, db.stats.count - 1)
        while kk > 1, db.stats[kk] == nil { kk -= 1 }
        return db.stats[kk] ?? .init(mean: 0, std: 0)
    }

    func sampleList(_ k: Int) -> [Double] {
        guard let db = database else { return [0] }
        var kk = min(k, db.samples.count - 1)
        while kk > 1, db.samples[kk].isEmpty { kk -= 1 }
        return db.samples[kk].isEmpty ? [0] : db.samples[kk]
    }

    /// One draw of the change (S) accumulated by a device over the `k` writes that follow it.
    public func disturbance(after k: Int, using rng: inout RandomStream) -> Double {
        guard k > 0 else { return 0 }
        switch effectiveDisturbance {
        case .off: return 0
        case .samples:
            let xs = sampleList(k)
            return xs[min(xs.count - 1, Int(rng.nextUniform() * Double(xs.count)))]
        case .stats, .parametric:
            let (m, s) = disturbanceMoments(after: k)
            return m + s * rng.nextGaussian()
        }
    }

    /// The final conductance (S) of one device written to `target` (S) and followed by `after` writes in
    /// its crossbar; `gHRS` (S) is the window's low end. Draws, in this order: failure, tuning offset and
    /// error, disturbance — a fixed number per device so that device streams stay aligned.
    public func program(target: Double, after: Int, gHRS: Double, using rng: inout RandomStream) -> (g: Double, stuck: Bool) {
        let u = rng.nextUniform(), u2 = rng.nextUniform(), z = rng.nextGaussian()
        if u < lrsFailure + hrsFailure {
            let lrs = u < lrsFailure
            if failureValues == .maps, let db = database {
                let pool = lrs ? db.lrsFailureConductances : db.hrsFailureConductances
                if !pool.isEmpty { return (pool[min(pool.count - 1, Int(u2 * Double(pool.count)))], true) }
            }
            return lrs
                ? (max(0, Self.lrsFailureMean + Self.lrsFailureStd * z), true)
                : (Self.hrsFailureFloor + u2 * max(0, gHRS - Self.hrsFailureFloor), true)
        }
        var g = target
        if tuning {
            let o = Self.offsetMean + Self.offsetStd * rng.nextGaussian()
            g = target * (1 + o + Self.tuningStd(target) * rng.nextGaussian())
        }
        g += disturbance(after: after, using: &rng)
        return (max(0, g), false)
    }

    /// One sentence on where the disturbance comes from, for logs and reports.
    public var sourceNote: String {
        switch effectiveDisturbance {
        case .samples, .stats:
            return "V/3 disturbance from the measured \(disturbance == .samples ? "samples" : "statistics") in \(database?.directory ?? "?")"
        case .parametric:
            return disturbance == .parametric
                ? "V/3 disturbance from the parametric fit (Docs/passive-arrays.md)"
                : "TiO₂ database not found: parametric V/3 disturbance fallback (get the data from \(TiO2Database.origin))"
        case .off: return "V/3 disturbance off"
        }
    }
}
