/// An NIR graph (Pedersen et al., Nat. Commun. 15, 8122, 2024): named nodes and directed edges between
/// them. Nodes may be graphs themselves, and edges may form cycles (recurrence: Spikebar delays the
/// edge that closes a cycle by one time step, `Docs/nir.md`). A node receiving several edges gets the
/// sum of their outputs.
///
/// Read one with `NIRGraph.read(path:)`; `validate(file:)` checks names and edges.
public struct NIRGraph: Sendable, Equatable {
    /// Nodes by name.
    public var nodes: [String: NIRNode]
    /// Edges `(source, target)` in file order; a name may address a node inside a subgraph as `outer.inner`.
    public var edges: [NIREdge]
    /// NIR format version of the file (`/version`), e.g. `0.1.1`, `0.2.0`, `1.0.8`; empty for nested graphs.
    public var version: String
    /// Each node's `metadata` entries by node name (absent when the node has none). Spikebar runs
    /// nothing from them; they travel through import and export unchanged.
    public var metadata: [String: [String: NIRMetadataValue]]

    public init(nodes: [String: NIRNode], edges: [NIREdge], version: String = "", metadata: [String: [String: NIRMetadataValue]] = [:]) {
        self.nodes = nodes; self.edges = edges; self.version = version; self.metadata = metadata
    }

    /// Node names, sorted (numerically where names are numbers, as Sinabs names them), for reports.
    public var sortedNames: [String] {
        nodes.keys.sorted { a, b in
            switch (Int(a), Int(b)) {
            case let (x?, y?): return x < y
            case (_?, nil): return true
            case (nil, _?): return false
            default: return a < b
            }
        }
    }

    /// Names of the nodes of a kind (`Input`, `Output`) at this level, sorted.
    public func names(ofType type: String) -> [String] { sortedNames.filter { nodes[$0]?.typeName == type } }

    /// Whether `name` addresses a node here or inside a subgraph (`outer.inner`).
    public func resolves(_ name: String) -> Bool {
        if nodes[name] != nil { return true }
        var parts = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        var prefix = ""
        while parts.count > 1 {
            prefix += (prefix.isEmpty ? "" : ".") + parts.removeFirst()
            if case let .graph(g)? = nodes[prefix], g.resolves(parts.joined(separator: ".")) { return true }
        }
        return false
    }

    /// Checks every edge end resolves, every subgraph has exactly one Input and one Output when an edge
    /// addresses it by its own name, recursively. Throws `NIRError` naming the node and why.
    public func validate(file: String, path: String = "") throws {
        func qualified(_ n: String) -> String { path.isEmpty ? n : path + "." + n }
        for e in edges {
            for end in [e.source, e.target] where !resolves(end) {
                throw NIRError(
                    file: file, node: qualified(end), key: "edges",
                    "edge \(e.source) → \(e.target) names a node that does not exist (dangling edge; nodes here: \(sortedNames.joined(separator: ", ")))"
                )
            }
        }
        for name in sortedNames {
            guard case let .graph(g)? = nodes[name] else { continue }
            try g.validate(file: file, path: qualified(name))
            let ins = g.names(ofType: "Input"), outs = g.names(ofType: "Output")
            if edges.contains(where: { $0.target == name }), ins.count != 1 {
                throw NIRError(
                    file: file, node: qualified(name), "an edge enters the subgraph by its name, but it has \(ins.count) Input nodes (need exactly 1)"
                )
            }
            if edges.contains(where: { $0.source == name }), outs.count != 1 {
                throw NIRError(
                    file: file, node: qualified(name),
                    "an edge leaves the subgraph by its name, but it has \(outs.count) Output nodes (need exactly 1)")
            }
        }
    }
}
