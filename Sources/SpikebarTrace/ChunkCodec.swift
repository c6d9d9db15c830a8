import CZstd

/// Encodes one chunk's events into the columnar byte-plane payload and back (the hot path).
///
/// Layout (`Docs/trace-format.md` §4): the time deltas (ticks, unsigned) and the global addresses are
/// split into byte planes — plane k holds byte k (little-endian) of every value — and each plane is
/// compressed as its own zstd frame. Why planes: a delta's low byte is nearly uniform while its high
/// bytes are almost always small, and zstd's Huffman literal coder gets one table per frame, so
/// separating them lets each plane be coded close to its own entropy; interleaved records mix the
/// statistics and cost 20–40 % more. Planes also decode with simple vectorisable loops.
final class ChunkEncoder {
    let cctx: OpaquePointer
    let level: Int32
    var plane: [UInt8] = []
    var payload: [UInt8] = []
    /// Layout-1 scratch (`PopulationTimeStreams.swift`): population of each event, deltas by population.
    var popScratch: [UInt8] = []
    var streamScratch: [UInt64] = []
    /// A narrow plane packed several values to a byte (layout 2, `PlanePacking`).
    var packScratch: [UInt8] = []
    /// Per-population state of layout 1, `maxLayoutPopulations` entries each, allocated once.
    let popCounts = UnsafeMutablePointer<Int>.allocate(capacity: maxLayoutPopulations)
    let popQuanta = UnsafeMutablePointer<UInt64>.allocate(capacity: maxLayoutPopulations)
    let popOrs = UnsafeMutablePointer<UInt64>.allocate(capacity: maxLayoutPopulations)
    let popCursor = UnsafeMutablePointer<Int>.allocate(capacity: maxLayoutPopulations)

    init(level: Int) throws {
        guard let c = ZSTD_createCCtx() else { throw TraceError(.io, path: "", "zstd: cannot create compression context") }
        cctx = c
        let lo = Int(ZSTD_minCLevel()), hi = Int(ZSTD_maxCLevel())
        guard (lo...hi).contains(level) else {
            ZSTD_freeCCtx(c)
            throw TraceError(.invalidArgument, path: "", "zstd level \(level) outside \(lo)...\(hi)")
        }
        self.level = Int32(level)
    }

    deinit {
        ZSTD_freeCCtx(cctx)
        popCounts.deallocate(); popQuanta.deallocate()
        popOrs.deallocate(); popCursor.deallocate()
    }

    static func width<T: FixedWidthInteger>(_ orOfValues: T) -> Int {
        max(1, (T.bitWidth - orOfValues.leadingZeroBitCount + 7) / 8)
    }

    /// Encodes `n` deltas and addresses; returns (time width, address width, time layout); the bytes
    /// are in `payload`. Layout 1 (one time stream per population, `PopulationTimeStreams.swift`) is
    /// used when `lookup` is given and it is smaller by its width estimate; otherwise layout 0.
    func encode(
        deltas: UnsafeBufferPointer<UInt64>, deltaOr: UInt64,
        addresses: UnsafeBufferPointer<UInt32>, addressOr: UInt32,
        firstTick: Int64 = 0, lookup: PopulationLookup? = nil
    ) throws -> (Int, Int, UInt8) {
        let n = deltas.count
        let wt = Self.width(deltaOr), wa = Self.width(addressOr)
        if let lookup,
            try encodeByPopulation(
                deltas: deltas, addresses: addresses, addressOr: addressOr, firstTick: firstTick,
                lookup: lookup, mergedTimeWidth: wt, addressWidth: wa)
        {
            return (widthOfStreams, wa, TraceFormat.timeLayoutPerPopulationPacked)
        }
        let frames = wt + wa
        let bound = ZSTD_compressBound(n)
        let capacity = 4 * frames + frames * bound
        if payload.count < capacity { payload = [UInt8](repeating: 0, count: capacity) }
        if plane.count < n { plane = [UInt8](repeating: 0, count: n) }
        var used = 4 * frames
        try payload.withUnsafeMutableBytes { out in
            try plane.withUnsafeMutableBufferPointer { pl in
                let p = pl.baseAddress!  // invariant: plane.count ≥ n ≥ 1
                for f in 0..<frames {
                    if f < wt {
                        let shift = UInt64(8 * f)
                        for i in 0..<n { p[i] = UInt8(truncatingIfNeeded: deltas[i] &>> shift) }
                    } else {
                        let shift = UInt32(8 * (f - wt))
                        for i in 0..<n { p[i] = UInt8(truncatingIfNeeded: addresses[i] &>> shift) }
                    }
                    // invariant: out has capacity ≥ 4·frames + frames·bound
                    let r = try PlaneCompressor.compress(cctx, level: level, p, n, into: out.baseAddress! + used, capacity: bound)
                    out.storeBytes(of: UInt32(r).littleEndian, toByteOffset: 4 * f, as: UInt32.self)
                    used += r
                }
            }
        }
        payloadLength = used
        return (wt, wa, TraceFormat.timeLayoutMerged)
    }

    var payloadLength = 0
    /// Largest per-population time width of the last layout-1 chunk (its header's time width).
    var widthOfStreams = 1
}

/// Decodes chunk payloads; keeps its scratch buffers between chunks, and between readers through
/// `ChunkDecoderPool`, so that a process allocates them once.
final class ChunkDecoder {
    let dctx: OpaquePointer
    var plane: [UInt8] = []
    var acc: [UInt64] = []
    /// Population of each event (layout 1).
    var pops: [UInt8] = []
    /// A packed plane before it is unpacked (layout 2, `PlanePacking`), `packedCapacity` bytes.
    private var packed: UnsafeMutablePointer<UInt8>?
    private var packedCapacity = 0
    /// Per-population cursors of layout 1's gather, `maxLayoutPopulations` entries, allocated once.
    let mergeCursor = UnsafeMutablePointer<Int>.allocate(capacity: maxLayoutPopulations)
    /// The compressed chunk as read from the file (header and payload), reused by the reader.
    var chunkBytes: [UInt8] = []
    /// Bytes held by the scratch buffers (`ChunkDecoderPool` keeps only small decoders).
    var retainedBytes: Int { plane.count + 8 * acc.count + pops.count + packedCapacity + chunkBytes.count }

    /// The packed-plane scratch with room for at least `bytes`.
    func packedScratch(_ bytes: Int) -> UnsafeMutablePointer<UInt8> {
        if let p = packed, packedCapacity >= bytes { return p }
        packed?.deallocate()
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: bytes)
        packed = p; packedCapacity = bytes
        return p
    }

    init() throws {
        guard let d = ZSTD_createDCtx() else { throw TraceError(.io, path: "", "zstd: cannot create decompression context") }
        dctx = d
    }

    deinit {
        ZSTD_freeDCtx(dctx)
        mergeCursor.deallocate()
        packed?.deallocate()
    }

    /// zstd.h's ZSTD_CONTENTSIZE_UNKNOWN (0ULL − 1) and ZSTD_CONTENTSIZE_ERROR (0ULL − 2): macros Swift
    /// does not import.
    static let contentSizeUnknown = UInt64.max, contentSizeError = UInt64.max - 1

    /// Decodes a checksum-verified payload into `times` (picoseconds) and `addresses`.
    /// Throws a message (the caller adds path, offset and chunk) when the payload is inconsistent.
    func decode(
        _ h: ChunkHeader, payload: UnsafeRawBufferPointer, timeUnit: Int64, addressCount: Int,
        lookup: PopulationLookup, times: inout [Int64], addresses: inout [UInt32]
    ) throws {
        if h.timeLayout == TraceFormat.timeLayoutPerPopulation || h.timeLayout == TraceFormat.timeLayoutPerPopulationPacked {
            return try decodeByPopulation(
                h, payload: payload, timeUnit: timeUnit, lookup: lookup, addressCount: addressCount,
                packed: h.timeLayout == TraceFormat.timeLayoutPerPopulationPacked, times: &times, addresses: &addresses)
        }
        let n = Int(h.count), wt = Int(h.timeWidth), wa = Int(h.addressWidth)
        let frames = wt + wa
        guard payload.count >= 4 * frames else { throw ChunkProblem("payload shorter than its frame table") }
        var lengths = [Int](repeating: 0, count: frames)
        var total = 4 * frames
        for f in 0..<frames {
            lengths[f] = Int(UInt32(littleEndian: payload.loadUnaligned(fromByteOffset: 4 * f, as: UInt32.self)))
            total += lengths[f]
        }
        guard total == payload.count else {
            throw ChunkProblem("frame lengths add up to \(total) bytes but the payload has \(payload.count)")
        }
        // Check each frame's declared size before allocating n-event buffers: a damaged count (up to
        // 2²⁴) would otherwise cost ~340 MB of zeroed memory per chunk before the first frame fails
        // (found by Fuzz/run.sh trace-reader, Docs/reliability.md). A frame without a declared size
        // (allowed by RFC 8878) is still checked when it decompresses.
        var at = 4 * frames
        for f in 0..<frames {
            let declared = ZSTD_getFrameContentSize(payload.baseAddress! + at, lengths[f])  // invariant: payload.count ≥ 4·frames ≥ 8
            if declared == ChunkDecoder.contentSizeError {
                throw ChunkProblem("zstd frame \(f) at payload byte \(at) is not a valid zstd frame")
            }
            if declared != ChunkDecoder.contentSizeUnknown && declared != UInt64(n) {
                throw ChunkProblem("zstd frame \(f) at payload byte \(at) declares \(declared) bytes, expected \(n) (the event count)")
            }
            at += lengths[f]
        }
        if plane.count < n { plane = [UInt8](repeating: 0, count: n) }
        if acc.count < n { acc = [UInt64](repeating: 0, count: n) }
        times = uninitializedArray(n)  // every element is written below before any is read
        addresses = uninitializedArray(n)
        var pos = 4 * frames
        try plane.withUnsafeMutableBufferPointer { pl in
            let p = pl.baseAddress!  // invariant: plane.count ≥ n ≥ 1
            try acc.withUnsafeMutableBufferPointer { ac in
                try addresses.withUnsafeMutableBufferPointer { ad in
                    for f in 0..<frames {
                        let src = payload.baseAddress! + pos  // invariant: payload.count ≥ 4·frames ≥ 8
                        let r = ZSTD_decompressDCtx(dctx, p, n, src, lengths[f])
                        if ZSTD_isError(r) != 0 {
                            throw ChunkProblem("zstd frame \(f) at payload byte \(pos): \(String(cString: ZSTD_getErrorName(r)))")
                        }
                        guard r == n else { throw ChunkProblem("zstd frame \(f) holds \(r) bytes, expected \(n)") }
                        pos += lengths[f]
                        if f == 0 {
                            for i in 0..<n { ac[i] = UInt64(p[i]) }
                        } else if f < wt {
                            let shift = UInt64(8 * f)
                            for i in 0..<n { ac[i] |= UInt64(p[i]) &<< shift }
                        } else if f == wt {
                            for i in 0..<n { ad[i] = UInt32(p[i]) }
                        } else {
                            let shift = UInt32(8 * (f - wt))
                            for i in 0..<n { ad[i] |= UInt32(p[i]) &<< shift }
                        }
                    }
                    var maxAddress: UInt32 = 0
                    for i in 0..<n { maxAddress = max(maxAddress, ad[i]) }
                    guard Int(maxAddress) < addressCount else {
                        throw ChunkProblem("address \(maxAddress) outside the address space (\(addressCount) addresses)")
                    }
                }
                // Prefix sum in ticks with wrapping arithmetic: the checks below reject any chunk
                // whose deltas do not land exactly on the header's last time.
                var t = UInt64(bitPattern: h.firstTick)
                var sum: UInt64 = 0
                var overflow = false
                try times.withUnsafeMutableBufferPointer { tm in
                    let unit = timeUnit
                    if unit == 1 {
                        for i in 0..<n { t &+= ac[i]; tm[i] = Int64(bitPattern: t) }
                    } else {
                        for i in 0..<n { t &+= ac[i]; tm[i] = Int64(bitPattern: t) &* unit }
                    }
                    for i in 0..<n {
                        let (s, o) = sum.addingReportingOverflow(ac[i]); sum = s; overflow = overflow || o
                    }
                    let span = UInt64(bitPattern: h.lastTick) &- UInt64(bitPattern: h.firstTick)
                    guard !overflow, sum == span, ac[0] == 0 else {
                        throw ChunkProblem("time deltas do not span the chunk's first..last time")
                    }
                    _ = tm
                }
            }
        }
        let (_, o1) = h.firstTick.multipliedReportingOverflow(by: timeUnit)
        let (_, o2) = h.lastTick.multipliedReportingOverflow(by: timeUnit)
        if o1 || o2 { throw ChunkProblem("chunk times overflow 64-bit picoseconds") }
    }
}

/// A decoding problem inside a chunk, before path/offset/chunk are attached.
struct ChunkProblem: Error { let message: String; init(_ m: String) { message = m } }

/// An array of `n` trivial values left uninitialised: the decoders overwrite every element, and zero-
/// filling a fresh 0.5–0.8 MB chunk array (plus its page faults) cost ≈ 2 ns per decoded event.
@inline(__always)
func uninitializedArray<T: FixedWidthInteger>(_ n: Int) -> [T] {
    [T](unsafeUninitializedCapacity: n) { _, count in count = n }
}
