import ArgumentParser
import Foundation
import SpikebarChip
import SpikebarCore
import SpikebarDevices
import SpikebarScenario
import SpikebarTwin

struct TrainBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Twin training-step time (forward + backward + Adam update) for the issue's two shapes.",
        discussion: """
            Workloads: 784-128-10 and 700-128(recurrent)-20, T = 100 steps of 1 ms, batch 128, Bernoulli input \
            spikes with probability 0.02 per channel and step (fresh each step), default neurons (τ_mem 20 ms, \
            τ_syn 5 ms, 30 % heterogeneity), weights N(0, 1/√fan_in), gain 10, fast-sigmoid surrogate, \
            spike-count readout, Adam. Prints the median over --repeat steps after one warm-up, and peak RSS. \
            Reference (the issue, same machine, 2 threads): snnTorch ≈ 131 ms and ≈ 139 ms per step.
            """)

    @Option(help: "Timed steps per shape; the median is reported.") var `repeat` = 7
    @Option(help: "Worker threads (0 = all cores).") var threads = 0
    @Option(help: "Batch size.") var batch = 128
    @Option(help: "Shapes: all, ff, rec.") var shape = "all"
    @Flag(help: "Print the figures as JSON.") var json = false

    /// `--json` output.
    struct Row: Codable {
        var shape: String; var msPerStep: Double; var examplesPerSecond: Double; var hiddenRateHz: Double; var snnTorchReferenceMs: Double;
        var ratioToSnnTorchReference: Double
    }
    struct Output: Codable { var batch: Int; var steps: Int; var threads: Int; var repeats: Int; var shapes: [Row]; var peakRSSKiB: Int }

    func run() throws {
        let workloads: [(String, Int, Int, Bool, Int, Double)] = [
            ("784-128-10", 784, 128, false, 10, 131), ("700-128(rec)-20", 700, 128, true, 20, 139),
        ].filter { shape == "all" || (shape == "ff" && !$0.3) || (shape == "rec" && $0.3) }
        func say(_ text: String) { if !json { print(text) } }
        var rows: [Row] = []
        say(
            "batch \(batch), T = 100, p = 0.02, \(threads == 0 ? ProcessInfo.processInfo.activeProcessorCount : threads) threads, median of \(self.repeat)"
        )
        for (name, input, hidden, recurrent, out, reference) in workloads {
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
            for r in 0...self.repeat {
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
            let med = WallClock.median(times)
            rows.append(
                Row(
                    shape: name, msPerStep: med * 1e3, examplesPerSecond: Double(batch) / med, hiddenRateHz: hiddenSpikes,
                    snnTorchReferenceMs: reference, ratioToSnnTorchReference: reference / (med * 1e3)))
            say(
                "\(name.padding(toLength: 16, withPad: " ", startingAt: 0)) \(Units.fixed(med * 1e3, significant: 4)) ms/step  (\(Units.fixed(Double(batch) / med, significant: 4)) examples/s; input \(Units.fixed(Double(xs.map(\.count).reduce(0, +)) / Double(batch * 100 * input) * 100, significant: 3)) % spikes, hidden \(Units.fixed(hiddenSpikes, significant: 3)) Hz); snnTorch reference ≈ \(Int(reference)) ms: \(Units.fixed(reference / (med * 1e3), significant: 3))×"
            )
        }
        say("peak RSS \(Units.fixed(Double(peakRSSKiB()) / 1024, significant: 4)) MiB")
        if json {
            let enc = JSONEncoder.spikebar(pretty: true)
            let out = Output(
                batch: batch, steps: 100, threads: threads == 0 ? ProcessInfo.processInfo.activeProcessorCount : threads,
                repeats: self.repeat, shapes: rows, peakRSSKiB: peakRSSKiB())
            print(String(decoding: try enc.encode(out), as: UTF8.self))
        }
    }
}
