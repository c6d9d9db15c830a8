import Foundation
import Testing
import SpikebarCore
@testable import SpikebarTrace

/// Inputs found by the fuzz targets (Fuzz/, Docs/reliability.md), fed through the public API: each must
/// be rejected with a thrown error (or reported by `recover()`), quickly, never crash.
@Suite struct FuzzRegressionTests {
    let header = TraceHeader(populations: [.init(name: "a", size: 300), .init(name: "b", size: 5)])

    /// A trace of 3 chunks of 8 events with its index cut off (so chunks are found by scanning), and
    /// chunk 1's event count rewritten to `count` with a valid header checksum.
    func traceWithChunkCount(_ count: UInt32) throws -> [UInt8] {
        let dir = TempDir(); defer { dir.cleanup() }
        let p = dir.file("t.sbt")
        try writeTrace(p, header, randomEvents(header, count: 24, seed: 3), chunkEvents: 8)
        let r = try TraceReader(path: p)
        var b = Array(bytes(p)[0..<(r.chunks[2].offset + r.chunks[2].byteLength)])
        let o = r.chunks[1].offset
        withUnsafeBytes(of: count.littleEndian) { for k in 0..<4 { b[o + 8 + k] = $0[k] } }
        let h = b.withUnsafeBytes { XXH64.hash(UnsafeRawBufferPointer(rebasing: $0[o..<(o + 48)])) }
        withUnsafeBytes(of: h.littleEndian) { for k in 0..<8 { b[o + 48 + k] = $0[k] } }
        return b
    }

    /// Fuzz/Corpus/trace-reader/regression-huge-count.sbt (libFuzzer timeout): a chunk header claiming
    /// 15 204 611 events over a payload of 1000-byte zstd frames made the decoder zero ~340 MB before
    /// noticing. The frames' declared sizes are now checked first.
    @Test func hugeEventCountOverSmallFramesIsRejectedBeforeAllocating() throws {
        let reader = try TraceReader(bytes: try traceWithChunkCount(1 << 24), name: "huge.sbt")
        #expect(!reader.hasIndex && reader.chunks.count == 3 && reader.chunks[1].eventCount == 1 << 24)
        let e = #expect(throws: TraceError.self) { try reader.readChunk(1) }
        #expect(e?.kind == .corruptChunk && e?.chunk == 1)
        #expect(e?.message.contains("declares 8 bytes, expected 16777216") == true, "\(String(describing: e))")
        let rec = reader.recover()
        #expect(rec.chunks.map(\.info.number) == [0, 2] && rec.errors.contains { $0.chunk == 1 })
    }

    /// The same check in the other direction: a count smaller than the frames hold.
    @Test func eventCountBelowTheFrameSizeIsRejected() throws {
        let reader = try TraceReader(bytes: try traceWithChunkCount(5), name: "short.sbt")
        let e = #expect(throws: TraceError.self) { try reader.readChunk(1) }
        #expect(e?.message.contains("declares 8 bytes, expected 5") == true, "\(String(describing: e))")
    }
}
