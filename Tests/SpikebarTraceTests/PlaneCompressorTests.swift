import CZstd
import Testing
import SpikebarCore
@testable import SpikebarTrace

/// Byte planes stored as zstd raw-block frames must be ordinary zstd frames, whatever their size.
@Suite struct PlaneCompressorTests {
    @Test func entropyMatchesClosedForms() {
        let constant = [UInt8](repeating: 7, count: 1000)
        let twoSymbols = (0..<1000).map { UInt8($0 % 2) }
        let uniform = (0..<256 * 40).map { UInt8($0 % 256) }
        #expect(constant.withUnsafeBufferPointer { PlaneCompressor.entropy($0.baseAddress!, $0.count) } == 0)
        #expect(abs(twoSymbols.withUnsafeBufferPointer { PlaneCompressor.entropy($0.baseAddress!, $0.count) } - 1) < 1e-12)
        #expect(abs(uniform.withUnsafeBufferPointer { PlaneCompressor.entropy($0.baseAddress!, $0.count) } - 8) < 1e-12)
    }

    @Test(arguments: [1, 255, 256, 1000, 131_072, 131_073, 300_000])
    func rawFramesDecodeWithLibzstd(size: Int) throws {
        var rng = RandomStream(seed: UInt64(size), purpose: .benchmark)
        let plane = (0..<size).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        let capacity = ZSTD_compressBound(size)
        #expect(PlaneCompressor.rawFrameSize(size) <= capacity)
        var frame = [UInt8](repeating: 0, count: capacity)
        let cctx = try #require(ZSTD_createCCtx()); defer { ZSTD_freeCCtx(cctx) }
        let length = try plane.withUnsafeBufferPointer { p in
            try frame.withUnsafeMutableBytes {
                try PlaneCompressor.compress(cctx, level: 1, p.baseAddress!, size, into: $0.baseAddress!, capacity: capacity)
            }
        }
        if size >= 1000 { #expect(length == PlaneCompressor.rawFrameSize(size), "uniform random bytes are stored raw") }
        var back = [UInt8](repeating: 0, count: size)
        let declared = frame.withUnsafeBytes { ZSTD_getFrameContentSize($0.baseAddress!, length) }
        #expect(declared == UInt64(size))
        let r = back.withUnsafeMutableBytes { out in frame.withUnsafeBytes { ZSTD_decompress(out.baseAddress!, size, $0.baseAddress!, length) } }
        #expect(ZSTD_isError(r) == 0 && r == size)
        #expect(back == plane)
    }
}
