import SpikebarCore

/// The contract every neuron model meets: its parameters, its state, the constants of one step at `dt`,
/// and the three phases of a step every time-stepped engine runs in this order (the grid order of
/// Docs/kernel.md, "Grid mode"):
///
/// 1. `advance` — the state moves from t_{n−1} to t_n on the input already received;
/// 2. `receive` — the synaptic drive of step n (the rows read at t_n) enters the state;
/// 3. `emit` — the spike/reset rule: whether the neuron spikes at t_n, and the amplitude it drives
///    its own rows with (0: its rows are not read).
///
/// As in NEST and Brian2, a model is its equations and parameters and the engine that steps it is
/// generic (`GridEngine`): adding a model is a conformance, never an engine change.
public protocol SpikingNeuronModel {
    associatedtype Parameters: Sendable & Equatable
    associatedtype State: Sendable & Equatable
    associatedtype Constants: Sendable
    /// The scenario's name for the model (`neurons.model`).
    static var kind: NeuronModelKind { get }
    /// Per-neuron constants of a step of `dt` seconds, computed once.
    static func constants(_ p: Parameters, dt: Seconds) -> Constants
    /// The state at rest (t = 0, no input).
    static func rest(_ k: Constants) -> State
    /// Phase 1: one step of the dynamics without new input.
    static func advance(_ s: inout State, _ k: Constants)
    /// Phase 2: synaptic drive arriving at this step, in the model's input unit (`driveUnit`).
    static func receive(_ s: inout State, drive: Double, _ k: Constants)
    /// Phase 3: the spike/reset rule.
    static func emit(_ s: inout State, _ k: Constants) -> NeuronOutput
    /// Unit of `receive`'s drive, for messages and docs.
    static var driveUnit: String { get }
}

/// What a neuron does at the end of a step.
public struct NeuronOutput: Sendable, Equatable {
    /// A spike was emitted (counted, recorded, priced as an event).
    public var spiked: Bool
    /// Amplitude the neuron drives its crossbar rows with at this step (1 for a binary spike, 0 for no
    /// read, an analog value for MIF neurons).
    public var signal: Double
    @inlinable public init(spiked: Bool, signal: Double) { self.spiked = spiked; self.signal = signal }
    public static let silent = NeuronOutput(spiked: false, signal: 0)
    public static let spike = NeuronOutput(spiked: true, signal: 1)
}

/// A model whose step has a Jacobian: the twin's BPTT differentiates through it.
public protocol DifferentiableNeuronModel: SpikingNeuronModel {
    associatedtype Jacobian
    /// ∂(state after `advance`)/∂(state before), at state `s`.
    static func jacobian(_ s: State, _ k: Constants) -> Jacobian
}

/// A model with a closed-form solution between events and a first-crossing time: what the event
/// kernel's exact mode needs (continuous time, no step).
public protocol ExactlySolvableNeuronModel: SpikingNeuronModel {
    associatedtype ExactConstants: Sendable
    static func exactConstants(_ p: Parameters) -> ExactConstants
    /// The state `t` seconds later without input.
    static func propagate(_ s: State, by t: Seconds, _ k: ExactConstants) -> State
    /// Seconds from now until the threshold is first reached without input, nil if never.
    static func firstCrossing(_ s: State, _ k: ExactConstants) -> Seconds?
}
