// The per-event loops of layout-1 encoding (`ChunkEncoder.encodeByPopulation`), in functions of their
// own for the same reason as the decoding ones (`PopulationStreamKernels.swift`): inlined into the
// encoder, their pointers and running values were spilled to the stack.

extension PopulationStreamKernels {
    /// Absolute times scattered into each population's slice of `seg` (population k's from `starts[k]`),
    /// in event order. An event's rank within its population (in blocks of 255 events) comes from the
    /// byte lanes of one register, so no per-population cursor is read and written through memory per
    /// event; `cursor` (P entries) moves once per block. With more than 8 populations (more than the
    /// lanes of one register) the cursors move per event.
    @inline(never)
    static func scatterTimes(
        deltas: UnsafePointer<UInt64>, pops: UnsafePointer<UInt8>, _ n: Int, _ P: Int, firstTick: Int64,
        starts: UnsafePointer<Int>, cursor: UnsafeMutablePointer<Int>, into seg: UnsafeMutablePointer<UInt64>
    ) {
        for k in 0..<P { cursor[k] = starts[k] }
        var t = UInt64(bitPattern: firstTick)
        guard P <= 8 else {
            for i in 0..<n {
                t &+= deltas[i]
                let k = Int(pops[i])
                seg[cursor[k]] = t
                cursor[k] &+= 1
            }
            return
        }
        var i = 0
        while i < n {
            let end = Swift.min(n, i + 255)
            var lanes: UInt64 = 0
            while i < end {
                t &+= deltas[i]
                let shift = UInt64(pops[i]) &* 8
                let rank = Int(truncatingIfNeeded: (lanes &>> shift) & 0xFF)
                lanes &+= 1 &<< shift
                seg[cursor[Int(truncatingIfNeeded: shift &>> 3)] &+ rank] = t
                i += 1
            }
            for k in 0..<P { cursor[k] &+= Int(truncatingIfNeeded: (lanes &>> UInt64(8 * k)) & 0xFF) }
        }
    }

    /// One population's times (`c` ≥ 1 absolute ticks in `ts`, non-decreasing) turned in place into its
    /// quantised deltas: the quantum Q is the GCD of the times, `ts[0]` becomes ⌊t₀/Q⌋ − ⌊firstTick/Q⌋
    /// and `ts[j]` becomes (t_j − t_{j−1})/Q. Returns Q and the OR of the deltas (their byte width).
    ///
    /// The GCD is taken from the first 64 times, then one pass divides every difference by it and checks
    /// that the division is exact (a multiplication by Q's inverse, `ExactDivider`). A candidate from a
    /// prefix is a multiple of the true GCD, so when every division is exact it is the GCD, and the result
    /// is the same as a GCD over all times, in one pass instead of two. When a division is not exact
    /// (the prefix was on a coarser grid than the rest), the deltas written so far are turned back into
    /// times and `quantiseExhaustively` runs.
    @inline(never)
    static func quantise(_ ts: UnsafeMutablePointer<UInt64>, _ c: Int, firstTick: Int64) -> (quantum: UInt64, or: UInt64) {
        var g = Int64(bitPattern: ts[0]).magnitude
        var j = 1
        let probe = Swift.min(c, 64)
        while j < probe && g != 1 {
            let d = ts[j] &- ts[j - 1]
            g = g == 0 ? d : gcd(g, d)
            j += 1
        }
        guard g != 0, g <= UInt64(Int64.max) else { return quantiseExhaustively(ts, c, firstTick: firstTick) }
        let dv = ExactDivider(g)
        var or: UInt64 = 0
        if g == 1 {
            var k = c - 1
            while k >= 1 { let d = ts[k] &- ts[k - 1]; ts[k] = d; or |= d; k -= 1 }
        } else {
            let s = dv.shift, inv = dv.inverse, limit = dv.limit, low = (1 &<< s) &- 1
            var k = c - 1
            while k >= 1 {
                let d = ts[k] &- ts[k - 1]
                let q = (d &>> s) &* inv
                if d & low != 0 || q > limit {
                    for m in (k + 1)..<c { ts[m] = ts[m - 1] &+ ts[m] &* g }  // back to times: q·Q is the difference
                    return quantiseExhaustively(ts, c, firstTick: firstTick)
                }
                ts[k] = q; or |= q
                k -= 1
            }
        }
        let first = firstDelta(ts[0], dv, firstTick: firstTick)
        ts[0] = first
        return (g, or | first)
    }

    /// `quantise` with the GCD taken over every time first (the fallback).
    static func quantiseExhaustively(_ ts: UnsafeMutablePointer<UInt64>, _ c: Int, firstTick: Int64) -> (quantum: UInt64, or: UInt64) {
        var g = Int64(bitPattern: ts[0]).magnitude
        var dv = ExactDivider(g)
        var j = 1
        while j < c && g != 1 {
            let d = ts[j] &- ts[j - 1]
            if g == 0 { if d != 0 { g = d; dv = ExactDivider(g) } } else if dv.divide(d) == nil { g = gcd(g, d); dv = ExactDivider(g) }
            j += 1
        }
        if g == 0 || g > UInt64(Int64.max) { g = 1; dv = ExactDivider(g) }
        // In place, back to front: exact divisions as branch-free multiplications (t = d·Q ⇒
        // (t >> s)·m⁻¹ ≡ Q mod 2⁶⁴ for d = 2^s·m, m odd, whatever the sign).
        let s = dv.shift, inv = dv.inverse
        var or: UInt64 = 0
        var k = c - 1
        while k >= 1 {
            let q = ((ts[k] &- ts[k - 1]) &>> s) &* inv
            ts[k] = q; or |= q
            k -= 1
        }
        let first = firstDelta(ts[0], dv, firstTick: firstTick)
        ts[0] = first
        return (g, or | first)
    }

    /// ⌊t₀/Q⌋ − ⌊firstTick/Q⌋ for t₀ a multiple of Q (exact division by multiplication, signed).
    @inline(__always)
    private static func firstDelta(_ t0: UInt64, _ dv: ExactDivider, firstTick: Int64) -> UInt64 {
        let q0 = Int64(bitPattern: UInt64(bitPattern: Int64(bitPattern: t0) &>> Int64(dv.shift)) &* dv.inverse)
        return UInt64(bitPattern: q0 &- floorDivide(firstTick, Int64(dv.divisor)))
    }

    /// Byte planes of `c` values in one pass: byte b of value i goes to `planes[b·c + i]`, b < `width`
    /// (1 … `T.bitWidth / 8`: time deltas and addresses). One read of each value instead of one per
    /// plane. Specialised for each `T` it is called with.
    @inline(never)
    static func splitPlanes<T: FixedWidthInteger>(_ values: UnsafePointer<T>, _ c: Int, width: Int, into planes: UnsafeMutablePointer<UInt8>) {
        switch min(width, T.bitWidth / 8) {
        case 1: split(values, c, 1, planes)
        case 2: split(values, c, 2, planes)
        case 3: split(values, c, 3, planes)
        case 4: split(values, c, 4, planes)
        case 5: split(values, c, 5, planes)
        case 6: split(values, c, 6, planes)
        case 7: split(values, c, 7, planes)
        default: split(values, c, 8, planes)
        }
    }

    /// `w` is a constant at each call site, so the inner loop unrolls.
    @inline(__always)
    private static func split<T: FixedWidthInteger>(_ v: UnsafePointer<T>, _ c: Int, _ w: Int, _ p: UnsafeMutablePointer<UInt8>) {
        for i in 0..<c {
            let x = v[i]
            for b in 0..<w { p[b &* c &+ i] = UInt8(truncatingIfNeeded: x &>> (8 &* b)) }
        }
    }
}
