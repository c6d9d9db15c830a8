import ArgumentParser
import Foundation
import SpikebarBenchmarks
import SpikebarChip
import SpikebarCore
import SpikebarKernel
import SpikebarPipeline

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks (figures printed with the ratio to a peer measured in the same run).",
        subcommands: [KernelBench.self] + BenchCommand.extra)
}

struct KernelBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernel",
        abstract: "Event-kernel throughput on the quickstart network.",
        discussion: """
            Workload: the scenario's network (default Scenarios/untrained-784-128-10.yaml, 784-128-10 on 128×128 tiles) \
            with every input channel a Poisson process at --rate (default 20 Hz, ≈2 % of inputs spiking per ms) \
            for --duration of model time (default 1 s), the same input spikes for every mode. Weights: generated, \
            DPI gains calibrated to the scenario's target rates. Measures exact mode and grid mode (dt = --dt, \
            default 0.1 ms), and as the peer in the same run a dense clock-driven loop over the same chip \
            (every synapse every step, the work an ADC-based CIM does). Prints the median of --repeat runs: \
            events/s and synaptic events/s (one synaptic event = one presynaptic spike delivered to one \
            postsynaptic neuron, Brian2's unit; cells read are twice that with differential pairs), and peak RSS.
            """)

    @Option(help: "Scenario whose network and chip are used.") var scenario = "Scenarios/untrained-784-128-10.yaml"
    @Option(help: "Input rate per channel (Hz).") var rate = 20.0
    @Option(help: "Model time per run (s).") var duration = 1.0
    @Option(help: "Grid step (s).") var dt = 1e-4
    @Option(help: "Runs per mode; the median is reported.") var `repeat` = 7
    @Flag(help: "Read noise on (default off: the Brian2 peer has no read noise).") var readNoise = false
    @Option(help: "Modes to measure: all, exact, grid.") var mode = "all"
    @Option(
        help:
            "Also write the workload (chip as current steps, neuron constants, input spikes) to this folder for a peer simulator (Benchmarks/peers.sh)."
    )
    var export: String?
    @Flag(help: "Print the figures as JSON on standard output (no progress).") var json = false
    @Flag(help: "Print nothing but errors and the figures (no progress).") var quiet = false

    /// `--json` output.
    struct Result: Codable {
        struct Mode: Codable {
            var mode: String; var medianSeconds: Double; var eventsPerSecond: Double; var synapticEventsPerSecond: Double
            var synapticEvents: Int; var rowReads: Int; var spikesPerPopulation: [Int]; var staleEvents: Int
            var targetSynapticEventsPerSecond: Double; var speedupOverDensePeer: Double?
        }
        var workload: String; var inputSpikes: Int; var repeats: Int; var readNoise: Bool
        var modes: [Mode]; var densePeerMedianSeconds: Double?; var densePeerSynapseUpdatesPerSecond: Double?; var peakRSSKiB: Int
    }

    func run() throws {
        func say(_ s: String) { if !json { print(s) } }
        do {
            let w = try KernelBenchmark.workload(scenario: scenario, rate: rate, duration: duration, dt: dt, readNoise: readNoise)
            let (sim, input, opts) = (w.simulation, w.input, w.options)
            if let export { try PeerWorkload.write(chip: sim.chip, input: input, duration: duration, to: export) }
            say(
                "workload: \(sim.chip.populations.map { "\($0.size)" }.joined(separator: "-")) on \(sim.chip.tiles.count) tiles, \(input.count) input spikes (\(Units.fixed(Double(input.count) / Double(sim.chip.populations[0].size) / duration, significant: 3)) Hz/channel) over \(Units.format(seconds: duration)), read noise \(readNoise ? "on" : "off"), median of \(self.repeat)"
            )
            var figures: [(name: String, synPerSecond: Double, seconds: Double)] = []
            var results: [Result.Mode] = []
            let modes = KernelBenchmark.modes(mode, dt: dt)
            let progress = ProgressLine(
                total: (modes.count + (mode == "all" ? 1 : 0)) * self.repeat, label: "benchmark runs", enabled: !quiet && !json)
            var runsDone = 0
            for (name, timing) in modes {
                let kernel = EventKernel(chip: sim.chip, timing: timing, readNoise: readNoise)
                let (med, last) = KernelBenchmark.time(kernel, input: input, options: opts, repeats: self.repeat) {
                    runsDone += 1; progress.update(runsDone)
                }
                guard let r = last else { continue }
                let syn = Double(r.activity.totalSynapticEvents)
                let events = Double(input.count + r.queueEvents)
                figures.append((name, syn / med, med))
                results.append(
                    .init(
                        mode: name, medianSeconds: med, eventsPerSecond: events / med, synapticEventsPerSecond: syn / med,
                        synapticEvents: Int(syn), rowReads: r.rowReads, spikesPerPopulation: r.activity.layers.map(\.spikes),
                        staleEvents: r.staleEvents, targetSynapticEventsPerSecond: WallClock.kernelTarget(exact: name == "exact"),
                        speedupOverDensePeer: nil))
                progress.finish()
                say(
                    "\(name.padding(toLength: 14, withPad: " ", startingAt: 0)) \(Units.fixed(med * 1e3, significant: 4)) ms  \(Units.fixed(events / med / 1e6, significant: 4)) M events/s  \(Units.fixed(syn / med / 1e6, significant: 4)) M synaptic events/s  (\(Int(syn)) synaptic events, \(r.rowReads) row reads, spikes per population \(r.activity.layers.map { String($0.spikes) }.joined(separator: "/")), \(r.staleEvents) stale queue events)"
                )
                if let export, timing == .exact {
                    // The exact mode's spikes, for the peers' spike-time agreement (Benchmarks/nest_kernel.py):
                    // one more run, recording, outside the timed ones.
                    try KernelBenchmark.writeSpikes(
                        kernel.run(input: input, options: KernelBenchmark.recording(opts)), to: export + "/spikes-exact.csv")
                }
                if let export {
                    try PeerWorkload.writeCosts(
                        KernelBenchmark.peerCosts(r.activity, scenario: w.scenario), mode: name, seconds: med, to: export)
                }
            }
            // Peer measured in the same run: a dense clock-driven loop over the same chip and input.
            let (dense, work) = KernelBenchmark.timeDense(
                chip: sim.chip, input: input, window: duration, dt: dt, repeats: mode == "all" ? self.repeat : 0
            ) {
                runsDone += 1; progress.update(runsDone)
            }
            progress.finish()
            if dense.isFinite {
                say(
                    "\("dense peer".padding(toLength: 14, withPad: " ", startingAt: 0)) \(Units.fixed(dense * 1e3, significant: 4)) ms  clock-driven, every synapse every step (dt \(Units.format(seconds: dt))): \(Units.fixed(work / dense / 1e6, significant: 4)) M synapse updates/s"
                )
            }
            if json {
                for k in results.indices { results[k].speedupOverDensePeer = dense.isFinite ? dense / results[k].medianSeconds : nil }
                return try printJSON(
                    Result(
                        workload: w.description, inputSpikes: input.count, repeats: self.repeat, readNoise: readNoise, modes: results,
                        densePeerMedianSeconds: dense.isFinite ? dense : nil,
                        densePeerSynapseUpdatesPerSecond: dense.isFinite ? work / dense : nil, peakRSSKiB: peakRSSKiB()))
            }
            for f in figures {
                let target = WallClock.kernelTarget(exact: f.name == "exact")
                print(
                    "  \(f.name): \(Units.fixed(f.synPerSecond / 1e6, significant: 4)) M synaptic events/s, target ≥ \(Int(target / 1e6)) M: \(f.synPerSecond >= target ? "met" : "NOT met") (\(Units.fixed(f.synPerSecond / target, significant: 3))× target)\(dense.isFinite ? "; \(Units.fixed(dense / f.seconds, significant: 3))× faster than the dense peer" : "")"
                )
            }
            print("peak RSS \(Units.fixed(Double(peakRSSKiB()) / 1024, significant: 4)) MiB")
        } catch let e as SpikebarError {
            fail(e)
        }
    }
}
