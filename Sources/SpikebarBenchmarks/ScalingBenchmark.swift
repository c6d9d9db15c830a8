import Foundation
import SpikebarChip
import SpikebarCore
import SpikebarData
import SpikebarKernel
import SpikebarPipeline
import SpikebarScenario

/// `spikebar bench scaling`: the workloads of the kernel's scaling curves (issue #9, `Benchmarks/scaling.sh`).
public enum ScalingBenchmark {
    /// The quickstart chip with `inputs` input channels and its Poisson encoder.
    public struct Workload {
        public let scenario: Scenario
        public let chip: Chip
        /// Population sizes, input first.
        public let sizes: [Int]
        /// Wall time of building the weights and the chip (s).
        public let setupSeconds: Double
        public let encoder: PoissonEncoder
        public var neurons: Int { sizes.reduce(0, +) }
        public var synapses: Int { chip.connections.reduce(0) { $0 + $1.inputs * $1.outputs } }
    }

    /// The quickstart chip (`Scenarios/untrained-784-128-10.yaml`, generated weights) with its input layer
    /// grown to `inputs` channels (hidden 128 and output 10 stay), and a Poisson encoder at `rate` for
    /// `duration`. The hidden gain is the quickstart's calibrated one (calibrated once, at 784 inputs and
    /// 20 Hz) times 784 / inputs, so the mean drive of a hidden neuron stays fixed.
    public static func workload(inputs: Int, rate: Double, duration: Seconds) throws -> Workload {
        var loaded = try ScenarioLoader.load(path: "Scenarios/untrained-784-128-10.yaml")
        loaded.scenario.input.source = .uniform
        loaded.scenario.input.maxRate = 20
        loaded.scenario.input.window = 0.2
        loaded.scenario.input.samples = 1
        loaded.scenario.input.firstSample = 0
        loaded.scenario.weights.source = .generated
        loaded.inputImages = nil
        // Gains calibrated once on the quickstart size (784 inputs, 20 Hz), then held.
        let base = try Simulation(loaded: loaded, timing: .grid(dt: 1e-3), readNoise: false)
        var s = loaded.scenario
        s.network.input = inputs
        var gains = base.gains
        gains[0] *= 784 / Double(inputs)
        let sizes = [inputs] + s.network.layers.map(\.size)
        let t0 = DispatchTime.now().uptimeNanoseconds
        let weights = Chip.connectionPlan(network: s.network).enumerated().map { k, p in
            WeightMatrix.generated(
                inputs: sizes[p.from], outputs: sizes[p.to], mean: s.weights.mean,
                std: s.weights.std, seed: s.seed, connection: k)
        }
        let chip = try Chip(scenario: s, weights: weights, gains: gains)
        let setup = Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9
        let encoder = PoissonEncoder(maxRate: rate, window: duration, seed: s.seed)
        return Workload(scenario: s, chip: chip, sizes: sizes, setupSeconds: setup, encoder: encoder)
    }

    /// The threads point: `repeats` timed runs of `samples` independent inferences (every input channel
    /// at the encoder's rate) by `ParallelMap` on `threads` threads; the median wall time and the synaptic
    /// events of one run.
    public static func timeThreads(
        _ w: Workload, samples: Int, threads: Int, timing: Timing, duration: Seconds, repeats: Int
    ) -> (median: Double, synapticEvents: Int) {
        let inputs = w.sizes[0]
        let spikes = (0..<samples).map { w.encoder.encode(Array(repeating: 1.0, count: inputs), sample: $0) }
        let kernel = EventKernel(chip: w.chip, timing: timing, readNoise: false)
        var times: [Double] = []
        var syn = 0
        let seed = w.scenario.seed
        for _ in 0..<repeats {
            let t1 = DispatchTime.now().uptimeNanoseconds
            let results = ParallelMap.map(count: samples, threads: threads) { k in
                kernel.run(input: spikes[k], options: RunOptions(window: duration, sample: k, seed: seed)).activity.totalSynapticEvents
            }
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t1) * 1e-9)
            syn = results.reduce(0, +)
        }
        return (WallClock.median(times), syn)
    }
}
