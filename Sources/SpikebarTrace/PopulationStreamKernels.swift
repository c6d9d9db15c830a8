// The three per-event loops of decoding chunk layouts 1 and 2 (`PopulationTimeStreams.swift`), each in a
// function of its own; the encoding ones are in `PopulationStreamKernels+Encode.swift`.
//
// Why separate functions: inlined into the 200-line decoder, these loops shared the registers with
// everything else it keeps alive (frame tables, cursors, buffers), and the compiler spilled their
// pointers, the running maximum and the loop-invariant flags to the stack, reloading or storing them on
// every event (perf annotate). Separated, a decode of the recorded quickstart run took 1.37 instead of
// 1.52 ms with a reused decoder (`Docs/performance.md`, trace decoding). Each function here takes only
// what its loop needs, so everything stays in registers. The byte planes of a value are decoded first into consecutive buffers
// and combined in the same pass that uses the value, instead of one read-modify-write pass per plane.
//
// Invariants shared by all three: pointers cover the counts given; P ≤ 8 where byte lanes are used
// (rank and count of 255 events per block in the 8 lanes of one UInt64); nothing here throws, problems
// are returned as flags for the caller to report.

enum PopulationStreamKernels {
    /// Completes `n` addresses from their `width` byte planes (plane b at `planes + b·n`), writes them to
    /// `addresses`, each event's population to `pops` (from `table`, the index clamped so an address
    /// outside the space still reads inside the table: the caller rejects it from the returned maximum),
    /// and the per-population counts to `counts[0..<P]`. Returns the largest address.
    @inline(never)
    static func addresses(
        planes: UnsafePointer<UInt8>, width: Int, _ n: Int, into addresses: UnsafeMutablePointer<UInt32>,
        table: UnsafePointer<UInt8>, tableCount: Int, pops: UnsafeMutablePointer<UInt8>, _ P: Int,
        counts: UnsafeMutablePointer<Int>
    ) -> UInt32 {
        let p0 = planes
        switch width {
        case 1:
            return classifyBlockwise(n, P, table: table, tableCount: tableCount, addresses: addresses, pops: pops, counts: counts) { i in
                UInt32(p0[i])
            }
        case 2:
            let p1 = planes + n
            return classifyBlockwise(n, P, table: table, tableCount: tableCount, addresses: addresses, pops: pops, counts: counts) { i in
                UInt32(p0[i]) | UInt32(p1[i]) &<< 8
            }
        default:
            // 3 or 4 planes: the lower ones in a plain pass (vectorised), the top two with the classification.
            for i in 0..<n { addresses[i] = UInt32(p0[i]) }
            for b in 1..<(width - 2) {
                let pb = planes + b * n, s = UInt32(8 * b)
                for i in 0..<n { addresses[i] |= UInt32(pb[i]) &<< s }
            }
            let lo = planes + (width - 2) * n, hi = planes + (width - 1) * n, s = UInt32(8 * (width - 2))
            return classifyBlockwise(n, P, table: table, tableCount: tableCount, addresses: addresses, pops: pops, counts: counts) { i in
                addresses[i] | UInt32(lo[i]) &<< s | UInt32(hi[i]) &<< (s &+ 8)
            }
        }
    }

    /// Shared body of `addresses`: `address(i)` is specialised into each caller (always inlined).
    @inline(__always)
    private static func classifyBlockwise(
        _ n: Int, _ P: Int, table t: UnsafePointer<UInt8>, tableCount: Int,
        addresses: UnsafeMutablePointer<UInt32>, pops: UnsafeMutablePointer<UInt8>,
        counts: UnsafeMutablePointer<Int>, address: (Int) -> UInt32
    ) -> UInt32 {
        for k in 0..<P { counts[k] = 0 }
        let last = UInt32(truncatingIfNeeded: tableCount - 1)
        var mx: UInt32 = 0
        var i = 0
        while i < n {
            let end = Swift.min(n, i + 255)
            var lanes: UInt64 = 0
            while i < end {
                let v = address(i)
                addresses[i] = v
                mx = Swift.max(mx, v)
                let k = t[Int(Swift.min(v, last))]
                pops[i] = k
                lanes &+= 1 &<< (UInt64(k) &* 8)
                i += 1
            }
            for k in 0..<P { counts[k] += Int((lanes &>> UInt64(8 * k)) & 0xFF) }
        }
        return mx
    }

    /// One population's times: completes its `c` quantised deltas from `width` byte planes (plane b at
    /// `planes + b·c`) and writes `(q0 + Σ_{j≤i} delta_j) · quantum` to `times[i]` (wrapping). Returns the
    /// unsigned sum of the deltas and whether it carried out of 64 bits; the caller checks that Q stays
    /// inside Int64 and that Q·quantum does at both ends (Q is non-decreasing when nothing carried, so
    /// two checks per population cover every event). With `width` ≥ 4 the lower planes are first
    /// assembled in `times` itself.
    @inline(never)
    static func populationTimes(
        planes: UnsafePointer<UInt8>, width: Int, _ c: Int, q0: Int64, quantum: Int64,
        into times: UnsafeMutablePointer<UInt64>
    ) -> (sum: UInt64, carried: Bool) {
        let p0 = planes
        switch width {
        case 1:
            return prefixTimes(c, q0: q0, quantum: quantum, into: times, canCarry: false) { i in UInt64(p0[i]) }
        case 2:
            let p1 = planes + c
            return prefixTimes(c, q0: q0, quantum: quantum, into: times, canCarry: false) { i in UInt64(p0[i]) | UInt64(p1[i]) &<< 8 }
        case 3:
            let p1 = planes + c, p2 = planes + 2 * c
            return prefixTimes(c, q0: q0, quantum: quantum, into: times, canCarry: false) { i in
                UInt64(p0[i]) | UInt64(p1[i]) &<< 8 | UInt64(p2[i]) &<< 16
            }
        default:
            // The lower planes first, in plain passes into the output (vectorised), then the top two fused
            // with the prefix sum, which reads each lower part back before overwriting it with the time.
            for i in 0..<c { times[i] = UInt64(p0[i]) }
            for b in 1..<(width - 2) {
                let pb = planes + b * c, s = UInt64(8 * b)
                for i in 0..<c { times[i] |= UInt64(pb[i]) &<< s }
            }
            let lo = planes + (width - 2) * c, hi = planes + (width - 1) * c, s = UInt64(8 * (width - 2))
            // A sum of c < 2²⁴ deltas below 2⁴⁰ stays below 2⁶⁴: the carry is only tracked for wider ones.
            let wide = width > 5 || c > TraceFormat.maxChunkEvents
            if wide {
                return prefixTimes(c, q0: q0, quantum: quantum, into: times, canCarry: true) { i in
                    times[i] | UInt64(lo[i]) &<< s | UInt64(hi[i]) &<< (s &+ 8)
                }
            }
            return prefixTimes(c, q0: q0, quantum: quantum, into: times, canCarry: false) { i in
                times[i] | UInt64(lo[i]) &<< s | UInt64(hi[i]) &<< (s &+ 8)
            }
        }
    }

    /// `canCarry` is a constant at each (inlined) call site: false when c deltas of the width cannot sum
    /// past 2⁶⁴, and the loop then keeps only the running value Q (the sum is Q − Q₀, exact).
    @inline(__always)
    private static func prefixTimes(
        _ c: Int, q0: Int64, quantum dk: Int64, into times: UnsafeMutablePointer<UInt64>,
        canCarry: Bool, delta: (Int) -> UInt64
    ) -> (sum: UInt64, carried: Bool) {
        if !canCarry {
            var q = UInt64(bitPattern: q0)
            let d = UInt64(bitPattern: dk)
            for i in 0..<c {
                q &+= delta(i)
                times[i] = q &* d
            }
            return (q &- UInt64(bitPattern: q0), false)
        }
        var sum: UInt64 = 0, carry: UInt64 = 0
        for i in 0..<c {
            let (s, o) = sum.addingReportingOverflow(delta(i))
            sum = s
            carry |= o ? 1 : 0
            times[i] = UInt64(bitPattern: (q0 &+ Int64(bitPattern: s)) &* dk)
        }
        return (sum, carry != 0)
    }

    /// Gathers the per-population times back into event order: event i takes the next time of its
    /// population `pops[i]`, from `streams` where population k's times start at `starts[k]`. Returns
    /// false when the merged times are not non-decreasing from `first` on.
    ///
    /// A cursor per population in memory would put a store-to-load chain (≈ 5 cycles) on every event;
    /// with ≤ 8 populations an event's rank within its population in the current block of 255 events is
    /// read from the byte lanes of one register (`lanes += 1 << 8·pop`), and the cursors (`cursor`, P
    /// entries, set from `starts` here) move once per block.
    @inline(never)
    static func gather(
        pops: UnsafePointer<UInt8>, _ n: Int, _ P: Int, streams a: UnsafePointer<UInt64>,
        starts: UnsafePointer<Int>, cursor: UnsafeMutablePointer<Int>, first: Int64,
        into out: UnsafeMutablePointer<Int64>
    ) -> Bool {
        for k in 0..<P { cursor[k] = starts[k] }
        var previous = first
        var bad: UInt64 = 0
        if P <= 8 {
            var i = 0
            while i < n {
                let end = Swift.min(n, i + 255)
                var lanes: UInt64 = 0
                while i < end {
                    let shift = UInt64(pops[i]) &* 8
                    let rank = Int(truncatingIfNeeded: (lanes &>> shift) & 0xFF)
                    lanes &+= 1 &<< shift
                    let t = Int64(bitPattern: a[cursor[Int(truncatingIfNeeded: shift &>> 3)] &+ rank])
                    bad |= UInt64(t < previous ? 1 : 0)
                    previous = t
                    out[i] = t
                    i += 1
                }
                for k in 0..<P { cursor[k] &+= Int(truncatingIfNeeded: (lanes &>> UInt64(8 * k)) & 0xFF) }
            }
        } else {
            for i in 0..<n {
                let k = Int(pops[i])
                let c = cursor[k]
                cursor[k] = c &+ 1
                let t = Int64(bitPattern: a[c])
                bad |= UInt64(t < previous ? 1 : 0)
                previous = t
                out[i] = t
            }
        }
        return bad == 0
    }
}
