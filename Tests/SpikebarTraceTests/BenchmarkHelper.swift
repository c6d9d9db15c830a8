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

/// Regenerates the example traces in `Traces/` when `SPIKEBAR_WRITE_EXAMPLES=<dir>`. Off by default.
@Test(.enabled(if: ProcessInfo.processInfo.environment["SPIKEBAR_WRITE_EXAMPLES"] != nil))
func writeExampleTraces() throws {
    let out = try #require(ProcessInfo.processInfo.environment["SPIKEBAR_WRITE_EXAMPLES"])
    if let d = nmnistDirectory() {
        try NMNISTImporter.writeTrace(files: ["1.bin", "2.bin", "3.bin"].map { d + "/" + $0 }, output: out + "/nmnist-train-1-3.sbt")
    }
    let (h, ev) = TraceBenchmark.poissonEvents(neurons: 100, rateHz: 20, resolution: 1_000_000, events: 5000, seed: 1)
    var hp = h; hp.metadata = "{\"source\":\"Poisson\",\"neurons\":100,\"rateHz\":20,\"resolutionUs\":1,\"seed\":1}"
    try writeTrace(out + "/poisson-100x20Hz.sbt", hp, ev, chunkEvents: 1000)
    // A killed writer's file: two complete chunks, no index (for `spikebar trace repair`).
    let w = try TraceWriter(path: out + "/poisson-unfinished.sbt", header: hp, chunkEvents: 1000)
    try w.append(contentsOf: ev.prefix(2500))
}
