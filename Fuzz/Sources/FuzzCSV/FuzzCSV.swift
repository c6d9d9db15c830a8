import FuzzSupport
import SpikebarTrace

/// CSV spike-list importer. The first byte picks the time column and an optional trace time unit; the
/// rest is the CSV text. Accepted input must give sorted events inside the inferred populations.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = bytes(data, size)
    guard let mode = input.first else { return 0 }
    let columns = CSVImporter.TimeColumn.allCases
    let units: [Int64?] = [nil, 1, 1_000, 1_000_000, 7]
    let options = CSVImporter.Options(timeColumn: columns[Int(mode) % columns.count],
                                      timeUnit: units[Int(mode / 8) % units.count])
    let text = String(decoding: input.dropFirst(), as: UTF8.self)
    guard let (header, events) = try? CSVImporter.parse(text: text, file: "<fuzz>", options: options) else { return 0 }
    for e in events {
        require(header.populations.indices.contains(e.population), "population \(e.population)")
        require(e.index >= 0 && e.index < header.populations[e.population].size, "index \(e.index)")
        require(e.time >= 0, "negative time \(e.time)")
    }
    require(zip(events, events.dropFirst()).allSatisfy { $0.time <= $1.time }, "events not sorted")
    return 0
}

/// Entry point SwiftPM links as `main` (see CFuzzDriver.h): hands over to libFuzzer.
@_cdecl("FuzzCSV_main")
public func fuzzCSVMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    spikebar_fuzz_main(argc, argv)
}
