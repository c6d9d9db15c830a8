import SpikebarCore
import SpikebarChip

/// `training.randman`: the spiking Randman task (Zenke & Vogels, Neural Computation 2021; generator in
/// `SpikebarData.Randman`). The input units are `network.input`, the spike span is `input.window − dt`
/// (every spike falls in one of the twin's steps). Defaults are those of the reference implementation's
/// `make_spiking_dataset` (github.com/fzenke/randman): 10 classes, D = 2, α = 2, 1 spike per unit,
/// 1,000 samples per class; jitter 0 (this project's addition).
public struct RandmanSpec: Sendable, Codable, Equatable {
    public var classes: Int
    /// Intrinsic dimension D of each class's manifold (harder when larger).
    public var manifoldDimension: Int
    /// Spectral fall-off α (the manifold is rougher, so harder, when smaller).
    public var alpha: Double
    public var spikesPerUnit: Int
    /// Training samples per class: `train_samples` defaults to `classes × samples_per_class`.
    public var samplesPerClass: Int
    /// Seed of the manifolds and sample points; nil: the scenario's seed. Fix it to vary the network's
    /// seed (initial weights, chip) on the same task.
    public var seed: UInt64?
    /// Standard deviation of Gaussian jitter on every spike time (s).
    public var jitter: Double
    /// Time warp w ≥ 1: every sample's spike times scaled by its own tempo factor, log-uniform in
    /// [1/w, w], within the span (`Randman.Parameters.timeWarp`); 1 = none (default).
    public var timeWarp: Double = 1

    public static let `default` = RandmanSpec(
        classes: 10, manifoldDimension: 2, alpha: 2, spikesPerUnit: 1,
        samplesPerClass: 1000, seed: nil, jitter: 0)

    public init(
        classes: Int, manifoldDimension: Int, alpha: Double, spikesPerUnit: Int, samplesPerClass: Int,
        seed: UInt64?, jitter: Double
    ) {
        self.classes = classes; self.manifoldDimension = manifoldDimension; self.alpha = alpha
        self.spikesPerUnit = spikesPerUnit; self.samplesPerClass = samplesPerClass; self.seed = seed; self.jitter = jitter
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case classes, manifoldDimension = "manifold_dimension", alpha, spikesPerUnit = "spikes_per_unit"
        case samplesPerClass = "samples_per_class", seed, jitter, timeWarp = "time_warp"
    }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = RandmanSpec.default
        classes = try c.decode(.classes, default: d.classes, in: 1...10_000)
        manifoldDimension = try c.decode(.manifoldDimension, default: d.manifoldDimension, in: 1...16)
        alpha = try c.decode(.alpha, default: d.alpha, in: 0.1...100)
        spikesPerUnit = try c.decode(.spikesPerUnit, default: d.spikesPerUnit, in: 1...100)
        samplesPerClass = try c.decode(.samplesPerClass, default: d.samplesPerClass, in: 1...1_000_000)
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed)
        jitter = try c.decode(.jitter, default: d.jitter, in: 0...10, unit: "s")
        timeWarp = try c.decode(.timeWarp, default: d.timeWarp, in: 1...100)
    }

    /// `time_warp` only when set, so that scenarios without it encode (and hash) as before.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(classes, forKey: .classes)
        try c.encode(manifoldDimension, forKey: .manifoldDimension)
        try c.encode(alpha, forKey: .alpha)
        try c.encode(spikesPerUnit, forKey: .spikesPerUnit)
        try c.encode(samplesPerClass, forKey: .samplesPerClass)
        try c.encodeIfPresent(seed, forKey: .seed)
        try c.encode(jitter, forKey: .jitter)
        if timeWarp != 1 { try c.encode(timeWarp, forKey: .timeWarp) }
    }
}
