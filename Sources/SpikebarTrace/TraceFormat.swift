import Foundation

/// Constants and byte layouts of the `.sbt` format, version 3.0 (reads 1.0 and 2.0). `Docs/trace-format.md` is the
/// normative description; this file is its executable form. All integers are little-endian.
public enum TraceFormat {
    /// File magic: `\x89 S B T \r \n \x1A \n` (PNG-style: catches 7-bit and newline-mangling transfers).
    public static let magic: [UInt8] = [0x89, 0x53, 0x42, 0x54, 0x0D, 0x0A, 0x1A, 0x0A]
    /// Major version: a reader refuses files with a larger one.
    /// 2.0 added chunk time layout 1 (per-population time streams), 3.0 layout 2 (layout 1 with narrow
    /// planes packed several values to a byte); 1.0 and 2.0 files are read unchanged.
    public static let majorVersion: UInt16 = 3
    /// Minor version: additions a reader of the same major version may ignore (new JSON keys, new trailing data).
    public static let minorVersion: UInt16 = 0
    /// Fixed part of the file header: magic, major, minor, JSON length.
    static let fileHeaderFixed = 16
    /// Largest header JSON accepted (metadata of a 60 000-sample import fits easily).
    static let maxHeaderJSON = 64 << 20

    /// Chunk sync marker "SBCK".
    static let chunkSync: [UInt8] = Array("SBCK".utf8)
    static let chunkHeaderSize = 56
    /// Largest event count per chunk the reader accepts (bounds memory on corrupt input).
    public static let maxChunkEvents = 1 << 24

    /// Index marker "SBIX" and entry size.
    static let indexSync: [UInt8] = Array("SBIX".utf8)
    static let indexFixed = 16
    static let indexEntrySize = 32
    /// Trailer: index offset, index hash, end magic "SBT-END\n".
    static let trailerSize = 24
    static let endMagic: [UInt8] = Array("SBT-END\n".utf8)

    /// Address encoding modes (chunk header byte 14).
    static let addressModeAbsolute: UInt8 = 0
    /// Time layouts (chunk header byte 15): one merged delta stream (the only layout of 1.0), or one
    /// delta stream per population on its own time quantum (2.0, `PopulationTimeStreams.swift`).
    static let timeLayoutMerged: UInt8 = 0
    static let timeLayoutPerPopulation: UInt8 = 1
    /// Layout 1 plus a bits-per-value byte per frame (3.0, `PlanePacking.swift`): what a 3.0 writer
    /// writes wherever it chooses per-population streams.
    static let timeLayoutPerPopulationPacked: UInt8 = 2
}

// MARK: - Little-endian helpers

extension Array where Element == UInt8 {
    mutating func appendLE<T: FixedWidthInteger>(_ v: T) {
        Swift.withUnsafeBytes(of: v.littleEndian) { append(contentsOf: $0) }
    }
    func le<T: FixedWidthInteger>(_ at: Int, _: T.Type) -> T {
        withUnsafeBytes { T(littleEndian: $0.loadUnaligned(fromByteOffset: at, as: T.self)) }
    }
    func hasPrefix(_ p: [UInt8], at: Int) -> Bool {
        at >= 0 && at + p.count <= count && self[at..<at + p.count].elementsEqual(p)
    }
}

// MARK: - File header

/// The JSON object stored in the file header. Keys are sorted on write; unknown keys are ignored.
struct HeaderJSON: Encodable {
    var timeUnitPicoseconds: Int64
    var populations: [TracePopulation]
    var scenarioDigest: String
    var metadata: String
    /// Present only in repaired traces (`TraceHeader.lostSpans`); older readers ignore it.
    var lostSpans: [LostSpan]?
}

/// The header JSON's fields but the metadata, which `HeaderMetadataScan` takes out of the raw bytes
/// (Foundation's decoder still validates the whole document, metadata included).
struct HeaderJSONFields: Decodable {
    var timeUnitPicoseconds: Int64
    var populations: [TracePopulation]
    var scenarioDigest: String
    var lostSpans: [LostSpan]?
}

enum FileHeaderCodec {
    static func encode(_ h: TraceHeader) throws -> [UInt8] {
        let enc = JSONEncoder.spikebar()
        let json = try enc.encode(
            HeaderJSON(
                timeUnitPicoseconds: h.timeUnit, populations: h.populations,
                scenarioDigest: h.scenarioDigest, metadata: h.metadata,
                lostSpans: h.lostSpans.isEmpty ? nil : h.lostSpans))
        // The writer never writes a header its own reader refuses (issue #22: a 67 MB layer name).
        guard json.count <= TraceFormat.maxHeaderJSON else {
            throw TraceError(
                .invalidArgument, path: "",
                "the header (population names, metadata) takes \(json.count) bytes of JSON, more than the \(TraceFormat.maxHeaderJSON)-byte limit readers accept"
            )
        }
        var b = TraceFormat.magic
        b.appendLE(TraceFormat.majorVersion)
        b.appendLE(TraceFormat.minorVersion)
        b.appendLE(UInt32(json.count))
        b.append(contentsOf: json)
        b.appendLE(XXH64.hash(b))
        return b
    }

    /// Reads and checks the header; returns it, its version, and the offset of the first chunk.
    static func decode(_ f: PosixFile) throws -> (TraceHeader, (UInt16, UInt16), Int) {
        let path = f.path
        let fixed = try f.read(at: 0, count: TraceFormat.fileHeaderFixed)
        if fixed.count < 8 || !fixed.hasPrefix(TraceFormat.magic, at: 0) {
            if fixed.count < 8 && TraceFormat.magic.starts(with: fixed) {
                throw TraceError(.truncated, path: path, offset: fixed.count, "file ends inside the magic number (\(fixed.count) bytes)")
            }
            throw TraceError(.badMagic, path: path, offset: 0, "not a Spikebar trace: wrong magic number (expected \\x89SBT\\r\\n\\x1A\\n)")
        }
        if fixed.count < TraceFormat.fileHeaderFixed {
            throw TraceError(.truncated, path: path, offset: fixed.count, "file ends inside the file header")
        }
        let major = fixed.le(8, UInt16.self), minor = fixed.le(10, UInt16.self)
        if major > TraceFormat.majorVersion {
            throw TraceError(
                .unsupportedVersion, path: path, offset: 8,
                "trace format version \(major).\(minor) is newer than this reader (\(TraceFormat.majorVersion).x); upgrade spikebar to read it")
        }
        if major == 0 {
            throw TraceError(.unsupportedVersion, path: path, offset: 8, "invalid format version \(major).\(minor)")
        }
        let jsonLen = Int(fixed.le(12, UInt32.self))
        if jsonLen > TraceFormat.maxHeaderJSON {
            throw TraceError(.corruptHeader, path: path, offset: 12, "header JSON length \(jsonLen) is implausible (corrupt header)")
        }
        let total = TraceFormat.fileHeaderFixed + jsonLen + 8
        let all = try f.read(at: 0, count: total)
        if all.count < total {
            throw TraceError(.truncated, path: path, offset: all.count, "file ends inside the header (needs \(total) bytes)")
        }
        let stored = all.le(total - 8, UInt64.self)
        let actual = all.withUnsafeBytes { XXH64.hash(UnsafeRawBufferPointer(rebasing: $0[0..<(total - 8)])) }
        if stored != actual {
            throw TraceError(.checksumMismatch, path: path, offset: total - 8, "header checksum mismatch (header bytes 0..<\(total - 8) are corrupt)")
        }
        let jsonRange = TraceFormat.fileHeaderFixed..<(TraceFormat.fileHeaderFixed + jsonLen)
        let hj: HeaderJSONFields
        let metadata: String?
        do {
            hj = try JSONDecoder().decode(HeaderJSONFields.self, from: Data(all[jsonRange]))
            metadata = try all.withUnsafeBufferPointer { b in
                try HeaderMetadataScan.string(member: "metadata", in: UnsafeBufferPointer(rebasing: b[jsonRange]))
            }
        } catch let m as HeaderMetadataScan.Malformed {
            throw TraceError(.corruptHeader, path: path, offset: TraceFormat.fileHeaderFixed, "header JSON is invalid: \(m.message)")
        } catch {
            throw TraceError(.corruptHeader, path: path, offset: TraceFormat.fileHeaderFixed, "header JSON is invalid: \(error)")
        }
        guard let metadata else {
            throw TraceError(.corruptHeader, path: path, offset: TraceFormat.fileHeaderFixed, "header JSON is invalid: it has no \"metadata\" member")
        }
        let header = TraceHeader(
            populations: hj.populations, scenarioDigest: hj.scenarioDigest,
            metadata: metadata, timeUnit: hj.timeUnitPicoseconds, lostSpans: hj.lostSpans ?? [])
        if let p = header.validationProblem() {
            throw TraceError(.corruptHeader, path: path, offset: TraceFormat.fileHeaderFixed, p)
        }
        return (header, (major, minor), total)
    }
}

// MARK: - Chunk header

/// The 56-byte header in front of every chunk payload.
struct ChunkHeader: Equatable {
    var number: UInt32
    var count: UInt32
    var timeWidth: UInt8
    var addressWidth: UInt8
    var addressMode: UInt8
    /// Byte 15: `TraceFormat.timeLayoutMerged` or `.timeLayoutPerPopulation` (0 in every 1.0 file).
    var timeLayout: UInt8 = TraceFormat.timeLayoutMerged
    var firstTick: Int64
    var lastTick: Int64
    var payloadLength: UInt32
    var payloadHash: UInt64

    func encode() -> [UInt8] {
        var b = TraceFormat.chunkSync
        b.reserveCapacity(TraceFormat.chunkHeaderSize)
        b.appendLE(number); b.appendLE(count)
        b.append(timeWidth); b.append(addressWidth); b.append(addressMode); b.append(timeLayout)
        b.appendLE(firstTick); b.appendLE(lastTick)
        b.appendLE(payloadLength); b.appendLE(UInt32(0))
        b.appendLE(payloadHash)
        b.appendLE(XXH64.hash(b))
        return b
    }

    /// Parses the header at `at` in `b`; nil with a reason when it is not a valid chunk header.
    static func decode(_ b: [UInt8], at: Int = 0) -> Result<ChunkHeader, ChunkProblem> {
        guard at + TraceFormat.chunkHeaderSize <= b.count else { return .failure(ChunkProblem("truncated chunk header")) }
        guard b.hasPrefix(TraceFormat.chunkSync, at: at) else { return .failure(ChunkProblem("no chunk sync marker \"SBCK\"")) }
        let stored = b.le(at + 48, UInt64.self)
        let actual = b.withUnsafeBytes { XXH64.hash(UnsafeRawBufferPointer(rebasing: $0[at..<(at + 48)])) }
        guard stored == actual else { return .failure(ChunkProblem("chunk header checksum mismatch")) }
        let h = ChunkHeader(
            number: b.le(at + 4, UInt32.self), count: b.le(at + 8, UInt32.self),
            timeWidth: b[at + 12], addressWidth: b[at + 13], addressMode: b[at + 14], timeLayout: b[at + 15],
            firstTick: b.le(at + 16, Int64.self), lastTick: b.le(at + 24, Int64.self),
            payloadLength: b.le(at + 32, UInt32.self), payloadHash: b.le(at + 40, UInt64.self))
        if h.count == 0 || Int(h.count) > TraceFormat.maxChunkEvents { return .failure(ChunkProblem("implausible event count \(h.count)")) }
        if !(1...8).contains(h.timeWidth) || !(1...4).contains(h.addressWidth) || h.addressMode != TraceFormat.addressModeAbsolute
            || h.timeLayout > TraceFormat.timeLayoutPerPopulationPacked
        {
            return .failure(
                ChunkProblem(
                    "unknown chunk encoding (time width \(h.timeWidth), address width \(h.addressWidth), mode \(h.addressMode), time layout \(h.timeLayout))"
                ))
        }
        if h.lastTick < h.firstTick { return .failure(ChunkProblem("last time \(h.lastTick) precedes first time \(h.firstTick)")) }
        return .success(h)
    }
}

// MARK: - Index

/// One row of the chunk table: where a chunk is and what it holds.
public struct TraceChunkInfo: Sendable, Equatable {
    /// Chunk number as written (0-based, consecutive in an intact file).
    public var number: Int
    /// Byte offset of the chunk header in the file.
    public var offset: Int
    public var eventCount: Int
    /// First and last event time, picoseconds.
    public var firstTime: Int64
    public var lastTime: Int64
    /// Compressed payload bytes (the chunk occupies 56 + this many bytes).
    public var payloadLength: Int

    /// Bytes the chunk occupies in the file, header included.
    public var byteLength: Int { TraceFormat.chunkHeaderSize + payloadLength }
}

enum IndexCodec {
    /// Index block: "SBIX", count, total events, entries; then the 24-byte trailer.
    static func encode(entries: [(ChunkHeader, Int)], indexOffset: Int) -> [UInt8] {
        var b = TraceFormat.indexSync
        b.appendLE(UInt32(entries.count))
        b.appendLE(UInt64(entries.reduce(0) { $0 + Int($1.0.count) }))
        for (h, off) in entries {
            b.appendLE(UInt64(off)); b.appendLE(h.firstTick); b.appendLE(h.lastTick)
            b.appendLE(h.count); b.appendLE(h.payloadLength)
        }
        let hash = XXH64.hash(b)
        b.appendLE(UInt64(indexOffset)); b.appendLE(hash); b.append(contentsOf: TraceFormat.endMagic)
        return b
    }
}
