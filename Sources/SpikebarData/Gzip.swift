import CZlib
import Foundation
import SpikebarCore

/// Reads a whole file, inflating it when it is gzip-compressed (RFC 1952, through Debian's zlib:
/// Foundation on Linux has no gzip). Plain files are returned as they are.
public enum Gzip {
    public static func readFile(_ path: String, hint: String) throws -> [UInt8] {
        let d = try InputFile.read(path, hint: hint)
        let bytes = [UInt8](d)
        guard bytes.count >= 2, bytes[0] == 0x1f, bytes[1] == 0x8b else { return bytes }
        return try inflate(bytes, path: path)
    }

    /// Inflates a gzip member (or several, concatenated). A truncated or corrupt stream is an error
    /// naming the byte offset.
    public static func inflate(_ input: [UInt8], path: String = "<memory>") throws -> [UInt8] {
        var stream = z_stream()
        // 15 + 16: zlib window 32 KiB, gzip header expected.
        guard inflateInit2_(&stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw SpikebarError.corruptFile(path: path, offset: 0, "zlib could not start inflating")
        }
        defer { inflateEnd(&stream) }
        var out: [UInt8] = []
        out.reserveCapacity(input.count * 4)
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var consumed = 0
        try input.withUnsafeBufferPointer { inp in
            var status: Int32 = Z_OK
            while true {
                stream.next_in = UnsafeMutablePointer(mutating: inp.baseAddress! + consumed)
                stream.avail_in = UInt32(input.count - consumed)
                repeat {
                    try chunk.withUnsafeMutableBufferPointer { buf in
                        stream.next_out = buf.baseAddress
                        stream.avail_out = UInt32(buf.count)
                        status = CZlib.inflate(&stream, Z_NO_FLUSH)
                        guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
                            throw SpikebarError.corruptFile(path: path, offset: Int(stream.total_in), "corrupt gzip data (zlib status \(status))")
                        }
                        out.append(contentsOf: buf[0..<(buf.count - Int(stream.avail_out))])
                    }
                } while stream.avail_out == 0 && status != Z_STREAM_END
                consumed = input.count - Int(stream.avail_in)
                if status == Z_STREAM_END {
                    // Another gzip member may follow (concatenated .gz files are valid gzip).
                    if consumed < input.count, input[consumed] == 0x1f { inflateReset(&stream); continue }
                    break
                }
                if stream.avail_in == 0 {
                    throw SpikebarError.corruptFile(
                        path: path, offset: input.count, "truncated gzip file (the compressed stream ends early); download it again")
                }
                if status == Z_BUF_ERROR {
                    throw SpikebarError.corruptFile(path: path, offset: consumed, "corrupt gzip data")
                }
            }
        }
        return out
    }
}
