import Foundation
import Testing
import SpikebarCore
@testable import SpikebarTrace

@Suite struct RobustnessTests {
    let header = TraceHeader(populations: [.init(name: "a", size: 300), .init(name: "b", size: 5)])

    /// A small trace of 5 chunks (8 events each, the last with 4) and its events per chunk.
    func smallTrace(_ dir: TempDir, close: Bool = true) throws -> (String, [[TraceEvent]]) {
        let ev = randomEvents(header, count: 36, seed: 99)
        let p = dir.file("small.sbt")
        try writeTrace(p, header, ev, chunkEvents: 8, close: close)
        return (close ? p : p + ".partial", stride(from: 0, to: ev.count, by: 8).map { Array(ev[$0..<min($0 + 8, ev.count)]) })
    }

    @Test func truncationAtEveryByteKeepsEveryCompleteChunk() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let (p, perChunk) = try smallTrace(dir)
        let full = bytes(p)
        let table = try TraceReader(path: p).chunks
        let cut = dir.file("cut.sbt")
        for len in 0..<full.count {
            put(cut, Array(full[0..<len]))
            let reader: TraceReader
            do { reader = try TraceReader(path: cut) } catch let e as TraceError {
                #expect(len < table[0].offset, "only a damaged header may fail to open (len \(len)): \(e)")
                #expect(e.offset != nil)
                continue
            }
            let rec = reader.recover()
            let complete = table.filter { $0.offset + $0.byteLength <= len }.count
            #expect(rec.chunks.count == complete, "len \(len)")
            #expect(rec.events(using: reader) == Array(perChunk.prefix(complete).joined()), "len \(len)")
            #expect(!rec.errors.isEmpty && rec.errors.allSatisfy { $0.offset != nil }, "len \(len)")
        }
    }

    @Test func flippedByteInAChunkLosesOnlyThatChunk() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        for close in [true, false] {  // with the index, and scanning a writer's unfinished file
            let (p, perChunk) = try smallTrace(dir, close: close)
            let full = bytes(p)
            let table = try TraceReader(path: p).chunks
            #expect(table.count == 5)
            let bad = dir.file("bad.sbt")
            for (k, c) in table.enumerated() {
                for pos in c.offset..<(c.offset + c.byteLength) {
                    var b = full; b[pos] ^= 0x5A
                    put(bad, b)
                    let reader = try TraceReader(path: bad)
                    let rec = reader.recover()
                    var expected = perChunk; expected.remove(at: k)
                    #expect(rec.events(using: reader) == Array(expected.joined()), "chunk \(k) byte \(pos)")
                    let named = rec.errors.filter { $0.chunk == k && ($0.offset ?? -1) >= c.offset && ($0.offset ?? -1) < c.offset + c.byteLength }
                    #expect(named.count == 1, "chunk \(k) byte \(pos): \(rec.errors)")
                    #expect(named.first?.description.contains("byte \(named.first?.offset ?? -1) (chunk \(k))") == true)
                }
            }
        }
    }

    @Test func damagedIndexFallsBackToScanning() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let (p, perChunk) = try smallTrace(dir)
        let full = bytes(p)
        let last = try TraceReader(path: p).chunks.last!
        for pos in (last.offset + last.byteLength)..<full.count {
            var b = full; b[pos] ^= 0x01
            put(dir.file("ix.sbt"), b)
            let r = try TraceReader(path: dir.file("ix.sbt"))
            #expect(try r.readEvents() == Array(perChunk.joined()), "byte \(pos)")
        }
    }

    @Test func headerCorruptionIsReportedNotCrashed() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let (p, _) = try smallTrace(dir)
        let full = bytes(p)
        let first = try TraceReader(path: p).chunks[0].offset
        for pos in 0..<first {
            var b = full; b[pos] ^= 0x10
            put(dir.file("h.sbt"), b)
            let e = #expect(throws: TraceError.self) { try TraceReader(path: dir.file("h.sbt")) }
            #expect(e?.offset != nil)
        }
    }

    @Test func killedWriterIsReadableAndRepairable() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let ev = randomEvents(header, count: 2500, seed: 5)
        let path = dir.file("run.sbt")
        let w = try TraceWriter(path: path, header: header, chunkEvents: 1000)
        try w.append(contentsOf: ev)
        // No close: chunks 0 and 1 are on disk, 500 events are still in memory (lost, as in a crash).
        #expect(!FileManager.default.fileExists(atPath: path))
        let partial = w.temporaryPath
        let r = try TraceReader(path: partial)
        #expect(!r.hasIndex)
        #expect(r.openIssues.first?.kind == .missingIndex)
        #expect(try r.readEvents() == Array(ev.prefix(2000)))
        // A torn last chunk too.
        var b = bytes(partial); b.append(contentsOf: [0x53, 0x42, 0x43, 0x4B, 9, 9, 9])
        put(partial, b)
        let report = try TraceRepair.repair(input: partial, output: dir.file("fixed.sbt"))
        #expect(report.eventsRecovered == 2000 && report.chunksRecovered == 2 && !report.inputHadIndex)
        #expect(report.problems.contains { $0.kind == .truncated })
        let fixed = try TraceReader(path: dir.file("fixed.sbt"))
        // The repaired header is the original plus what the damage took (`lostSpans`, issue #22).
        var repairedHeader = fixed.header
        #expect(!repairedHeader.lostSpans.isEmpty)
        repairedHeader.lostSpans = []
        #expect(fixed.hasIndex && repairedHeader == header)
        #expect(try fixed.readEvents() == Array(ev.prefix(2000)))
        #expect(fixed.chunks.map(\.eventCount) == [1000, 1000])
        w.discard()
        #expect(!FileManager.default.fileExists(atPath: partial))
    }

    /// Random damage never crashes or hangs the reader, and what it recovers is never wrong: every chunk it
    /// returns is the original chunk of that number, event for event; anything lost is reported.
    @Test func garbageFilesNeverCrashOrHang() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let (p, perChunk) = try smallTrace(dir)
        let full = bytes(p)
        let start = try TraceReader(path: p).chunks[0].offset
        var rng = RandomStream(seed: 1, purpose: .faults)
        for round in 0..<200 {
            var b = full
            for _ in 0..<(1 + round % 8) { b[start + Int(rng.next() % UInt64(b.count - start))] = UInt8(truncatingIfNeeded: rng.next()) }
            if round % 3 == 0 { b = Array(b[0..<(start + Int(rng.next() % UInt64(b.count - start)))]) }
            if round % 5 == 0 { b.append(contentsOf: (0..<Int(rng.next() % 300)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }) }
            put(dir.file("g.sbt"), b)
            let r = try TraceReader(path: dir.file("g.sbt"))
            let rec = r.recover()
            let expected = rec.chunks.flatMap { c in perChunk.indices.contains(c.info.number) ? perChunk[c.info.number] : [] }
            #expect(rec.events(using: r) == expected, "round \(round)")
            if rec.chunks.count < perChunk.count {
                #expect(!rec.errors.isEmpty && rec.errors.allSatisfy { $0.offset != nil }, "round \(round): chunks lost without a report")
            }
        }
    }
}
