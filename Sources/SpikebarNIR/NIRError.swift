/// An NIR file that Spikebar cannot read or execute: the file, the node (its path inside the graph,
/// `outer.inner` for nested subgraphs), the key (HDF5 dataset name) when one is at fault, and why.
///
/// Every failure of `NIRGraph.read(path:)` and of `NIRProgram(graph:…)` is one of these; none is a crash.
public struct NIRError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The `.nir` file (or `<memory>` for graphs built in code).
    public var file: String
    /// Path of the node inside the graph (`lif1.lin`), empty for the file or graph itself.
    public var node: String
    /// The HDF5 dataset or group at fault (`weight`, `edges`), empty when none.
    public var key: String
    /// What is wrong, in words.
    public var reason: String

    public init(file: String, node: String = "", key: String = "", _ reason: String) {
        self.file = file; self.node = node; self.key = key; self.reason = reason
    }

    public var description: String {
        var s = file
        if !node.isEmpty { s += ": node '\(node)'" }
        if !key.isEmpty { s += ": key '\(key)'" }
        return s + ": " + reason
    }
}
