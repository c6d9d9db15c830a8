import Foundation
import Testing
import SpikebarCore
@testable import SpikebarTrace

func nmnistDirectory() -> String? {
    guard let d = sharedDataDirectory().map({ $0 + "/nmnist-subset" }), FileManager.default.fileExists(atPath: d + "/1.bin") else { return nil }
    return d
}

@Suite struct ImporterTests {
    /// An N-MNIST file larger than any recording, or a FIFO, is refused before it is read (issue #22,
    /// class 5: importers read with a bound).
    @Test func oversizedOrSpecialNMNISTFilesAreRefused() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nmnist-bound-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let big = dir.appendingPathComponent("big.bin")
        _ = FileManager.default.createFile(atPath: big.path, contents: nil)
        let h = try FileHandle(forWritingTo: big)
        try h.truncate(atOffset: UInt64(NMNISTImporter.maxFileBytes + 5))  // sparse: nothing written
        try h.close()
        #expect(throws: TraceError.self) { _ = try NMNISTImporter.import(binPath: big.path) }
        let fifo = dir.appendingPathComponent("fifo.bin")
        #expect(mkfifo(fifo.path, 0o600) == 0)
        #expect(throws: TraceError.self) { _ = try NMNISTImporter.import(binPath: fifo.path) }
    }

    /// Encodes events in the published N-MNIST layout, bit by bit.
    func nmnistBytes(_ ev: [(x: UInt8, y: UInt8, p: UInt8, t: UInt32)]) -> [UInt8] {
        var b: [UInt8] = []
        for e in ev {
            b.append(e.x)
            b.append(e.y)
            b.append((e.p << 7) | UInt8((e.t >> 16) & 0x7F))
            b.append(UInt8((e.t >> 8) & 0xFF))
            b.append(UInt8(e.t & 0xFF))
        }
        return b
    }

    @Test func nmnistDecodesEveryField() throws {
        let src: [(x: UInt8, y: UInt8, p: UInt8, t: UInt32)] = [
            (0, 0, 0, 0), (33, 0, 1, 1), (0, 33, 0, 255), (17, 9, 1, 256), (33, 33, 1, 0x7F_FFFF), (5, 6, 0, 0x12_3456),
        ]
        // Sorted input except the last two, to check the stable sort too.
        let bytes = nmnistBytes(src)
        #expect(bytes.count == 30)
        #expect(Array(bytes[25..<30]) == [5, 6, 0x12, 0x34, 0x56])
        #expect(Array(bytes[20..<25]) == [33, 33, 0xFF, 0xFF, 0xFF])
        let raw = try NMNISTImporter.decodeRaw(data: bytes)
        #expect(raw.map(\.x) == src.map { Int($0.x) })
        #expect(raw.map(\.y) == src.map { Int($0.y) })
        #expect(raw.map(\.polarity) == src.map { Int($0.p) })
        #expect(raw.map(\.timestampMicroseconds) == src.map { Int($0.t) })
        let ev = try NMNISTImporter.decode(data: bytes)
        #expect(ev.map(\.time) == [0, 1, 255, 256, 0x12_3456, 0x7F_FFFF].map { Int64($0) * 1_000_000 })
        #expect(ev[4].index == NMNISTImporter.index(x: 5, y: 6, polarity: 0))
        #expect(ev[5].index == (1 * 34 + 33) * 34 + 33)
        #expect(NMNISTImporter.pixel(index: ev[3].index) == (17, 9, 1))
        #expect(ev.allSatisfy { $0.population == 0 && $0.index < 2312 })
        let e1 = #expect(throws: TraceError.self) { try NMNISTImporter.decodeRaw(data: Array(bytes[0..<12])) }
        #expect(e1?.offset == 10)
        var bad = bytes; bad[15] = 34
        let e2 = #expect(throws: TraceError.self) { try NMNISTImporter.decodeRaw(data: bad) }
        #expect(e2?.offset == 15)
    }

    @Test func nmnistFilesConcatenateIntoOneTrace() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        put(dir.file("1.bin"), nmnistBytes([(1, 2, 0, 10), (3, 4, 1, 20)]))
        put(dir.file("2.bin"), nmnistBytes([(5, 6, 1, 0), (7, 8, 0, 5)]))
        let samples = try NMNISTImporter.writeTrace(files: [dir.file("1.bin"), dir.file("2.bin")], output: dir.file("n.sbt"))
        #expect(samples.map(\.startMicroseconds) == [0, 21])
        let r = try TraceReader(path: dir.file("n.sbt"))
        #expect(r.header.timeUnit == 1_000_000 && r.header.populations == [NMNISTImporter.population])
        #expect(try r.readEvents().map { $0.time / 1_000_000 } == [10, 20, 21, 26])
        #expect(r.header.metadata.contains("\"startMicroseconds\":21"))
        #expect(try r.readEvents(from: 21_000_000).count == 2)
    }

    @Test(.enabled(if: nmnistDirectory() != nil, "N-MNIST subset absent (../shared/data/nmnist-subset or $SPIKEBAR_DATA)"))
    func realNMNISTSubsetMatchesItsReadme() throws {
        let dir = try #require(nmnistDirectory())
        let names = try FileManager.default.contentsOfDirectory(atPath: dir)
        let bins = names.filter { $0.hasSuffix(".bin") }.sorted()
        #expect(bins.count == 1100)
        var total = 0, lo = Int.max, hi = 0, on = 0
        for n in bins {
            let ev = try NMNISTImporter.decodeRaw(data: bytes(dir + "/" + n), path: n)
            total += ev.count; lo = min(lo, ev.count); hi = max(hi, ev.count)
            on += ev.reduce(0) { $0 + $1.polarity }
        }
        #expect(lo == 1069 && hi == 7152)
        #expect((4_515_000...4_525_000).contains(total), "total \(total)")
        #expect(abs(Double(on) / Double(total) - 0.5) < 0.1)
        let tmp = TempDir(); defer { tmp.cleanup() }
        let some = bins.prefix(5).map { dir + "/" + $0 }
        let samples = try NMNISTImporter.writeTrace(files: some, output: tmp.file("real.sbt"))
        let r = try TraceReader(path: tmp.file("real.sbt"))
        #expect(r.eventCount == samples.reduce(0) { $0 + $1.events })
        var expected: [TraceEvent] = []
        for (f, s) in zip(some, samples) { expected += try NMNISTImporter.import(binPath: f, offsetMicroseconds: s.startMicroseconds) }
        #expect(try r.readEvents() == expected)
    }

    @Test func csvParsesExactlyAndNamesLines() throws {
        let text = """
            time_s,population,index
            # comment
            0.000001,input,3
            1e-6,hidden,0

            0.0000005,input,699
            2.5,hidden,7
            """
        let (h, ev) = try CSVImporter.parse(text: text, file: "x.csv")
        #expect(h.populations == [.init(name: "input", size: 700), .init(name: "hidden", size: 8)])
        #expect(h.timeUnit == 1_000)  // 0.5 µs is not a whole µs: the coarsest dividing unit is 1 ns
        #expect(ev.map(\.time) == [500_000, 1_000_000, 1_000_000, 2_500_000_000_000])
        #expect(ev.map(\.index) == [699, 3, 0, 7])
        let e = #expect(throws: SpikebarError.self) { try CSVImporter.parse(text: "0.1,a,1\n0.2,a\n", file: "y.csv") }
        #expect(e?.description.hasPrefix("y.csv:2:") == true)
        let e2 = #expect(throws: SpikebarError.self) { try CSVImporter.parse(text: "0.1,a,1\n-3,a,1\n", file: "z.csv") }
        #expect(e2?.description.hasPrefix("z.csv:2:") == true)
        let (h3, ev3) = try CSVImporter.parse(text: "10,0,1\n12,1,4\n", options: .init(timeColumn: .microseconds))
        #expect(h3.populations.map(\.name) == ["0", "1"] && h3.timeUnit == 1_000_000)
        #expect(ev3 == [TraceEvent(time: 10_000_000, population: 0, index: 1), TraceEvent(time: 12_000_000, population: 1, index: 4)])
        #expect(CSVImporter.exactPicoseconds("0.1234567891234", unit: 1_000_000_000_000) == nil)  // below 1 ps
        #expect(CSVImporter.exactPicoseconds("1.5E3", unit: 1) == 1500)
    }
}
