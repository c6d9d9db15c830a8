import FuzzSupport
import SpikebarNIR

/// `spikebar nir new`'s layer notation (seed 003, Table II). The first byte picks the seed; the rest is
/// the notation. An accepted notation must give a graph that compiles, whose Input is the notation's
/// first token and whose every tensor stays within `NIRGraph.maxElements`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzArchitecture(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = bytes(data, size)
    guard let seed = input.first, input.count <= 256 else { return 0 }
    let text = String(decoding: input.dropFirst(), as: UTF8.self)
    guard let parsed = try? NIRGraph.parseArchitecture(text) else { return 0 }
    // Keep the fuzzer off graphs that are valid but merely large to allocate.
    // (Sizes past `NIRGraph.maxElements` are refused by the code under test and stay in; a 87777-channel
    // map under it is valid and only exhausts the fuzzer's 2 GB.)
    guard parsed.input.reduce(1, { $0 &* $1 }) <= 4096, parsed.layers.count <= 8 else { return 0 }
    for layer in parsed.layers {
        switch layer {
        case let .convolution(c, k): if c > 64 || k > 15 { return 0 }
        case let .dense(n): if n > 4096 { return 0 }
        case .pooling: continue
        }
    }
    guard let graph = try? NIRGraph.architecture(text, seed: UInt64(seed)) else { return 0 }
    for node in graph.nodes.values {
        require(node.parameterCount >= 0 && node.parameterCount <= 4 * NIRGraph.maxElements, "parameter count \(node.parameterCount)")
    }
    if case let .input(shape)? = graph.nodes["input"] { require(shape == parsed.input, "input \(shape) vs \(parsed.input)") }
    else { require(false, "no Input node") }
    _ = try? NIRProgram(graph: graph, options: NIRRunOptions(dt: 1), file: "<fuzz>")
    return 0
}

/// Entry point SwiftPM links as `main` (see CFuzzDriver.h): hands over to libFuzzer.
@_cdecl("FuzzArchitecture_main")
public func fuzzArchitectureMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    spikebar_fuzz_main(argc, argv)
}
