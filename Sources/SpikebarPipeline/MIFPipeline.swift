import Foundation
import SpikebarActivity
import SpikebarChip
import SpikebarCore
import SpikebarCost
import SpikebarData
import SpikebarDevices
import SpikebarKernel
import SpikebarScenario
import SpikebarTwin
import SpikebarNeurons

/// Everything `spikebar train / evaluate / run` need for a scenario with `neurons: { model: mif }`
/// (Docs/mif-neurons.md): the twin (`MIFNetwork`), the programmed chip and its grid kernel
/// (`MIFGridKernel`), MNIST, and the cost models (RRAM-SNN with MIF neurons vs ADC-CIM).
public struct MIFSetup: Sendable {
    public let loaded: LoadedScenario
    public let parameters: MIFParameters
    public let spec: TrainingSpec
    public let sizes: [Int]
    public let dt: Seconds, steps: Int
    /// c_l (A per unit weight and unit drive amplitude) per layer.
    public let currentPerUnit: [Double]
    public let dataDirectory: String
    public var scenario: Scenario { loaded.scenario }

    public init(loaded: LoadedScenario) throws {
        self.loaded = loaded
        let s = loaded.scenario
        guard let m = s.mif else {
            throw SpikebarError.invalidInput(
                SourceLocation(file: loaded.path, keyPath: "neurons.model"), "not a MIF scenario (neurons: { model: mif })")
        }
        parameters = m
        spec = s.training ?? .default
        sizes = [s.network.input] + s.network.layers.map(\.size)
        dt = s.simulation.dt
        steps = max(1, Int((s.input.window / dt).rounded()))
        currentPerUnit = MIFNetwork.currentPerUnit(
            parameters: m, readVoltage: s.device.readVoltage,
            conductanceWindow: s.device.conductanceWindow,
            readPulse: s.device.readPulse, dt: dt)
        dataDirectory = DataLocation.resolve(explicit: s.training?.data, scenarioPath: loaded.path)
        if sizes[0] != 784 || (sizes.last ?? 0) < 10 {
            throw SpikebarError.invalidInput(
                SourceLocation(file: loaded.path, keyPath: "network"), "MIF MNIST needs 784 inputs and ≥ 10 output neurons")
        }
    }

    /// The twin with the given weights (window units).
    public func network(weights: [[Double]]) throws -> MIFNetwork {
        try MIFNetwork(
            sizes: sizes, weights: weights, parameters: parameters, currentPerUnit: currentPerUnit, dt: dt,
            steps: steps, readoutScale: spec.readoutScale)
    }

    /// Initial weights N(0, init_scale/√fan_in), clipped to the window, keyed by (seed, weights, layer).
    public func initialWeights() -> [[Double]] {
        (0..<(sizes.count - 1)).map { l in
            WeightMatrix.generated(
                inputs: sizes[l], outputs: sizes[l + 1], mean: 0,
                std: spec.initScale / Double(sizes[l]).squareRoot(), seed: scenario.seed, connection: l
            )
            .values.map(Double.init)
        }
    }

    /// The first `training.train_samples` digits of the official MNIST training split (bytes), labels.
    public func trainingSet() throws -> (pixels: [[UInt8]], labels: [Int]) {
        let tr = try MNIST(directory: dataDirectory, split: .train)
        let n = min(spec.trainSamples, tr.images.count), px = tr.images.pixelsPerImage
        return ((0..<n).map { Array(tr.images.pixels[($0 * px)..<(($0 + 1) * px)]) }, (0..<n).map { Int(tr.labels[$0]) })
    }

    /// The first `samples` (default `training.test_samples`) digits of the official MNIST test split.
    public func testSet(samples: Int? = nil) throws -> (images: [[Double]], labels: [Int]) {
        let te = try MNIST(directory: dataDirectory, split: .test)
        let n = min(samples ?? spec.testSamples, te.images.count)
        return ((0..<n).map { te.images.image($0) }, (0..<n).map { Int(te.labels[$0]) })
    }

    /// The weights file (`spikebar-weights` format) holding `weights`, with the MIF gains.
    public func weightFile(_ weights: [[Double]]) -> WeightFile {
        let names = ["input"] + scenario.network.layers.map(\.name)
        let w = (0..<weights.count).map { WeightMatrix(inputs: sizes[$0], outputs: sizes[$0 + 1], values: weights[$0].map { Float($0) }) }
        return WeightFile(chipPopulations: names, plan: Chip.connectionPlan(network: scenario.network), weights: w, gains: parameters.gains)
    }

    /// Chip sample `chipSample` programmed with `weights` (levels and programming error of the device).
    public func chip(weights: [WeightMatrix], chipSample: Int = 0) throws -> Chip {
        try Chip(spec: scenario.chipSpec, weights: weights, chipSample: chipSample)
    }

    /// The grid kernel of a programmed chip.
    public func kernel(_ chip: Chip) throws -> MIFGridKernel {
        try MIFGridKernel(
            chip: chip, parameters: parameters, currentPerUnit: currentPerUnit, dt: dt, steps: steps,
            readoutScale: spec.readoutScale)
    }

    /// The twin of a programmed chip: its weights `(G⁺ − G⁻)/(G_max − G_min)` (the kernel's own).
    public func network(chip: Chip) throws -> MIFNetwork {
        try network(weights: chip.connections.map { $0.effectiveWeights(window: chip.conductanceWindow) })
    }

    var read: ReadConditions { ReadConditions(readVoltage: scenario.device.readVoltage, readPulse: scenario.device.readPulse) }

    /// RRAM-SNN (MIF neurons) and ADC-CIM estimates of one kernel run.
    public func price(_ r: MIFKernelResult) -> [CostEstimate] {
        [
            MIFNeuronCost.price(
                r.activity, neuronEnergy: r.neuronEnergy, capacitance: parameters.capacitance,
                prices: scenario.architectures.rram, read: read),
            ADCCIMCost(prices: scenario.architectures.adcCIM, read: read).price(r.activity),
        ]
    }

    /// Runs `images` through `kernel` on up to `threads` workers (results in sample order).
    public func runKernel(
        _ kernel: MIFGridKernel, images: [[Double]], threads: Int,
        progress: @escaping @Sendable (Int) -> Void = { _ in }
    ) -> [MIFKernelResult] {
        ParallelMap.map(count: images.count, threads: threads, progress: progress) { kernel.run(images[$0]) }
    }
}

/// What `spikebar evaluate` reports for a MIF scenario.
public struct MIFEvaluation: Codable, Sendable {
    public struct Cost: Codable, Sendable {
        public var architecture: String
        public var meanEnergy: Double, meanLatency: Double, area: Double
    }
    public var scenario: String
    public var weights: String
    public var samples: Int
    /// Twin with the trained (float) weights.
    public var twinAccuracy: Double
    /// Twin of the programmed chip (levels + programming error).
    public var chipTwinAccuracy: Double
    /// Kernel (grid mode) on the programmed chip.
    public var kernelAccuracy: Double
    /// Kernel vs twin of the same chip: fraction of samples with identical output spikes, same class.
    public var identicalOutputSpikes: Double, sameClass: Double
    public var meanOutputSpikes: Double, meanHiddenSpikes: Double
    /// Mean neuron-circuit energy per inference (J).
    public var meanNeuronEnergy: Double
    public var costs: [Cost]
    public var seconds: Double

    /// Evaluates `weights` on the first `samples` test digits.
    public static func run(
        setup: MIFSetup, weights: [WeightMatrix], weightsName: String, samples: Int?, threads: Int,
        progress: @escaping @Sendable (Int) -> Void = { _ in }
    ) throws -> MIFEvaluation {
        let started = Date()
        let test = try setup.testSet(samples: samples)
        let n = test.labels.count
        let float = try setup.network(weights: weights.map { $0.values.map(Double.init) })
        let twin = float.infer(test.images, threads: threads)
        let chip = try setup.chip(weights: weights)
        let chipTwin = try setup.network(chip: chip).infer(test.images, threads: threads)
        let kernel = try setup.kernel(chip)
        let runs = setup.runKernel(kernel, images: test.images, threads: threads, progress: progress)
        func acc(_ p: [Int]) -> Double { Double(zip(p, test.labels).filter { $0 == $1 }.count) / Double(max(n, 1)) }
        var identical = 0, same = 0
        for (t, k) in zip(chipTwin, runs) {
            if t.outputSpikes.map({ [$0.step, $0.neuron] }) == k.outputSpikes.map({ [$0.step, $0.neuron] }) { identical += 1 }
            if t.predictedClass == k.predictedClass { same += 1 }
        }
        let priced = runs.map(setup.price)
        let costs = (0..<(priced.first?.count ?? 0)).map { a in
            Cost(
                architecture: priced[0][a].architecture,
                meanEnergy: priced.reduce(0) { $0 + $1[a].totalEnergy } / Double(max(n, 1)),
                meanLatency: priced.reduce(0) { $0 + $1[a].totalLatency } / Double(max(n, 1)),
                area: priced[0][a].totalArea)
        }
        let L = setup.sizes.count - 1
        return MIFEvaluation(
            scenario: setup.scenario.name, weights: weightsName, samples: n,
            twinAccuracy: acc(twin.map(\.predictedClass)), chipTwinAccuracy: acc(chipTwin.map(\.predictedClass)),
            kernelAccuracy: acc(runs.map(\.predictedClass)),
            identicalOutputSpikes: Double(identical) / Double(max(n, 1)), sameClass: Double(same) / Double(max(n, 1)),
            meanOutputSpikes: Double(runs.reduce(0) { $0 + $1.spikeCounts[L - 1].reduce(0, +) }) / Double(max(n, 1)),
            meanHiddenSpikes: L > 1 ? Double(runs.reduce(0) { $0 + $1.spikeCounts[0].reduce(0, +) }) / Double(max(n, 1)) : 0,
            meanNeuronEnergy: runs.reduce(0) { $0 + $1.neuronEnergy } / Double(max(n, 1)),
            costs: costs, seconds: Date().timeIntervalSince(started))
    }

    /// The evaluation as a Markdown table.
    public var markdown: String {
        func pct(_ x: Double) -> String { String(format: "%.2f %%", 100 * x) }
        var s = "# \(scenario): MIF neurons, \(samples) MNIST test digits\n\n"
        s += "| engine | accuracy |\n|---|---|\n"
        s += "| twin, trained weights | \(pct(twinAccuracy)) |\n| twin, programmed chip | \(pct(chipTwinAccuracy)) |\n"
        s += "| kernel (grid), programmed chip | \(pct(kernelAccuracy)) |\n\n"
        s +=
            "Kernel vs twin on the same chip: identical output spikes on \(pct(identicalOutputSpikes)) of samples, same class on \(pct(sameClass)).\n"
        s += String(
            format: "Mean spikes per inference: hidden %.1f, output %.1f; MIF neuron energy %@ per inference.\n\n",
            meanHiddenSpikes, meanOutputSpikes, Units.format(meanNeuronEnergy, "J"))
        s += "| architecture | energy / inference | latency / inference | area |\n|---|---|---|---|\n"
        for c in costs {
            s +=
                "| \(c.architecture) | \(Units.format(c.meanEnergy, "J")) | \(Units.format(seconds: c.meanLatency)) | \(String(format: "%.3f mm²", c.area * 1e6)) |\n"
        }
        return s
    }
}
