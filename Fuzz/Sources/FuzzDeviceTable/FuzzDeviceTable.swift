import FuzzSupport
import SpikebarDevices

/// Device CSV table (Docs/devices.md#device-csv). Accepted tables must have strictly increasing means.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDeviceTable(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: bytes(data, size), as: UTF8.self)
    guard let levels = try? DeviceTable.parse(text, path: "<fuzz>") else { return 0 }
    require(!levels.isEmpty, "empty table accepted")
    require(zip(levels, levels.dropFirst()).allSatisfy { $0.conductance < $1.conductance }, "g_mean not increasing")
    _ = DeviceTable.csv(levels)
    return 0
}

/// Entry point SwiftPM links as `main` (see CFuzzDriver.h): hands over to libFuzzer.
@_cdecl("FuzzDeviceTable_main")
public func fuzzDeviceTableMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    spikebar_fuzz_main(argc, argv)
}
