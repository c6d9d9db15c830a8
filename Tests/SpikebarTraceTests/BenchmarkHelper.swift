import Foundation
import Testing
@testable import SpikebarTrace

/// Runs `TraceBenchmark` from the test target when `SPIKEBAR_TRACE_BENCH=1` (build with `-c release`),
/// so the figures can be measured before `spikebar bench trace` is registered. Off by default.
@Test(.enabled(if: ProcessInfo.processInfo.environment["SPIKEBAR_TRACE_BENCH"] != nil))
func traceBenchmarkFigures() throws {
    var o = TraceBenchmark.Options()
    let env = ProcessInfo.processInfo.environment
    o.nmnistDirectory = sharedDataDirectory().map { $0 + "/nmnist-subset" }
    if let n = env["SPIKEBAR_BENCH_EVENTS"].flatMap(Int.init) { o.events = n }
    if let n = env["SPIKEBAR_BENCH_FILES"].flatMap(Int.init) { o.nmnistFiles = n }
    if let n = env["SPIKEBAR_BENCH_LEVEL"].flatMap(Int.init) { o.level = n }
    if let n = env["SPIKEBAR_BENCH_CHUNK"].flatMap(Int.init) { o.chunkEvents = n }
    if env["SPIKEBAR_BENCH_NOEXT"] != nil { o.externalBaselines = false }
    let results = try TraceBenchmark.run(options: o) { print($0) }
    for r in results { print(TraceBenchmark.format(r)) }
    print("peak RSS: \(Double(TraceBenchmark.peakRSSBytes() ?? 0) / 1e6) MB")
}
