import FuzzSupport
import SpikebarScenario

/// Scenario decoder: YAML text → validated `Scenario`. It must throw on bad input, never trap. The
/// scenario "lives" in a folder that does not exist, so relative file names never resolve.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzScenario(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: bytes(data, size), as: UTF8.self)
    _ = try? ScenarioLoader.load(text: text, path: "/nonexistent-spikebar-fuzz/scenario.yaml", requireWeightsFile: false)
    return 0
}

/// Entry point SwiftPM links as `main` (see CFuzzDriver.h): hands over to libFuzzer.
@_cdecl("FuzzScenario_main")
public func fuzzScenarioMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    spikebar_fuzz_main(argc, argv)
}
