import Foundation
import SpikebarChip
import SpikebarCore
import SpikebarDevices
import SpikebarScenario
import SpikebarTwin

/// `spikebar bench train`: the twin's training-step time (forward + backward + Adam update) on the
/// issue's two shapes, T = 100 steps of 1 ms, Bernoulli input spikes with probability 0.02 per channel
/// and step, default neurons, weights N(0, 1/√fan_in), gain 10.
public enum TrainBenchmark {
    /// One network shape and its snnTorch reference (the issue, same machine, 2 threads).
    public struct Shape: Sendable {
        public let name: String
        public let input: Int, hidden: Int, recurrent: Bool, outputs: Int
        public let snnTorchReferenceMs: Double
    }

    /// 784-128-10 (`ff`) and 700-128(recurrent)-20 (`rec`), kept where `filter` is `all` or names them.
    public static func shapes(_ filter: String) -> [Shape] {
        [
            Shape(name: "784-128-10", input: 784, hidden: 128, recurrent: false, outputs: 10, snnTorchReferenceMs: 131),
            Shape(name: "700-128(rec)-20", input: 700, hidden: 128, recurrent: true, outputs: 20, snnTorchReferenceMs: 139),
        ].filter { filter == "all" || (filter == "ff" && !$0.recurrent) || (filter == "rec" && $0.recurrent) }
    }

    /// What one shape measured.
    public struct Measurement {
        /// Median wall time of one training step (s).
        public let medianSeconds: Double
        /// Mean hidden rate on the first 8 examples after the warm-up step (Hz).
        public let hiddenRateHz: Double
        /// Fraction of (example, step, channel) slots with an input spike.
        public let inputSpikeFraction: Double
    }

    /// One warm-up step then `repeats` timed steps of batch `batch` on `threads` threads (0 = all cores).
    public static func measure(_ shape: Shape, batch: Int, threads: Int, repeats: Int) throws -> Measurement {
        let (input, hidden, recurrent, out) = (shape.input, shape.hidden, shape.recurrent, shape.outputs)
        let net = NetworkSpec(
            input: input, layers: [LayerSpec(name: "hidden", size: hidden, recurrent: recurrent), LayerSpec(name: "out", size: out)])
        var scenario = try ScenarioLoader.load(
            text:
                "network: {input: \(input), layers: [{name: hidden, size: \(hidden), recurrent: \(recurrent)}, {name: out, size: \(out)}]}\ninput: {source: uniform}\n",
            path: "bench.yaml"
        ).scenario
        scenario.lifNeurons.synapseGain = 10
        let sizes = [input, hidden, out]
        let weights = Chip.connectionPlan(network: net).enumerated().map { k, p in
            WeightMatrix.generated(
                inputs: sizes[p.from], outputs: sizes[p.to], mean: 0, std: 1 / Double(sizes[p.from]).squareRoot(), seed: 1, connection: k)
        }
        let twin = try TwinNetwork(
            network: net, neurons: Chip.sampleNeurons(scenario: scenario), device: scenario.device,
            weights: weights, dt: 1e-3, steps: 100)
        let trainer = Trainer(
            twin: twin, config: TrainerConfig(epochs: 1, batch: batch, lr: 1e-3, schedule: .constant, threads: threads),
            calibration: WeightCalibration(spec: .none, device: scenario.device, seed: 1))
        var rng = RandomStream(seed: 3, purpose: .benchmark)
        let p = Array(repeating: 0.02, count: input)
        let xs = (0..<batch).map { _ in StepSpikes.bernoulli(probability: p, steps: 100, using: &rng) }
        let labels = (0..<batch).map { $0 % out }
        var ck = trainer.start()
        var times: [Double] = []
        var hiddenSpikes = 0.0
        for r in 0...repeats {
            let t0 = DispatchTime.now().uptimeNanoseconds
            let g = trainer.twin.gradient(xs, labels: labels, effective: ck.weights, threads: threads)
            ck.adam.update(&ck.weights, grads: g.gradients, lr: 1e-3)
            let dt = Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9
            if r > 0 { times.append(dt) }
            if r == 0 {
                let probe = min(8, batch)
                let out = trainer.twin.infer(Array(xs[0..<probe]), effective: ck.weights, record: true, threads: threads)
                hiddenSpikes = Double(out.map { $0.spikes[1].count }.reduce(0, +)) / Double(probe) / Double(hidden) / 0.1
            }
        }
        return Measurement(
            medianSeconds: WallClock.median(times), hiddenRateHz: hiddenSpikes,
            inputSpikeFraction: Double(xs.map(\.count).reduce(0, +)) / Double(batch * 100 * input))
    }
}
