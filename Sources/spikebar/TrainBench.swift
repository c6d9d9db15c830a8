import ArgumentParser
import Foundation
import SpikebarBenchmarks
import SpikebarCore

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
        func say(_ text: String) { if !json { print(text) } }
        var rows: [Row] = []
        say(
            "batch \(batch), T = 100, p = 0.02, \(threads == 0 ? ProcessInfo.processInfo.activeProcessorCount : threads) threads, median of \(self.repeat)"
        )
        for workload in TrainBenchmark.shapes(self.shape) {
            let (name, reference) = (workload.name, workload.snnTorchReferenceMs)
            let m = try TrainBenchmark.measure(workload, batch: batch, threads: threads, repeats: self.repeat)
            let (med, hiddenSpikes) = (m.medianSeconds, m.hiddenRateHz)
            rows.append(
                Row(
                    shape: name, msPerStep: med * 1e3, examplesPerSecond: Double(batch) / med, hiddenRateHz: hiddenSpikes,
                    snnTorchReferenceMs: reference, ratioToSnnTorchReference: reference / (med * 1e3)))
            say(
                "\(name.padding(toLength: 16, withPad: " ", startingAt: 0)) \(Units.fixed(med * 1e3, significant: 4)) ms/step  (\(Units.fixed(Double(batch) / med, significant: 4)) examples/s; input \(Units.fixed(m.inputSpikeFraction * 100, significant: 3)) % spikes, hidden \(Units.fixed(hiddenSpikes, significant: 3)) Hz); snnTorch reference ≈ \(Int(reference)) ms: \(Units.fixed(reference / (med * 1e3), significant: 3))×"
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
