import Foundation
import SpikebarCore

extension NIRGraph {
    /// Reads a `.nir` file (HDF5: `/version`, `/node/type = "NIRGraph"`, `/node/nodes/<name>/…`,
    /// `/node/edges` N×2 strings), gzip-filtered or not, in the 0.1.x, 0.2.x and 1.x layouts, and checks
    /// its edges. Throws `NIRError` naming the file, the node, the dataset and why.
    public static func read(path: String) throws -> NIRGraph {
        // libhdf5 opens the path itself: a FIFO would block it, a device or a huge file misread.
        do {
            try InputFile.checkRegular(path, hint: "an NIR graph (.nir, HDF5)")
        } catch let e as SpikebarError {
            if case .missingFile = e { throw NIRError(file: path, "file not found") }
            throw NIRError(file: path, "\(e)".replacingOccurrences(of: path + ": ", with: ""))
        }
        let root = try HDF5Reader.read(path: path)
        var graph = try parse(root: root, file: path)
        try graph.validate(file: path)
        graph.version = root.datasets["version"]?.strings?.first ?? ""
        return graph
    }

    /// The graph held by an HDF5 tree as `read(path:)` reads it (`file` names it in errors).
    public static func parse(root: HDF5Group, file: String) throws -> NIRGraph {
        guard let node = root.groups["node"] else {
            throw NIRError(file: file, key: "node", "no /node group: not an NIR file")
        }
        let reader = NIRNodeReader(file: file, path: "", group: node)
        let type = try reader.string("type")
        guard type == "NIRGraph" else {
            throw NIRError(file: file, key: "node/type", "the top-level node is a \(type), expected NIRGraph")
        }
        return try reader.graph()
    }
}
