import ArgumentParser
import Foundation
import SpikebarChip
import SpikebarCore
import SpikebarData
import SpikebarKernel
import SpikebarPipeline
import SpikebarScenario

/// `spikebar bench scaling`: one point of the kernel's scaling curves (issue #9), printed as one
/// `key=value` line that `Benchmarks/scaling.sh` collects and `Benchmarks/plot_scaling.py` charts.
///
/// - size: the quickstart chip with its input layer grown to `--inputs` channels (hidden 128 and output
///   10 stay), every input a Poisson process at `--rate`; so the fan-out of an input spike stays 128 and
///   the work per input spike stays fixed while the network (and its crossbar) grows. The hidden gain is
///   the quickstart's calibrated one (calibrated once, at 784 inputs) times 784 / inputs, so the mean
///   drive of a hidden neuron — and to first order its rate — stays fixed; the measured rates are printed.
/// - activity: `--inputs 784` and a range of `--rate` values (1 Hz ≈ 0.1 % of inputs per ms … 200 Hz ≈
///   20 %), with the dense clock-driven loop (`--dense`, every synapse every step, the work of an ADC
///   crossbar) beside it.
/// - threads: `--samples N --threads T` times N independent inferences of the quickstart workload run by
///   `ParallelMap` on T threads (the sweep parallelism of `spikebar run`).
struct ScalingBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scaling",
        abstract: "One point of the kernel scaling curves (network size, activity, threads); Benchmarks/scaling.sh runs the sweep.")

    @Option(help: "Input channels (hidden 128 and output 10 are fixed).") var inputs = 784
    @Option(help: "Input rate per channel (Hz).") var rate = 20.0
    @Option(help: "Model time per run (s).") var duration = 0.1
    @Option(help: "Runs per mode; the median is reported.") var `repeat` = 3
    @Option(help: "Modes: exact, grid, all.") var mode = "all"
    @Option(help: "Grid step (s).") var dt = 1e-4
    @Flag(help: "Also time the dense clock-driven loop (every synapse every step).") var dense = false
    @Option(help: "Independent inferences per run (threads measurement); 0 = single-run mode.") var samples = 0
    @Option(help: "Worker threads for --samples.") var threads = 1

    func run() throws {
        do {
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
            let neurons = sizes.reduce(0, +)
            let synapses = chip.connections.reduce(0) { $0 + $1.inputs * $1.outputs }
            let encoder = PoissonEncoder(maxRate: rate, window: duration, seed: s.seed)
            let head =
                "neurons=\(neurons) inputs=\(inputs) synapses=\(synapses) tiles=\(chip.tiles.count) rate_hz=\(rate) active_per_ms=\(Units.fixed(rate * 1e-3 * 100, significant: 4))% duration_s=\(duration) setup_s=\(Units.fixed(setup, significant: 4))"

            if samples > 0 {
                let spikes = (0..<samples).map { encoder.encode(Array(repeating: 1.0, count: inputs), sample: $0) }
                let kernel = EventKernel(chip: chip, timing: mode == "exact" ? .exact : .grid(dt: dt), readNoise: false)
                var times: [Double] = []
                var syn = 0
                let seed = s.seed
                for _ in 0..<self.repeat {
                    let t1 = DispatchTime.now().uptimeNanoseconds
                    let results = ParallelMap.map(count: samples, threads: threads) { k in
                        kernel.run(input: spikes[k], options: RunOptions(window: duration, sample: k, seed: seed)).activity.totalSynapticEvents
                    }
                    times.append(Double(DispatchTime.now().uptimeNanoseconds - t1) * 1e-9)
                    syn = results.reduce(0, +)
                }
                let med = WallClock.median(times)
                print(
                    "scaling kind=threads mode=\(mode == "exact" ? "exact" : "grid") threads=\(threads) samples=\(samples) \(head) seconds=\(med) syn_events=\(syn) syn_per_s=\(Double(syn) / med) rss_mib=\(Double(peakRSSKiB()) / 1024)"
                )
                return
            }

            let input = encoder.encode(Array(repeating: 1.0, count: inputs), sample: 0)
            let opts = RunOptions(window: duration, sample: 0, seed: s.seed, reportingStep: dt)
            let modes = [("exact", Timing.exact), ("grid", Timing.grid(dt: dt))].filter { mode == "all" || $0.0 == mode }
            for (name, timing) in modes {
                let kernel = EventKernel(chip: chip, timing: timing, readNoise: false)
                var times: [Double] = []
                var last: KernelResult?
                for _ in 0..<self.repeat {
                    let t1 = DispatchTime.now().uptimeNanoseconds
                    last = kernel.run(input: input, options: opts)
                    times.append(Double(DispatchTime.now().uptimeNanoseconds - t1) * 1e-9)
                }
                guard let r = last else { continue }
                let med = WallClock.median(times)
                let syn = r.activity.totalSynapticEvents
                let rates = r.activity.layers.dropFirst().map { Units.fixed($0.meanRate, significant: 3) }.joined(separator: "/")
                print(
                    "scaling kind=run mode=\(name) \(head) input_spikes=\(input.count) seconds=\(med) syn_events=\(syn) syn_per_s=\(Double(syn) / med) layer_rates_hz=\(rates) rss_mib=\(Double(peakRSSKiB()) / 1024)"
                )
            }
            if dense {
                var times: [Double] = []
                var work = 0.0
                for _ in 0..<self.repeat {
                    let t1 = DispatchTime.now().uptimeNanoseconds
                    work = ClockDrivenReference.run(chip: chip, input: input, window: duration, dt: dt).synapseUpdates
                    times.append(Double(DispatchTime.now().uptimeNanoseconds - t1) * 1e-9)
                }
                let med = WallClock.median(times)
                print(
                    "scaling kind=run mode=dense \(head) input_spikes=\(input.count) seconds=\(med) synapse_updates=\(Int(work)) rss_mib=\(Double(peakRSSKiB()) / 1024)"
                )
            }
        } catch let e as SpikebarError {
            fail(e)
        }
    }
}
