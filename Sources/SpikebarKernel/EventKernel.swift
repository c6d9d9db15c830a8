import HeapModule
import SpikebarActivity
import SpikebarChip
import SpikebarCore
import SpikebarDevices

/// The discrete-event engine (DESIGN §1–3): spikes travel asynchronously through a priority queue;
/// a spike reads only its own row on every tile that holds it (sparse row activation), and the read's
/// column charges drive the next layer's DPI synapses; neurons are integrated exactly between events.
///
/// The kernel knows nothing about prices: it returns an `Activity` for `SpikebarCost` to price.
///
/// ```swift
/// let kernel = EventKernel(chip: chip, timing: .exact)
/// let result = kernel.run(input: spikes, options: RunOptions(window: 0.1, sample: 0, seed: 42))
/// print(result.activity.predictedClass, result.activity.totalRowReads)
/// ```
/// A kernel value is immutable and can run many inferences concurrently; each `run` owns its state.
public struct EventKernel: Sendable {
    public let timing: Timing
    let net: CompiledNetwork
    /// Whether read-to-read noise is sampled (off only for analytic tests and the replay contract).
    public let readNoise: Bool

    public init(chip: Chip, timing: Timing, readNoise: Bool = true) {
        self.timing = timing
        self.readNoise = readNoise && (chip.device.readNoise > 0 || chip.device.physics != nil)
        net = CompiledNetwork(chip: chip, readNoise: self.readNoise)
    }

    /// Runs one inference: `input` are the spikes of population 0 (channel = input index).
    public func run(input: SpikeList, options: RunOptions) -> KernelResult {
        var state = RunState(net: net, options: options, noise: readNoise)
        switch timing {
        case .exact:
            state.runExact(input: input)
        case let .grid(dt):
            state.runGrid(input: input, dt: dt)
        }
        #if DEBUG
        // The run's invariants (RunState+Invariants), after every run in debug builds.
        let violations = state.invariantViolations(now: state.windowPs)
        assert(violations.isEmpty, "event kernel invariants: \(violations.prefix(3).joined(separator: "; "))")
        #endif
        return state.result(timing: timing)
    }
}

/// What one run produced.
public struct KernelResult: Sendable {
    public var activity: Activity
    /// Spikes of every population (index 0 = input), when `recordSpikes` was set.
    public var spikes: [SpikeList]
    /// Samples of each probe, in the order of `RunOptions.probes`.
    public var probes: [[ProbeSample]]
    /// Work the engine did: queue events popped (incl. stale), input spikes merged, row reads.
    public var queueEvents: Int, staleEvents: Int, rowReads: Int
}
