import Foundation

/// Reads one node's datasets, with errors that name the file, the node and the key.
struct NIRNodeReader {
    let file: String
    /// The node's path in the graph (`lif1.lin`); empty for the top-level graph.
    let path: String
    let group: HDF5Group

    func fail(_ key: String, _ why: String) -> NIRError { NIRError(file: file, node: path, key: key, why) }

    func dataset(_ key: String) throws -> HDF5Dataset {
        guard let d = group.datasets[key] else {
            throw fail(key, group.groups[key] != nil ? "is a group, expected a dataset" : "missing dataset")
        }
        return d
    }

    func string(_ key: String) throws -> String {
        let d = try dataset(key)
        guard let s = d.strings?.first, d.count == 1 else { throw fail(key, "expected one string") }
        return s
    }

    func numbers(_ key: String) throws -> NIRTensor {
        let d = try dataset(key)
        guard let v = d.numbers else {
            throw fail(key, "expected numbers, found \(d.strings != nil ? "strings" : d.unsupportedClass ?? "unknown") values")
        }
        guard v.allSatisfy(\.isFinite) else { throw fail(key, "holds a NaN or infinite value") }
        return NIRTensor(shape: d.shape, values: v)
    }

    func has(_ key: String) -> Bool { group.datasets[key] != nil }

    /// A per-neuron parameter: `count` values, or a scalar broadcast to them.
    func vector(_ key: String, count: Int) throws -> [Double] {
        let t = try numbers(key)
        if t.count == count { return t.values }
        if t.count == 1 { return Array(repeating: t.values[0], count: count) }
        throw fail(key, "has \(t.count) values (shape \(t.shape)), expected \(count) (one per neuron) or one")
    }

    /// Non-negative integers (shapes, strides), a scalar broadcast to `rank` when given.
    func integers(_ key: String, rank: Int? = nil, minimum: Int = 0) throws -> [Int] {
        let t = try numbers(key)
        guard t.values.allSatisfy({ $0 == $0.rounded() && $0 >= Double(minimum) && $0 < 1e9 }) else {
            throw fail(key, "expected integers ≥ \(minimum), found \(t.values.prefix(4).map { "\($0)" }.joined(separator: ", "))")
        }
        var v = t.values.map { Int($0) }
        if let rank {
            if v.count == 1 && rank > 1 { v = Array(repeating: v[0], count: rank) }
            guard v.count == rank else { throw fail(key, "has \(v.count) values, expected \(rank)") }
        }
        return v
    }

    func integer(_ key: String, default value: Int, minimum: Int = Int.min) throws -> Int {
        guard has(key) else { return value }
        let t = try numbers(key)
        guard t.count == 1, let x = t.values.first, x == x.rounded(), x >= Double(minimum), abs(x) < 1e9 else {
            throw fail(key, "expected one integer\(minimum > Int.min ? " ≥ \(minimum)" : "")")
        }
        return Int(x)
    }

    func child(_ name: String, _ g: HDF5Group) -> NIRNodeReader {
        NIRNodeReader(file: file, path: path.isEmpty ? name : path + "." + name, group: g)
    }

    // MARK: graph and nodes

    func graph() throws -> NIRGraph {
        guard let nodesGroup = group.groups["nodes"] else {
            throw fail("nodes", group.datasets["nodes"] != nil ? "is a dataset, expected a group" : "missing group")
        }
        var nodes: [String: NIRNode] = [:]
        var metadata: [String: [String: NIRMetadataValue]] = [:]
        for (name, g) in nodesGroup.groups.sorted(by: { $0.key < $1.key }) {
            nodes[name] = try child(name, g).node()
            if let m = g.groups["metadata"], !m.datasets.isEmpty { metadata[name] = Self.metadata(m) }
        }
        if let stray = nodesGroup.datasets.keys.sorted().first {
            throw fail("nodes/\(stray)", "is a dataset, expected a node group")
        }
        let e = try dataset("edges")
        var edges: [NIREdge] = []
        if e.count > 0 {
            guard let s = e.strings else { throw fail("edges", "expected strings (source, target)") }
            guard e.shape.count == 2, e.shape[1] == 2 else { throw fail("edges", "shape \(e.shape), expected N×2 (source, target)") }
            for k in 0..<e.shape[0] { edges.append(NIREdge(s[2 * k], s[2 * k + 1])) }
        }
        return NIRGraph(nodes: nodes, edges: edges, metadata: metadata)
    }

    /// A node's `metadata` group: strings, scalar numbers and numeric arrays (flattened); entries of
    /// other types and nested groups are skipped (informative only, Spikebar runs nothing from them).
    static func metadata(_ g: HDF5Group) -> [String: NIRMetadataValue] {
        var out: [String: NIRMetadataValue] = [:]
        for (key, d) in g.datasets {
            if let s = d.strings, s.count == 1 {
                out[key] = .string(s[0])
            } else if let v = d.numbers {
                out[key] = d.shape.isEmpty ? .number(v.first ?? 0) : .numbers(v)
            }
        }
        return out
    }

    /// The declared shape of an Input or Output node: `shape` (0.1–1.x), or `input_type`/`output_type`
    /// as a dataset or a group holding one dataset.
    func ioShape(_ port: String) throws -> [Int] {
        if has("shape") { return try integers("shape") }
        let key = port + "_type"
        if has(key) { return try integers(key) }
        if let g = group.groups[key], let name = g.datasets.keys.sorted().first {
            return try NIRNodeReader(file: file, path: path, group: g).integers(name)
        }
        throw fail("shape", "missing dataset (also no \(key))")
    }

    func node() throws -> NIRNode {
        let type = try string("type")
        switch type {
        case "Input": return .input(shape: try ioShape("input"))
        case "Output": return .output(shape: try ioShape("output"))
        case "Affine", "Linear":
            let w = try numbers("weight")
            guard w.shape.count == 2 else { throw fail("weight", "shape \(w.shape), expected [out, in]") }
            if type == "Linear" { return .linear(weight: w) }
            let b = has("bias") ? try vector("bias", count: w.shape[0]) : Array(repeating: 0, count: w.shape[0])
            return .affine(weight: w, bias: b)
        case "Scale": return .scale(try numbers("scale").values)
        case "Conv1d", "Conv2d": return .convolution(try convolution(rank: type == "Conv1d" ? 1 : 2))
        case "SumPool2d", "AvgPool2d":
            let k = try integers("kernel_size", rank: 2, minimum: 1)
            let s = has("stride") ? try integers("stride", rank: 2, minimum: 1) : k
            let p = has("padding") ? try integers("padding", rank: 2) : [0, 0]
            return .pooling(NIRPooling(average: type == "AvgPool2d", kernel: k, stride: s, padding: p))
        case "Flatten":
            var shape: [Int]? = nil
            if has("input_type") {
                shape = try integers("input_type")
            } else if let g = group.groups["input_type"], let name = g.datasets.keys.sorted().first {
                shape = try NIRNodeReader(file: file, path: path, group: g).integers(name)
            }
            return .flatten(startDim: try integer("start_dim", default: 1), endDim: try integer("end_dim", default: -1), inputShape: shape)
        case "LIF", "CubaLIF", "CubaLI", "IF", "LI", "I", "Integrator":
            return .neuron(try neuron(type == "Integrator" ? .integrator : NIRNeuron.Model(rawValue: type) ?? .integrator))
        case "Threshold": return .threshold(try numbers("threshold").values)
        case "Delay":
            let d = try numbers("delay").values
            guard d.allSatisfy({ $0 >= 0 }) else { throw fail("delay", "negative delay") }
            return .delay(d)
        case "NIRGraph": return .graph(try graph())
        default:
            throw fail(
                "type",
                "unsupported node type '\(type)' (supported: Input, Output, Affine, Linear, Scale, Conv1d, Conv2d, SumPool2d, AvgPool2d, Flatten, LIF, CubaLIF, CubaLI, IF, LI, I, Threshold, Delay, NIRGraph)"
            )
        }
    }

    func convolution(rank: Int) throws -> NIRConvolution {
        let w = try numbers("weight")
        guard w.shape.count == rank + 2, w.shape.allSatisfy({ $0 > 0 }) else {
            throw fail("weight", "shape \(w.shape), expected [C_out, C_in/groups\(rank == 2 ? ", k_h, k_w" : ", k")]")
        }
        let groups = try integer("groups", default: 1, minimum: 1)
        guard w.shape[0] % groups == 0 else { throw fail("groups", "\(groups) groups do not divide \(w.shape[0]) output channels") }
        let bias = has("bias") ? try vector("bias", count: w.shape[0]) : Array(repeating: 0, count: w.shape[0])
        let stride = has("stride") ? try integers("stride", rank: rank, minimum: 1) : Array(repeating: 1, count: rank)
        let dilation = has("dilation") ? try integers("dilation", rank: rank, minimum: 1) : Array(repeating: 1, count: rank)
        let kernel = Array(w.shape.dropFirst(2))
        var before = Array(repeating: 0, count: rank), after = before
        if let d = group.datasets["padding"], let s = d.strings?.first {
            switch s {
            case "valid": break
            case "same":
                guard stride.allSatisfy({ $0 == 1 }) else { throw fail("padding", "'same' padding needs stride 1 (as PyTorch), stride is \(stride)") }
                for k in 0..<rank {
                    let total = dilation[k] * (kernel[k] - 1)
                    before[k] = total / 2; after[k] = total - before[k]
                }
            default: throw fail("padding", "unknown padding '\(s)' (expected integers, 'same' or 'valid')")
            }
        } else if has("padding") {
            before = try integers("padding", rank: rank); after = before
        }
        let spatial: [Int]? = has("input_shape") ? try integers("input_shape", rank: rank, minimum: 1) : nil
        let conv = NIRConvolution(
            weight: w, bias: bias, stride: stride, padding: before, paddingAfter: after,
            dilation: dilation, groups: groups, inputSpatial: spatial)
        if let spatial, conv.outputSpatial(spatial).contains(where: { $0 < 1 }) {
            throw fail("input_shape", "input \(spatial) is smaller than the dilated kernel \(kernel)")
        }
        return conv
    }

    func neuron(_ model: NIRNeuron.Model) throws -> NIRNeuron {
        let rT = try numbers("r")
        let n = rT.count
        let shape = rT.shape.isEmpty ? [1] : rT.shape
        let hasTau = model == .lif || model == .leakyIntegrator
        let hasSyn = model == .cubaLIF || model == .cubaLI
        let tauMem: [Double]? = hasTau ? try vector("tau", count: n) : hasSyn ? try vector("tau_mem", count: n) : nil
        let tauSyn: [Double]? = hasSyn ? try vector("tau_syn", count: n) : nil
        for (key, tau) in [("tau", tauMem), ("tau_syn", tauSyn)] {
            if let tau, tau.contains(where: { $0 <= 0 }) { throw fail(key == "tau" && hasSyn ? "tau_mem" : key, "time constants must be > 0") }
        }
        let leaky = hasTau || hasSyn
        let vLeak = leaky ? try vector("v_leak", count: n) : Array(repeating: 0, count: n)
        let spiking = model == .lif || model == .cubaLIF || model == .integrateAndFire
        let vThreshold: [Double]? = spiking ? try vector("v_threshold", count: n) : nil
        let vReset = spiking && has("v_reset") ? try vector("v_reset", count: n) : Array(repeating: 0, count: n)
        let wIn = hasSyn && has("w_in") ? try vector("w_in", count: n) : Array(repeating: 1, count: n)
        return NIRNeuron(
            model: model, shape: shape, tauMem: tauMem, tauSyn: tauSyn, r: rT.values, vLeak: vLeak,
            vThreshold: vThreshold, vReset: vReset, wIn: wIn)
    }
}
