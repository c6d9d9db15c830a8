import FuzzSupport
import SpikebarTrace

/// N-MNIST `.bin` importer: 5-byte records. Accepted input must give in-range addresses and sorted times.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNMNIST(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = bytes(data, size)
    guard let raw = try? NMNISTImporter.decodeRaw(data: input, path: "<fuzz>") else { return 0 }
    require(raw.count == input.count / 5, "\(raw.count) events from \(input.count) bytes")
    // The largest offset writeTrace can give: 2^23 µs per earlier sample, many samples.
    let offset = Int64(input.first ?? 0) << 23
    guard let events = try? NMNISTImporter.decode(data: input, path: "<fuzz>", offsetMicroseconds: offset) else {
        require(false, "decodeRaw accepted the input but decode threw"); return 0
    }
    let size = NMNISTImporter.population.size
    for e in events {
        require(e.population == 0 && e.index >= 0 && e.index < size, "address \(e.index) outside the retina")
        let p = NMNISTImporter.pixel(index: e.index)
        require(NMNISTImporter.index(x: p.x, y: p.y, polarity: p.polarity) == e.index, "pixel/index round trip")
    }
    require(zip(events, events.dropFirst()).allSatisfy { $0.time <= $1.time }, "events not sorted")
    return 0
}

/// Entry point SwiftPM links as `main` (see CFuzzDriver.h): hands over to libFuzzer.
@_cdecl("FuzzNMNIST_main")
public func fuzzNMNISTMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    spikebar_fuzz_main(argc, argv)
}
