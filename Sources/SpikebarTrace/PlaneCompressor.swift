import CZstd
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Compresses one byte plane into one zstd frame (RFC 8878), choosing between zstd's compressor and a
/// hand-built frame of raw blocks.
///
/// Why: in a spike trace about half the plane bytes are close to uniform — the low byte of addresses
/// and of time deltas, every byte of a picosecond spike time below its top two. zstd level 1 gains
/// nothing on them (< 4 % at 7.6 bits of entropy per byte, 0 % at 8) but runs its match finder over
/// every byte, at ≈ 0.4 GB/s against several GB/s for a copy. A plane whose empirical byte entropy is
/// at least `rawEntropyBits` is therefore stored as a frame of Raw_Blocks (RFC 8878 §3.1.1.2.2): still
/// one standard zstd frame that any zstd decoder (and `ZSTD_decompressDCtx`) reads, at a size cost of
/// at most (8 − 7.5)/8 = 6 % of such a plane and at memcpy speed on both sides.
enum PlaneCompressor {
    /// Entropy threshold (bits per byte) from which a plane is stored raw.
    static let rawEntropyBits = 7.5
    /// Block_Maximum_Size of RFC 8878 §3.1.1.2.4 (128 KiB; the frame window is the content size).
    static let maxBlock = 128 << 10

    /// Empirical Shannon entropy of the bytes (bits per byte). Four histograms, so that runs of equal
    /// bytes do not serialise on one counter's store-to-load forwarding.
    static func entropy(_ p: UnsafePointer<UInt8>, _ n: Int) -> Double {
        guard n > 0 else { return 0 }
        var h = [UInt32](repeating: 0, count: 1024)
        h.withUnsafeMutableBufferPointer { hb in
            let c = hb.baseAddress!  // invariant: 1024 entries
            var i = 0
            while i + 4 <= n {
                c[Int(p[i])] &+= 1; c[256 + Int(p[i + 1])] &+= 1
                c[512 + Int(p[i + 2])] &+= 1; c[768 + Int(p[i + 3])] &+= 1
                i += 4
            }
            while i < n { c[Int(p[i])] &+= 1; i += 1 }
        }
        var sum = 0.0
        let total = Double(n)
        for b in 0..<256 {
            let k = Double(h[b] + h[256 + b] + h[512 + b] + h[768 + b])
            if k > 0 { sum -= k * log2(k / total) }
        }
        return sum / total
    }

    /// `entropy` of an evenly strided sample of at most `sampleSize` bytes (all of a smaller plane): the
    /// decision needs no more, and the full histogram cost ≈ 10 % of the encoding time. Deterministic. The
    /// plug-in estimate of a uniform byte from 8 192 samples is biased low by ≈ 255/(2·8192·ln 2) = 0.02
    /// bits, far from the 0.5-bit margin to the threshold.
    static let sampleSize = 8192
    static func sampledEntropy(_ p: UnsafePointer<UInt8>, _ n: Int) -> Double {
        let stride = Swift.max(1, n / sampleSize)
        if stride == 1 { return entropy(p, n) }
        var sample = [UInt8](repeating: 0, count: n / stride)
        sample.withUnsafeMutableBufferPointer { b in
            for i in 0..<b.count { b[i] = p[i * stride] }
        }
        return sample.withUnsafeBufferPointer { entropy($0.baseAddress!, $0.count) }  // invariant: n ≥ 2·sampleSize here
    }

    /// Bytes of a raw frame holding `n` bytes: magic, header descriptor, 4-byte content size, blocks.
    static func rawFrameSize(_ n: Int) -> Int { 9 + 3 * max(1, (n + maxBlock - 1) / maxBlock) + n }

    /// Writes plane `p[0..<n]` as one zstd frame at `dst` (capacity ≥ `ZSTD_compressBound(n)`, which is
    /// ≥ `rawFrameSize(n)` for every n ≤ 2²⁴); returns its length.
    static func compress(
        _ cctx: OpaquePointer, level: Int32, _ p: UnsafePointer<UInt8>, _ n: Int,
        into dst: UnsafeMutableRawPointer, capacity: Int
    ) throws -> Int {
        if n >= 256, sampledEntropy(p, n) >= rawEntropyBits, rawFrameSize(n) <= capacity {
            return writeRawFrame(p, n, into: dst)
        }
        let r = ZSTD_compressCCtx(cctx, dst, capacity, p, n, level)
        if ZSTD_isError(r) != 0 {
            throw TraceError(.io, path: "", "zstd compression failed: \(String(cString: ZSTD_getErrorName(r)))")
        }
        return r
    }

    /// A frame of Raw_Blocks: Single_Segment (no window descriptor), 4-byte Frame_Content_Size, no
    /// checksum, no dictionary; each block header is Last_Block | Block_Type 0 (raw) << 1 | size << 3.
    static func writeRawFrame(_ p: UnsafePointer<UInt8>, _ n: Int, into dst: UnsafeMutableRawPointer) -> Int {
        dst.storeBytes(of: UInt32(0xFD2F_B528).littleEndian, toByteOffset: 0, as: UInt32.self)
        dst.storeBytes(of: UInt8(0xA0), toByteOffset: 4, as: UInt8.self)  // FCS_Field_Size 2 (4 bytes), Single_Segment
        dst.storeBytes(of: UInt32(truncatingIfNeeded: n).littleEndian, toByteOffset: 5, as: UInt32.self)
        var at = 9, done = 0
        repeat {
            let size = min(maxBlock, n - done)
            let last: UInt32 = done + size == n ? 1 : 0
            let header = last | UInt32(size) << 3
            dst.storeBytes(of: UInt8(truncatingIfNeeded: header), toByteOffset: at, as: UInt8.self)
            dst.storeBytes(of: UInt8(truncatingIfNeeded: header >> 8), toByteOffset: at + 1, as: UInt8.self)
            dst.storeBytes(of: UInt8(truncatingIfNeeded: header >> 16), toByteOffset: at + 2, as: UInt8.self)
            (dst + at + 3).copyMemory(from: p + done, byteCount: size)
            at += 3 + size; done += size
        } while done < n
        return at
    }
}
