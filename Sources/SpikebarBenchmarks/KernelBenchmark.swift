import Foundation
import SpikebarActivity
import SpikebarChip
import SpikebarCore
import SpikebarCost
import SpikebarKernel
import SpikebarPipeline
import SpikebarScenario

/// `spikebar bench kernel`: the workload (a scenario's network with generated weights and calibrated DPI
/// gains, every input channel a Poisson process at one rate) and its timed runs; the CLI parses, shows
/// progress and prints.
public enum KernelBenchmark {
    /// One workload: the simulation (chip and scenario), its input spikes and the options of every run.
    public struct Workload {
        public let scenario: Scenario
        public let simulation: Simulation
        public let input: SpikeList
        public let options: RunOptions
        /// `784-128-10 on 1 tiles, Poisson 20.0 Hz per channel for 1.0 s`.
        public let description: String
    }

    /// The scenario at `path` (LIF + DPI only) with uniform Poisson input at `rate` for `duration`, one
    /// sample, generated weights and grid step `dt`; DPI gains calibrated at 1 ms.
    public static func workload(scenario path: String, rate: Double, duration: Double, dt: Double, readNoise: Bool) throws -> Workload {
        var loaded = try ScenarioLoader.load(path: path)
        try loaded.scenario.requireNeuronModel([.lifDPI], for: "spikebar bench kernel")
        loaded.scenario.input.source = .uniform
        loaded.scenario.input.maxRate = rate
        loaded.scenario.input.window = duration
        loaded.scenario.input.samples = 1
        loaded.scenario.input.firstSample = 0
        loaded.scenario.weights.source = .generated
        loaded.scenario.simulation.dt = dt
        loaded.inputImages = nil
        let sim = try Simulation(loaded: loaded, timing: .grid(dt: 1e-3), readNoise: readNoise)
        let input = sim.inputSpikes(0)
        let opts = RunOptions(window: duration, sample: 0, seed: loaded.scenario.seed, reportingStep: dt)
        let description =
            "\(sim.chip.populations.map { "\($0.size)" }.joined(separator: "-")) on \(sim.chip.tiles.count) tiles, Poisson \(rate) Hz per channel for \(duration) s"
        return Workload(scenario: loaded.scenario, simulation: sim, input: input, options: opts, description: description)
    }

    /// The kernel's timing modes, exact and grid(`dt`), kept where `mode` is `all` or a prefix of the name.
    public static func modes(_ mode: String, dt: Seconds) -> [(name: String, timing: Timing)] {
        [("exact", Timing.exact), ("grid(\(Units.format(seconds: dt)))", Timing.grid(dt: dt))]
            .filter { mode == "all" || $0.0.hasPrefix(mode) }
    }

    /// `repeats` timed runs of `kernel` on `input`: the median wall time (`WallClock.median`) and the last
    /// run's result (nil for none); `afterRun` is called after each run.
    public static func time(
        _ kernel: EventKernel, input: SpikeList, options: RunOptions, repeats: Int, afterRun: () -> Void = {}
    ) -> (median: Double, last: KernelResult?) {
        var times: [Double] = []
        var last: KernelResult?
        for _ in 0..<repeats {
            let t0 = DispatchTime.now().uptimeNanoseconds
            last = kernel.run(input: input, options: options)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9)
            afterRun()
        }
        return (WallClock.median(times), last)
    }

    /// The peer measured in the same run: `repeats` timed runs of the dense clock-driven loop over `chip`
    /// (every synapse every step): the median wall time and the synapse updates of one run.
    public static func timeDense(
        chip: Chip, input: SpikeList, window: Seconds, dt: Seconds, repeats: Int, afterRun: () -> Void = {}
    ) -> (median: Double, synapseUpdates: Double) {
        var times: [Double] = []
        var work = 0.0
        for _ in 0..<repeats {
            let t0 = DispatchTime.now().uptimeNanoseconds
            work = ClockDrivenReference.run(chip: chip, input: input, window: window, dt: dt).synapseUpdates
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9)
            afterRun()
        }
        return (WallClock.median(times), work)
    }

    /// `options` with every spike recorded.
    public static func recording(_ options: RunOptions) -> RunOptions {
        var o = options
        o.recordSpikes = true
        return o
    }

    /// Writes a run's recorded spikes as `time_ps,population,neuron` (population 0: the input), in time
    /// order within each population; integer picoseconds, so nothing is rounded on the way.
    public static func writeSpikes(_ r: KernelResult, to path: String) throws {
        var csv = "time_ps,population,neuron\n"
        for (p, list) in r.spikes.enumerated() {
            for (t, ch) in zip(list.times, list.channels) { csv += "\(t),\(p),\(ch)\n" }
        }
        do { try Data(csv.utf8).write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw SpikebarError.invalidInput(SourceLocation(file: path), "cannot write: \(error.localizedDescription)")
        }
    }

    /// The estimates written to the peer workload's `costs.json`: every cost model of `scenario` on
    /// `activity`, then `PeerWorkload.loihiSpread`.
    public static func peerCosts(_ activity: Activity, scenario: Scenario) -> [CostEstimate] {
        Simulation.costModels(for: scenario).map { $0.price(activity) } + [
            PeerWorkload.loihiSpread(activity, prices: scenario.architectures.loihi)
        ]
    }
}

/// Peak resident set size of this process (KiB), from /proc/self/status (VmHWM); 0 where unavailable.
public func peakRSSKiB() -> Int {
    guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in s.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
    }
    return 0
}
