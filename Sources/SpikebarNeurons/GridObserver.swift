/// What a `GridEngine` run books besides spike counts: the reads (for the activity the cost models
/// price), the neurons' states before each step (e.g. the MIF neurons' dissipation), spikes, and the
/// output layer at the end of every step (readouts, decision times). Every method has a no-op default.
public protocol GridObserver {
    associatedtype Model: SpikingNeuronModel
    /// Whether `read` needs the rows read (false lets the engine skip finding them when it does not
    /// need them itself).
    var booksReads: Bool { get }
    /// Connection k reads `rows` (amplitude ≠ 0, ascending) at step n, with `amplitudes[row]`.
    mutating func read(connection k: Int, step n: Int, rows: [Int], amplitudes: [Double])
    /// Neuron i of layer l is about to emit (its state after this step's drive).
    mutating func willEmit(layer l: Int, neuron i: Int, state: Model.State, _ constants: Model.Constants)
    /// Neuron i of layer l has emitted at step n: its state at the end of the step (what BPTT stores).
    mutating func didEmit(layer l: Int, neuron i: Int, step n: Int, state: Model.State)
    mutating func spiked(layer l: Int, neuron i: Int, step n: Int)
    /// End of step n, with the output layer's states.
    mutating func stepEnded(_ n: Int, output: [Model.State])
}

extension GridObserver {
    @inlinable public var booksReads: Bool { true }
    @inlinable public mutating func read(connection k: Int, step n: Int, rows: [Int], amplitudes: [Double]) {}
    @inlinable public mutating func willEmit(layer l: Int, neuron i: Int, state: Model.State, _ constants: Model.Constants) {}
    @inlinable public mutating func didEmit(layer l: Int, neuron i: Int, step n: Int, state: Model.State) {}
    @inlinable public mutating func spiked(layer l: Int, neuron i: Int, step n: Int) {}
    @inlinable public mutating func stepEnded(_ n: Int, output: [Model.State]) {}
}

/// Books nothing.
public struct NoGridObserver<Model: SpikingNeuronModel>: GridObserver {
    public init() {}
    @inlinable public var booksReads: Bool { false }
}
