import ArgumentParser
import Foundation
import SpikebarBenchmarks
import SpikebarCore
import SpikebarKernel

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
    @Option(
        help:
            "Threads sharing ONE inference's input row reads (grid mode only, --mode grid; results bit-identical to one thread, checked on every run and printed as identical_to_1_thread)."
    )
    var inferenceThreads = 1
    @Option(help: "With --inference-threads: a grid step whose input reads update fewer synapses than this runs on one thread.")
    var deliveryGrain = RunOptions(window: 1).deliveryGrain
    @Option(help: "Also write the chip and its input for the peers (Benchmarks/peers.sh scaling: NEST on the same network and spikes).")
    var export: String?

    func validate() throws {
        guard inferenceThreads >= 1 else { throw ValidationError("--inference-threads must be ≥ 1") }
        guard deliveryGrain >= 0 else { throw ValidationError("--delivery-grain must be ≥ 0") }
        if inferenceThreads > 1 && (mode != "grid" || samples > 0) {
            throw ValidationError("--inference-threads shares one inference's grid steps: use it with --mode grid and without --samples")
        }
    }

    func run() throws {
        do {
            let w = try ScalingBenchmark.workload(inputs: inputs, rate: rate, duration: duration)
            let (s, chip, encoder) = (w.scenario, w.chip, w.encoder)
            let head =
                "neurons=\(w.neurons) inputs=\(inputs) synapses=\(w.synapses) tiles=\(chip.tiles.count) rate_hz=\(rate) active_per_ms=\(Units.fixed(rate * 1e-3 * 100, significant: 4))% duration_s=\(duration) setup_s=\(Units.fixed(w.setupSeconds, significant: 4)) regenerated_synapses=\(chip.connections.filter { !$0.storesConductances }.reduce(0) { $0 + $1.inputs * $1.outputs })"

            if samples > 0 {
                let (med, syn) = ScalingBenchmark.timeThreads(
                    w, samples: samples, threads: threads, timing: mode == "exact" ? .exact : .grid(dt: dt), duration: duration,
                    repeats: self.repeat)
                print(
                    "scaling kind=threads mode=\(mode == "exact" ? "exact" : "grid") threads=\(threads) samples=\(samples) \(head) seconds=\(med) syn_events=\(syn) syn_per_s=\(Double(syn) / med) rss_mib=\(Double(peakRSSKiB()) / 1024)"
                )
                return
            }

            let input = encoder.encode(Array(repeating: 1.0, count: inputs), sample: 0)
            if let export { try PeerWorkload.write(chip: chip, input: input, duration: duration, to: export) }
            var opts = RunOptions(window: duration, sample: 0, seed: s.seed, reportingStep: dt)
            opts.deliveryThreads = RunOptions.threadsPerCore(inferenceThreads)
            opts.deliveryGrain = deliveryGrain
            let modes = [("exact", Timing.exact), ("grid", Timing.grid(dt: dt))].filter { mode == "all" || $0.0 == mode }
            for (name, timing) in modes {
                let kernel = EventKernel(chip: chip, timing: timing, readNoise: false)
                let (med, last) = KernelBenchmark.time(kernel, input: input, options: opts, repeats: self.repeat)
                guard let r = last else { continue }
                let syn = r.activity.totalSynapticEvents
                let rates = r.activity.layers.dropFirst().map { Units.fixed($0.meanRate, significant: 3) }.joined(separator: "/")
                var threadsField = ""
                if inferenceThreads > 1 {
                    // The promise checked, not assumed: every spike of every population equal to one thread's.
                    var one = opts, many = opts
                    one.deliveryThreads = 1; one.recordSpikes = true; many.recordSpikes = true
                    let same = kernel.run(input: input, options: one).spikes == kernel.run(input: input, options: many).spikes
                    threadsField = " inference_threads=\(opts.deliveryThreads) identical_to_1_thread=\(same)"
                }
                print(
                    "scaling kind=run mode=\(name) \(head)\(threadsField) input_spikes=\(input.count) seconds=\(med) syn_events=\(syn) syn_per_s=\(Double(syn) / med) layer_rates_hz=\(rates) rss_mib=\(Double(peakRSSKiB()) / 1024)"
                )
            }
            if dense {
                let (med, work) = KernelBenchmark.timeDense(chip: chip, input: input, window: duration, dt: dt, repeats: self.repeat)
                print(
                    "scaling kind=run mode=dense \(head) input_spikes=\(input.count) seconds=\(med) synapse_updates=\(Int(work)) rss_mib=\(Double(peakRSSKiB()) / 1024)"
                )
            }
        } catch let e as SpikebarError {
            fail(e)
        }
    }
}
