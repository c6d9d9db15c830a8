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
