import Foundation
import Testing
import SpikebarCore
import SpikebarData
import SpikebarTestSupport

/// `spikebar data fetch mnist`: copy from a `file://` mirror, verify with the training loader, and
/// report a truncated download instead of keeping it silently.
@Suite struct DataFetchTests {
    static let shared = packageRoot().appendingPathComponent("../shared/data/mnist").standardizedFileURL.path

    @Test(.enabled(if: FileManager.default.fileExists(atPath: DataFetchTests.shared + "/t10k-labels-idx1-ubyte.gz")))
    func fetchFromAMirrorAndVerify() throws {
        let dir = NSTemporaryDirectory() + "spikebar-fetch-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let written = try DatasetFetch.mnist(into: dir, baseURLs: ["file://" + DataFetchTests.shared + "/"])
        #expect(written.count == 4)
        #expect(try MNIST(directory: dir, split: .test).labels.count == 10_000)
        // A second fetch finds everything in place and writes nothing.
        #expect(try DatasetFetch.mnist(into: dir, baseURLs: ["file:///nonexistent/"]).isEmpty)
    }

    @Test func truncatedDownloadIsReported() throws {
        let src = NSTemporaryDirectory() + "spikebar-fetch-src-\(getpid())"
        let dir = NSTemporaryDirectory() + "spikebar-fetch-dst-\(getpid())"
        defer { for d in [src, dir, dir + "-none"] { try? FileManager.default.removeItem(atPath: d) } }
        try FileManager.default.createDirectory(atPath: src, withIntermediateDirectories: true)
        for name in DatasetFetch.mnistFiles {  // gzip magic, then nothing: a download cut short
            try Data([0x1f, 0x8b, 0x08, 0x00]).write(to: URL(fileURLWithPath: src + "/" + name))
        }
        #expect(throws: SpikebarError.self) { try DatasetFetch.mnist(into: dir, baseURLs: ["file://" + src + "/"]) }
        #expect(throws: SpikebarError.self) { try DatasetFetch.mnist(into: dir + "-none", baseURLs: ["file:///nonexistent-mirror/"]) }
    }
}
