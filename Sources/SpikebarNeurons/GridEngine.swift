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
        /// Synapse evaluations performed (rows read × columns, summed over connections and steps).
        public var synapseUpdates: Double
        @inlinable
        public init(spikes: [Int], spikeCounts: [[Int]], synapseUpdates: Double) {
            self.spikes = spikes; self.spikeCounts = spikeCounts; self.synapseUpdates = synapseUpdates
        }
    }

    /// Population sizes, input first.
    public var sizes: [Int]
    /// Per-neuron step constants of each population (index 0, the input, is empty).
    public var constants: [[Model.Constants]]
    public var connections: [Connection]
    public var routing: Routing

    public init(sizes: [Int], constants: [[Model.Constants]], connections: [Connection], routing: Routing = .everyRow) {
        self.sizes = sizes; self.constants = constants; self.connections = connections; self.routing = routing
    }

    /// Runs `steps` steps; `input` feeds the input population (and may drive layer 1 itself),
    /// `observer` sees every read, every emission and the output layer at the end of every step.
    @inlinable
    public func run<Input: GridInput, Observer: GridObserver>(
        _ input: inout Input, steps: Int, observer: inout Observer
    ) -> Result where Observer.Model == Model {
        let L = sizes.count - 1
        var state: [[Model.State]] = constants.map { $0.map { Model.rest($0) } }
        var signal = sizes.map { [Double](repeating: 0, count: $0) }
        var counts = sizes.map { [Int](repeating: 0, count: $0) }
        var acc = [Double](repeating: 0, count: sizes.max() ?? 0)
        var rows: [Int] = []
        var work = 0.0
        let feedForward = (0...L).map { l in connections.indices.filter { connections[$0].to == l && !connections[$0].recurrent } }
        let recurrent = (0...L).map { l in connections.indices.filter { connections[$0].to == l && connections[$0].recurrent } }
        for n in 0..<steps {
            if n > 0 {
                for l in 1..<sizes.count { for i in 0..<sizes[l] { Model.advance(&state[l][i], constants[l][i]) } }
            }
            for i in signal[0].indices { signal[0][i] = 0 }
            input.signals(step: n, into: &signal[0], spikes: &counts[0])
            guard L >= 1 else { continue }
            for l in 1...L {
                for k in feedForward[l] {
                    work += deliver(k, step: n, signal[connections[k].from], into: &state[l], &acc, &rows, input: &input, &observer)
                }
                for i in 0..<sizes[l] {
                    observer.willEmit(layer: l, neuron: i, state: state[l][i], constants[l][i])
                    let out = Model.emit(&state[l][i], constants[l][i])
                    observer.didEmit(layer: l, neuron: i, step: n, state: state[l][i])
                    signal[l][i] = out.signal
                    if out.spiked {
                        counts[l][i] += 1
                        observer.spiked(layer: l, neuron: i, step: n)
                    }
                }
                for k in recurrent[l] {
                    work += deliver(k, step: n, signal[l], into: &state[l], &acc, &rows, input: &input, &observer)
                }
            }
            observer.stepEnded(n, output: state[L])
        }
        return Result(spikes: counts.map { $0.reduce(0, +) }, spikeCounts: counts, synapseUpdates: work)
    }

    /// Connection k's drive at step n from amplitudes `s`; returns the synapse evaluations done.
    @inlinable @inline(__always)
    func deliver<Input: GridInput, Observer: GridObserver>(
        _ k: Int, step n: Int, _ s: [Double], into state: inout [Model.State], _ acc: inout [Double], _ rows: inout [Int],
        input: inout Input, _ observer: inout Observer
    ) -> Double where Observer.Model == Model {
        let c = connections[k]
        rows.removeAll(keepingCapacity: true)
        for j in 0..<min(s.count, c.inputs) where s[j] != 0 { rows.append(j) }
        observer.read(connection: k, step: n, rows: rows, amplitudes: s)
        for i in 0..<c.outputs { acc[i] = 0 }
        if c.from == 0, input.firstLayerDrive(step: n, connection: c, into: &acc) {
            // The input computed the drive itself (in its own operation order).
        } else {
            switch routing {
            case .everyRow:
                for j in 0..<min(s.count, c.inputs) {
                    let sj = s[j], base = j * c.outputs
                    for i in 0..<c.outputs { acc[i] += sj * c.w[base + i] }
                }
            case .activeRows:
                for j in rows {
                    let sj = s[j], base = j * c.outputs
                    for i in 0..<c.outputs { acc[i] += sj * c.w[base + i] }
                }
            }
            if let g = c.scale { for i in 0..<c.outputs { acc[i] *= g } }
        }
        for i in 0..<c.outputs { Model.receive(&state[i], drive: acc[i], constants[c.to][i]) }
        return Double((routing == .everyRow ? c.inputs : rows.count) * c.outputs)
    }
}
