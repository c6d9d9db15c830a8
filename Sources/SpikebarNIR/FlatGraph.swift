/// A graph with its subgraphs inlined: primitive nodes by qualified name, edges between their indices.
struct FlatGraph {
    let file: String
    var names: [String] = []
    var nodes: [NIRNode] = []
    var index: [String: Int] = [:]
    var edges: [(Int, Int)] = []
    /// Node indices in report order (numeric names first), used to start depth-first searches.
    var order: [Int] = []

    init(file: String) { self.file = file }

    mutating func inline(_ g: NIRGraph, prefix: String) throws {
        for name in g.sortedNames {
            let q = prefix.isEmpty ? name : prefix + "." + name
            guard let node = g.nodes[name] else { continue }
            if case let .graph(sub) = node {
                try inline(sub, prefix: q)
            } else {
                index[q] = names.count; order.append(names.count); names.append(q); nodes.append(node)
            }
        }
        for e in g.edges {
            let s = try resolve(e.source, in: g, prefix: prefix, asSource: true)
            let t = try resolve(e.target, in: g, prefix: prefix, asSource: false)
            edges.append((s, t))
        }
    }

    /// The primitive node an edge end names: a subgraph by its name means its Output (as a source) or
    /// its Input (as a target); `outer.inner` looks inside subgraph `outer`.
    func resolve(_ name: String, in g: NIRGraph, prefix: String, asSource: Bool) throws -> Int {
        let q = prefix.isEmpty ? name : prefix + "." + name
        if let node = g.nodes[name] {
            if case let .graph(sub) = node {
                let port = asSource ? sub.names(ofType: "Output") : sub.names(ofType: "Input")
                guard port.count == 1 else {
                    throw NIRError(
                        file: file, node: q,
                        "an edge names the subgraph, which needs exactly one \(asSource ? "Output" : "Input") node (has \(port.count))")
                }
                return try resolve(port[0], in: sub, prefix: q, asSource: asSource)
            }
            guard let k = index[q] else { throw NIRError(file: file, node: q, "edge end not found after inlining") }
            return k
        }
        let parts = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        for cut in 1..<max(parts.count, 1) {
            let head = parts[..<cut].joined(separator: "."), rest = parts[cut...].joined(separator: ".")
            if case let .graph(sub)? = g.nodes[head], sub.resolves(rest) {
                return try resolve(rest, in: sub, prefix: prefix.isEmpty ? head : prefix + "." + head, asSource: asSource)
            }
        }
        throw NIRError(file: file, node: q, key: "edges", "edge names a node that does not exist (dangling edge)")
    }
}
