import Foundation

/// What one compiled node computes each time step (`NIRProgram`), with its parameters laid out for
/// the sparse, event-driven update: weight layers touch only the columns of non-zero inputs.
public enum NIROperation: Sendable {
    /// Output = input (Input, Output, Flatten).
    case identity
    /// `y = W·x + b`; `weightT` is `W` transposed (`[in][out]`, contiguous per input).
    case dense(weightT: [Double], inputs: Int, outputs: Int, bias: [Double])
    /// `y = s ⊙ x`.
    case scale([Double])
    /// 2-D convolution (a Conv1d runs as height 1), input `[C, H, W]`, output `[C_out, OH, OW]`.
    case convolution(NIRConvolution2D)
    /// Sum or average pooling, input `[C, H, W]`.
    case pooling(NIRPooling, input: [Int], output: [Int])
    /// A neuron population with per-neuron step coefficients.
    case neuron(NIRNeuronStep)
    /// `y = 1` where `x` passes the threshold (`options.comparison`), else 0.
    case threshold([Double])
    /// `y(t) = x(t − k·dt)`, `k` per element (delay / dt, rounded).
    case delay([Int])

    /// The input shape a node implies when nothing feeds it (a node without incoming edges).
    static func naturalInputShape(_ node: NIRNode, file: String, node name: String) throws -> [Int] {
        switch node {
        case let .input(s), let .output(s): return s
        case let .affine(w, _), let .linear(w): return [w.shape[1]]
        case let .scale(s), let .threshold(s), let .delay(s): return [s.count]
        case let .neuron(n): return n.shape
        case let .flatten(_, _, s?): return s
        case let .convolution(c):
            if let s = c.inputSpatial { return [c.inChannelsPerGroup * c.groups] + s }
            throw NIRError(file: file, node: name, "a convolution with no input edge and no input_shape: its input size is unknown")
        default: throw NIRError(file: file, node: name, "no input edge: its input shape is unknown")
        }
    }

    /// Compiles one primitive node for an input shape; returns the operation and the output shape.
    static func compile(_ node: NIRNode, inputShape: [Int], options: NIRRunOptions, file: String, node name: String) throws -> (NIROperation, [Int]) {
        let count = inputShape.reduce(1, *)
        func need(_ n: Int, _ what: String) throws {
            guard count == n else {
                throw NIRError(file: file, node: name, "its input has \(count) values (shape \(inputShape)), \(what) takes \(n)")
            }
        }
        switch node {
        case .input, .output: return (.identity, inputShape)
        case let .flatten(start, end, declared):
            if let declared { try need(declared.reduce(1, *), "its input_type \(declared)") }
            let rank = inputShape.count
            let s = start < 0 ? start + rank : start, e = end < 0 ? end + rank : end
            guard rank > 0, s >= 0, e < rank, s <= e else { return (.identity, [count]) }
            let merged = inputShape[s...e].reduce(1, *)
            return (.identity, Array(inputShape[..<s]) + [merged] + Array(inputShape[(e + 1)...]))
        case let .affine(w, _), let .linear(w):
            let rows = w.shape[0], cols = w.shape[1]
            try need(cols, "the weight matrix \(w.shape)")
            var wt = [Double](repeating: 0, count: rows * cols)
            for o in 0..<rows { for i in 0..<cols { wt[i * rows + o] = w.values[o * cols + i] } }
            var bias = [Double](repeating: 0, count: rows)
            if case let .affine(_, b) = node { bias = b }
            return (.dense(weightT: wt, inputs: cols, outputs: rows, bias: bias), [rows])
        case let .scale(s):
            try need(s.count, "the scale vector")
            return (.scale(s), inputShape)
        case let .threshold(t):
            try need(t.count, "the threshold vector")
            return (.threshold(t), inputShape)
        case let .delay(d):
            try need(d.count, "the delay vector")
            return (.delay(d.map { Int(($0 / options.dt).rounded()) }), inputShape)
        case let .neuron(n):
            try need(n.count, "the population of \(n.count) neurons")
            return (.neuron(NIRNeuronStep(n, options: options)), n.shape)
        case let .pooling(p):
            guard inputShape.count == 3 else { throw NIRError(file: file, node: name, "pooling needs a [C, H, W] input, got \(inputShape)") }
            let o = p.outputSpatial([inputShape[1], inputShape[2]])
            guard o.allSatisfy({ $0 >= 1 }) else {
                throw NIRError(file: file, node: name, "input \(inputShape) is smaller than the window \(p.kernel)")
            }
            return (.pooling(p, input: inputShape, output: [inputShape[0]] + o), [inputShape[0]] + o)
        case let .convolution(c):
            let rank = c.spatialRank
            let cin = c.inChannelsPerGroup * c.groups
            var shape = inputShape
            if shape.count != rank + 1 {
                guard let s = c.inputSpatial, count == cin * s.reduce(1, *) else {
                    throw NIRError(file: file, node: name, "a Conv\(rank)d needs a [C_in\(rank == 2 ? ", H, W" : ", L")] input, got \(inputShape)")
                }
                shape = [cin] + s
            }
            guard shape[0] == cin else {
                throw NIRError(
                    file: file, node: name, "its input has \(shape[0]) channels, the weight \(c.weight.shape) with \(c.groups) groups takes \(cin)")
            }
            if let s = c.inputSpatial, s != Array(shape.dropFirst()) {
                throw NIRError(file: file, node: name, key: "input_shape", "declares \(s), the graph delivers \(Array(shape.dropFirst()))")
            }
            let spatial = c.outputSpatial(Array(shape.dropFirst()))
            guard spatial.allSatisfy({ $0 >= 1 }) else {
                throw NIRError(file: file, node: name, "input \(shape) is smaller than the dilated kernel \(c.kernel)")
            }
            let conv = NIRConvolution2D(c, input: shape)
            return (.convolution(conv), [c.outChannels] + spatial)
        case .graph:
            throw NIRError(file: file, node: name, "a subgraph reached the compiler un-inlined")  // not reachable: FlatGraph inlines them
        }
    }
}
