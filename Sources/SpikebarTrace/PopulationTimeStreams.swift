import CZstd

// Chunk layout 1 (format 2.0): one time stream per population, each on its own time quantum.
//
// Why: a recording mixes populations whose times live on different grids — input spikes stamped by
// an AER interface at 1 µs, layer spikes at the exact kernel's 1 ps. In one merged delta stream
// (layout 0) a delta from a layer spike to the next input spike is an arbitrary picosecond count,
// so the input's coarse grid is invisible to the coder and every input spike pays ≈ 20 bits of
// picoseconds it does not carry. Per population, times are integer multiples of that population's
// quantum `d_k` (the GCD of its absolute times in the chunk) and their deltas are coded on that grid:
// the input stream shrinks to the entropy of µs-resolution Poisson times. The global event order is
// kept exactly: addresses are decoded first, and event i takes the next delta of its population.
// Layout 2 (format 3.0, what the writer writes) is layout 1 with each frame's bits per value, so that
// narrow top planes travel packed (`PlanePacking`). `Docs/trace-format.md` §3.2–3.3 is the normative
// layout.

/// Maps a global address to its population: layout 1's classification of events.
struct PopulationLookup {
    /// Start address of populations 1…P−1 (population 0 starts at 0).
    let boundaries: [UInt32]
    /// Population of every address when the address space is small enough (≤ `tableLimit`): one L1
    /// load per event instead of P − 1 compares, which the compiler turns into mispredicted branches.
    let table: [UInt8]
    var count: Int { boundaries.count + 1 }
    static let tableLimit = 1 << 20

    init(offsets: [Int]) {
        // offsets = [0, o1, …, o_{P-1}, total]; addresses < 2³², so every boundary fits in UInt32
        // except a trailing empty population starting at 2³², which no address can reach.
        boundaries = offsets.dropFirst().dropLast().map { UInt32(clamping: $0) }
        let total = offsets.last ?? 0
        if offsets.count - 1 >= 2, offsets.count - 1 <= maxLayoutPopulations, total <= Self.tableLimit {
            var t = [UInt8](repeating: 0, count: total)
            for k in 0..<(offsets.count - 1) where offsets[k] < offsets[k + 1] {
                for a in offsets[k]..<offsets[k + 1] { t[a] = UInt8(k) }
            }
            table = t
        } else {
            table = []
        }
    }

    /// Writes the population of each of the `n` addresses into `out` (addresses must be inside the
    /// address space) and returns nothing; counts are taken separately (`countPopulations`).
    @inline(__always)
    func classify(_ addresses: UnsafePointer<UInt32>, _ n: Int, into out: UnsafeMutablePointer<UInt8>) {
        if !table.isEmpty {
            table.withUnsafeBufferPointer { tb in
                let t = tb.baseAddress!  // invariant: non-empty
                for i in 0..<n { out[i] = t[Int(addresses[i])] }
            }
            return
        }
        boundaries.withUnsafeBufferPointer { bp in
            guard let b = bp.baseAddress else { for i in 0..<n { out[i] = 0 }; return }
            let nb = bp.count
            for i in 0..<n {
                var k = 0
                for j in 0..<nb { k &+= addresses[i] >= b[j] ? 1 : 0 }
                out[i] = UInt8(truncatingIfNeeded: k)
            }
        }
    }

    /// Events per population. With up to 8 populations the counts are kept in the 8 byte lanes of one
    /// integer, 255 events at a time (`acc += 1 << 8·pop`): no data-dependent branch (a compare per
    /// population was compiled into one and mispredicted on every population change) and no
    /// store-to-load chain through a histogram in memory.
    static func countPopulations(_ pops: UnsafePointer<UInt8>, _ n: Int, _ P: Int, into counts: UnsafeMutablePointer<Int>) {
        for k in 0..<P { counts[k] = 0 }
        if P <= 8 {
            var i = 0
            while i < n {
                let end = Swift.min(n, i + 255)
                var acc: UInt64 = 0
                while i < end { acc &+= 1 &<< (UInt64(pops[i]) &* 8); i += 1 }
                for k in 0..<P { counts[k] += Int((acc &>> UInt64(8 * k)) & 0xFF) }
            }
        } else {
            for i in 0..<n { counts[Int(pops[i])] += 1 }
        }
    }
}

/// Largest population count for which chunks use layout 1 (one stream-table entry per population;
/// beyond this the linear address → population scan stops paying for itself).
let maxLayoutPopulations = 64

@inline(__always)
func gcd(_ a: UInt64, _ b: UInt64) -> UInt64 {
    var a = a, b = b
    while b != 0 { (a, b) = (b, a % b) }
    return a
}

/// ⌊a / d⌋ for d ≥ 1 (Swift's `/` truncates towards zero).
@inline(__always)
func floorDivide(_ a: Int64, _ d: Int64) -> Int64 {
    let q = a / d
    return (a % d != 0 && a < 0) ? q - 1 : q
}

extension ChunkEncoder {
    /// Tries layout 1 for one chunk: returns false (payload untouched) when it would not be smaller by
    /// the byte-width estimate Σ_k n_k·w_k < n·w_merged, or when the chunk cannot use it.
    func encodeByPopulation(
        deltas: UnsafeBufferPointer<UInt64>, addresses: UnsafeBufferPointer<UInt32>, addressOr: UInt32,
        firstTick: Int64, lookup: PopulationLookup, mergedTimeWidth: Int, addressWidth wa: Int
    ) throws -> Bool {
        let n = deltas.count, P = lookup.count
        guard P >= 2, P <= maxLayoutPopulations, n > 0 else { return false }
        if popScratch.count < n { popScratch = [UInt8](repeating: 0, count: n) }
        if streamScratch.count < n { streamScratch = [UInt64](repeating: 0, count: n) }
        // Per-population state in fixed pointer buffers (no array uniqueness checks in the loops).
        let counts = popCounts, quanta = popQuanta, ors = popOrs, cursor = popCursor
        // Every population gets a stream-table entry, those without events in this chunk too: quantum 1,
        // width 0 (the buffers are reused across chunks, so nothing may be left from the last one).
        for k in 0..<P { quanta[k] = 1; ors[k] = 0 }
        var starts = [Int](repeating: 0, count: P)
        var widths = [Int](repeating: 0, count: P)
        popScratch.withUnsafeMutableBufferPointer { pp in
            let pops = pp.baseAddress!  // invariant: popScratch.count ≥ n ≥ 1
            lookup.classify(addresses.baseAddress!, n, into: pops)  // invariant: n ≥ 1
            PopulationLookup.countPopulations(pops, n, P, into: counts)
            for k in 1..<P { starts[k] = starts[k - 1] + counts[k - 1] }
            streamScratch.withUnsafeMutableBufferPointer { sp in
                let seg = sp.baseAddress!  // invariant: streamScratch.count ≥ n ≥ 1
                // (1) Absolute times into each population's slice, (2) each slice quantised in place
                // (`PopulationStreamKernels`).
                starts.withUnsafeBufferPointer { st in
                    PopulationStreamKernels.scatterTimes(
                        deltas: deltas.baseAddress!, pops: pops, n, P, firstTick: firstTick,  // invariant: n ≥ 1
                        starts: st.baseAddress!, cursor: cursor, into: seg)  // invariant: P ≥ 2
                }
                for k in 0..<P where counts[k] > 0 {
                    (quanta[k], ors[k]) = PopulationStreamKernels.quantise(seg + starts[k], counts[k], firstTick: firstTick)
                }
            }
        }
        var estimate = 0
        for k in 0..<P where counts[k] > 0 {
            // A quantised delta ≥ 2⁶³ (times spanning more than half the i64 range) is left to layout 0,
            // whose wrapping prefix sum covers it; layout 1 readers reject such deltas.
            if ors[k] >> 63 != 0 { return false }
            widths[k] = Self.width(ors[k]); estimate += counts[k] * widths[k]
        }
        guard estimate < n * mergedTimeWidth else { return false }

        let frames = widths.reduce(0, +) + wa
        let table = 9 * P + 5 * frames  // stream table, frame lengths, bits per value (layout 2)
        let bound = ZSTD_compressBound(n)
        let capacity = table + frames * bound
        if payload.count < capacity { payload = [UInt8](repeating: 0, count: capacity) }
        var largest = wa * n
        for k in 0..<P { largest = max(largest, widths[k] * counts[k]) }
        if plane.count < largest { plane = [UInt8](repeating: 0, count: largest) }
        if packScratch.count < n / 2 + 1 { packScratch = [UInt8](repeating: 0, count: n / 2 + 1) }
        var used = table
        var frame = 0
        try payload.withUnsafeMutableBytes { out in
            for k in 0..<P {
                out.storeBytes(of: quanta[k].littleEndian, toByteOffset: 9 * k, as: UInt64.self)
                out[9 * k + 8] = UInt8(widths[k])
            }
            try plane.withUnsafeMutableBufferPointer { pl in
                let p = pl.baseAddress!  // invariant: plane.count ≥ wa·n ≥ 1
                try packScratch.withUnsafeMutableBufferPointer { pk in
                    let packed = pk.baseAddress!  // invariant: packScratch.count ≥ n/2 + 1 ≥ 1
                    try streamScratch.withUnsafeBufferPointer { sp in
                        /// Compresses one plane; `or` is the OR of its bytes for a stream's top plane (the
                        /// top byte of the OR of its values), which decides its packing; lower planes are
                        /// written a value per byte.
                        func emit(_ plane: UnsafeMutablePointer<UInt8>, _ count: Int, or: UInt8?) throws {
                            let bits = or.map(PlanePacking.bits(forOr:)) ?? 8
                            var src = plane, length = count
                            if bits < 8 {
                                PlanePacking.pack(plane, count, bits: bits, into: packed)
                                src = packed; length = PlanePacking.packedCount(count, bits: bits)
                            }
                            // invariant: capacity covers frames·bound
                            let r = try PlaneCompressor.compress(cctx, level: level, src, length, into: out.baseAddress! + used, capacity: bound)
                            out.storeBytes(of: UInt32(r).littleEndian, toByteOffset: 9 * P + 4 * frame, as: UInt32.self)
                            out[9 * P + 4 * frames + frame] = UInt8(bits)
                            used += r; frame += 1
                        }
                        // Every plane of a stream split in one pass, then compressed one by one.
                        for k in 0..<P where widths[k] > 0 {
                            let c = counts[k], w = widths[k]
                            PopulationStreamKernels.splitPlanes(sp.baseAddress! + starts[k], c, width: w, into: p)  // invariant: n ≥ 1
                            for f in 0..<w {
                                try emit(p + f * c, c, or: f == w - 1 ? UInt8(truncatingIfNeeded: ors[k] &>> UInt64(8 * f)) : nil)
                            }
                        }
                        PopulationStreamKernels.splitPlanes(addresses.baseAddress!, n, width: wa, into: p)  // invariant: n ≥ 1
                        for f in 0..<wa {
                            try emit(p + f * n, n, or: f == wa - 1 ? UInt8(truncatingIfNeeded: addressOr &>> UInt32(8 * f)) : nil)
                        }
                    }
                }
            }
        }
        payloadLength = used
        widthOfStreams = widths.max() ?? 1
        return true
    }
}

extension ChunkDecoder {
    /// Decodes a layout-1 payload (see `encodeByPopulation`); same contract as `decode`.
    /// Decodes a layout-1 or (`packed`) layout-2 payload; layout 2 adds a bits-per-value byte per frame
    /// after the frame lengths (`PlanePacking`).
    func decodeByPopulation(
        _ h: ChunkHeader, payload: UnsafeRawBufferPointer, timeUnit: Int64, lookup: PopulationLookup,
        addressCount: Int, packed: Bool, times: inout [Int64], addresses: inout [UInt32]
    ) throws {
        let n = Int(h.count), wa = Int(h.addressWidth), P = lookup.count
        guard P >= 2, P <= maxLayoutPopulations else {
            throw ChunkProblem("layout 1 (per-population times) needs 2…\(maxLayoutPopulations) populations; the header has \(P)")
        }
        guard payload.count >= 9 * P else { throw ChunkProblem("payload shorter than its stream table") }
        var quanta = [Int64](repeating: 1, count: P), widths = [Int](repeating: 0, count: P)
        for k in 0..<P {
            let d = UInt64(littleEndian: payload.loadUnaligned(fromByteOffset: 9 * k, as: UInt64.self))
            let w = Int(payload[9 * k + 8])
            guard d >= 1, d <= UInt64(Int64.max) else { throw ChunkProblem("population \(k): time quantum \(d) is not in 1…2⁶³−1") }
            guard w <= 8 else { throw ChunkProblem("population \(k): time width \(w) is more than 8 bytes") }
            quanta[k] = Int64(d); widths[k] = w
        }
        let timeFrames = widths.reduce(0, +), frames = timeFrames + wa
        guard widths.max() == Int(h.timeWidth) else {
            throw ChunkProblem("chunk header time width \(h.timeWidth) disagrees with the stream table (largest \(widths.max() ?? 0))")
        }
        let table = 9 * P + (packed ? 5 : 4) * frames
        guard payload.count >= table else { throw ChunkProblem("payload shorter than its frame table") }
        var lengths = [Int](repeating: 0, count: frames), starts = [Int](repeating: 0, count: frames)
        var bits = [Int](repeating: 8, count: frames)
        var total = table
        for f in 0..<frames {
            lengths[f] = Int(UInt32(littleEndian: payload.loadUnaligned(fromByteOffset: 9 * P + 4 * f, as: UInt32.self)))
            starts[f] = total
            total += lengths[f]
            if packed {
                bits[f] = Int(payload[9 * P + 4 * frames + f])
                guard [1, 2, 4, 8].contains(bits[f]) else {
                    throw ChunkProblem("frame \(f): \(bits[f]) bits per value (must be 1, 2, 4 or 8)")
                }
            }
        }
        guard total == payload.count else {
            throw ChunkProblem("frame lengths add up to \(total) bytes but the payload has \(payload.count)")
        }
        let base = payload.baseAddress!  // invariant: payload.count ≥ 9·P ≥ 18
        // Declared sizes first (bounds the allocations, as in layout 0): address frames hold n bytes;
        // time frames hold their population's count, checked once the addresses are known.
        var declared = [UInt64](repeating: 0, count: frames)
        for f in 0..<frames {
            declared[f] = ZSTD_getFrameContentSize(base + starts[f], lengths[f])
            if declared[f] == ChunkDecoder.contentSizeError {
                throw ChunkProblem("zstd frame \(f) at payload byte \(starts[f]) is not a valid zstd frame")
            }
            let expected = PlanePacking.packedCount(n, bits: bits[f])
            if f >= timeFrames && declared[f] != ChunkDecoder.contentSizeUnknown && declared[f] != UInt64(expected) {
                throw ChunkProblem(
                    "zstd frame \(f) at payload byte \(starts[f]) declares \(declared[f]) bytes, expected \(expected) (the event count at \(bits[f]) bits each)"
                )
            }
        }
        if pops.count < n { pops = [UInt8](repeating: 0, count: n) }
        if acc.count < n { acc = [UInt64](repeating: 0, count: n) }
        if plane.count < wa * n { plane = [UInt8](repeating: 0, count: wa * n) }
        let scratch = packed ? packedScratch(n / 2 + 1) : nil
        addresses = uninitializedArray(n)
        times = uninitializedArray(n)  // every element is written below before any is read
        let dctx = self.dctx
        func inflate(_ f: Int, into p: UnsafeMutablePointer<UInt8>, expected: Int) throws {
            let r = ZSTD_decompressDCtx(dctx, p, expected, base + starts[f], lengths[f])
            if ZSTD_isError(r) != 0 {
                throw ChunkProblem("zstd frame \(f) at payload byte \(starts[f]): \(String(cString: ZSTD_getErrorName(r)))")
            }
            guard r == expected else { throw ChunkProblem("zstd frame \(f) holds \(r) bytes, expected \(expected)") }
        }
        /// Frame f's `count` values, one per byte, into `target`: decompressed there directly, or (packed)
        /// into the scratch and unpacked.
        func readPlane(_ f: Int, into target: UnsafeMutablePointer<UInt8>, count: Int) throws {
            let b = bits[f]
            guard b != 8, let scratch else { return try inflate(f, into: target, expected: count) }
            try inflate(f, into: scratch, expected: PlanePacking.packedCount(count, bits: b))
            PlanePacking.unpack(scratch, count, bits: b, into: target)
        }
        let counts = mergeCursor  // P entries; the gather below resets it from the stream starts
        // (1) Addresses: every plane decoded into its own n bytes, then one pass completes each address
        // and, with a population table and ≤ 8 populations, takes the largest, each event's population
        // and the per-population counts (`PopulationStreamKernels.addresses`).
        try plane.withUnsafeMutableBufferPointer { pl in
            let p = pl.baseAddress!  // invariant: plane.count ≥ wa·n ≥ 1
            for f in 0..<wa { try readPlane(timeFrames + f, into: p + f * n, count: n) }
            try addresses.withUnsafeMutableBufferPointer { ad in
                let a = ad.baseAddress!  // invariant: addresses.count == n ≥ 1
                try pops.withUnsafeMutableBufferPointer { pp in
                    let maxAddress: UInt32
                    if !lookup.table.isEmpty && P <= 8 {
                        maxAddress = lookup.table.withUnsafeBufferPointer { tb in
                            PopulationStreamKernels.addresses(
                                planes: p, width: wa, n, into: a, table: tb.baseAddress!, tableCount: tb.count,
                                pops: pp.baseAddress!, P, counts: counts)  // invariant: the table is non-empty
                        }
                    } else {
                        for i in 0..<n { a[i] = UInt32(p[i]) }
                        for f in 1..<max(1, wa) {
                            let pf = p + f * n, s = UInt32(8 * f)
                            for i in 0..<n { a[i] |= UInt32(pf[i]) &<< s }
                        }
                        var m: UInt32 = 0
                        for i in 0..<n { m = max(m, a[i]) }
                        maxAddress = m
                    }
                    guard Int(maxAddress) < addressCount else {
                        throw ChunkProblem("address \(maxAddress) outside the address space (\(addressCount) addresses)")
                    }
                    if lookup.table.isEmpty || P > 8 {
                        lookup.classify(a, n, into: pp.baseAddress!)  // invariant: n ≥ 1, addresses checked above
                        PopulationLookup.countPopulations(pp.baseAddress!, n, P, into: counts)
                    }
                }
            }
        }
        var streamStart = [Int](repeating: 0, count: P)
        var largest = 0
        for k in 0..<P {
            let c = counts[k]
            guard (widths[k] == 0) == (c == 0) else {
                throw ChunkProblem("population \(k) has \(c) events but time width \(widths[k])")
            }
            if k > 0 { streamStart[k] = streamStart[k - 1] + counts[k - 1] }
            largest = max(largest, widths[k] * c)
        }
        if plane.count < largest { plane = [UInt8](repeating: 0, count: largest) }
        // (2) Times, population by population: its planes decoded into consecutive buffers, then one pass
        // completes each quantised delta and turns it into the population's time (a prefix sum whose chain
        // stays in registers) in its slice of `acc`. Deltas ≥ 2⁶³ and i64 overflow are flagged per
        // population, not per event (`PopulationStreamKernels.populationTimes`).
        var bad = false
        try plane.withUnsafeMutableBufferPointer { pl in
            let p = pl.baseAddress!  // invariant: plane.count ≥ n ≥ 1
            try acc.withUnsafeMutableBufferPointer { ac in
                let a = ac.baseAddress!  // invariant: acc.count ≥ n ≥ 1
                var f = 0
                for k in 0..<P where widths[k] > 0 {
                    let c = counts[k], w = widths[k]
                    for b in 0..<w {
                        let expected = PlanePacking.packedCount(c, bits: bits[f])
                        if declared[f] != ChunkDecoder.contentSizeUnknown && declared[f] != UInt64(expected) {
                            throw ChunkProblem(
                                "zstd frame \(f) at payload byte \(starts[f]) declares \(declared[f]) bytes, expected \(expected) (population \(k)'s events at \(bits[f]) bits each)"
                            )
                        }
                        try readPlane(f, into: p + b * c, count: c)
                        f += 1
                    }
                    let q0 = floorDivide(h.firstTick, quanta[k]), dk = quanta[k]
                    let (sum, carried) = PopulationStreamKernels.populationTimes(
                        planes: p, width: w, c, q0: q0, quantum: dk,
                        into: a + streamStart[k])
                    // Q = Q₀ + sum stays in i64 iff nothing carried and the sum fits in Int64.max − Q₀ (≥ 0, exact
                    // as u64); Q is then non-decreasing, so Q·d fits iff it does at both ends.
                    let room = UInt64(bitPattern: Int64.max) &- UInt64(bitPattern: q0)
                    if carried || sum > room { bad = true }
                    let (_, o1) = q0.multipliedReportingOverflow(by: dk)
                    let (_, o2) = (q0 &+ Int64(bitPattern: sum)).multipliedReportingOverflow(by: dk)
                    if o1 || o2 { bad = true }
                }
                // (3) Gather into event order, checking that the merged times are non-decreasing from the
                // header's first to its last time.
                try pops.withUnsafeBufferPointer { pp in
                    try times.withUnsafeMutableBufferPointer { tm in
                        let out = tm.baseAddress!  // invariant: times.count == n ≥ 1
                        let ordered = streamStart.withUnsafeBufferPointer { ss in
                            PopulationStreamKernels.gather(
                                pops: pp.baseAddress!, n, P, streams: a, starts: ss.baseAddress!,  // invariant: P ≥ 2, n ≥ 1
                                cursor: counts, first: h.firstTick, into: out)
                        }
                        guard !bad, ordered, out[0] == h.firstTick, out[n - 1] == h.lastTick else {
                            throw ChunkProblem("per-population time deltas do not give non-decreasing times from the chunk's first to its last time")
                        }
                        if timeUnit != 1 { for i in 0..<n { out[i] = out[i] &* timeUnit } }
                    }
                }
            }
        }
        let (_, o1) = h.firstTick.multipliedReportingOverflow(by: timeUnit)
        let (_, o2) = h.lastTick.multipliedReportingOverflow(by: timeUnit)
        if o1 || o2 { throw ChunkProblem("chunk times overflow 64-bit picoseconds") }
    }
}
