import Foundation

/// FNV-1a, 64 bits (Fowler–Noll–Vo; offset basis 0xcbf29ce484222325, prime 0x100000001b3): the one
/// digest of the project's identifiers — scenario digests, run keys, sweep digests. Not cryptographic:
/// it detects accidental mismatches, which is all these digests are for.
public struct FNV1a64: Sendable, Equatable {
    public var value: UInt64 = 0xcbf2_9ce4_8422_2325
    public init() {}

    /// Mixes one byte.
    @inlinable public mutating func add(byte b: UInt8) { value = (value ^ UInt64(b)) &* 0x100_0000_01b3 }
    /// Mixes the UTF-8 bytes of `text`.
    public mutating func add(bytesOf text: String) { for b in text.utf8 { add(byte: b) } }
    /// Mixes the 8 bytes of `x`, least significant first.
    public mutating func add(_ x: UInt64) {
        var v = x
        for _ in 0..<8 { add(byte: UInt8(truncatingIfNeeded: v)); v >>= 8 }
    }
    /// The digest in lowercase hexadecimal, without leading zeros.
    public var hex: String { String(value, radix: 16) }

    /// The digest of `data`'s bytes, in hex (a file's content digest).
    public static func hex(of data: Data) -> String {
        var h = FNV1a64()
        for b in data { h.add(byte: b) }
        return h.hex
    }

    /// The digest of `text`'s UTF-8 bytes, in hex.
    public static func hex(of text: String) -> String {
        var h = FNV1a64()
        h.add(bytesOf: text)
        return h.hex
    }
}
