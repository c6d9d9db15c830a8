/// Narrow byte planes packed several values to a byte (chunk layout 2, `Docs/trace-format.md` §3.3).
///
/// Why: the top byte plane of a stream often holds only a few distinct small values — the high byte
/// of a recording's addresses is 0…3 when it has 922 neurons, the high byte of its µs input deltas
/// 0…7 — yet each value still takes a byte that zstd must Huffman-decode, at about 1 ns a byte. Packed
/// 2 or 4 to a byte, the same information is a quarter or half as many bytes: a 2-bit plane's packed
/// bytes are nearly uniform and are stored raw (a copy to decode), and a 4-bit plane gives zstd half
/// the bytes to code. On the recorded quickstart run this removed about 60 % of zstd's decoding work
/// (`Docs/performance.md`, trace decoding).
///
/// Layout: with `b` bits per value (1, 2 or 4), value j sits in bits `(j mod 8/b)·b ..< +b` of byte
/// `⌊j·b/8⌋`, least significant bits first; the unused high bits of the last byte are 0 when written
/// and ignored when read. `b = 8` is a plain plane.
enum PlanePacking {
    /// Bits per value for a plane whose bytes OR to `or`: the fewest of 1, 2, 4, 8 that hold it.
    static func bits(forOr or: UInt8) -> Int {
        or < 2 ? 1 : or < 4 ? 2 : or < 16 ? 4 : 8
    }

    /// Bytes of `count` values packed at `bits` per value.
    static func packedCount(_ count: Int, bits: Int) -> Int {
        (count * bits + 7) / 8
    }

    /// Packs `count` values (each < 2^bits, bits 1, 2 or 4) into `packedCount(count, bits)` bytes.
    static func pack(_ src: UnsafePointer<UInt8>, _ count: Int, bits: Int, into dst: UnsafeMutablePointer<UInt8>) {
        let perByte = 8 / bits
        let whole = count / perByte
        let raw = UnsafeRawPointer(src)
        switch bits {
        case 4:
            for j in 0..<whole {
                let v = raw.loadUnaligned(fromByteOffset: 2 * j, as: UInt16.self).littleEndian
                dst[j] = UInt8(truncatingIfNeeded: (v & 0x0F) | (v &>> 4 & 0xF0))
            }
        case 2:
            for j in 0..<whole {
                let v = raw.loadUnaligned(fromByteOffset: 4 * j, as: UInt32.self).littleEndian
                dst[j] = UInt8(truncatingIfNeeded: (v & 0x03) | (v &>> 6 & 0x0C) | (v &>> 12 & 0x30) | (v &>> 18 & 0xC0))
            }
        default:
            for j in 0..<whole {
                var x: UInt8 = 0
                for k in 0..<8 { x |= src[8 * j + k] &<< UInt8(k) }
                dst[j] = x
            }
        }
        if whole * perByte < count {
            var x: UInt8 = 0
            for (k, i) in ((whole * perByte)..<count).enumerated() { x |= src[i] &<< UInt8(k * bits) }
            dst[whole] = x
        }
    }

    /// Unpacks `count` values of `bits` (1, 2 or 4) from `src` (`packedCount(count, bits)` bytes) into
    /// one byte each. A byte expands through a 256-entry table into 8/bits output bytes stored at once.
    static func unpack(_ src: UnsafePointer<UInt8>, _ count: Int, bits: Int, into dst: UnsafeMutablePointer<UInt8>) {
        let perByte = 8 / bits
        let whole = count / perByte
        let out = UnsafeMutableRawPointer(dst)
        switch bits {
        case 4:
            Self.nibbles.withUnsafeBufferPointer { t in
                for j in 0..<whole { out.storeBytes(of: t[Int(src[j])], toByteOffset: 2 * j, as: UInt16.self) }
            }
        case 2:
            Self.crumbs.withUnsafeBufferPointer { t in
                for j in 0..<whole { out.storeBytes(of: t[Int(src[j])], toByteOffset: 4 * j, as: UInt32.self) }
            }
        default:
            Self.bitsTable.withUnsafeBufferPointer { t in
                for j in 0..<whole { out.storeBytes(of: t[Int(src[j])], toByteOffset: 8 * j, as: UInt64.self) }
            }
        }
        let mask = UInt8((1 << bits) - 1)
        var i = whole * perByte
        var k = 0
        while i < count {
            dst[i] = src[whole] &>> UInt8(k * bits) & mask
            i += 1; k += 1
        }
    }

    /// Byte x expanded to its values, one per byte, in memory order (little-endian integers).
    static let nibbles: [UInt16] = (0..<256).map { x in (UInt16(x & 0x0F) | UInt16(x >> 4) << 8).littleEndian }
    static let crumbs: [UInt32] = (0..<256).map { x in
        var v: UInt32 = 0
        for k in 0..<4 { v |= UInt32((x >> (2 * k)) & 3) << (8 * k) }
        return v.littleEndian
    }
    static let bitsTable: [UInt64] = (0..<256).map { x in
        var v: UInt64 = 0
        for k in 0..<8 { v |= UInt64((x >> k) & 1) << (8 * k) }
        return v.littleEndian
    }
}
