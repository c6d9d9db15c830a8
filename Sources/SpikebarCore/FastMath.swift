/// Branch-free elementary functions for the kernel's hot loops.
public enum FastMath {
    /// e^x for x ≤ 0 (the decay factors e^{−Δt/τ}), accurate to a few ulp, branch-free so that loops over
    /// neurons vectorise. Cody–Waite reduction x = k·ln2 + r with |r| ≤ ln2/2 (ln2 split in a high and a
    /// low part), e^r by its degree-13 Taylor polynomial (truncation < 2⁻⁵⁷ on that interval, Horner form),
    /// 2^k assembled in the exponent bits. Inputs below −708 are clamped (the result, < 1e−307, is
    /// negligible against any state it multiplies). Checked against `Foundation.exp` in the tests.
    @inlinable @inline(__always)
    public static func expNonPositive(_ x: Double) -> Double {
        // One arithmetic for scalar and vector callers, so their results are bit-identical.
        expNonPositive(SIMD4<Double>(repeating: x))[0]
    }
}

extension FastMath {
    /// `expNonPositive` on four lanes at once (the scalar function evaluates one splatted lane of it).
    /// Written with SIMD types so that it vectorises on any target.
    ///
    /// Arguments in [−1/16, 0] — the decay over a short gap between events, the common case in the
    /// kernel — take a shorter path: the degree-8 Taylor polynomial without range reduction
    /// (truncation ≤ (1/16)⁹/9! ≈ 4·10⁻¹⁷). Each lane's path depends on that lane's argument only, so a
    /// lane's result never depends on its neighbours (mixed vectors evaluate both paths and blend).
    @inlinable @inline(__always)
    public static func expNonPositive(_ x: SIMD4<Double>) -> SIMD4<Double> {
        let small = x .>= -0.0625
        if small.allLanes { return expSmall(x) }
        let wide = expReduced(x)
        if !small.anyLane { return wide }
        return wide.replacing(with: expSmall(x), where: small)
    }

    /// e^x for x ∈ [−1/16, 0]: Taylor polynomial of degree 8 in Estrin's form (pairs of terms combined
    /// by powers x², x⁴, x⁸), whose dependency chain is about a third of Horner's: the kernel evaluates
    /// it for every synaptic event, and latency, not arithmetic, bounds it.
    @inlinable @inline(__always)
    static func expSmall(_ x: SIMD4<Double>) -> SIMD4<Double> {
        let x2 = x * x, x4 = x2 * x2
        let p01 = x + 1.0
        let p23 = x * 0.16666666666666666 + 0.5  // 1/3!, 1/2!
        let p45 = x * 0.008333333333333333 + 0.041666666666666664  // 1/5!, 1/4!
        let p67 = x * 0.0001984126984126984 + 0.001388888888888889  // 1/7!, 1/6!
        let p8 = SIMD4<Double>(repeating: 2.48015873015873e-05)  // 1/8!
        let q0 = x2 * p23 + p01
        let q1 = x2 * p67 + p45
        return x4 * (x4 * p8 + q1) + q0
    }

    /// e^x for x ≤ 0 with Cody–Waite range reduction (any argument).
    @inlinable @inline(__always)
    static func expReduced(_ x: SIMD4<Double>) -> SIMD4<Double> {
        let xc = x.replacing(with: -708.0, where: x .< -708.0)
        let shifter = SIMD4<Double>(repeating: 6755399441055744.0)
        let kd = (xc * 1.4426950408889634 + shifter) - shifter
        let r = (xc - kd * 0.6931471803691238) - kd * 1.9082149292705877e-10
        var p = SIMD4<Double>(repeating: 1.6059043836821613e-10)
        p = p * r + 2.08767569878681e-09
        p = p * r + 2.505210838544172e-08
        p = p * r + 2.755731922398589e-07
        p = p * r + 2.7557319223985893e-06
        p = p * r + 2.48015873015873e-05
        p = p * r + 0.0001984126984126984
        p = p * r + 0.001388888888888889
        p = p * r + 0.008333333333333333
        p = p * r + 0.041666666666666664
        p = p * r + 0.16666666666666666
        p = p * r + 0.5
        p = p * r + 1.0
        p = p * r + 1.0
        let k = unsafeBitCast(kd + shifter, to: SIMD4<UInt64>.self) &- unsafeBitCast(shifter, to: SIMD4<UInt64>.self)
        let scale = unsafeBitCast((k &+ 1023) &<< 52, to: SIMD4<Double>.self)
        return p * scale
    }
}
