import SpikebarCore
import SpikebarChip
import SpikebarTwin

/// The `training:` section: what `spikebar train` trains on and how, and which hardware effects the
/// twin is calibrated with (Docs/twin.md, Docs/scenario-reference.md). Decoded strictly like the
/// other sections: unknown keys and out-of-range values are errors naming file, line and key.
public struct TrainingSpec: Sendable, Codable, Equatable {
    public enum Dataset: String, Sendable, Codable, CaseIterable { case mnist, twoMoons = "two_moons", nmnist, randman }
    public enum Encoder: String, Sendable, Codable, CaseIterable { case poisson, latency }
    /// The learning-rate schedule (the twin's type: `LearningRateSchedule`).
    public typealias Schedule = LearningRateSchedule
    public enum Readout: String, Sendable, Codable, CaseIterable { case spikeCount = "spike_count", maxMembrane = "max_membrane" }

    public var dataset: Dataset
    /// Folder holding the dataset files; nil: `$SPIKEBAR_DATA`, else `../shared/data/` next to the checkout.
    public var data: String?
    /// Training samples used (from the start of the official training set) and test samples.
    public var trainSamples: Int, testSamples: Int
    /// Fraction of the training samples held out for validation (early stopping).
    public var validation: Double
    public var encoder: Encoder
    public var epochs: Int, batch: Int
    /// Adam learning rate and its schedule over the run.
    public var lr: Double
    public var schedule: Schedule
    /// `step` schedule: multiply the rate by `lr_decay_factor` every `lr_decay_every` epochs.
    public var lrDecayEvery: Int, lrDecayFactor: Double
    /// Early stopping: epochs without a better validation accuracy before stopping (0: never).
    public var patience: Int
    /// Fast-sigmoid surrogate slope k (1/V): σ'(x) = 1/(1 + k|V − θ|)².
    public var surrogateSlope: Double
    public var readout: Readout
    /// Logit = readout_scale × (spike count or max membrane potential).
    public var readoutScale: Double
    /// Initial weights ~ N(0, init_scale/√fan_in) (window units).
    public var initScale: Double
    /// DPI gain per layer of neurons (written to the weights file); nil: `neurons.synapse_gain` everywhere.
    public var gains: [Double]?
    /// Two moons: standard deviation of the Gaussian noise added to the points.
    public var moonsNoise: Double
    /// Randman task parameters (`dataset: randman`; Docs/randman.md); nil for other datasets.
    public var randman: RandmanSpec? = nil
    /// `time_constants: trained`: the [min, max] τ_mem and τ_syn (s) the chip's biases can set; nil:
    /// [0.2, 5] × the scenario's mean (assumption, confidence A: Docs/randman.md).
    public var tauMemRange: [Double]? = nil, tauSynRange: [Double]? = nil
    public var calibration: CalibrationSpec

    public static let `default` = TrainingSpec(
        dataset: .mnist, data: nil, trainSamples: 60_000, testSamples: 10_000, validation: 0.05, encoder: .poisson,
        epochs: 10, batch: 128, lr: 2e-3, schedule: .cosine, lrDecayEvery: 5, lrDecayFactor: 0.5, patience: 3,
        surrogateSlope: 10, readout: .spikeCount, readoutScale: 1, initScale: 1, gains: nil, moonsNoise: 0.1,
        calibration: .default)

    public init(
        dataset: Dataset, data: String?, trainSamples: Int, testSamples: Int, validation: Double, encoder: Encoder,
        epochs: Int, batch: Int, lr: Double, schedule: Schedule, lrDecayEvery: Int, lrDecayFactor: Double,
        patience: Int, surrogateSlope: Double, readout: Readout, readoutScale: Double, initScale: Double,
        gains: [Double]?, moonsNoise: Double, calibration: CalibrationSpec
    ) {
        self.dataset = dataset; self.data = data; self.trainSamples = trainSamples; self.testSamples = testSamples
        self.validation = validation; self.encoder = encoder; self.epochs = epochs; self.batch = batch; self.lr = lr
        self.schedule = schedule; self.lrDecayEvery = lrDecayEvery; self.lrDecayFactor = lrDecayFactor
        self.patience = patience; self.surrogateSlope = surrogateSlope; self.readout = readout
        self.readoutScale = readoutScale; self.initScale = initScale; self.gains = gains
        self.moonsNoise = moonsNoise; self.calibration = calibration
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case dataset, data, trainSamples = "train_samples", testSamples = "test_samples", validation, encoder
        case epochs, batch, lr, schedule, lrDecayEvery = "lr_decay_every", lrDecayFactor = "lr_decay_factor"
        case patience, surrogateSlope = "surrogate_slope", readout, readoutScale = "readout_scale"
        case initScale = "init_scale", gains, moonsNoise = "moons_noise", calibration, randman
        case tauMemRange = "tau_mem_range", tauSynRange = "tau_syn_range"
    }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = TrainingSpec.default
        dataset = try c.choice(.dataset)
        data = try c.decodeIfPresent(String.self, forKey: .data)
        if dataset == .randman {
            randman = try c.decode(.randman, default: .default)
        } else if c.contains(.randman) {
            throw c.invalid(.randman, "only for dataset: randman")
        }
        let trainDefault = dataset == .mnist ? 60_000 : randman.map { $0.classes * $0.samplesPerClass } ?? 1_000
        trainSamples = try c.decode(.trainSamples, default: trainDefault, in: 1...10_000_000)
        testSamples = try c.decode(.testSamples, default: [.mnist: 10_000, .nmnist: 100][dataset] ?? 1_000, in: 1...10_000_000)
        validation = try c.decode(.validation, default: d.validation, in: 0...0.9)
        encoder = try c.choice(.encoder, default: .poisson)
        epochs = try c.decode(.epochs, default: d.epochs, in: 1...100_000)
        batch = try c.decode(.batch, default: d.batch, in: 1...65_536)
        lr = try c.decode(.lr, default: d.lr, in: 1e-9...10)
        schedule = try c.choice(.schedule, default: .cosine)
        lrDecayEvery = try c.decode(.lrDecayEvery, default: d.lrDecayEvery, in: 1...100_000)
        lrDecayFactor = try c.decode(.lrDecayFactor, default: d.lrDecayFactor, in: 1e-6...1)
        patience = try c.decode(.patience, default: d.patience, in: 0...100_000)
        surrogateSlope = try c.decode(.surrogateSlope, default: d.surrogateSlope, in: 1e-3...1e6, unit: "1/V")
        readout = try c.choice(.readout, default: .spikeCount)
        readoutScale = try c.decode(.readoutScale, default: d.readoutScale, in: 1e-6...1e6)
        initScale = try c.decode(.initScale, default: d.initScale, in: 0...100)
        gains = try c.decodeIfPresent([Double].self, forKey: .gains)
        if let g = gains, !g.allSatisfy({ $0.isFinite && $0 > 0 }) { throw c.invalid(.gains, "every gain must be > 0") }
        moonsNoise = try c.decode(.moonsNoise, default: d.moonsNoise, in: 0...10)
        calibration = try c.decode(.calibration, default: .default)
        for key in [CodingKeys.tauMemRange, .tauSynRange] {
            guard let r = try c.decodeIfPresent([Double].self, forKey: key) else { continue }
            guard r.count == 2, r.allSatisfy({ $0.isFinite && $0 > 0 }), r[0] < r[1] else {
                throw c.invalid(key, "needs [min, max] in seconds with 0 < min < max")
            }
            guard calibration.timeConstants == .trained else { throw c.invalid(key, "only with calibration.time_constants: trained") }
            if key == .tauMemRange { tauMemRange = r } else { tauSynRange = r }
        }
    }
}

extension TrainingSpec {
    /// The training/validation split of `count` training samples: the first ones train, the last
    /// `validation` fraction (rounded) validates — never the test split. One rule for every trainer.
    public func split(count: Int) -> (train: Range<Int>, validation: Range<Int>) {
        let nVal = Int((Double(count) * validation).rounded())
        let nTrain = Swift.max(0, count - nVal)
        return (0..<nTrain, nTrain..<count)
    }
}
