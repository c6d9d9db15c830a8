import Foundation
import SpikebarChip
import SpikebarCore
import SpikebarData
import SpikebarDevices
import SpikebarScenario
import SpikebarTwin
import SpikebarNeurons

/// A scenario's `training:` section wired up: the dataset (train / validation / test), the encoder,
/// the twin with the calibrated neurons and initial weights, and the per-batch hardware calibration.
/// `spikebar train` and `spikebar evaluate` both start here.
public struct TrainingSetup: Sendable {
    public let loaded: LoadedScenario
    public let spec: TrainingSpec
    /// DPI gain of each layer of neurons (training.gains, else neurons.synapse_gain).
    public let gains: [Double]
    public let dt: Seconds, steps: Int
    public let dataDirectory: String
    public let train: TwinDataset, validation: TwinDataset?
    /// Test samples: intensities (for the kernel's encoder) and labels.
    public let testIntensities: [[Double]], testLabels: [Int]
    /// Event-camera datasets: the test recordings themselves (no encoder).
    public let testEvents: [SpikeList]?
    public let neuronsForBatch: (@Sendable (Int) -> [[NeuronParameters]])?

    public var scenario: Scenario { loaded.scenario }

    public init(loaded: LoadedScenario, dataDirectory: String? = nil) throws {
        self.loaded = loaded
        let s = loaded.scenario
        // The twin trains LIF + DPI networks here (MIF networks: `MIFPipeline`).
        try s.requireNeuronModel([.lifDPI], for: "training the twin")
        guard let spec = s.training else {
            throw SpikebarError.invalidInput(
                SourceLocation(file: loaded.path, keyPath: "training"),
                "this scenario has no training: section (see Docs/twin.md and Scenarios/nhc-mnist.yaml)")
        }
        self.spec = spec
        if spec.calibration.passive && s.device.array != .passive {
            throw SpikebarError.invalidInput(
                SourceLocation(file: loaded.path, keyPath: "training.calibration.passive"), "needs device.array: passive")
        }
        gains = spec.gains ?? Array(repeating: s.lifNeurons.synapseGain, count: s.network.layers.count)
        dt = s.simulation.dt
        steps = max(1, Int((s.input.window / dt).rounded()))
        let classes = s.network.layers.last?.size ?? 1
        let channels = s.network.input
        var trainX: [[UInt8]] = [], trainY: [Int] = []
        var testX: [[Double]] = [], testY: [Int] = []
        var trainEvents: [SpikeList]? = nil, testEv: [SpikeList]? = nil
        let dir = dataDirectory ?? DataLocation.resolve(explicit: spec.data, scenarioPath: loaded.path)
        self.dataDirectory = dir
        // Intensities are kept as bytes (MNIST pixels; two-moons codes quantised to 1/255) to bound
        // memory: 60,000 digits = 47 MB.
        let toIntensity: @Sendable ([UInt8]) -> [Double] = { $0.map { Double($0) / 255 } }
        switch spec.dataset {
        case .mnist:
            guard channels == 784 else {
                throw SpikebarError.invalidInput(
                    SourceLocation(file: loaded.path, keyPath: "network.input"), "MNIST needs 784 input channels, the network has \(channels)")
            }
            guard classes >= 10 else {
                throw SpikebarError.invalidInput(
                    SourceLocation(file: loaded.path, keyPath: "network.layers"), "MNIST has 10 classes, the output layer has \(classes) neurons")
            }
            let tr = try MNIST(directory: dir, split: .train), te = try MNIST(directory: dir, split: .test)
            let n = min(spec.trainSamples, tr.images.count), m = min(spec.testSamples, te.images.count)
            let px = tr.images.pixelsPerImage
            trainX = (0..<n).map { Array(tr.images.pixels[($0 * px)..<(($0 + 1) * px)]) }
            trainY = (0..<n).map { Int(tr.labels[$0]) }
            testX = (0..<m).map { te.images.image($0) }
            testY = (0..<m).map { Int(te.labels[$0]) }
        case .nmnist:
            guard channels == 2312 else {
                throw SpikebarError.invalidInput(
                    SourceLocation(file: loaded.path, keyPath: "network.input"),
                    "N-MNIST needs 2312 input channels (34 × 34 pixels × 2 polarities), the network has \(channels)")
            }
            guard classes >= 10 else {
                throw SpikebarError.invalidInput(
                    SourceLocation(file: loaded.path, keyPath: "network.layers"), "N-MNIST has 10 classes, the output layer has \(classes) neurons")
            }
            let tr = try NMNISTSubset.load(directory: dir, labelFile: "train1K.txt", limit: spec.trainSamples)
            let te = try NMNISTSubset.load(directory: dir, labelFile: "test100.txt", limit: spec.testSamples)
            trainEvents = tr.spikes; trainY = tr.labels
            trainX = Array(repeating: [], count: tr.labels.count)
            testEv = te.spikes; testY = te.labels
            testX = Array(repeating: [], count: te.labels.count)
        case .randman:
            let gen = try RandmanInput.generator(s)
            guard classes >= gen.parameters.classes else {
                throw SpikebarError.invalidInput(
                    SourceLocation(file: loaded.path, keyPath: "network.layers"),
                    "randman has \(gen.parameters.classes) classes, the output layer has \(classes) neurons")
            }
            let n = spec.trainSamples, m = spec.testSamples
            trainEvents = (0..<n).map(gen.spikes)
            trainY = (0..<n).map(gen.label)
            trainX = Array(repeating: [], count: n)
            testEv = (0..<m).map { gen.spikes(RandmanInput.testOffset + $0) }
            testY = (0..<m).map { gen.label(RandmanInput.testOffset + $0) }
            testX = Array(repeating: [], count: m)
        case .twoMoons:
            guard channels >= 2, channels % 2 == 0 else {
                throw SpikebarError.invalidInput(
                    SourceLocation(file: loaded.path, keyPath: "network.input"),
                    "two moons needs an even number of input channels (a population code per coordinate), the network has \(channels)")
            }
            guard classes >= 2 else {
                throw SpikebarError.invalidInput(
                    SourceLocation(file: loaded.path, keyPath: "network.layers"), "two moons has 2 classes, the output layer has \(classes) neuron")
            }
            let per = channels / 2
            let tr = TwoMoons(count: spec.trainSamples, noise: spec.moonsNoise, seed: s.seed)
            let te = TwoMoons(count: spec.testSamples, noise: spec.moonsNoise, seed: s.seed, offset: 10_000_000)
            // Population-code intensities quantised to bytes like pixels (1/255 resolution).
            trainX = tr.points.map { TwoMoons.intensities($0, perAxis: per).map { UInt8(($0 * 255).rounded()) } }
            trainY = tr.labels
            testX = te.points.map { TwoMoons.intensities($0, perAxis: per) }
            testY = te.labels
        }
        let split = spec.split(count: trainX.count)
        let nTrain = split.train.count, nVal = split.validation.count
        guard nTrain >= 1 else {
            throw SpikebarError.invalidInput(SourceLocation(file: loaded.path, keyPath: "training.validation"), "leaves no training samples")
        }
        let encode = TrainingSetup.encoder(s, spec: spec, dt: dt, steps: steps)
        let trX = Array(trainX[0..<nTrain]), vaX = Array(trainX[nTrain...])
        let convert = toIntensity
        if let ev = trainEvents {
            // Recordings are their own spikes: the same every presentation.
            let trE = Array(ev[0..<nTrain]), vaE = Array(ev[nTrain...])
            let (dt, steps) = (dt, steps)
            train = TwinDataset(labels: Array(trainY[0..<nTrain])) { k, _ in StepSpikes(trE[k], dt: dt, steps: steps, channels: channels) }
            validation =
                nVal > 0
                ? TwinDataset(labels: Array(trainY[nTrain...])) { k, _ in StepSpikes(vaE[k], dt: dt, steps: steps, channels: channels) } : nil
        } else {
            train = TwinDataset(labels: Array(trainY[0..<nTrain])) { k, presentation in
                encode(convert(trX[k]), UInt64(presentation + 1) << 32 | UInt64(k))
            }
            validation =
                nVal > 0
                ? TwinDataset(labels: Array(trainY[nTrain...])) { k, _ in
                    encode(convert(vaX[k]), 1 << 48 | UInt64(k))
                } : nil
        }
        testIntensities = testX
        testLabels = testY
        testEvents = testEv
        let g = gains
        switch spec.calibration.timeConstants {
        case .resampled:
            neuronsForBatch = { b in Chip.sampleNeurons(scenario: s, gains: g, chipSample: b < 0 ? 0 : 1_000_000 + b) }
        case .chip, .homogeneous, .trained:
            neuronsForBatch = nil
        }
    }

    /// The key of test sample k's input spikes (the same for the kernel and the twin).
    public static func testKey(_ k: Int) -> Int { 1 << 50 | k }

    /// Input spikes of test sample k, as the kernel receives them.
    public func testSpikes(_ k: Int) -> SpikeList {
        if let testEvents { return testEvents[k] }
        return TrainingSetup.spikeList(scenario, spec: spec, intensities: testIntensities[k], key: UInt64(TrainingSetup.testKey(k)))
    }

    static func spikeList(_ s: Scenario, spec: TrainingSpec, intensities: [Double], key: UInt64) -> SpikeList {
        switch spec.encoder {
        case .poisson:
            return s.inputEncoder.encode(
                intensities, sample: Int(truncatingIfNeeded: key))
        case .latency:
            return LatencyEncoder(span: s.input.window - s.simulation.dt).encode(intensities)
        }
    }

    static func encoder(_ s: Scenario, spec: TrainingSpec, dt: Seconds, steps: Int) -> @Sendable ([Double], UInt64) -> StepSpikes {
        let channels = s.network.input
        return { x, key in StepSpikes(spikeList(s, spec: spec, intensities: x, key: key), dt: dt, steps: steps, channels: channels) }
    }

    /// Neuron parameters the twin trains with: the chip's (sample 0), or homogeneous at the means.
    public func trainingNeurons() -> [[NeuronParameters]] {
        let s = scenario
        switch spec.calibration.timeConstants {
        case .chip, .resampled, .trained:
            return Chip.sampleNeurons(scenario: s, gains: gains, chipSample: 0)
        case .homogeneous:
            return homogeneousNeurons(gains: gains)
        }
    }

    /// `time_constants: trained`: the starting neurons (the chip's) and the realisable range
    /// (`training.tau_mem_range` / `tau_syn_range`, default [0.2, 5] × the scenario's mean); nil otherwise.
    public func trainableTimeConstants(_ neurons: [[NeuronParameters]]) -> (base: [[NeuronParameters]], bounds: TimeConstantBounds)? {
        guard spec.calibration.timeConstants == .trained else { return nil }
        let n = scenario.lifNeurons
        let m = spec.tauMemRange ?? [0.2 * n.tauMem, 5 * n.tauMem], y = spec.tauSynRange ?? [0.2 * n.tauSyn, 5 * n.tauSyn]
        return (neurons, TimeConstantBounds(tauMem: m[0]...m[1], tauSyn: y[0]...y[1]))
    }

    /// The weights file's `time_constants` for trained neurons: their τ and the factors over chip sample 0's.
    public func tunedTimeConstants(_ trained: [[NeuronParameters]]) -> TunedTimeConstants {
        let measured = Chip.sampleNeurons(scenario: scenario, gains: gains, chipSample: 0)
        return TunedTimeConstants(
            tauMem: trained.map { $0.map(\.tauMem) }, tauSyn: trained.map { $0.map(\.tauSyn) },
            memFactor: zip(trained, measured).map { zip($0, $1).map { $0.tauMem / $1.tauMem } },
            synFactor: zip(trained, measured).map { zip($0, $1).map { $0.tauSyn / $1.tauSyn } })
    }

    /// Every neuron at the scenario's mean τ_mem, τ_syn (no heterogeneity), with the given gains.
    public func homogeneousNeurons(gains: [Double]) -> [[NeuronParameters]] {
        let s = scenario
        return zip(s.network.layers, gains).map { layer, g in
            var p = s.lifNeurons; p.synapseGain = g
            return Array(repeating: p, count: layer.size)
        }
    }

    /// Initial weights: N(0, init_scale/√fan_in) clipped to the window, keyed by (seed, weights, connection).
    public func initialWeights() -> [WeightMatrix] {
        let s = scenario
        let sizes = [s.network.input] + s.network.layers.map(\.size)
        return Chip.connectionPlan(network: s.network).enumerated().map { k, p in
            WeightMatrix.generated(
                inputs: sizes[p.from], outputs: sizes[p.to], mean: 0,
                std: spec.initScale / Double(sizes[p.from]).squareRoot(), seed: s.seed, connection: k)
        }
    }

    /// A twin with the given neurons and weights (window units) at the scenario's step.
    public func twin(neurons: [[NeuronParameters]], weights: [WeightMatrix]) throws -> TwinNetwork {
        try TwinNetwork(
            network: scenario.network, neurons: neurons, device: scenario.device, weights: weights, dt: dt, steps: steps,
            readout: spec.readout == .spikeCount ? .spikeCount : .maxMembrane, readoutScale: spec.readoutScale,
            surrogateSlope: spec.surrogateSlope)
    }

    public func calibration() -> WeightCalibration {
        var cal = WeightCalibration(spec: spec.calibration, device: scenario.device, seed: scenario.seed)
        if spec.calibration.passive, let model = scenario.device.passive {
            let s = scenario
            let sizes = [s.network.input] + s.network.layers.map(\.size)
            cal.passiveLayouts = Chip.connectionPlan(network: s.network).map {
                PassiveLayout(inputs: sizes[$0.from], outputs: sizes[$0.to], tiles: s.tiles, order: model.order)
            }
        }
        if spec.calibration.parasitics, let p = scenario.tiles.parasitics {
            let sizes = [scenario.network.input] + scenario.network.layers.map(\.size)
            cal.parasitics = .init(
                model: p, tiles: scenario.tiles,
                shapes: Chip.connectionPlan(network: scenario.network).map { (inputs: sizes[$0.from], outputs: sizes[$0.to]) })
        }
        return cal
    }

    /// The weights file `spikebar train` writes (the format `weights: {file:}` reads), with the gains and,
    /// when trained, the time constants.
    public func weightFile(_ weights: [WeightMatrix], trainedNeurons: [[NeuronParameters]]? = nil) -> WeightFile {
        let s = scenario
        let names = ["input"] + s.network.layers.map(\.name)
        var f = WeightFile(chipPopulations: names, plan: Chip.connectionPlan(network: s.network), weights: weights, gains: gains)
        f.timeConstants = trainedNeurons.map(tunedTimeConstants)
        return f
    }
}

/// The calibration a training run used, written beside the weights (`<out>/calibration.json`).
public struct CalibrationRecord: Codable, Sendable {
    public var scenario: String
    public var scenarioDigest: String
    public var seed: UInt64
    public var dataset: String, encoder: String
    public var dt: Double, steps: Int
    public var readout: String, readoutScale: Double, surrogateSlope: Double
    public var timeConstants: String
    public var quantize: Bool, programmingNoise: Bool, stuckFraction: Double
    /// Passive-array programming sampled per batch (`training.calibration.passive`).
    public var passive: Bool = false
    public var levels: Int, gMin: Double, gMax: Double, programmingError: [Double]
    public var synapseGains: [Double]
    /// τ_mem and τ_syn (s) of every neuron the twin trained with, per layer.
    public var tauMem: [[Double]], tauSyn: [[Double]]
    public var epochs: [EpochRecord]
    public var end: String
    public var bestEpoch: Int, bestValidationAccuracy: Double

    public init(setup: TrainingSetup, neurons: [[NeuronParameters]], checkpoint: TrainingCheckpoint, end: TrainingEnd) {
        let s = setup.scenario, c = setup.spec.calibration
        scenario = s.name; scenarioDigest = setup.loaded.digest; seed = s.seed
        dataset = setup.spec.dataset.rawValue; encoder = setup.spec.encoder.rawValue
        dt = setup.dt; steps = setup.steps
        readout = setup.spec.readout.rawValue; readoutScale = setup.spec.readoutScale; surrogateSlope = setup.spec.surrogateSlope
        timeConstants = c.timeConstants.rawValue; quantize = c.quantize; programmingNoise = c.programmingNoise
        stuckFraction = c.stuckFraction; passive = c.passive
        levels = s.device.levels; gMin = s.device.gMin; gMax = s.device.gMax; programmingError = s.device.programmingError
        synapseGains = setup.gains
        tauMem = neurons.map { $0.map(\.tauMem) }; tauSyn = neurons.map { $0.map(\.tauSyn) }
        epochs = checkpoint.history; self.end = end.rawValue
        bestEpoch = checkpoint.bestEpoch; bestValidationAccuracy = checkpoint.bestValidation
    }
}
