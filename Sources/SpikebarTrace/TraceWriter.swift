#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Streams events into a `.sbt` trace with memory bounded by one chunk (plus 32 bytes of index per chunk).
///
/// The file is written to `path + ".partial"` and renamed to `path` by `close()`, so a reader never
/// sees a half-written trace under the final name. If the process dies first, the `.partial` file
/// holds every chunk completed so far and `TraceReader` / `TraceRepair` can read or repair it.
///
/// ```swift
/// let w = try TraceWriter(path: "run.sbt", header: TraceHeader(populations: [.init(name: "l1", size: 128)]))
/// try w.append(TraceEvent(time: 1_000, population: 0, index: 7))
/// try w.close()
/// ```
public final class TraceWriter {
    public static let defaultChunkEvents = 1 << 16
    public static let defaultLevel = 3

    public let path: String
    public let header: TraceHeader
    public let chunkEvents: Int
    /// Where the trace is written until `close()` renames it to `path`.
    public var temporaryPath: String { path + ".partial" }
    /// Events accepted so far.
    public private(set) var eventCount = 0
    /// Bytes written to the file so far.
    public private(set) var bytesWritten = 0

    private var file: PosixFile?
    private let encoder: ChunkEncoder
    private let offsets: [Int]
    private let unitDivider: ExactDivider
    // Raw buffers, not arrays: an array stored in a class pays a uniqueness and exclusivity check on
    // every element write, which cost more than the whole rest of `append`.
    private let deltas: UnsafeMutablePointer<UInt64>
    private let addresses: UnsafeMutablePointer<UInt32>
    private var fill = 0
    private var deltaOr: UInt64 = 0
    private var addressOr: UInt32 = 0
    private var chunkFirstTick: Int64 = 0
    private var lastTime: Int64 = .min
    private var lastTick: Int64 = 0
    private var index: [(ChunkHeader, Int)] = []
    private var failed: TraceError?

    /// Creates `path + ".partial"` and writes the header.
    /// - Parameters:
    ///   - chunkEvents: events per chunk (1 … 2^24): the unit of memory, seeking and loss on corruption.
    ///   - level: zstd level (negative … 22); 3 is fast and within a few % of 19 on spike data.
    public init(path: String, header: TraceHeader, chunkEvents: Int = TraceWriter.defaultChunkEvents,
                level: Int = TraceWriter.defaultLevel) throws {
        self.path = path
        self.header = header
        if let p = header.validationProblem() { throw TraceError(.invalidArgument, path: path, p) }
        guard (1...TraceFormat.maxChunkEvents).contains(chunkEvents) else {
            throw TraceError(.invalidArgument, path: path, "chunkEvents must be in 1...\(TraceFormat.maxChunkEvents), got \(chunkEvents)")
        }
        self.chunkEvents = chunkEvents
        encoder = try ChunkEncoder(level: level)
        offsets = header.populationOffsets
        unitDivider = ExactDivider(header.timeUnit)
        let f = try PosixFile.createForWriting(path + ".partial")
        file = f
        deltas = .allocate(capacity: chunkEvents)
        addresses = .allocate(capacity: chunkEvents)
        let bytes = try FileHeaderCodec.encode(header)
        try f.write(bytes)
        bytesWritten = bytes.count
    }

    deinit {
        // Not closed: leave the `.partial` file as a crashed writer would, for `repair`.
        file?.close()
        deltas.deallocate()
        addresses.deallocate()
    }

    /// Appends one event. Events must come in non-decreasing time; times must be multiples of the
    /// header's time unit; the address must lie inside its population.
    public func append(_ e: TraceEvent) throws {
        guard e.population >= 0, e.population < offsets.count - 1 else {
            throw TraceError(.invalidEvent, path: path, "event \(eventCount): population \(e.population) does not exist (trace has \(offsets.count - 1))")
        }
        let base = offsets[e.population]
        guard e.index >= 0, e.index < offsets[e.population + 1] - base else {
            throw TraceError(.invalidEvent, path: path, "event \(eventCount): index \(e.index) outside population \(e.population) (\(header.populations[e.population].name), size \(offsets[e.population + 1] - base))")
        }
        try append(time: e.time, address: UInt32(truncatingIfNeeded: base + e.index))
    }

    /// Appends one event given its global address (population offset + index), the fast path.
    public func append(time: Int64, address: UInt32) throws {
        if let failed { throw failed }
        guard file != nil else { throw TraceError(.invalidArgument, path: path, "append after close()") }
        guard Int(address) < offsets[offsets.count - 1] else {
            throw TraceError(.invalidEvent, path: path, "event \(eventCount): address \(address) outside the address space (\(offsets[offsets.count - 1]) addresses)")
        }
        var dTicks: UInt64 = 0
        if eventCount == 0 {
            guard let t = unitDivider.divideSigned(time) else {
                throw TraceError(.invalidEvent, path: path, "event 0: time \(time) ps is not a multiple of the time unit \(header.timeUnit) ps")
            }
            lastTick = t
        } else {
            guard time >= lastTime else {
                throw TraceError(.outOfOrder, path: path, "event \(eventCount): time \(time) ps is earlier than the previous event's \(lastTime) ps; events must be appended in non-decreasing time")
            }
            // Exact even when the difference exceeds Int64.max: it is < 2^64 and computed mod 2^64.
            let dps = UInt64(bitPattern: time) &- UInt64(bitPattern: lastTime)
            guard let d = unitDivider.divide(dps) else {
                throw TraceError(.invalidEvent, path: path, "event \(eventCount): time \(time) ps is not a multiple of the time unit \(header.timeUnit) ps")
            }
            dTicks = d
            lastTick = Int64(bitPattern: UInt64(bitPattern: lastTick) &+ d)
        }
        if fill == 0 {
            chunkFirstTick = lastTick
            dTicks = 0
        }
        deltas[fill] = dTicks
        addresses[fill] = address
        deltaOr |= dTicks
        addressOr |= address
        fill += 1
        lastTime = time
        eventCount += 1
        if fill == chunkEvents { try flushChunk() }
    }

    /// Appends events in order (see `append(_:)`).
    public func append<S: Sequence>(contentsOf events: S) throws where S.Element == TraceEvent {
        for e in events { try append(e) }
    }

    /// Ends the current chunk early (e.g. at a sample boundary, so that seeking lands on it).
    public func flushChunk() throws {
        guard fill > 0, let f = file else { return }
        do {
            let (wt, wa) = try encoder.encode(deltas: UnsafeBufferPointer(start: deltas, count: fill), deltaOr: deltaOr,
                                              addresses: UnsafeBufferPointer(start: addresses, count: fill), addressOr: addressOr)
            let len = encoder.payloadLength
            let hash = encoder.payload.withUnsafeBytes { XXH64.hash(UnsafeRawBufferPointer(rebasing: $0[0..<len])) }
            let h = ChunkHeader(number: UInt32(index.count), count: UInt32(fill), timeWidth: UInt8(wt),
                                addressWidth: UInt8(wa), addressMode: TraceFormat.addressModeAbsolute,
                                firstTick: chunkFirstTick, lastTick: lastTick, payloadLength: UInt32(len),
                                payloadHash: hash)
            guard index.count < Int(UInt32.max) else { throw TraceError(.invalidArgument, path: path, "more than 2^32 chunks") }
            try f.write(h.encode())
            try encoder.payload.withUnsafeBytes { try f.write(UnsafeRawBufferPointer(rebasing: $0[0..<len])) }
            index.append((h, bytesWritten))
            bytesWritten += TraceFormat.chunkHeaderSize + len
        } catch let e as TraceError {
            var e = e
            if e.path.isEmpty { e.path = path }
            failed = e
            throw e
        }
        fill = 0; deltaOr = 0; addressOr = 0
    }

    /// Writes the last chunk and the index, syncs, and renames the file into place.
    public func close() throws {
        if let failed { throw failed }
        guard let f = file else { return }
        try flushChunk()
        let idx = IndexCodec.encode(entries: index, indexOffset: bytesWritten)
        try f.write(idx)
        bytesWritten += idx.count
        try f.sync()
        f.close()
        file = nil
        try renameFile(temporaryPath, path)
    }

    /// Closes the file without an index and deletes it (an aborted recording).
    public func discard() {
        file?.close(); file = nil
        removeFile(temporaryPath)
    }
}

/// Exact division by a fixed positive divisor `d = 2^s · m` (m odd) without a hardware divide:
/// `x` is a multiple of `d` iff its low `s` bits are zero and `(x >> s) · m⁻¹ mod 2^64 ≤ ⌊(2^64−1)/m⌋`
/// (Granlund & Montgomery, PLDI 1994, §9). The writer calls it once per event.
struct ExactDivider {
    let divisor: Int64
    let shift: UInt64
    let inverse: UInt64
    let limit: UInt64

    init(_ d: Int64) {
        divisor = d
        let u = UInt64(max(d, 1))
        let s = UInt64(u.trailingZeroBitCount)
        shift = s
        let m = u >> s
        var x = m // Newton iteration doubles the correct low bits each step: 3 → 6 → … → 96 ≥ 64.
        for _ in 0..<5 { x = x &* (2 &- m &* x) }
        inverse = x
        limit = UInt64.max / m
    }

    @inline(__always) func divide(_ x: UInt64) -> UInt64? {
        if divisor == 1 { return x }
        if x & ((1 &<< shift) &- 1) != 0 { return nil }
        let q = (x &>> shift) &* inverse
        return q <= limit ? q : nil
    }

    func divideSigned(_ x: Int64) -> Int64? {
        x % divisor == 0 ? x / divisor : nil
    }
}
