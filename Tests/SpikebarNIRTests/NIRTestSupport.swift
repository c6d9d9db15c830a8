import Foundation
import SpikebarNIR
import SpikebarTestSupport

/// A fixture of `Tests/Fixtures/nir/`.
func fixture(_ name: String) -> String { packageRoot().path + "/Tests/Fixtures/nir/" + name }

/// `../shared/data/<sub>` next to the checkout, nil (with a printed reason) when absent.
func sharedData(_ sub: String) -> String? {
    let path = URL(fileURLWithPath: packageRoot().path + "/../shared/data/" + sub).standardizedFileURL.path
    if FileManager.default.fileExists(atPath: path) { return path }
    print("skipped: \(path) is absent (the project's shared data folder, ../shared next to the checkout)")
    return nil
}

/// A deterministic pseudo-random stream for test inputs (SplitMix64).
struct TestRandom {
    var state: UInt64
    init(_ seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [-1, 1).
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 52) - 1 }
    /// 0, 1 or 2 with probabilities 0.7, 0.2, 0.1 (spike counts).
    mutating func count() -> Double { let r = next() % 10; return r < 7 ? 0 : r < 9 ? 1 : 2 }
}

/// A one-node graph `input → node → output` for node-level checks.
func chain(_ nodes: [(String, NIRNode)], input: [Int]) -> NIRGraph {
    var all: [String: NIRNode] = ["input": .input(shape: input), "output": .output(shape: [])]
    var edges: [NIREdge] = []
    var last = "input"
    for (name, node) in nodes { all[name] = node; edges.append(NIREdge(last, name)); last = name }
    edges.append(NIREdge(last, "output"))
    return NIRGraph(nodes: all, edges: edges)
}

func expectError(_ body: () throws -> Void) -> NIRError? {
    do { try body() } catch let e as NIRError { return e } catch { return nil }
    return nil
}
