/// One node of an NIR graph (NIR spec; neuromorphs/NIR `nir/ir/`). Weights and parameters are kept as
/// the file stores them (C order); `Docs/nir.md` gives each node's equation and how Spikebar runs it.
public indirect enum NIRNode: Sendable, Equatable {
    /// The graph's input, with its shape (e.g. `[2, 34, 34]`).
    case input(shape: [Int])
    /// The graph's output, with the shape the file declares (informative: Spikebar checks element counts).
    case output(shape: [Int])
    /// `y = W·x + b`, `W` `[out, in]`.
    case affine(weight: NIRTensor, bias: [Double])
    /// `y = W·x`, `W` `[out, in]`.
    case linear(weight: NIRTensor)
    /// `y = s ⊙ x` (element-wise).
    case scale([Double])
    /// `Conv1d` (weight rank 3) or `Conv2d` (weight rank 4).
    case convolution(NIRConvolution)
    /// `SumPool2d` or `AvgPool2d`.
    case pooling(NIRPooling)
    /// Reshape: dimensions `start…end` of the input (excluding NIR's batch dimension) merged into one.
    case flatten(startDim: Int, endDim: Int, inputShape: [Int]?)
    /// LIF, CubaLIF, CubaLI, IF, LI, I.
    case neuron(NIRNeuron)
    /// `y = H(x − θ)`: 1 where the input exceeds the threshold, else 0.
    case threshold([Double])
    /// `y(t) = x(t − d)` per element, `d` in seconds.
    case delay([Double])
    /// A nested graph; edges reach it by its name (its `Input`/`Output` nodes) or `name.inner`.
    case graph(NIRGraph)

    /// The NIR type string of the node (`Conv2d`, `CubaLIF`, …).
    public var typeName: String {
        switch self {
        case .input: return "Input"
        case .output: return "Output"
        case .affine: return "Affine"
        case .linear: return "Linear"
        case .scale: return "Scale"
        case let .convolution(c): return c.spatialRank == 1 ? "Conv1d" : "Conv2d"
        case let .pooling(p): return p.average ? "AvgPool2d" : "SumPool2d"
        case .flatten: return "Flatten"
        case let .neuron(n): return n.model.rawValue
        case .threshold: return "Threshold"
        case .delay: return "Delay"
        case .graph: return "NIRGraph"
        }
    }

    /// Number of parameters of the node (weights, biases, per-neuron values; `v_reset`, which files
    /// before nir 1.0 omit, is not counted); subgraphs sum theirs.
    public var parameterCount: Int {
        switch self {
        case .input, .output, .flatten: return 0
        case let .affine(w, b): return w.count + b.count
        case let .linear(w): return w.count
        case let .scale(s): return s.count
        case let .convolution(c): return c.weight.count + c.bias.count
        case .pooling: return 0
        case let .neuron(n):
            return [n.tauMem?.count, n.tauSyn?.count, n.r.count, n.vThreshold?.count].compactMap { $0 }.reduce(0, +)
                + (n.model == .lif || n.model == .cubaLIF || n.model == .cubaLI || n.model == .leakyIntegrator ? n.vLeak.count : 0)
                + (n.model == .cubaLIF || n.model == .cubaLI ? n.wIn.count : 0)
        case let .threshold(t): return t.count
        case let .delay(d): return d.count
        case let .graph(g): return g.nodes.values.reduce(0) { $0 + $1.parameterCount }
        }
    }
}
