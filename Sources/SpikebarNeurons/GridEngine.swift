import SpikebarCore

/// The one clock-driven engine, generic over the neuron model, the input and an observer (issue #17):
/// the dense clock-driven reference (`ClockDrivenReference`) and the MIF kernel (`MIFGridKernel`) are
/// instances of it. A new neuron model runs here by conforming to `SpikingNeuronModel`; a new way of
/// feeding it is a `GridInput`; what a run books (tile reads, readouts, energies) is a `GridObserver`.
/// Nothing in the step order changes for any of them.
///
/// Per step n, the grid order (the same as the event kernel's grid mode, `RunState+Grid.swift`, and the
/// twin's, `Twin+Forward.swift`):
/// 1. (n > 0) every neuron advances (`Model.advance`);
/// 2. the input gives its rows' amplitudes for step n (`GridInput.signals`);
/// 3. layer by layer: the feed-forward connections into the layer deliver `scale · Σ_j s_j·w_ji`
///    (`Model.receive`), every neuron emits (`Model.emit`: spike and the amplitude it drives its rows
///    with), then the layer's recurrent connection delivers this step's amplitudes of the layer itself.
///
/// Routing: `.everyRow` evaluates every synapse every step (the work an every-row architecture does, what
/// `spikebar bench kernel` compares the event kernel with); `.activeRows` reads only rows whose amplitude
/// is non-zero (the crossbar's sparse row activation). Both give the same sums: a row of amplitude 0 adds
/// ±0 to every column.
public struct GridEngine<Model: SpikingNeuronModel>: Sendable {
    public enum Routing: Sendable { case everyRow, activeRows }

    /// One connection: `w[j·outputs + i]` is the weight of row j (population `from`) onto neuron i
    /// (population `to`); the drive neuron i receives is `Σ_j s_j·w_ji`, times `scale` when given (in the
    /// model's `driveUnit` per unit of weight × amplitude).
    public struct Connection: Sendable {
        public var from: Int, to: Int, recurrent: Bool
        public var inputs: Int, outputs: Int
        public var w: [Double]
        public var scale: Double?
        public init(from: Int, to: Int, recurrent: Bool, inputs: Int, outputs: Int, w: [Double], scale: Double? = nil) {
            self.from = from; self.to = to; self.recurrent = recurrent; self.inputs = inputs; self.outputs = outputs
            self.w = w; self.scale = scale
        }
    }

    public struct Result: Sendable {
        /// Spike count of each population (input first).
        public var spikes: [Int]
        /// Spike count of each neuron of each population.
        public var spikeCounts: [[Int]]
        /// Synapse evaluations performed (rows read × columns, summed over connections and steps; with
        /// active-row routing, rows of an input that drives its connection itself count only when the
        /// observer books reads).
        public var synapseUpdates: Double
        @inlinable
        public init(spikes: [Int], spikeCounts: [[Int]], synapseUpdates: Double) {
            self.spikes = spikes; self.spikeCounts = spikeCounts; self.synapseUpdates = synapseUpdates
        }
    }

    /// Population sizes, input first.
    public let sizes: [Int]
    /// Per-neuron step constants of each population (index 0, the input, is empty).
    public let constants: [[Model.Constants]]
    public let connections: [Connection]
    public let routing: Routing

    /// The feed-forward and the recurrent connections into each population (indices into `connections`).
    @usableFromInline let feedForward: [[Int]], recurrent: [[Int]]

    public init(sizes: [Int], constants: [[Model.Constants]], connections: [Connection], routing: Routing = .everyRow) {
        self.sizes = sizes; self.constants = constants; self.connections = connections; self.routing = routing
        feedForward = sizes.indices.map { l in connections.indices.filter { connections[$0].to == l && !connections[$0].recurrent } }
        recurrent = sizes.indices.map { l in connections.indices.filter { connections[$0].to == l && connections[$0].recurrent } }
    }
}
