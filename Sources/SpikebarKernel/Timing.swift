import Foundation
import SpikebarCore
import SpikebarNeurons

/// How the kernel advances time.
public enum Timing: Sendable, Equatable {
    /// Continuous time at 1 ps resolution: neurons are integrated in closed form between events and
    /// threshold crossings are found by root search (`LIFDynamics.firstCrossing`).
    case exact
    /// Quantised to steps of `dt`: input spikes are binned to `floor(t/dt)`, neurons advance with the
    /// shared `StepPropagator`, thresholds are tested at step boundaries — the twin's discretisation,
    /// so that kernel and twin agree spike for spike (DESIGN §2, replay contract).
    case grid(dt: Seconds)
}

/// A request to sample a neuron's state at given times (a membrane "multimeter", as in NEST).
public struct Probe: Sendable, Equatable {
    /// Population index (1 = first layer of neurons) and neuron index.
    public var population: Int, neuron: Int
    public var times: [SimTime]
    public init(population: Int, neuron: Int, times: [SimTime]) {
        self.population = population; self.neuron = neuron; self.times = times
    }
}

/// One sampled state: membrane potential (V) and synaptic current (A) at `time`.
public struct ProbeSample: Sendable, Equatable {
    public var time: SimTime
    public var v: Double, i: Double
}

/// Knobs of one kernel run that are not part of the chip.
public struct RunOptions: Sendable {
    /// Presentation window: the run stops at this time.
    public var window: Seconds
    /// Random key of this inference (read noise): sample index within the run.
    public var sample: Int
    /// Seed of the read-noise stream.
    public var seed: UInt64
    /// Keep every spike of every population in the result (for traces and tests).
    public var recordSpikes: Bool
    /// Sample neuron states.
    public var probes: [Probe]
    /// Step reported to time-stepped cost models (s); defaults to the grid step in grid mode.
    public var reportingStep: Seconds
    /// Runaway guard (issue #22, class 4): a population of neurons that emits more than this many spikes
    /// per neuron per second over the window (at least 10 000 spikes) stops the run, which reports the
    /// population in `Activity.runaway`. 100 kHz per neuron: 10²× the fastest rate a DPI silicon neuron
    /// is designed for (≤ 1 kHz, Chicca et al., Proc. IEEE 2014; confidence A) and 10³× the quickstart's
    /// 20–100 Hz, so only a network that has lost its dynamics (refractory 0 with a large synapse gain)
    /// reaches it; each such inference then ends after ≈ 10⁵ · neurons · window spikes instead of
    /// running for minutes and gigabytes.
    public var maxRatePerNeuron: Double = 1e5
    /// Threads that share one inference's input row reads in grid mode (issue #19, point 3): each step's
    /// input spikes are read together, the target neurons split into `deliveryThreads` column blocks,
    /// one per thread. Every neuron receives the same charges in the same order as on one thread, so
    /// results are bit-identical for any count. Grid mode without read noise only (a noisy read draws its
    /// random numbers in row order); exact mode and hidden-layer spikes run on one thread. 1: off. The
    /// kernel starts what is asked; the commands ask for at most one per core (`RunOptions.threadsPerCore`).
    public var deliveryThreads: Int = 1
    /// Grid mode with `deliveryThreads` > 1: a step whose input reads update fewer synapses than this runs
    /// on one thread (waking the others costs more than it saves: ≈ 5–20 µs against ≈ 4 ns per synapse).
    public var deliveryGrain: Int = 32_768

    /// `threads` limited to the machine's cores: more would only wait for each other (and the scenario's
    /// maximum, 4096, would be 4 GB of thread stacks). Results do not depend on it.
    public static func threadsPerCore(_ threads: Int) -> Int {
        min(max(1, threads), max(1, ProcessInfo.processInfo.activeProcessorCount))
    }

    public init(
        window: Seconds, sample: Int = 0, seed: UInt64 = 1, recordSpikes: Bool = false,
        probes: [Probe] = [], reportingStep: Seconds = 1e-3
    ) {
        self.window = window; self.sample = sample; self.seed = seed; self.recordSpikes = recordSpikes
        self.probes = probes; self.reportingStep = reportingStep
    }
}
