import Foundation
import SpikebarChip
import SpikebarCore
import SpikebarScenario
import SpikebarTrace
import SpikebarNeurons

/// An up-front estimate of the memory a scenario needs (issue #4 part 5), so that an input too large for
/// the machine is refused in milliseconds with the numbers, instead of being killed by the OOM killer
/// minutes later. Estimates are deliberately on the high side (every array the chip, the compiled kernel
/// and the trainer keep per synapse or per neuron-step); they count bytes of the big arrays only, not
/// the small per-object overhead.
public struct MemoryEstimate: Sendable, Equatable {
    /// What needs memory and how many bytes.
    public var items: [Item]
    public struct Item: Sendable, Equatable {
        public var what: String
        public var bytes: Double
    }
    public var total: Double { items.reduce(0) { $0 + $1.bytes } }

    /// Bytes per synapse of a programmed chip and its compiled kernel: the weight matrix (Float, 4 B),
    /// G⁺ and G⁻ (Double, 16 B), their levels (UInt16, 4 B), the stuck code (1 B), the compiled charge,
    /// read-noise and RTN tables (3 × Double, 24 B) — 49 B, rounded up to 56 B for write-verify scratch.
    /// Source: the arrays of `SpikebarChip.Connection` and `SpikebarKernel.CompiledNetwork`.
    public static let bytesPerSynapse = 56.0
    /// Bytes per neuron: `NeuronParameters` and the kernel's per-neuron constants and state (≈ 30
    /// Doubles); 256 B with headroom. Source: `SpikebarKernel.NeuronSoA`, `NeuronConstants`.
    public static let bytesPerNeuron = 256.0
    /// Bytes per synapse of the twin trainer: weights, Adam's two moments, the best weights, the
    /// effective (calibrated) weights and the prepared twin's copy and transpose, 7 Doubles (56 B), plus
    /// one gradient per worker thread and one per unit of 8 samples of a batch awaiting the reduction
    /// (8 B each). Source: `SpikebarTwin.Trainer`, `Adam`, `TwinNetwork.gradient` (`Twin+Batch.swift`).
    public static let twinBytesPerSynapse = 56.0
    /// Bytes per synapse of encoding `checkpoint.json` (weights, Adam's moments and the best weights as
    /// JSON numbers through `JSONEncoder`), which dominates training memory for wide layers. Measured,
    /// not derived: peak RSS of `spikebar train` (debug build, 2 threads, batch 32, 50 steps) on
    /// two-moons 16-20000-2 and 16-60000-2 networks was 268 MB and 751 MB, i.e. 483 MB per 720 000
    /// extra synapses ≈ 670 B per synapse in all; 640 B of it is attributed to the encoding.
    public static let checkpointBytesPerSynapse = 640.0
    /// Bytes per (worker thread, time step, neuron) of the BPTT workspace: the forward trace of one
    /// sample (pre-threshold V and spike as Double, refractory flag as UInt8: 17 B), rounded up to 24 B
    /// for the per-neuron state and adjoints. Source: `TwinWorkspace` (`Twin+Unsafe.swift`).
    public static let twinBytesPerNeuronStep = 24.0
    /// Bytes per trace event held in memory when a trace is an input: time (Int64) and address
    /// (UInt32) in the decoded chunk and again in the sample's spike list (2 × 12 B). Source:
    /// `SpikebarTrace.TraceChunk`, `SpikebarCore.SpikeList`.
    public static let bytesPerTraceEvent = 24.0
    /// Bytes per input spike of a generated (Poisson, MNIST rate-coded, two-moons) input held for the whole
    /// run: time (Int64) and channel (Int32) of `SpikeList`, 12 B, twice (the encoder's reserve and the
    /// list). Source: `SpikebarCore.SpikeList`, `SpikebarData.PoissonEncoder`.
    public static let bytesPerInputSpike = 24.0
    /// Bytes per (inference, neuron) of the results a run keeps until its report: each layer's spike count
    /// per neuron (`LayerActivity.spikeCounts`, Int) and the report's per-inference rows. Source:
    /// `SpikebarActivity.Activity`.
    public static let bytesPerInferenceNeuron = 8.0
    /// Bytes per (worker, time step, neuron) of a MIF network's time grid: membrane and memristor state,
    /// input current and spike as Double (4 × 8 B). Source: `SpikebarKernel.MIFGridKernel`, `SpikebarTwin.MIFNetwork`.
    public static let mifBytesPerNeuronStep = 32.0
    /// Bytes per unit (point × chip) of a device sweep: its result (accuracy, energies, latencies per
    /// architecture) in memory and its line of the JSONL log being parsed on resume (≈ 300 B), rounded up.
    /// Source: `SweepUnitResult`, `SweepLog`. Estimate (confidence A).
    public static let bytesPerSweepUnit = 512.0

    /// The estimate for `loaded`: the chip and kernel (`chips` of them alive at once: a sweep programs
    /// one per worker), the trainer's workspaces when `training`, and the input trace's events when the
    /// scenario reads one. `threads`: worker threads (0 = cores).
    public static func of(_ loaded: LoadedScenario, training: Bool = false, threads: Int = 0, chips: Int = 1, sweepUnits: Int = 0) -> MemoryEstimate {
        let s = loaded.scenario
        let sizes = [s.network.input] + s.network.layers.map(\.size)
        let synapses = Chip.connectionPlan(network: s.network).reduce(0.0) { $0 + Double(sizes[$1.from]) * Double(sizes[$1.to]) }
        let neurons = s.network.layers.reduce(0.0) { $0 + Double($1.size) }
        let n = Double(max(1, chips))
        var items = [
            Item(
                what:
                    "\(chips > 1 ? "\(chips) chips at once × " : "")chip and compiled kernel: \(Int(synapses)) synapses × \(Int(bytesPerSynapse)) B + \(Int(neurons)) neurons × \(Int(bytesPerNeuron)) B",
                bytes: n * (synapses * bytesPerSynapse + neurons * bytesPerNeuron))
        ]
        if training, let t = s.training {
            let workers = Double(threads > 0 ? threads : ProcessInfo.processInfo.activeProcessorCount)
            let steps = max(1, (s.input.window / s.simulation.dt).rounded())
            let units = Double((t.batch + 7) / 8)
            items.append(
                Item(
                    what:
                        "twin weights, Adam and gradients: \(Int(synapses)) synapses × (\(Int(twinBytesPerSynapse)) + 8 × \(Int(workers)) threads + 8 × \(Int(units)) batch units) B",
                    bytes: synapses * (twinBytesPerSynapse + 8 * workers + 8 * units)))
            items.append(
                Item(
                    what: "checkpoint JSON encoding: \(Int(synapses)) synapses × \(Int(checkpointBytesPerSynapse)) B",
                    bytes: synapses * checkpointBytesPerSynapse))
            items.append(
                Item(
                    what:
                        "BPTT workspace: \(Int(workers)) threads × \(Int(steps)) steps × \(Int(neurons) + s.network.input) neurons × \(Int(twinBytesPerNeuronStep)) B",
                    bytes: workers * steps * (neurons + Double(s.network.input)) * twinBytesPerNeuronStep))
        }
        // Size-driven allocations of a run (issue #22, class 5): every inference's input spikes and results
        // are held until the report, so `input.samples` and `input.window` scale memory linearly.
        let samples = Double(max(1, s.input.samples))
        let total = neurons + Double(s.network.input)
        if loaded.inputTrace == nil {
            let spikes = Double(s.network.input) * s.input.maxRate * s.input.window
            items.append(
                Item(
                    what:
                        "input spikes: \(Int(samples)) inferences × \(s.network.input) channels × \(s.input.maxRate) Hz × \(s.input.window) s × \(Int(bytesPerInputSpike)) B",
                    bytes: samples * spikes * bytesPerInputSpike))
        }
        items.append(
            Item(
                what: "results kept for the report: \(Int(samples)) inferences × \(Int(total)) neurons × \(Int(bytesPerInferenceNeuron)) B",
                bytes: samples * total * bytesPerInferenceNeuron))
        if s.mif != nil {
            let workers = Double(threads > 0 ? threads : ProcessInfo.processInfo.activeProcessorCount)
            let steps = max(1, (s.input.window / s.simulation.dt).rounded())
            items.append(
                Item(
                    what: "MIF time grid: \(Int(workers)) threads × \(steps) steps × \(Int(total)) neurons × \(Int(mifBytesPerNeuronStep)) B",
                    bytes: workers * steps * total * mifBytesPerNeuronStep))
        }
        if sweepUnits > 0 {
            items.append(Item(what: "sweep units: \(sweepUnits) × \(Int(bytesPerSweepUnit)) B", bytes: Double(sweepUnits) * bytesPerSweepUnit))
        }
        if let trace = loaded.inputTrace, let reader = try? TraceReader(path: trace) {
            items.append(
                Item(
                    what: "input trace \(trace): \(reader.eventCount) events × \(Int(bytesPerTraceEvent)) B",
                    bytes: Double(reader.eventCount) * bytesPerTraceEvent))
        }
        return MemoryEstimate(items: items)
    }
}

/// The memory budget (bytes) inputs are checked against: `--memory-budget`, else the environment
/// variable `SPIKEBAR_MEMORY_BUDGET`, else 80 % of physical memory (the rest for the OS and the other
/// processes). Values: bytes with an optional unit (`512MiB`, `8GiB`, `2e9`, `16GB`) or a percentage of
/// physical memory (`50%`).
public enum MemoryBudget {
    public static let environmentVariable = "SPIKEBAR_MEMORY_BUDGET"
    public static let defaultFraction = 0.8

    /// Parses a budget; `source` names where it came from in errors.
    public static func parse(_ text: String, source: String) throws -> Double {
        let t = text.trimmingCharacters(in: .whitespaces)
        let units: [(String, Double)] = [
            ("KiB", 1024), ("MiB", 1_048_576), ("GiB", 1_073_741_824), ("TiB", 1_099_511_627_776),
            ("KB", 1e3), ("MB", 1e6), ("GB", 1e9), ("TB", 1e12), ("%", -1), ("B", 1), ("", 1),
        ]
        for (suffix, scale) in units where t.hasSuffix(suffix) {
            guard let x = Double(t.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)), x.isFinite, x > 0 else { continue }
            if scale < 0 {
                guard x <= 100 else { break }
                return x / 100 * Double(ProcessInfo.processInfo.physicalMemory)
            }
            return x * scale
        }
        throw SpikebarError.invalidInput(SourceLocation(file: source), "'\(text)' is not a memory size (e.g. 512MiB, 8GiB, 2e9, 50%)")
    }

    /// The budget in force and where it comes from.
    public static func resolve(option: String?) throws -> (bytes: Double, source: String) {
        if let option { return (try parse(option, source: "--memory-budget"), "--memory-budget") }
        if let env = ProcessInfo.processInfo.environment[environmentVariable], !env.isEmpty {
            return (try parse(env, source: environmentVariable), environmentVariable)
        }
        return (defaultFraction * Double(ProcessInfo.processInfo.physicalMemory), "default: \(Int(defaultFraction * 100)) % of physical memory")
    }

    /// Throws `SpikebarError.resourceLimit` with the estimate and how to raise the budget when
    /// `estimate` exceeds `budget`.
    public static func check(_ estimate: MemoryEstimate, budget: Double, source: String, what: String) throws {
        guard estimate.total > budget else { return }
        let lines = estimate.items.map { "  \($0.what) = \(Units.format($0.bytes, "B"))" }.joined(separator: "\n")
        throw SpikebarError.resourceLimit(
            """
            \(what) needs an estimated \(Units.format(estimate.total, "B")) of memory, over the budget of \(Units.format(budget, "B")) (\(source)):
            \(lines)
            Make the network or trace smaller, or raise the budget with --memory-budget (e.g. --memory-budget 64GiB or 90%) \
            or \(environmentVariable) if the machine has the memory (Docs/scaling.md).
            """)
    }
}
