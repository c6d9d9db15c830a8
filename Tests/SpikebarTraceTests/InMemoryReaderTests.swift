import Foundation
import Testing
import SpikebarCore
@testable import SpikebarTrace

/// `TraceReader(bytes:)` (the fuzz targets' entry point, Docs/reliability.md) must behave exactly like
/// opening the same bytes from a file: same chunk table, events, issues and errors.
@Suite struct InMemoryReaderTests {
    let header = TraceHeader(populations: [.init(name: "a", size: 300), .init(name: "b", size: 5)])

    @Test func bytesAndFileGiveTheSameTrace() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let p = dir.file("t.sbt")
        try writeTrace(p, header, randomEvents(header, count: 50, seed: 7), chunkEvents: 8)
        let full = bytes(p)
        let fromFile = try TraceReader(path: p), fromBytes = try TraceReader(bytes: full, name: p)
        #expect(fromBytes.chunks == fromFile.chunks && fromBytes.hasIndex && fromBytes.fileSize == full.count)
        #expect(try fromBytes.readEvents() == fromFile.readEvents())
        let mid = fromFile.chunks[3].firstTime
        #expect(try fromBytes.readEvents(from: mid) == fromFile.readEvents(from: mid))
    }

    /// Truncated and damaged images: the same open error or the same issues and recovered chunks.
    @Test func damagedBytesMatchDamagedFiles() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let p = dir.file("t.sbt")
        try writeTrace(p, header, randomEvents(header, count: 30, seed: 8), chunkEvents: 8)
        let full = bytes(p)
        let cut = dir.file("cut.sbt")
        var damaged = full; damaged[full.count / 2] ^= 0x40
        for image in [[], Array(full[0..<5]), Array(full[0..<(full.count - 30)]), Array(full[0..<(full.count / 2)]), damaged] {
            put(cut, image)
            let a = Result { try TraceReader(path: cut) }, b = Result { try TraceReader(bytes: image, name: cut) }
            switch (a, b) {
            case let (.success(f), .success(m)):
                #expect(f.chunks == m.chunks && f.openIssues.map(\.description) == m.openIssues.map(\.description))
                #expect(f.recover().errors.map(\.description) == m.recover().errors.map(\.description))
            case let (.failure(e1), .failure(e2)):
                #expect("\(e1)" == "\(e2)")
            default:
                Issue.record("file and bytes disagree on \(image.count) bytes: \(a) vs \(b)")
            }
        }
    }
}
