import Foundation
import FuzzSupport
import SpikebarNIR

/// NIR graphs (.nir, HDF5; Docs/nir.md). libhdf5 reads from a path, so each input is written to one
/// scratch file first. A graph that is accepted must compile into a runnable program or be refused with
/// an NIRError — never a crash, in our code or in libhdf5's.
private let scratch = NSTemporaryDirectory() + "fuzz-nir-\(getpid()).nir"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNIR(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard FileManager.default.createFile(atPath: scratch, contents: Data(bytes(data, size))) else { return 0 }
    guard let graph = try? NIRGraph.read(path: scratch) else { return 0 }
    require(graph.resolves(graph.sortedNames.first ?? "") || graph.nodes.isEmpty, "accepted graph does not resolve its own node")
    _ = try? NIRProgram(
        graph: graph, options: NIRRunOptions(dt: 1e-3, discretisation: .forwardEuler, reset: .toResetPotential, comparison: .greater), file: scratch)
    return 0
}

/// Entry point SwiftPM links as `main` (see CFuzzDriver.h): hands over to libFuzzer.
@_cdecl("FuzzNIR_main")
public func fuzzNIRMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    spikebar_fuzz_main(argc, argv)
}
