import CZstd

/// Chunk layout 1 (format 2.0): one time stream per population, each on its own time quantum.
///
/// Why: a recording mixes populations whose times live on different grids — input spikes stamped by
/// an AER interface at 1 µs, layer spikes at the exact kernel's 1 ps. In one merged delta stream
/// (layout 0) a delta from a layer spike to the next input spike is an arbitrary picosecond count,
/// so the input's coarse grid is invisible to the coder and every input spike pays ≈ 20 bits of
/// picoseconds it does not carry. Per population, times are integer multiples of that population's
/// quantum `d_k` (the GCD of its absolute times in the chunk) and their deltas are coded on that grid:
/// the input stream shrinks to the entropy of µs-resolution Poisson times. The global event order is
/// kept exactly: addresses are decoded first, and event i takes the next delta of its population.
/// `Docs/trace-format.md` §3 is the normative layout.
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
                let t = tb.baseAddress! // invariant: non-empty
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
private func gcd(_ a: UInt64, _ b: UInt64) -> UInt64 {
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
    func encodeByPopulation(deltas: UnsafeBufferPointer<UInt64>, addresses: UnsafeBufferPointer<UInt32>,
                            firstTick: Int64, lookup: PopulationLookup, mergedTimeWidth: Int, addressWidth wa: Int) throws -> Bool {
        let n = deltas.count, P = lookup.count
        guard P >= 2, P <= maxLayoutPopulations, n > 0 else { return false }
        if popScratch.count < n { popScratch = [UInt8](repeating: 0, count: n) }
        if streamScratch.count < n { streamScratch = [UInt64](repeating: 0, count: n) }
        // Per-population state in fixed pointer buffers (no array uniqueness checks in the loops).
        let counts = popCounts, quanta = popQuanta, divide = popDividers
        for k in 0..<P { counts[k] = 0; quanta[k] = 0; divide[k] = ExactDivider(UInt64(1)) }
        // Pass 1: population of every event and the GCD of each population's absolute times. The
        // divisibility test is a multiplication by the quantum's inverse (`ExactDivider`), the GCD is
        // recomputed only when it fails (a few times per chunk); once a quantum is 1 nothing is tested,
        // so layer spikes at 1 ps cost nothing.
        popScratch.withUnsafeMutableBufferPointer { pp in
            let pops = pp.baseAddress! // invariant: popScratch.count ≥ n ≥ 1
            lookup.classify(addresses.baseAddress!, n, into: pops) // invariant: n ≥ 1
            PopulationLookup.countPopulations(pops, n, P, into: counts)
            var t = firstTick
            for i in 0..<n {
                t = t &+ Int64(bitPattern: deltas[i])
                let k = Int(pops[i])
                let g = quanta[k]
                if g != 1 {
                    let m = t.magnitude
                    if g == 0 {
                        if m != 0 { quanta[k] = m; divide[k] = ExactDivider(m) }
                    } else if divide[k].divide(m) == nil {
                        let r = gcd(g, m); quanta[k] = r; divide[k] = ExactDivider(r)
                    }
                }
            }
        }
        var starts = [Int](repeating: 0, count: P)
        var widths = [Int](repeating: 0, count: P)
        for k in 1..<P { starts[k] = starts[k - 1] + counts[k - 1] }
        for k in 0..<P where quanta[k] == 0 || quanta[k] > UInt64(Int64.max) { quanta[k] = 1; divide[k] = ExactDivider(UInt64(1)) }
        // Pass 2: deltas of the quantised times (exact quotients: every time of population k is a
        // multiple of its quantum), grouped by population, event order kept within each.
        let ors = popOrs, previous = popPrevious, cursor = popCursor
        for k in 0..<P { ors[k] = 0; previous[k] = floorDivide(firstTick, Int64(quanta[k])); cursor[k] = starts[k] }
        popScratch.withUnsafeBufferPointer { pp in
            streamScratch.withUnsafeMutableBufferPointer { sp in
                let out = sp.baseAddress! // invariant: streamScratch.count ≥ n ≥ 1
                var t = firstTick
                for i in 0..<n {
                    t = t &+ Int64(bitPattern: deltas[i])
                    let k = Int(pp[i])
                    let m = divide[k].divide(t.magnitude) ?? 0 // invariant: t is a multiple of quanta[k]
                    let q = t < 0 ? 0 &- Int64(bitPattern: m) : Int64(bitPattern: m) // wrapping: t = Int64.min has m = 2⁶³
                    let delta = UInt64(bitPattern: q &- previous[k])
                    previous[k] = q
                    out[cursor[k]] = delta
                    cursor[k] &+= 1
                    ors[k] |= delta
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
        let table = 9 * P + 4 * frames
        let bound = ZSTD_compressBound(n)
        let capacity = table + frames * bound
        if payload.count < capacity { payload = [UInt8](repeating: 0, count: capacity) }
        if plane.count < n { plane = [UInt8](repeating: 0, count: n) }
        var used = table
        var frame = 0
        try payload.withUnsafeMutableBytes { out in
            for k in 0..<P {
                out.storeBytes(of: quanta[k].littleEndian, toByteOffset: 9 * k, as: UInt64.self)
                out[9 * k + 8] = UInt8(widths[k])
            }
            try plane.withUnsafeMutableBufferPointer { pl in
                let p = pl.baseAddress! // invariant: plane.count ≥ n ≥ 1
                try streamScratch.withUnsafeBufferPointer { sp in
                    func emit(_ count: Int) throws {
                        let r = try PlaneCompressor.compress(cctx, level: level, p, count, into: out.baseAddress! + used, capacity: bound) // invariant: capacity covers frames·bound
                        out.storeBytes(of: UInt32(r).littleEndian, toByteOffset: 9 * P + 4 * frame, as: UInt32.self)
                        used += r; frame += 1
                    }
                    for k in 0..<P where widths[k] > 0 {
                        let s = starts[k], c = counts[k]
                        for f in 0..<widths[k] {
                            let shift = UInt64(8 * f)
                            for i in 0..<c { p[i] = UInt8(truncatingIfNeeded: sp[s + i] &>> shift) }
                            try emit(c)
                        }
                    }
                    for f in 0..<wa {
                        let shift = UInt32(8 * f)
                        for i in 0..<n { p[i] = UInt8(truncatingIfNeeded: addresses[i] &>> shift) }
                        try emit(n)
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
    func decodeByPopulation(_ h: ChunkHeader, payload: UnsafeRawBufferPointer, timeUnit: Int64, lookup: PopulationLookup,
                            addressCount: Int, times: inout [Int64], addresses: inout [UInt32]) throws {
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
        let table = 9 * P + 4 * frames
        guard payload.count >= table else { throw ChunkProblem("payload shorter than its frame table") }
        var lengths = [Int](repeating: 0, count: frames), starts = [Int](repeating: 0, count: frames)
        var total = table
        for f in 0..<frames {
            lengths[f] = Int(UInt32(littleEndian: payload.loadUnaligned(fromByteOffset: 9 * P + 4 * f, as: UInt32.self)))
            starts[f] = total
            total += lengths[f]
        }
        guard total == payload.count else {
            throw ChunkProblem("frame lengths add up to \(total) bytes but the payload has \(payload.count)")
        }
        let base = payload.baseAddress! // invariant: payload.count ≥ 9·P ≥ 18
        // Declared sizes first (bounds the allocations, as in layout 0): address frames hold n bytes;
        // time frames hold their population's count, checked once the addresses are known.
        var declared = [UInt64](repeating: 0, count: frames)
        for f in 0..<frames {
            declared[f] = ZSTD_getFrameContentSize(base + starts[f], lengths[f])
            if declared[f] == ChunkDecoder.contentSizeError {
                throw ChunkProblem("zstd frame \(f) at payload byte \(starts[f]) is not a valid zstd frame")
            }
            if f >= timeFrames && declared[f] != ChunkDecoder.contentSizeUnknown && declared[f] != UInt64(n) {
                throw ChunkProblem("zstd frame \(f) at payload byte \(starts[f]) declares \(declared[f]) bytes, expected \(n) (the event count)")
            }
        }
        if plane.count < n { plane = [UInt8](repeating: 0, count: n) }
        if acc.count < n { acc = [UInt64](repeating: 0, count: n) }
        if pops.count < n { pops = [UInt8](repeating: 0, count: n) }
        addresses = [UInt32](repeating: 0, count: n)
        times = [Int64](repeating: 0, count: n)
        var counts = [Int](repeating: 0, count: P)
        let dctx = self.dctx
        func inflate(_ f: Int, into p: UnsafeMutablePointer<UInt8>, expected: Int) throws {
            let r = ZSTD_decompressDCtx(dctx, p, expected, base + starts[f], lengths[f])
            if ZSTD_isError(r) != 0 {
                throw ChunkProblem("zstd frame \(f) at payload byte \(starts[f]): \(String(cString: ZSTD_getErrorName(r)))")
            }
            guard r == expected else { throw ChunkProblem("zstd frame \(f) holds \(r) bytes, expected \(expected)") }
        }
        try plane.withUnsafeMutableBufferPointer { pl in
            let p = pl.baseAddress! // invariant: plane.count ≥ n ≥ 1
            try addresses.withUnsafeMutableBufferPointer { ad in
                for f in 0..<wa {
                    try inflate(timeFrames + f, into: p, expected: n)
                    if f == 0 {
                        for i in 0..<n { ad[i] = UInt32(p[i]) }
                    } else {
                        let shift = UInt32(8 * f)
                        for i in 0..<n { ad[i] |= UInt32(p[i]) &<< shift }
                    }
                }
                var maxAddress: UInt32 = 0
                for i in 0..<n { maxAddress = max(maxAddress, ad[i]) }
                guard Int(maxAddress) < addressCount else {
                    throw ChunkProblem("address \(maxAddress) outside the address space (\(addressCount) addresses)")
                }
                do {
                    try pops.withUnsafeMutableBufferPointer { pp in
                        let cursor = mergeCursor, q = mergeQuotient, d = mergeQuantum
                        lookup.classify(ad.baseAddress!, n, into: pp.baseAddress!) // invariant: n ≥ 1, addresses checked above
                        PopulationLookup.countPopulations(pp.baseAddress!, n, P, into: cursor)
                        for k in 0..<P { counts[k] = cursor[k] }
                        var streamStart = [Int](repeating: 0, count: P)
                        for k in 1..<P { streamStart[k] = streamStart[k - 1] + counts[k - 1] }
                        // Time planes, population by population, into that population's slice of `acc`.
                        try acc.withUnsafeMutableBufferPointer { ac in
                            let a = ac.baseAddress! // invariant: acc.count ≥ n ≥ 1
                            var f = 0
                            for k in 0..<P {
                                guard (widths[k] == 0) == (counts[k] == 0) else {
                                    throw ChunkProblem("population \(k) has \(counts[k]) events but time width \(widths[k])")
                                }
                                let c = counts[k], s = streamStart[k]
                                for byte in 0..<widths[k] {
                                    if declared[f] != ChunkDecoder.contentSizeUnknown && declared[f] != UInt64(c) {
                                        throw ChunkProblem("zstd frame \(f) at payload byte \(starts[f]) declares \(declared[f]) bytes, expected \(c) (population \(k)'s events)")
                                    }
                                    try inflate(f, into: p, expected: c)
                                    if byte == 0 {
                                        for i in 0..<c { a[s + i] = UInt64(p[i]) }
                                    } else {
                                        let shift = UInt64(8 * byte)
                                        for i in 0..<c { a[s + i] |= UInt64(p[i]) &<< shift }
                                    }
                                    f += 1
                                }
                            }
                            // Merge back into event order. The checks are accumulated, not branched on:
                            // deltas must keep times in range and non-decreasing, and the first and last
                            // times must be the header's.
                            for k in 0..<P {
                                cursor[k] = streamStart[k]; d[k] = quanta[k]; q[k] = floorDivide(h.firstTick, quanta[k])
                            }
                            var bad: UInt64 = 0
                            var previous = h.firstTick
                            try times.withUnsafeMutableBufferPointer { tm in
                                let out = tm.baseAddress! // invariant: times.count == n ≥ 1
                                for i in 0..<n {
                                    let k = Int(pp[i])
                                    let c = cursor[k]
                                    cursor[k] = c &+ 1
                                    let delta = a[c]
                                    let (qq, o1) = q[k].addingReportingOverflow(Int64(bitPattern: delta))
                                    q[k] = qq
                                    let (t, o2) = qq.multipliedReportingOverflow(by: d[k])
                                    bad |= (delta &>> 63) | UInt64(o1 ? 1 : 0) | UInt64(o2 ? 1 : 0) | UInt64(t < previous ? 1 : 0)
                                    previous = t
                                    out[i] = t
                                }
                                guard bad == 0, out[0] == h.firstTick, out[n - 1] == h.lastTick else {
                                    throw ChunkProblem("per-population time deltas do not give non-decreasing times from the chunk's first to its last time")
                                }
                                if timeUnit != 1 { for i in 0..<n { out[i] = out[i] &* timeUnit } }
                            }
                        }
                    }
                }
            }
        }
        let (_, o1) = h.firstTick.multipliedReportingOverflow(by: timeUnit)
        let (_, o2) = h.lastTick.multipliedReportingOverflow(by: timeUnit)
        if o1 || o2 { throw ChunkProblem("chunk times overflow 64-bit picoseconds") }
    }
}
