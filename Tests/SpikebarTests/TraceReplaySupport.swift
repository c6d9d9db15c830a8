import Foundation
import SpikebarCore
import SpikebarTrace
import SpikebarTestSupport

/// A fresh temporary directory for one test.
func temporaryDirectory(_ name: String) throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spikebar-\(name)-\(getpid())-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}

/// The quickstart scenario (784-128-10, MNIST, read noise, programming error, heterogeneous τ) made
/// fast for debug-build tests: short window, few samples, fixed DPI gain instead of the calibration.
/// Written to `dir` with the MNIST paths made absolute, so it can be loaded (and replayed) from there.
func fastQuickstart(
    in dir: URL, timing: String = "exact", samples: Int = 3, input: String? = nil,
    name: String = "qs.yaml"
) throws -> String {
    let root = packageRoot().appendingPathComponent("Scenarios")
    var text = try String(contentsOf: root.appendingPathComponent("untrained-784-128-10.yaml"), encoding: .utf8)
    func replace(_ a: String, _ b: String) {
        precondition(text.contains(a), "untrained-784-128-10.yaml no longer contains \(a)")
        text = text.replacingOccurrences(of: a, with: b)
    }
    replace("target_rate: 20 ", "target_rate: 0 ")
    replace("target_output_rate: 10 ", "target_output_rate: 0 ")
    replace("synapse_gain: 1.0 ", "synapse_gain: 1.2 ")
    replace("window: 0.1 ", "window: 0.04 ")
    replace("samples: 20", "samples: \(samples)")
    replace("timing: exact ", "timing: \(timing) ")
    replace("file: data/", "file: \(root.path)/data/")
    replace("labels: data/", "labels: \(root.path)/data/")
    if let input {
        // Replace the whole input block.
        guard let a = text.range(of: "\ninput:\n"), let b = text.range(of: "\nsimulation:") else {
            throw SpikebarError.mismatch("quickstart layout changed")
        }
        text.replaceSubrange(a.lowerBound..<b.lowerBound, with: "\ninput: \(input)\n")
    }
    let path = dir.appendingPathComponent(name).path
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

/// Rewrites a trace with `edit` applied to its events (same header), e.g. to tamper with a spike.
func rewriteTrace(_ input: String, to output: String, _ edit: (inout [TraceEvent]) -> Void) throws {
    let r = try TraceReader(path: input)
    var events = try r.readEvents()
    edit(&events)
    let w = try TraceWriter(path: output, header: r.header)
    w.syncOnClose = false
    try w.append(contentsOf: events)
    try w.close()
}
