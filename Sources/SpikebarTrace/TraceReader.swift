/// One decoded chunk in columnar form: event times (picoseconds) and global addresses.
public struct TraceChunk: Sendable {
    public var info: TraceChunkInfo
    /// Event times in picoseconds, non-decreasing.
    public var times: [Int64]
    /// Global addresses (population offset + index).
    public var addresses: [UInt32]
}

/// Reads a `.sbt` trace: header, chunk table, events (streaming, or from a time on without decoding
/// earlier chunks), and a recovery mode for damaged files.
///
/// Opening reads the header and the index at the end of the file. When the index is missing or
/// damaged (a writer that was killed, a truncated copy), it scans the chunk headers from the start
/// instead, skipping over damaged regions to the next valid chunk; `openIssues` lists what it found.
/// Memory stays bounded by one chunk. Not thread-safe (it reuses decode buffers); open one per thread.
public final class TraceReader {
    public let path: String
    public let header: TraceHeader
    /// Format version of the file (major, minor).
    public let version: (major: Int, minor: Int)
    /// The chunk table, in file order (from the index, or from scanning).
    public let chunks: [TraceChunkInfo]
    /// True when the chunk table came from a valid index; false when the file was scanned.
    public let hasIndex: Bool
    /// Problems found while locating chunks (missing index, damaged or truncated regions).
    public let openIssues: [TraceError]
    public let fileSize: Int

    private let file: PosixFile
    private let decoder: ChunkDecoder
    private let offsets: [Int]
    let lookup: PopulationLookup

    /// Total events in the chunk table.
    public var eventCount: Int { chunks.reduce(0) { $0 + $1.eventCount } }
    /// Offset of each population in the global address space, plus the total.
    public var populationOffsets: [Int] { offsets }

    /// Opens a trace. Throws when the file is unreadable, is not a trace, has a newer major version,
    /// or its header is damaged; a damaged body only shows up in `openIssues` and chunk reads.
    public convenience init(path: String) throws {
        try self.init(file: try PosixFile.openForReading(path))
    }

    /// Opens a trace held in memory (same checks and recovery as a file); `name` stands for the path
    /// in errors. Used by the fuzz targets (Fuzz/, Docs/reliability.md) and for traces not on disk.
    public convenience init(bytes: [UInt8], name: String = "<memory>") throws {
        try self.init(file: PosixFile.inMemory(bytes, path: name))
    }

    init(file: PosixFile) throws {
        self.path = file.path
        self.file = file
        let (h, v, chunksStart) = try FileHeaderCodec.decode(file)
        header = h
        version = (Int(v.0), Int(v.1))
        offsets = h.populationOffsets
        lookup = PopulationLookup(offsets: offsets)
        decoder = try ChunkDecoderPool.shared.take()
        fileSize = try file.size()
        if let table = try TraceReader.readIndex(file, size: fileSize, chunksStart: chunksStart, unit: h.timeUnit) {
            chunks = table; hasIndex = true; openIssues = []
        } else {
            let (table, issues) = try TraceReader.scan(file, size: fileSize, chunksStart: chunksStart, unit: h.timeUnit)
            chunks = table; hasIndex = false; openIssues = issues
        }
    }

    deinit { ChunkDecoderPool.shared.give(decoder) }

    // MARK: Locating chunks

    /// The chunk table from the trailer's index, or nil when there is no valid one.
    static func readIndex(_ f: PosixFile, size: Int, chunksStart: Int, unit: Int64) throws -> [TraceChunkInfo]? {
        guard size >= chunksStart + TraceFormat.indexFixed + TraceFormat.trailerSize else { return nil }
        let trailer = try f.read(at: size - TraceFormat.trailerSize, count: TraceFormat.trailerSize)
        guard trailer.count == TraceFormat.trailerSize, trailer.hasPrefix(TraceFormat.endMagic, at: 16) else { return nil }
        let indexOffset = Int(clamping: trailer.le(0, UInt64.self))
        let indexLength = size - TraceFormat.trailerSize - indexOffset
        guard indexOffset >= chunksStart, indexLength >= TraceFormat.indexFixed,
            (indexLength - TraceFormat.indexFixed) % TraceFormat.indexEntrySize == 0
        else { return nil }
        let idx = try f.read(at: indexOffset, count: indexLength)
        guard idx.count == indexLength, idx.hasPrefix(TraceFormat.indexSync, at: 0),
            XXH64.hash(idx) == trailer.le(8, UInt64.self)
        else { return nil }
        let count = Int(idx.le(4, UInt32.self))
        guard count == (indexLength - TraceFormat.indexFixed) / TraceFormat.indexEntrySize else { return nil }
        var table: [TraceChunkInfo] = []
        table.reserveCapacity(count)
        var expectedOffset = chunksStart
        for k in 0..<count {
            let o = TraceFormat.indexFixed + k * TraceFormat.indexEntrySize
            let off = Int(clamping: idx.le(o, UInt64.self))
            let first = idx.le(o + 8, Int64.self), last = idx.le(o + 16, Int64.self)
            let n = Int(idx.le(o + 24, UInt32.self)), len = Int(idx.le(o + 28, UInt32.self))
            // An index that disagrees with the layout is treated as absent (the file gets scanned).
            guard off == expectedOffset, n > 0, last >= first, off + TraceFormat.chunkHeaderSize + len <= indexOffset else { return nil }
            // Chunks are in time order (issue #22: reversed or duplicated chunks made seeking miss events).
            if let previous = table.last, first.multipliedReportingOverflow(by: unit).partialValue < previous.lastTime { return nil }
            let (f0, o0) = first.multipliedReportingOverflow(by: unit), (l0, o1) = last.multipliedReportingOverflow(by: unit)
            guard !o0, !o1 else { return nil }
            table.append(TraceChunkInfo(number: k, offset: off, eventCount: n, firstTime: f0, lastTime: l0, payloadLength: len))
            expectedOffset = off + TraceFormat.chunkHeaderSize + len
        }
        guard expectedOffset == indexOffset else { return nil }
        return table
    }

    /// Walks the chunk headers from the first chunk; on damage, reports it and searches forward for
    /// the next valid chunk header (its sync marker plus a matching header checksum).
    static func scan(_ f: PosixFile, size: Int, chunksStart: Int, unit: Int64) throws -> ([TraceChunkInfo], [TraceError]) {
        var table: [TraceChunkInfo] = []
        var issues: [TraceError] = [
            TraceError(
                .missingIndex, path: f.path, offset: size,
                "no valid index at the end of the file (writer interrupted or file truncated); chunks were located by scanning")
        ]
        var pos = chunksStart
        var buf: [UInt8] = []
        var nextNumber = 0
        let hsize = TraceFormat.chunkHeaderSize
        while pos < size {
            let got = try f.read(at: pos, count: hsize, into: &buf)
            let head = Array(buf[0..<got])
            if head.hasPrefix(TraceFormat.indexSync, at: 0) || (got < 4 && TraceFormat.indexSync.starts(with: head)) {
                break  // start of a (damaged or truncated) index: no more chunks
            }
            switch ChunkHeader.decode(head) {
            case .success(let h):
                let end = pos + hsize + Int(h.payloadLength)
                if end > size {
                    issues.append(
                        TraceError(
                            .truncated, path: f.path, offset: pos, chunk: Int(h.number),
                            "chunk needs \(end - pos) bytes but the file ends after \(size - pos) (truncated)"))
                    return (table, issues)
                }
                let (f0, o0) = h.firstTick.multipliedReportingOverflow(by: unit)
                let (l0, o1) = h.lastTick.multipliedReportingOverflow(by: unit)
                if o0 || o1 || (table.last.map { $0.lastTime > f0 } ?? false) {
                    issues.append(
                        TraceError(
                            .corruptChunk, path: f.path, offset: pos, chunk: Int(h.number),
                            "chunk times are out of order or overflow; chunk skipped"))
                } else if Int(h.number) < nextNumber {
                    // A chunk number seen before (a duplicated or moved chunk): the writer numbers 0, 1, 2…
                    issues.append(
                        TraceError(
                            .corruptChunk, path: f.path, offset: pos, chunk: Int(h.number),
                            "chunk number \(h.number) comes after chunk \(nextNumber - 1) (duplicated or reordered chunk); chunk skipped"))
                } else {
                    if Int(h.number) > nextNumber {
                        issues.append(
                            TraceError(
                                .truncated, path: f.path, offset: pos, chunk: nextNumber,
                                "chunk(s) \(nextNumber)…\(Int(h.number) - 1) are missing before byte \(pos)"))
                    }
                    table.append(
                        TraceChunkInfo(
                            number: Int(h.number), offset: pos, eventCount: Int(h.count),
                            firstTime: f0, lastTime: l0, payloadLength: Int(h.payloadLength)))
                }
                nextNumber = max(nextNumber, Int(h.number) + 1)
                pos = end
            case .failure(let why):
                if got < hsize && (got < 4 || head.hasPrefix(TraceFormat.chunkSync, at: 0) || TraceFormat.chunkSync.starts(with: head.prefix(4))) {
                    issues.append(
                        TraceError(
                            .truncated, path: f.path, offset: pos, chunk: nextNumber,
                            "file ends inside a chunk header (\(got) of \(hsize) bytes; truncated)"))
                    return (table, issues)
                }
                let next = try resync(f, from: pos + 1, size: size, buf: &buf)
                issues.append(
                    TraceError(
                        .corruptChunk, path: f.path, offset: pos, chunk: nextNumber,
                        "\(why.message); skipped \((next ?? size) - pos) bytes to \(next.map { "the next valid chunk at byte \($0)" } ?? "the end of the file")"
                    ))
                guard let next else { return (table, issues) }
                pos = next
            }
        }
        return (table, issues)
    }

    /// Offset of the next valid chunk header (or index marker) at or after `from`, or nil.
    static func resync(_ f: PosixFile, from: Int, size: Int, buf: inout [UInt8]) throws -> Int? {
        let block = 1 << 20
        var start = from
        while start < size {
            let got = try f.read(at: start, count: block + TraceFormat.chunkHeaderSize, into: &buf)
            let b = Array(buf[0..<got])
            var i = 0
            while i + 4 <= got && i < block {
                if b[i] == 0x53, b[i + 1] == 0x42 {  // "SB": cheap prefilter for "SBCK"/"SBIX"
                    if b.hasPrefix(TraceFormat.chunkSync, at: i) {
                        if case .success = ChunkHeader.decode(b, at: i) { return start + i }
                    } else if b.hasPrefix(TraceFormat.indexSync, at: i) {
                        return start + i
                    }
                }
                i += 1
            }
            if got < block + TraceFormat.chunkHeaderSize { break }
            start += block
        }
        return nil
    }

    // MARK: Reading chunks

    /// Decodes chunk `i` of the table, verifying both checksums. Throws a `TraceError` naming the
    /// chunk's byte offset and number when it is damaged.
    public func readChunk(_ i: Int) throws -> TraceChunk {
        guard chunks.indices.contains(i) else {
            throw TraceError(.invalidArgument, path: path, "chunk \(i) does not exist (\(chunks.count) chunks)")
        }
        let info = chunks[i]
        let total = info.byteLength
        let got = try file.read(at: info.offset, count: total, into: &decoder.chunkBytes)
        guard got == total else {
            throw TraceError(.truncated, path: path, offset: info.offset + got, chunk: info.number, "file ends inside the chunk")
        }
        let h: ChunkHeader
        switch ChunkHeader.decode(decoder.chunkBytes, at: 0) {
        case .success(let v): h = v
        case .failure(let why): throw TraceError(.corruptChunk, path: path, offset: info.offset, chunk: info.number, why.message)
        }
        guard Int(h.payloadLength) == info.payloadLength, Int(h.count) == info.eventCount,
            h.firstTick &* header.timeUnit == info.firstTime
        else {
            throw TraceError(.corruptChunk, path: path, offset: info.offset, chunk: info.number, "chunk header disagrees with the index")
        }
        guard Int(h.number) == info.number else {
            throw TraceError(
                .outOfOrder, path: path, offset: info.offset, chunk: info.number,
                "chunk header says chunk \(h.number) where chunk \(info.number) belongs (chunks reordered or duplicated)")
        }
        var times: [Int64] = [], addresses: [UInt32] = []
        try decoder.chunkBytes.withUnsafeBytes { raw in
            let payload = UnsafeRawBufferPointer(rebasing: raw[TraceFormat.chunkHeaderSize..<total])
            guard XXH64.hash(payload) == h.payloadHash else {
                throw TraceError(
                    .checksumMismatch, path: path, offset: info.offset + TraceFormat.chunkHeaderSize, chunk: info.number,
                    "chunk payload checksum mismatch (bytes \(info.offset + TraceFormat.chunkHeaderSize)..<\(info.offset + total) are corrupt)")
            }
            do {
                try decoder.decode(
                    h, payload: payload, timeUnit: header.timeUnit, addressCount: offsets[offsets.count - 1],
                    lookup: lookup, times: &times, addresses: &addresses)
            } catch let p as ChunkProblem {
                throw TraceError(.corruptChunk, path: path, offset: info.offset + TraceFormat.chunkHeaderSize, chunk: info.number, p.message)
            }
        }
        return TraceChunk(info: info, times: times, addresses: addresses)
    }

    /// Indices of the chunks that may hold events with `from ≤ time < to` (binary search: seeking
    /// decodes nothing before the first of them).
    public func chunkRange(from: Int64? = nil, to: Int64? = nil) -> Range<Int> {
        var lo = 0, hi = chunks.count
        if let from {
            var a = 0, b = chunks.count
            while a < b { let m = (a + b) / 2; if chunks[m].lastTime < from { a = m + 1 } else { b = m } }
            lo = a
        }
        if let to {
            var a = lo, b = chunks.count
            while a < b { let m = (a + b) / 2; if chunks[m].firstTime < to { a = m + 1 } else { b = m } }
            hi = a
        }
        return lo..<max(lo, hi)
    }

    /// Calls `body` with each decoded chunk overlapping `[from, to)` (unfiltered inside the chunk).
    public func forEachChunk(from: Int64? = nil, to: Int64? = nil, _ body: (TraceChunk) throws -> Void) throws {
        for i in chunkRange(from: from, to: to) { try body(try readChunk(i)) }
    }

    /// (population, index) of a global address.
    public func location(of address: UInt32) -> (population: Int, index: Int) {
        let a = Int(address)
        var lo = 0, hi = offsets.count - 2
        while lo < hi { let m = (lo + hi + 1) / 2; if offsets[m] <= a { lo = m } else { hi = m - 1 } }
        return (lo, a - offsets[lo])
    }

    /// Events with `from ≤ time < to` (either bound optional), streamed chunk by chunk. Iteration
    /// stops at the first damaged chunk; check `error` on the sequence afterwards, or use
    /// `readEvents` / `forEachEvent`, which throw.
    public func events(from: Int64? = nil, to: Int64? = nil) -> TraceEventSequence {
        TraceEventSequence(reader: self, range: chunkRange(from: from, to: to), from: from, to: to)
    }

    /// Calls `body` for each event with `from ≤ time < to`; throws at a damaged chunk.
    public func forEachEvent(from: Int64? = nil, to: Int64? = nil, _ body: (TraceEvent) throws -> Void) throws {
        var it = events(from: from, to: to).makeIterator()
        while let e = it.next() { try body(e) }
        if let e = it.error { throw e }
    }

    /// All events with `from ≤ time < to`, in memory.
    public func readEvents(from: Int64? = nil, to: Int64? = nil) throws -> [TraceEvent] {
        var out: [TraceEvent] = []
        try forEachEvent(from: from, to: to) { out.append($0) }
        return out
    }

    // MARK: Recovery

    /// Reads every chunk it can: the intact chunks in order, and every problem (from opening and from
    /// decoding) with its byte offset and chunk number. Never throws on damage.
    public func recover() -> TraceRecovery {
        var good: [TraceChunk] = []
        let errors = forEachIntactChunk { good.append($0) }
        return TraceRecovery(chunks: good, errors: errors)
    }

    /// Streaming form of `recover()`: calls `body` for each intact chunk, returns the problems.
    public func forEachIntactChunk(_ body: (TraceChunk) throws -> Void) rethrows -> [TraceError] {
        var errors = openIssues
        for i in chunks.indices {
            let c: TraceChunk
            do { c = try readChunk(i) } catch {
                errors.append(error as? TraceError ?? TraceError(.io, path: path, offset: chunks[i].offset, chunk: chunks[i].number, "\(error)"))
                continue
            }
            try body(c)
        }
        return errors.sorted { ($0.offset ?? 0) < ($1.offset ?? 0) }
    }
}

/// Result of `TraceReader.recover()`.
public struct TraceRecovery: Sendable {
    /// The chunks that decoded and verified, in file order.
    public var chunks: [TraceChunk]
    /// Every problem found, by byte offset.
    public var errors: [TraceError]
    /// The events of the intact chunks, with (population, index) resolved by `reader`.
    public func events(using reader: TraceReader) -> [TraceEvent] {
        chunks.flatMap { c in
            zip(c.times, c.addresses).map { t, a in
                let l = reader.location(of: a); return TraceEvent(time: t, population: l.population, index: l.index)
            }
        }
    }
}

/// A lazy sequence of the events of a trace in a time window (see `TraceReader.events`).
public struct TraceEventSequence: Sequence {
    let reader: TraceReader
    let range: Range<Int>
    let from: Int64?, to: Int64?

    public func makeIterator() -> Iterator { Iterator(seq: self) }

    public struct Iterator: IteratorProtocol {
        let seq: TraceEventSequence
        var chunk: Int
        var times: [Int64] = []
        var addresses: [UInt32] = []
        var pos = 0
        var popLo = 0, popHi = 0, pop = 0
        let offsets: [Int]
        /// Population of every address (`PopulationLookup.table`; empty for one population or a huge
        /// address space, which keep the range test and a binary search at each change).
        let table: [UInt8]
        /// The error that ended iteration early, if any.
        public private(set) var error: TraceError?

        init(seq: TraceEventSequence) {
            self.seq = seq; chunk = seq.range.lowerBound; offsets = seq.reader.populationOffsets
            table = seq.reader.lookup.table
            if offsets.count > 1 { popLo = offsets[0]; popHi = offsets[1] }
        }

        public mutating func next() -> TraceEvent? {
            while true {
                if pos < times.count {
                    let t = times[pos], a = Int(addresses[pos]); pos += 1
                    if let from = seq.from, t < from { continue }
                    if let to = seq.to, t >= to { chunk = seq.range.upperBound; times = []; return nil }
                    if a < table.count {
                        // Always the table: a recording changes population every few events, and a
                        // test for "same population as before" was a branch mispredicted at each change.
                        let k = Int(table[a])
                        return TraceEvent(time: t, population: k, index: a - offsets[k])
                    }
                    if a < popLo || a >= popHi {
                        pop = seq.reader.location(of: UInt32(a)).population
                        popLo = offsets[pop]; popHi = offsets[pop + 1]
                    }
                    return TraceEvent(time: t, population: pop, index: a - popLo)
                }
                guard chunk < seq.range.upperBound, error == nil else { return nil }
                do {
                    let c = try seq.reader.readChunk(chunk)
                    times = c.times; addresses = c.addresses; pos = 0; chunk += 1
                } catch let e as TraceError {
                    error = e; return nil
                } catch {
                    self.error = TraceError(.io, path: seq.reader.path, "\(error)"); return nil
                }
            }
        }
    }
}
