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
    public static let defaultLevel = 1

    public let path: String
    public let header: TraceHeader
    public let chunkEvents: Int
    /// Appended to `path` for the file written until `close()` renames it (".partial"; `TraceRepair`
    /// picks another when the input being repaired is that very file).
    public let temporarySuffix: String
    /// Where the trace is written until `close()` renames it to `path`.
    public var temporaryPath: String { path + temporarySuffix }
    /// Events accepted so far.
    public var eventCount: Int { st.pointee.eventsBeforeChunk + st.pointee.fill }
    /// Whether `close()` calls fsync before renaming (durability across power loss). Turn off for
    /// scratch traces; throughput benchmarks report both.
    public var syncOnClose = true
    /// Bytes written to the file so far.
    public private(set) var bytesWritten = 0

    private var file: PosixFile?
    private let encoder: ChunkEncoder
    @usableFromInline let offsets: [Int]
    private let lookup: PopulationLookup
    @usableFromInline let unitDivider: ExactDivider
    // Raw buffers, not arrays: an array stored in a class pays a uniqueness and exclusivity check on
    // every element write, which cost more than the whole rest of `append`.
    @usableFromInline let deltas: UnsafeMutablePointer<UInt64>
    @usableFromInline let addresses: UnsafeMutablePointer<UInt32>
    /// The per-event state lives behind a pointer: stored `var`s of a class are accessed through
    /// dynamic exclusivity checks (`swift_beginAccess`), which showed up as the top cost of `append`.
    @usableFromInline let st: UnsafeMutablePointer<WriterState>
    private var index: [(ChunkHeader, Int)] = []
    private var failed: TraceError?

    /// Creates `path + ".partial"` and writes the header.
    /// - Parameters:
    ///   - chunkEvents: events per chunk (1 … 2^24): the unit of memory, seeking and loss on corruption.
    ///   - level: zstd level (negative … 22). 1 is the default: on byte planes almost all the gain is
    ///     Huffman coding of literals, which every positive level does; higher levels only cost speed.
    public init(
        path: String, header: TraceHeader, chunkEvents: Int = TraceWriter.defaultChunkEvents,
        level: Int = TraceWriter.defaultLevel, temporarySuffix: String = ".partial"
    ) throws {
        self.path = path
        self.temporarySuffix = temporarySuffix
        self.header = header
        if let p = header.validationProblem(forWriting: true) { throw TraceError(.invalidArgument, path: path, p) }
        guard (1...TraceFormat.maxChunkEvents).contains(chunkEvents) else {
            throw TraceError(.invalidArgument, path: path, "chunkEvents must be in 1...\(TraceFormat.maxChunkEvents), got \(chunkEvents)")
        }
        self.chunkEvents = chunkEvents
        encoder = try ChunkEncoder(level: level)
        offsets = header.populationOffsets
        lookup = PopulationLookup(offsets: offsets)
        unitDivider = ExactDivider(header.timeUnit)
        let bytes: [UInt8]
        do { bytes = try FileHeaderCodec.encode(header) } catch var e as TraceError { e.path = path; throw e }
        let f = try PosixFile.createForWriting(path + temporarySuffix)
        file = f
        deltas = .allocate(capacity: chunkEvents)
        addresses = .allocate(capacity: chunkEvents)
        st = .allocate(capacity: 1)
        st.initialize(to: WriterState(addressCount: header.addressCount))
        try f.write(bytes)
        bytesWritten = bytes.count
    }

    deinit {
        // Not closed: leave the `.partial` file as a crashed writer would, for `repair`.
        file?.close()
        deltas.deallocate()
        addresses.deallocate()
        st.deinitialize(count: 1)
        st.deallocate()
    }

    /// Appends one event. Events must come in non-decreasing time; times must be multiples of the
    /// header's time unit; the address must lie inside its population.
    ///
    /// `@inlinable` with the checks of the common case only: the call itself was a third of the
    /// encoding time of a small-chunk workload (`Docs/performance.md`, Traces); anything unusual —
    /// a bad population or index, an error — goes to the out-of-line `appendChecked`.
    @inlinable
    public func append(_ e: TraceEvent) throws {
        let p = e.population
        if p >= 0, p &+ 1 < offsets.count {
            let base = offsets[p], end = offsets[p &+ 1]
            if e.index >= 0, e.index < end &- base {
                return try append(time: e.time, address: UInt32(truncatingIfNeeded: base &+ e.index))
            }
        }
        try appendChecked(e)
    }

    /// The slow path of `append(_:)`: names what is wrong with the event.
    @usableFromInline @inline(never)
    func appendChecked(_ e: TraceEvent) throws {
        guard e.population >= 0, e.population < offsets.count - 1 else {
            throw TraceError(
                .invalidEvent, path: path, "event \(eventCount): population \(e.population) does not exist (trace has \(offsets.count - 1))")
        }
        let base = offsets[e.population]
        guard e.index >= 0, e.index < offsets[e.population + 1] - base else {
            throw TraceError(
                .invalidEvent, path: path,
                "event \(eventCount): index \(e.index) outside population \(e.population) (\(header.populations[e.population].name), size \(offsets[e.population + 1] - base))"
            )
        }
        try appendAddress(time: e.time, address: UInt32(truncatingIfNeeded: base + e.index))
    }

    /// Appends one event given its global address (population offset + index), the fast path.
    /// Inlined: the common case (writer open, address in range, not the first event, time not earlier,
    /// a whole number of units, chunk not full) is a handful of loads and stores; everything else —
    /// the first event, errors, a full chunk — goes to the out-of-line `appendAddress`.
    ///
    /// Only two values of state change per event (the fill and the last time): the chunk's last tick,
    /// the OR of its deltas and addresses (byte widths) and the event count are derived when the chunk
    /// is flushed. Each per-event read-modify-write of the state is a store-to-load chain from one
    /// event to the next; with six of them `append` took ≈ 4 ns per event (`Docs/performance.md`).
    @inlinable
    public func append(time: Int64, address: UInt32) throws {
        let s = st
        let fill = s.pointee.fill
        let last = s.pointee.lastTime
        if s.pointee.open, Int(address) < s.pointee.addressCount, fill > 0, fill &+ 1 < chunkEvents, time >= last,
            let d = unitDivider.divide(UInt64(bitPattern: time) &- UInt64(bitPattern: last))
        {
            deltas[fill] = d
            addresses[fill] = address
            s.pointee.fill = fill &+ 1
            s.pointee.lastTime = time
            return
        }
        try appendAddress(time: time, address: address)
    }

    /// Every case of `append(time:address:)`, with its errors (out of line).
    @usableFromInline @inline(never)
    func appendAddress(time: Int64, address: UInt32) throws {
        let s = st
        guard s.pointee.open else { throw failed ?? TraceError(.invalidArgument, path: path, "append after close()") }
        let n = s.pointee.eventsBeforeChunk + s.pointee.fill
        guard Int(address) < s.pointee.addressCount else {
            throw TraceError(
                .invalidEvent, path: path, "event \(n): address \(address) outside the address space (\(s.pointee.addressCount) addresses)")
        }
        var dTicks: UInt64 = 0
        if n == 0 {
            guard unitDivider.divideSigned(time) != nil else {
                throw TraceError(.invalidEvent, path: path, "event 0: time \(time) ps is not a multiple of the time unit \(header.timeUnit) ps")
            }
        } else {
            let last = s.pointee.lastTime
            guard time >= last else {
                throw TraceError(
                    .outOfOrder, path: path,
                    "event \(n): time \(time) ps is earlier than the previous event's \(last) ps; events must be appended in non-decreasing time")
            }
            // Exact even when the difference exceeds Int64.max: it is < 2^64 and computed mod 2^64.
            let dps = UInt64(bitPattern: time) &- UInt64(bitPattern: last)
            guard let d = unitDivider.divide(dps) else {
                throw TraceError(.invalidEvent, path: path, "event \(n): time \(time) ps is not a multiple of the time unit \(header.timeUnit) ps")
            }
            dTicks = d
        }
        let fill = s.pointee.fill
        if fill == 0 {
            // Every accepted time is a whole number of units (the first is checked above, each later one
            // differs from it by whole units), so the division is exact.
            s.pointee.chunkFirstTick = unitDivider.divideSigned(time) ?? 0
            dTicks = 0
        }
        deltas[fill] = dTicks
        addresses[fill] = address
        s.pointee.fill = fill + 1
        s.pointee.lastTime = time
        if fill + 1 == chunkEvents { try flushChunk() }
    }

    /// Appends events in order (see `append(_:)`).
    public func append<S: Sequence>(contentsOf events: S) throws where S.Element == TraceEvent {
        for e in events { try append(e) }
    }

    /// Ends the current chunk early (e.g. at a sample boundary, so that seeking lands on it).
    public func flushChunk() throws {
        let fill = st.pointee.fill
        guard fill > 0, let f = file else { return }
        do {
            // The byte widths: ORs of the chunk's deltas and addresses, in passes that vectorise.
            var deltaOr: UInt64 = 0, addressOr: UInt32 = 0
            for i in 0..<fill { deltaOr |= deltas[i] }
            for i in 0..<fill { addressOr |= addresses[i] }
            let lastTick = unitDivider.divideSigned(st.pointee.lastTime) ?? 0  // exact: see appendAddress
            let (wt, wa, layout) = try encoder.encode(
                deltas: UnsafeBufferPointer(start: deltas, count: fill), deltaOr: deltaOr,
                addresses: UnsafeBufferPointer(start: addresses, count: fill), addressOr: addressOr,
                firstTick: st.pointee.chunkFirstTick, lookup: lookup)
            let len = encoder.payloadLength
            let hash = encoder.payload.withUnsafeBytes { XXH64.hash(UnsafeRawBufferPointer(rebasing: $0[0..<len])) }
            let h = ChunkHeader(
                number: UInt32(index.count), count: UInt32(fill), timeWidth: UInt8(wt),
                addressWidth: UInt8(wa), addressMode: TraceFormat.addressModeAbsolute, timeLayout: layout,
                firstTick: st.pointee.chunkFirstTick, lastTick: lastTick, payloadLength: UInt32(len),
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
            st.pointee.open = false
            throw e
        }
        st.pointee.eventsBeforeChunk += fill
        st.pointee.fill = 0
    }

    /// Writes the last chunk and the index, syncs, and renames the file into place.
    public func close() throws {
        if let failed { throw failed }
        guard let f = file else { return }
        try flushChunk()
        let idx = IndexCodec.encode(entries: index, indexOffset: bytesWritten)
        try f.write(idx)
        bytesWritten += idx.count
        if syncOnClose { try f.sync() }
        f.close()
        file = nil
        st.pointee.open = false
        try renameFile(temporaryPath, path)
    }

    /// Closes the file without an index and deletes it (an aborted recording).
    public func discard() {
        file?.close(); file = nil
        st.pointee.open = false
        removeFile(temporaryPath)
    }
}

/// Per-event mutable state of a `TraceWriter`.
@usableFromInline
struct WriterState {
    /// Events in the current chunk (the next one's slot in the buffers).
    @usableFromInline var fill = 0
    @usableFromInline var chunkFirstTick: Int64 = 0
    @usableFromInline var lastTime: Int64 = .min
    /// Events in the chunks already written.
    @usableFromInline var eventsBeforeChunk = 0
    /// False after `close()`, `discard()` or an I/O failure.
    @usableFromInline var open = true
    @usableFromInline let addressCount: Int
}

/// Exact division by a fixed positive divisor `d = 2^s · m` (m odd) without a hardware divide:
/// `x` is a multiple of `d` iff its low `s` bits are zero and `(x >> s) · m⁻¹ mod 2^64 ≤ ⌊(2^64−1)/m⌋`
/// (Granlund & Montgomery, PLDI 1994, §9). The writer calls it once per event.
@usableFromInline
struct ExactDivider {
    @usableFromInline let divisor: UInt64
    @usableFromInline let shift: UInt64
    @usableFromInline let inverse: UInt64
    @usableFromInline let limit: UInt64

    init(_ d: Int64) { self.init(UInt64(max(d, 1))) }

    init(_ d: UInt64) {
        let u = max(d, 1)
        divisor = u
        let s = UInt64(u.trailingZeroBitCount)
        shift = s
        let m = u >> s
        var x = m  // Newton iteration doubles the correct low bits each step: 3 → 6 → … → 96 ≥ 64.
        for _ in 0..<5 { x = x &* (2 &- m &* x) }
        inverse = x
        limit = UInt64.max / m
    }

    @inlinable @inline(__always) func divide(_ x: UInt64) -> UInt64? {
        if divisor == 1 { return x }
        if x & ((1 &<< shift) &- 1) != 0 { return nil }
        let q = (x &>> shift) &* inverse
        return q <= limit ? q : nil
    }

    func divideSigned(_ x: Int64) -> Int64? {
        let d = Int64(divisor)  // invariant: built from a positive Int64 by the writer
        return x % d == 0 ? x / d : nil
    }
}
