import Foundation
import Testing
import SpikebarCore
@testable import SpikebarTrace

@Suite struct RoundTripTests {
    let header = TraceHeader(
        populations: [.init(name: "in", size: 700), .init(name: "hidden", size: 256), .init(name: "out", size: 20)],
        scenarioDigest: "abc123", metadata: "{\"k\":1}")

    @Test func xxh64MatchesReferenceVectors() {
        #expect(XXH64.hash([]) == 0xEF46_DB37_51D8_E999)
        #expect(XXH64.hash(Array("a".utf8)) == 0xD24E_C4F1_A98C_6E5B)
        #expect(XXH64.hash(Array("abc".utf8)) == 0x44BC_2CF5_AD77_0999)
        #expect(XXH64.hash((0..<100).map { UInt8($0) }) == 0x6AC1_E580_3216_6597)
        #expect(XXH64.hash((0..<100).map { UInt8($0) }, seed: 1) == 0x3D19_A3A2_098A_7023)
    }

    @Test(arguments: [0, 1, 2, 999, 1000, 1001, 5003])
    func randomTraceRoundTripsExactly(count: Int) throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let ev = randomEvents(header, count: count, seed: UInt64(count))
        try writeTrace(dir.file("t.sbt"), header, ev)
        let r = try TraceReader(path: dir.file("t.sbt"))
        #expect(r.header == header)
        #expect(r.hasIndex)
        #expect(r.eventCount == count)
        #expect(r.chunks.count == (count + 999) / 1000)
        #expect(try r.readEvents() == ev)
        #expect(!FileManager.default.fileExists(atPath: dir.file("t.sbt.partial")))
    }

    @Test func equalTimestampsHugeGapsAndExtremeTimes() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        var ev = randomEvents(header, count: 3000, seed: 7, hugeGaps: true)
        ev.insert(TraceEvent(time: Int64.min, population: 0, index: 0), at: 0)
        ev.append(TraceEvent(time: Int64.max, population: 2, index: 19))
        ev.append(TraceEvent(time: Int64.max, population: 2, index: 19))
        let allSame = (0..<2500).map { TraceEvent(time: 42, population: $0 % 3, index: $0 % 20) }
        for (name, events) in [("gaps", ev), ("same", allSame)] {
            try writeTrace(dir.file(name), header, events, chunkEvents: 700)
            #expect(try readAll(dir.file(name)) == events)
        }
    }

    @Test func maximumAddressSpaceRoundTrips() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let big = TraceHeader(populations: [.init(name: "a", size: 1 << 31), .init(name: "b", size: 1 << 31)])
        #expect(big.addressCount == TraceHeader.maxAddressCount)
        let ev = [
            TraceEvent(time: 0, population: 1, index: (1 << 31) - 1), TraceEvent(time: 1, population: 0, index: 0),
            TraceEvent(time: 1, population: 1, index: 0), TraceEvent(time: 9, population: 0, index: (1 << 31) - 1),
        ]
        try writeTrace(dir.file("big.sbt"), big, ev)
        #expect(try readAll(dir.file("big.sbt")) == ev)
        let tooBig = TraceHeader(populations: [.init(name: "a", size: 1 << 32), .init(name: "b", size: 1)])
        #expect(throws: TraceError.self) { try TraceWriter(path: dir.file("x.sbt"), header: tooBig) }
    }

    @Test func timeUnitIsHonoured() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let us = TraceHeader(populations: header.populations, timeUnit: 1_000_000)
        let ev = randomEvents(us, count: 4000, seed: 3, unit: 1_000_000, hugeGaps: true)
        try writeTrace(dir.file("us.sbt"), us, ev, chunkEvents: 999, level: 1)
        #expect(try readAll(dir.file("us.sbt")) == ev)
        let w = try TraceWriter(path: dir.file("bad.sbt"), header: us)
        try w.append(TraceEvent(time: 2_000_000, population: 0, index: 0))
        let e = #expect(throws: TraceError.self) { try w.append(TraceEvent(time: 2_500_000, population: 0, index: 0)) }
        #expect(e?.description.contains("multiple of the time unit") == true)
        try w.close()
    }

    @Test func rejectsOutOfOrderAndBadAddressesClearly() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let w = try TraceWriter(path: dir.file("o.sbt"), header: header)
        try w.append(TraceEvent(time: 100, population: 0, index: 1))
        let e = #expect(throws: TraceError.self) { try w.append(TraceEvent(time: 99, population: 0, index: 1)) }
        #expect(e?.kind == .outOfOrder)
        #expect(e?.description.contains("non-decreasing") == true)
        #expect(throws: TraceError.self) { try w.append(TraceEvent(time: 100, population: 3, index: 0)) }
        #expect(throws: TraceError.self) { try w.append(TraceEvent(time: 100, population: 2, index: 20)) }
        #expect(throws: TraceError.self) { try w.append(TraceEvent(time: 100, population: 0, index: -1)) }
        try w.append(TraceEvent(time: 100, population: 2, index: 19))  // the writer is still usable
        try w.close()
        #expect(try readAll(dir.file("o.sbt")).count == 2)
        #expect(throws: TraceError.self) { try w.append(TraceEvent(time: 200, population: 0, index: 0)) }
    }

    @Test func seeksByTimeWithoutDecodingEarlierChunks() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let ev = randomEvents(header, count: 20_000, seed: 11)
        try writeTrace(dir.file("s.sbt"), header, ev, chunkEvents: 1000)
        let r = try TraceReader(path: dir.file("s.sbt"))
        let from = ev[12_345].time, to = ev[17_000].time
        #expect(try r.readEvents(from: from, to: to) == ev.filter { $0.time >= from && $0.time < to })
        let range = r.chunkRange(from: from, to: to)
        #expect(range.lowerBound >= 11 && range.upperBound <= 18)
        // Corrupting a chunk before the window must not affect reading the window.
        var b = bytes(dir.file("s.sbt"))
        b[r.chunks[2].offset + 100] ^= 0xFF
        put(dir.file("s2.sbt"), b)
        let r2 = try TraceReader(path: dir.file("s2.sbt"))
        #expect(try r2.readEvents(from: from, to: to) == ev.filter { $0.time >= from && $0.time < to })
        #expect(throws: TraceError.self) { try r2.readEvents() }
        #expect(try r.readEvents(from: ev.last!.time + 1).isEmpty)
        #expect(try r.readEvents(to: ev[0].time).isEmpty)
    }

    @Test func headerErrorsAreClear() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        try writeTrace(dir.file("h.sbt"), header, randomEvents(header, count: 10, seed: 1))
        var b = bytes(dir.file("h.sbt"))
        var wrong = b; wrong[1] = UInt8(ascii: "X")
        put(dir.file("magic.sbt"), wrong)
        let e1 = #expect(throws: TraceError.self) { try TraceReader(path: dir.file("magic.sbt")) }
        #expect(e1?.kind == .badMagic && e1?.offset == 0)
        b[8] = UInt8(TraceFormat.majorVersion + 1)  // a major version newer than this reader
        put(dir.file("v2.sbt"), b)
        let e2 = #expect(throws: TraceError.self) { try TraceReader(path: dir.file("v2.sbt")) }
        #expect(e2?.kind == .unsupportedVersion)
        #expect(e2?.description.contains("newer") == true)
        let e3 = #expect(throws: TraceError.self) { try TraceReader(path: dir.file("missing.sbt")) }
        #expect(e3?.kind == .io)
    }
}
