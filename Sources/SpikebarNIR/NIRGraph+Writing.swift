import Foundation
import SpikebarCore

extension NIRGraph {
    /// NIR format version written to `/version`: the layout of `nir.write` in nir 1.0.x (checked against
    /// nir 1.0.8 with h5py: `Docs/nir.md`, "Export").
    public static let writtenVersion = "1.0.8"

    /// Writes the graph as a `.nir` file (HDF5, nir 1.0.x layout) durably: to a temporary file, then
    /// `DurableFile` (fsync, atomic rename), so `path` is either the old file or the whole new one.
    /// Every node kind `read(path:)` reads is written so that `read(path:)` gives this graph back
    /// (nodes, edges, metadata; `version` becomes `writtenVersion`). Throws `NIRError` or `SpikebarError`.
    /// `compress`: gzip the numeric arrays, as `nir.write` does by default.
    public func write(path: String, compress: Bool = true) throws {
        let tree = try hdf5Tree(file: path)
        let temporary = FileManager.default.temporaryDirectory
            .appendingPathComponent("spikebar-nir-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString).nir").path
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        try HDF5Writer.write(tree, path: temporary, compress: compress)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: temporary))
        try DurableFile.write(bytes, to: path)
    }

    /// The HDF5 tree `write(path:)` stores: `/version` and `/node` (the graph).
    public func hdf5Tree(file: String = "<memory>") throws -> HDF5Group {
        var root = HDF5Group()
        root.datasets["version"] = HDF5Dataset(shape: [], strings: [NIRGraph.writtenVersion])
        root.groups["node"] = try graphGroup(file: file, path: "")
        return root
    }

    func graphGroup(file: String, path: String) throws -> HDF5Group {
        var g = HDF5Group()
        g.datasets["type"] = HDF5Dataset(shape: [], strings: ["NIRGraph"])
        var nodesGroup = HDF5Group()
        for name in sortedNames {
            guard let node = nodes[name] else { continue }  // invariant: sortedNames lists nodes' keys
            let qualified = path.isEmpty ? name : path + "." + name
            guard !name.isEmpty, !name.contains("/") else {
                throw NIRError(file: file, node: qualified, "a node name cannot be empty or contain '/' (HDF5 path separator)")
            }
            var group = try node.hdf5Group(file: file, path: qualified)
            if let m = metadata[name], !m.isEmpty { group.groups["metadata"] = NIRGraph.metadataGroup(m) }
            nodesGroup.groups[name] = group
        }
        g.groups["nodes"] = nodesGroup
        g.datasets["edges"] = HDF5Dataset(shape: [edges.count, 2], strings: edges.flatMap { [$0.source, $0.target] })
        return g
    }

    static func metadataGroup(_ m: [String: NIRMetadataValue]) -> HDF5Group {
        var g = HDF5Group()
        for (key, value) in m {
            switch value {
            case let .string(s): g.datasets[key] = HDF5Dataset(shape: [], strings: [s])
            case let .number(x): g.datasets[key] = HDF5Dataset(shape: [], numbers: [x])
            case let .numbers(v): g.datasets[key] = HDF5Dataset(shape: [v.count], numbers: v)
            }
        }
        return g
    }
}

extension NIRNode {
    /// The node's datasets under the names and types `nir.write` uses (nir 1.0.8 `to_dict`): parameters
    /// float64 (or the type they were read with), shapes, strides and integers int64, `type` a string.
    func hdf5Group(file: String, path: String) throws -> HDF5Group {
        var g = HDF5Group()
        func put(_ key: String, _ values: [Double], shape: [Int]? = nil) {
            g.datasets[key] = HDF5Dataset(shape: shape ?? [values.count], numbers: values)
        }
        func ints(_ key: String, _ values: [Int]) {
            g.datasets[key] = HDF5Dataset(shape: [values.count], numbers: values.map(Double.init), numberType: .int64)
        }
        func int(_ key: String, _ value: Int) {
            g.datasets[key] = HDF5Dataset(shape: [], numbers: [Double(value)], numberType: .int64)
        }
        g.datasets["type"] = HDF5Dataset(shape: [], strings: [typeName])
        switch self {
        case let .input(shape), let .output(shape):
            ints("shape", shape)
        case let .affine(weight, bias):
            put("weight", weight.values, shape: weight.shape); put("bias", bias)
        case let .linear(weight):
            put("weight", weight.values, shape: weight.shape)
        case let .scale(s):
            put("scale", s)
        case let .convolution(c):
            put("weight", c.weight.values, shape: c.weight.shape); put("bias", c.bias)
            ints("stride", c.stride); ints("dilation", c.dilation); int("groups", c.groups)
            if c.padding == c.paddingAfter {
                ints("padding", c.padding)
            } else {
                // Asymmetric padding arises only from a file's "same" (PyTorch's rule puts the odd sample
                // after); NIR stores it as that string, and reading it back gives the same two arrays.
                g.datasets["padding"] = HDF5Dataset(shape: [], strings: ["same"])
            }
            if let s = c.inputSpatial { ints("input_shape", s) }
        case let .pooling(p):
            ints("kernel_size", p.kernel); ints("stride", p.stride); ints("padding", p.padding)
        case let .flatten(startDim, endDim, inputShape):
            int("start_dim", startDim); int("end_dim", endDim)
            if let inputShape { ints("input_type", inputShape) }
        case let .neuron(n):
            // Every parameter one value per neuron, in the population's shape (the reader takes the
            // shape from `r`): a file's scalar broadcast on reading is written out in full.
            let shape = n.shape.reduce(1, *) == n.count ? n.shape : [n.count]
            func each(_ key: String, _ v: [Double]) throws {
                guard v.count == n.count else { throw NIRError(file: file, node: path, key: key, "\(v.count) values for \(n.count) neurons") }
                put(key, v, shape: shape)
            }
            try each("r", n.r)
            switch n.model {
            case .lif, .leakyIntegrator:
                try each("tau", n.tauMem ?? []); try each("v_leak", n.vLeak)
            case .cubaLIF, .cubaLI:
                try each("tau_mem", n.tauMem ?? []); try each("tau_syn", n.tauSyn ?? [])
                try each("v_leak", n.vLeak); try each("w_in", n.wIn)
            case .integrateAndFire, .integrator:
                break
            }
            if n.model == .lif || n.model == .cubaLIF || n.model == .integrateAndFire {
                try each("v_threshold", n.vThreshold ?? []); try each("v_reset", n.vReset)
            }
        case let .threshold(t):
            put("threshold", t)
        case let .delay(d):
            put("delay", d)
        case let .graph(inner):
            return try inner.graphGroup(file: file, path: path)
        }
        return g
    }
}
