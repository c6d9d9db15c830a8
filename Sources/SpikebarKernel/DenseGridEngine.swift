import SpikebarCore
import SpikebarNeurons

/// A dense, clock-driven engine generic over the neuron model: every step, every synapse of every
/// connection is evaluated (Σ_j s_j·q_ji over all rows, active or not), and every neuron runs the
/// model's three phases in the grid order (`SpikingNeuronModel`: advance, receive, emit).
///
/// It is the reference the event kernel's grid mode is checked against (same order, every row read)
/// and the work an every-row, every-step architecture does (`ClockDrivenReference`, `spikebar bench
/// kernel`). A new neuron model runs here by conforming to `SpikingNeuronModel`: nothing changes here.
public struct DenseGridEngine<Model: SpikingNeuronModel>: Sendable {
    /// One connection: `q[j·outputs + i]` is the drive (the model's `driveUnit`) neuron `i` of
    /// population `to` receives per unit signal on row `j` of population `from`.
    public struct Connection: Sendable {
        public var from: Int, to: Int, recurrent: Bool
        public var inputs: Int, outputs: Int
        public var q: [Double]
        public init(from: Int, to: Int, recurrent: Bool, inputs: Int, outputs: Int, q: [Double]) {
            self.from = from; self.to = to; self.recurrent = recurrent; self.inputs = inputs; self.outputs = outputs; self.q = q
        }
    }

    public struct Result: Sendable {
        /// Spike count of each population (input first).
        public var spikes: [Int]
        /// Spike count of each neuron of each population.
        public var spikeCounts: [[Int]]
        /// Synapse evaluations performed (rows × columns × steps, per connection).
        public var synapseUpdates: Double
    }

    /// Population sizes, input first.
    public var sizes: [Int]
    /// Per-neuron step constants of each population (index 0, the input, is empty).
    public var constants: [[Model.Constants]]
    public var connections: [Connection]

    public init(sizes: [Int], constants: [[Model.Constants]], connections: [Connection]) {
        self.sizes = sizes; self.constants = constants; self.connections = connections
    }

    /// Runs `steps` steps of `dtPs` picoseconds; input spikes are binned to the step that holds them
    /// (t ∈ [t_n, t_{n+1})), each a unit signal on its channel's row.
    public func run(input: SpikeList, steps: Int, dtPs: Int64) -> Result {
        let L = sizes.count - 1
        var state: [[Model.State]] = constants.map { $0.map { Model.rest($0) } }
        var signal = sizes.map { [Double](repeating: 0, count: $0) }
        var counts = sizes.map { [Int](repeating: 0, count: $0) }
        var work = 0.0
        var p = 0
        for n in 0..<steps {
            if n > 0 {
                for l in 1...L { for i in 0..<sizes[l] { Model.advance(&state[l][i], constants[l][i]) } }
            }
            for l in 0...L { for i in 0..<sizes[l] { signal[l][i] = 0 } }
            let end = Int64(n + 1) * dtPs
            while p < input.count && input.times[p] < end {
                let ch = Int(input.channels[p]); p += 1
                if ch >= 0 && ch < sizes[0] { signal[0][ch] += 1; counts[0][ch] += 1 }
            }
            for l in 1...L {
                for c in connections where c.to == l && !c.recurrent {
                    receiveDense(c, signal[c.from], into: &state[l], constants[l])
                    work += Double(c.inputs * c.outputs)
                }
                for i in 0..<sizes[l] {
                    let out = Model.emit(&state[l][i], constants[l][i])
                    signal[l][i] = out.signal
                    if out.spiked { counts[l][i] += 1 }
                }
                for c in connections where c.to == l && c.recurrent {
                    receiveDense(c, signal[l], into: &state[l], constants[l])
                    work += Double(c.inputs * c.outputs)
                }
            }
        }
        return Result(spikes: counts.map { $0.reduce(0, +) }, spikeCounts: counts, synapseUpdates: work)
    }

    func receiveDense(_ c: Connection, _ s: [Double], into state: inout [Model.State], _ k: [Model.Constants]) {
        var acc = [Double](repeating: 0, count: c.outputs)
        for j in 0..<s.count {
            let sj = s[j], base = j * c.outputs
            for i in 0..<c.outputs { acc[i] += sj * c.q[base + i] }
        }
        for i in 0..<c.outputs { Model.receive(&state[i], drive: acc[i], k[i]) }
    }
}
