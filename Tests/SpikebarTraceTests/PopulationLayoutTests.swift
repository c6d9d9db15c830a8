import Foundation
import Testing
import SpikebarCore
@testable import SpikebarTrace

/// Chunk time layouts 1 (format 2.0: one time stream per population on its own quantum) and 2 (3.0:
/// the same with narrow planes packed, `PlanePacking`), which a 3.0 writer uses.
@Suite struct PopulationLayoutTests {
    let header = TraceHeader(populations: [
        .init(name: "input", size: 784), .init(name: "hidden", size: 128),
        .init(name: "output", size: 10),
    ])

    /// A recording-like stream: input spikes on a 1 µs grid (rate `inputRate` per channel), layer spikes at
    /// arbitrary picoseconds, merged by time (stable), with runs of equal times; optionally starting at a
    /// negative time, so the quantised first time needs floor division.
    func recordingLike(count: Int, seed: UInt64, start: Int64 = 0) -> [TraceEvent] {
        var rng = RandomStream(seed: seed, purpose: .benchmark)
        var input: [TraceEvent] = [], layer: [TraceEvent] = []
        var t = start - start % 1_000_000
        for _ in 0..<(count * 4 / 5) {
            if rng.next() % 10 != 0 { t += Int64(1 + rng.next() % 120) * 1_000_000 }
            input.append(TraceEvent(time: t, population: 0, index: Int(rng.next() % 784)))
        }
        let end = t
        for _ in 0..<(count - input.count) {
            let p = rng.next() % 20 == 0 ? 2 : 1
            let time = start + Int64(rng.next() % UInt64(max(1, end - start)))
            layer.append(TraceEvent(time: time, population: p, index: Int(rng.next() % UInt64(p == 1 ? 128 : 10))))
        }
        // A layer spike at exactly an input spike's time: equal times across populations.
        if let e = input.dropFirst(7).first { layer.append(TraceEvent(time: e.time, population: 1, index: 3)) }
        return (input + layer).enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
    }

    func chunkLayouts(_ path: String) throws -> [UInt8] {
        let b = bytes(path)
        return try TraceReader(path: path).chunks.map { b[$0.offset + 15] }
    }

    @Test(arguments: [Int64(0), -7_000_000_123, 5_000_000_000_017])
    func roundTripsExactlyAndIsChosenForMixedQuanta(start: Int64) throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let ev = recordingLike(count: 5000, seed: 3, start: start)
        try writeTrace(dir.file("l1.sbt"), header, ev, chunkEvents: 1024)
        let r = try TraceReader(path: dir.file("l1.sbt"))
        #expect(r.version.major == Int(TraceFormat.majorVersion))
        #expect(try r.readEvents() == ev)
        #expect(try chunkLayouts(dir.file("l1.sbt")).allSatisfy { $0 == TraceFormat.timeLayoutPerPopulationPacked })
        // Seeking decodes from the middle of the stream: each chunk is self-contained.
        let mid = ev[2500].time
        #expect(try r.readEvents(from: mid) == ev.filter { $0.time >= mid })
    }

    @Test func chunksWithoutSomePopulationRoundTrip() throws {
        // Chunks in which a population has no event (here: the output population only in the last
        // chunk, the hidden one never in the first) still carry a valid stream-table entry for it.
        let dir = TempDir(); defer { dir.cleanup() }
        var ev: [TraceEvent] = []
        for i in 0..<300 { ev.append(TraceEvent(time: Int64(i) * 3_000_000, population: 0, index: i % 784)) }
        for i in 100..<300 { ev.append(TraceEvent(time: Int64(i) * 3_000_000 + 1_234_567, population: 1, index: i % 128)) }
        for i in 0..<5 { ev.append(TraceEvent(time: 899_000_000 + Int64(i) * 7, population: 2, index: i)) }
        ev.sort { $0.time < $1.time }
        for chunk in [64, 100, 128] {
            try writeTrace(dir.file("gap.sbt"), header, ev, chunkEvents: chunk)
            #expect(try readAll(dir.file("gap.sbt")) == ev, "chunk \(chunk)")
            #expect(try chunkLayouts(dir.file("gap.sbt")).contains(TraceFormat.timeLayoutPerPopulationPacked), "chunk \(chunk)")
            #expect(try TraceReader(path: dir.file("gap.sbt")).recover().errors.isEmpty, "chunk \(chunk)")
        }
        // Small chunks of a recording-like stream: many chunks lack one population or another, and the
        // writer's per-population buffers are reused from chunk to chunk.
        let rec = recordingLike(count: 3000, seed: 21, start: -3_000_000_017)
        for chunk in [5, 7, 13, 50] {
            try writeTrace(dir.file("small.sbt"), header, rec, chunkEvents: chunk)
            #expect(try readAll(dir.file("small.sbt")) == rec, "chunk \(chunk)")
            #expect(try TraceReader(path: dir.file("small.sbt")).recover().errors.isEmpty, "chunk \(chunk)")
        }
    }

    /// More populations than the 8 byte lanes the per-event rank uses (a deep network's recording):
    /// the writer's scatter and the reader's gather move one cursor per event instead. Before the
    /// fallback, 9 or more populations corrupted the writer's heap (found this session: `trace import`
    /// of a 12-population CSV aborted in malloc).
    @Test(arguments: [9, 12, 64])
    func manyPopulationsRoundTrip(populations P: Int) throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let h = TraceHeader(populations: (0..<P).map { .init(name: "p\($0)", size: 50 + $0) })
        var rng = RandomStream(seed: UInt64(P), purpose: .benchmark)
        var ev: [TraceEvent] = []
        for k in 0..<P {
            // Even populations on a µs grid, odd ones at arbitrary picoseconds: layout 1 pays off.
            var t: Int64 = 0
            for _ in 0..<(6000 / P) {
                t += Int64(1 + rng.next() % 2000) * (k % 2 == 0 ? 1_000_000 : 1)
                ev.append(TraceEvent(time: t, population: k, index: Int(rng.next() % UInt64(50 + k))))
            }
        }
        ev = ev.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
        for chunk in [300, 4096] {
            try writeTrace(dir.file("many.sbt"), h, ev, chunkEvents: chunk)
            #expect(try readAll(dir.file("many.sbt")) == ev, "P \(P), chunk \(chunk)")
            #expect(try chunkLayouts(dir.file("many.sbt")).contains(TraceFormat.timeLayoutPerPopulationPacked), "P \(P), chunk \(chunk)")
        }
    }

    /// The writer takes a population's quantum from its first 64 times and checks it on the rest; when
    /// the rest is on a finer grid (here: 64 times on a 10 µs grid, then 1 µs), it must fall back to
    /// the GCD of all times, and the result must equal a writer that saw the fine grid from the start.
    @Test func quantumOfAPrefixIsCheckedOnTheRest() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let h = TraceHeader(populations: [.init(name: "a", size: 10), .init(name: "b", size: 10)])
        var ev: [TraceEvent] = []
        var t: Int64 = 0
        for i in 0..<400 {
            t += i < 100 ? 10_000_000 : 1_000_000 * Int64(1 + i % 7)
            ev.append(TraceEvent(time: t, population: 0, index: i % 10))
            ev.append(TraceEvent(time: t + Int64(i % 3), population: 1, index: i % 10))  // b at picoseconds
        }
        try writeTrace(dir.file("q.sbt"), h, ev, chunkEvents: 4096)
        #expect(try readAll(dir.file("q.sbt")) == ev)
        let chunk = try TraceReader(path: dir.file("q.sbt")).chunks[0].offset
        let b = bytes(dir.file("q.sbt"))
        #expect(b[chunk + 15] == TraceFormat.timeLayoutPerPopulationPacked)
        // The stream table opens the payload: population 0's quantum, 8 bytes little-endian.
        let quantumA = b.le(chunk + TraceFormat.chunkHeaderSize, UInt64.self)
        #expect(quantumA == 1_000_000)  // the GCD of every time, not the prefix's 10 µs
    }

    @Test func perPopulationQuantaBeatOneMergedStream() throws {
        // The same events with one population (layout 0 is then the only choice): layout 1 must be
        // much smaller, because the input's 1 µs grid becomes visible to the coder.
        let dir = TempDir(); defer { dir.cleanup() }
        let ev = recordingLike(count: 20_000, seed: 5)
        try writeTrace(dir.file("split.sbt"), header, ev, chunkEvents: 8192, level: 1)
        let flat = TraceHeader(populations: [.init(name: "all", size: 922)])
        let offsets = header.populationOffsets
        let merged = ev.map { TraceEvent(time: $0.time, population: 0, index: offsets[$0.population] + $0.index) }
        try writeTrace(dir.file("merged.sbt"), flat, merged, chunkEvents: 8192, level: 1)
        #expect(try chunkLayouts(dir.file("merged.sbt")).allSatisfy { $0 == TraceFormat.timeLayoutMerged })
        let split = bytes(dir.file("split.sbt")).count, one = bytes(dir.file("merged.sbt")).count
        #expect(Double(split) < 0.8 * Double(one), "layout 1: \(split) B, layout 0: \(one) B")
    }

    @Test func singleQuantumStreamsKeepTheMergedLayout() throws {
        // Everything on one grid: per-population streams would only add bytes; the writer keeps layout 0.
        let dir = TempDir(); defer { dir.cleanup() }
        let ev = randomEvents(header, count: 3000, seed: 8)
        try writeTrace(dir.file("m.sbt"), header, ev)
        #expect(try readAll(dir.file("m.sbt")) == ev)
        #expect(try chunkLayouts(dir.file("m.sbt")).contains(TraceFormat.timeLayoutMerged))
    }

    @Test func formatOneFilesAreStillRead() throws {
        // The example traces in Traces/ were written by the 1.0 writer.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let r = try TraceReader(path: root.appendingPathComponent("Traces/poisson-100x20Hz.sbt").path)
        #expect(r.version.major == 1)
        #expect(try r.readEvents().count == 5000)
    }

    /// A recorded quickstart run written by the 2.0 writer (chunk layout 1, shipped in Traces/) reads
    /// back exactly: 5698 events whose FNV-1a digest over (time ps, population, index) as little-endian
    /// i64s was taken with the 2.0 reader (session 4's build) before layout 2 existed.
    @Test func formatTwoFilesAreStillRead() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let path = root.appendingPathComponent("Traces/quickstart-5-inferences.sbt").path
        let r = try TraceReader(path: path)
        #expect(r.version.major == 2)
        #expect(try chunkLayouts(path) == [TraceFormat.timeLayoutPerPopulation])
        var digest: UInt64 = 0xcbf2_9ce4_8422_2325, count = 0
        try r.forEachEvent { e in
            count += 1
            for v in [e.time, Int64(e.population), Int64(e.index)] {
                withUnsafeBytes(of: v.littleEndian) { for b in $0 { digest = (digest ^ UInt64(b)) &* 0x100_0000_01b3 } }
            }
        }
        #expect(count == 5698)
        #expect(digest == 0x1ffd_de44_1b16_3f70)
    }

    /// Packing of narrow planes (layout 2): every count (partial last bytes included) and every value
    /// below 2^bits round-trips; the packed size is ⌈count·bits/8⌉ and unused bits are zero.
    @Test func narrowPlanesPackAndUnpackExactly() {
        var rng = RandomStream(seed: 5, purpose: .benchmark)
        for bits in [1, 2, 4] {
            for count in [1, 2, 3, 7, 8, 9, 31, 1000, 1003] {
                let values = (0..<count).map { _ in UInt8(truncatingIfNeeded: rng.next()) & UInt8((1 << bits) - 1) }
                let size = PlanePacking.packedCount(count, bits: bits)
                #expect(size == (count * bits + 7) / 8)
                var packed = [UInt8](repeating: 0xFF, count: size), back = [UInt8](repeating: 0xEE, count: count)
                values.withUnsafeBufferPointer { v in
                    packed.withUnsafeMutableBufferPointer { PlanePacking.pack(v.baseAddress!, count, bits: bits, into: $0.baseAddress!) }
                }
                packed.withUnsafeBufferPointer { pk in
                    back.withUnsafeMutableBufferPointer { PlanePacking.unpack(pk.baseAddress!, count, bits: bits, into: $0.baseAddress!) }
                }
                #expect(back == values, "bits \(bits), count \(count)")
                let used = (count * bits) % 8
                if used != 0 { #expect(packed[size - 1] >> UInt8(used) == 0, "bits \(bits), count \(count): padding") }
            }
        }
        #expect(
            PlanePacking.bits(forOr: 0) == 1 && PlanePacking.bits(forOr: 3) == 2 && PlanePacking.bits(forOr: 15) == 4
                && PlanePacking.bits(forOr: 16) == 8)
    }

    @Test func damagedLayoutOnePayloadsAreRejectedOrValidNeverCrash() throws {
        // Every payload byte of a layout-1 chunk flipped with the checksums made to match: the decoder
        // behind the checksums must reject the chunk with a message or return a self-consistent one,
        // and the other chunks must be unaffected.
        let dir = TempDir(); defer { dir.cleanup() }
        let ev = recordingLike(count: 60, seed: 11)
        try writeTrace(dir.file("d.sbt"), header, ev, chunkEvents: 20)
        let full = bytes(dir.file("d.sbt"))
        let table = try TraceReader(path: dir.file("d.sbt")).chunks
        let layouts = try chunkLayouts(dir.file("d.sbt"))
        let target = try #require(layouts.firstIndex(of: TraceFormat.timeLayoutPerPopulationPacked))
        let others = table.indices.filter { $0 != target }
        let c = table[target]
        var rejected = 0
        for pos in (c.offset + TraceFormat.chunkHeaderSize)..<(c.offset + c.byteLength) {
            var b = full
            b[pos] ^= 0x5A
            let payload = (c.offset + TraceFormat.chunkHeaderSize)..<(c.offset + c.byteLength)
            let ph = b.withUnsafeBytes { XXH64.hash(UnsafeRawBufferPointer(rebasing: $0[payload])) }
            for k in 0..<8 { b[c.offset + 40 + k] = UInt8(truncatingIfNeeded: ph >> (8 * UInt64(k))) }
            let hh = b.withUnsafeBytes { XXH64.hash(UnsafeRawBufferPointer(rebasing: $0[c.offset..<(c.offset + 48)])) }
            for k in 0..<8 { b[c.offset + 48 + k] = UInt8(truncatingIfNeeded: hh >> (8 * UInt64(k))) }
            let r = try TraceReader(bytes: b, name: "flip-\(pos)")
            for k in others { #expect(try r.readChunk(k).times == ev[(20 * k)..<min(20 * k + 20, ev.count)].map(\.time)) }
            do {
                let got = try r.readChunk(target)
                #expect(got.times.count == 20 && got.addresses.count == 20)
                #expect(zip(got.times, got.times.dropFirst()).allSatisfy { $0 <= $1 })
                #expect(got.times.first == c.firstTime && got.times.last == c.lastTime)
            } catch let e as TraceError {
                rejected += 1
                #expect(e.chunk == target && e.offset != nil, "byte \(pos): \(e)")
            }
        }
        #expect(rejected > 0)
    }
}
