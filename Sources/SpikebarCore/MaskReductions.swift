/// Fast reductions of four-lane masks for the kernel's hot loops.
///
/// The standard library's `any(_:)`/`all(_:)` reduce a `SIMDMask` through a generic lane-by-lane path
/// that baseline x86-64 turns into a chain of extractions; these fold the two halves first (one vector
/// OR/AND), then two lanes. Same results, fewer instructions on the critical path.
extension SIMDMask where Storage == SIMD4<Int64> {
    /// True when at least one lane is set.
    @inlinable @inline(__always)
    public var anyLane: Bool {
        let bits = unsafeBitCast(self, to: SIMD4<Int64>.self)  // lanes are 0 or −1
        let half = bits.lowHalf | bits.highHalf
        return (half[0] | half[1]) != 0
    }

    /// True when every lane is set.
    @inlinable @inline(__always)
    public var allLanes: Bool {
        let bits = unsafeBitCast(self, to: SIMD4<Int64>.self)
        let half = bits.lowHalf & bits.highHalf
        return (half[0] & half[1]) != 0
    }
}
