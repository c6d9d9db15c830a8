import Foundation
import SpikebarCore
@testable import SpikebarTrace

/// A fresh directory under the system temporary directory, removed by `cleanup()`.
struct TempDir {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "sbt-test-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func file(_ name: String) -> String { path + "/" + name }
    func cleanup() { try? FileManager.default.removeItem(atPath: path) }
}

/// Random sorted events over `header`'s populations, with bursts of equal times and occasional huge gaps.
func randomEvents(_ header: TraceHeader, count: Int, seed: UInt64, unit: Int64 = 1, hugeGaps: Bool = false) -> [TraceEvent] {
    var rng = RandomStream(seed: seed, purpose: .benchmark)
    var t: Int64 = Int64(rng.next() % 1000) * unit
    var out: [TraceEvent] = []
    for _ in 0..<count {
        let r = rng.next() % 100
        if r < 20 {
            // same time as the previous event
        } else if hugeGaps && r < 23 {
            t += Int64(rng.next() % UInt64((1 << 50) / unit)) * unit
        } else {
            t += Int64(rng.next() % 5000) * unit
        }
        let p = Int(rng.next() % UInt64(header.populations.count))
        let i = Int(rng.next() % UInt64(header.populations[p].size))
        out.append(TraceEvent(time: t, population: p, index: i))
    }
    return out
}

func writeTrace(_ path: String, _ header: TraceHeader, _ events: [TraceEvent], chunkEvents: Int = 1000, level: Int = 3, close: Bool = true) throws {
    let w = try TraceWriter(path: path, header: header, chunkEvents: chunkEvents, level: level)
    try w.append(contentsOf: events)
    if close { try w.close() } else { try w.flushChunk() }
}

func readAll(_ path: String) throws -> [TraceEvent] { try TraceReader(path: path).readEvents() }

func bytes(_ path: String) -> [UInt8] { [UInt8](FileManager.default.contents(atPath: path) ?? Data()) }
func put(_ path: String, _ b: [UInt8]) { _ = FileManager.default.createFile(atPath: path, contents: Data(b)) }

/// `../shared/data` next to the package root (or `$SPIKEBAR_DATA`), when present.
func sharedDataDirectory() -> String? {
    if let env = ProcessInfo.processInfo.environment["SPIKEBAR_DATA"], FileManager.default.fileExists(atPath: env) { return env }
    // #filePath = <root>/Tests/SpikebarTraceTests/TestSupport.swift
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let d = root.deletingLastPathComponent().appendingPathComponent("shared/data").path
    return FileManager.default.fileExists(atPath: d) ? d : nil
}
