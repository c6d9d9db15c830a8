import SpikebarCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum LIFDynamics {
    /// State after `t` seconds without input and outside the refractory period.
    @inlinable @inline(__always)
    public static func propagate(v: Double, i: Double, t: Double, _ k: NeuronConstants) -> (v: Double, i: Double) {
        apply(
            v: v, i: i, decaySyn: FastMath.expNonPositive(-t * k.rateSyn),
            decayMem: FastMath.expNonPositive(-t * k.rateMem), coupling: k.coupling)
    }

    /// The closed form with its decay factors `a = e^{−t/τ_syn}`, `b = e^{−t/τ_mem}` already computed
    /// (the kernel computes them for a whole layer at once, vectorised).
    @inlinable @inline(__always)
    public static func apply(v: Double, i: Double, decaySyn a: Double, decayMem b: Double, coupling c: Double) -> (v: Double, i: Double) {
        (v * b + c * i * (a - b), i * a)
    }

    /// `apply` on four neurons at once (the exact-mode delivery loop): the same expression, evaluated in
    /// the same order lane by lane, so each lane is bit-identical to the scalar `apply`.
    @inlinable @inline(__always)
    public static func apply(
        v: SIMD4<Double>, i: SIMD4<Double>, decaySyn a: SIMD4<Double>, decayMem b: SIMD4<Double>,
        coupling c: SIMD4<Double>
    ) -> (v: SIMD4<Double>, i: SIMD4<Double>) {
        (v * b + c * i * (a - b), i * a)
    }

    /// State after `t` seconds without input, of which the first `held` seconds (≤ t) are the rest of a
    /// refractory period: V is pinned at reset while I decays, then both evolve.
    @inlinable
    public static func propagate(v: Double, i: Double, t: Double, held: Double, _ k: NeuronConstants) -> (v: Double, i: Double) {
        if held <= 0 { return propagate(v: v, i: i, t: t, k) }
        let i1 = i * FastMath.expNonPositive(-held * k.rateSyn)
        if t <= held { return (k.reset, i1) }
        return propagate(v: k.reset, i: i1, t: t - held, k)
    }

    /// `propagate(v:i:t:)` on four neurons at once (no lane refractory), lane-for-lane identical to it.
    @inlinable @inline(__always)
    public static func propagate(
        v: SIMD4<Double>, i: SIMD4<Double>, t: SIMD4<Double>, rateSyn: SIMD4<Double>,
        rateMem: SIMD4<Double>, coupling: SIMD4<Double>
    ) -> (v: SIMD4<Double>, i: SIMD4<Double>) {
        apply(
            v: v, i: i, decaySyn: FastMath.expNonPositive(-t * rateSyn),
            decayMem: FastMath.expNonPositive(-t * rateMem), coupling: coupling)
    }

    /// `propagate(v:i:t:held:)` on four neurons at once, with the decay over the whole interval `t` and
    /// the refractory part `held` (s, 0 for a lane that is not refractory; `held ≤ t`) given per lane.
    /// A refractory lane's V restarts from `reset` after its hold while I decays throughout; the
    /// remaining `t − held` is evaluated as in the scalar function, so every lane is bit-identical to it.
    @inlinable @inline(__always)
    public static func propagate(
        v: SIMD4<Double>, i: SIMD4<Double>, t: SIMD4<Double>, held: SIMD4<Double>,
        reset: SIMD4<Double>, rateSyn: SIMD4<Double>, rateMem: SIMD4<Double>,
        coupling: SIMD4<Double>
    ) -> (v: SIMD4<Double>, i: SIMD4<Double>) {
        let refractory = held .> 0
        if !refractory.anyLane {
            return propagate(v: v, i: i, t: t, rateSyn: rateSyn, rateMem: rateMem, coupling: coupling)
        }
        let i1 = i.replacing(with: i * FastMath.expNonPositive(-held * rateSyn), where: refractory)
        let v0 = v.replacing(with: reset, where: refractory)
        let free = (t - held).replacing(with: t, where: .!refractory)
        return apply(
            v: v0, i: i1, decaySyn: FastMath.expNonPositive(-free * rateSyn),
            decayMem: FastMath.expNonPositive(-free * rateMem), coupling: coupling)
    }

    /// Upper bound of dV/dt (V/s) from now on without further input, given V₀ and the drive R·I₀: with
    /// I ≥ 0 decaying, `τ_mem·dV/dt = R·I − V ≤ R·I₀ − min(V₀, 0)`. V therefore stays below θ for at least
    /// `(θ − V₀)/bound` seconds — the lower bound of a crossing time the kernel schedules its checks by.
    @inlinable @inline(__always)
    public static func riseRateBound(v: Double, drive: Double, rateMem: Double) -> Double {
        (drive - Swift.min(v, 0)) * rateMem
    }

    /// `riseRateBound` on four neurons (lane-identical).
    @inlinable @inline(__always)
    public static func riseRateBound(v: SIMD4<Double>, drive: SIMD4<Double>, rateMem: SIMD4<Double>) -> SIMD4<Double> {
        (drive - v.replacing(with: 0, where: v .> 0)) * rateMem
    }

    /// Whether V can reach θ in the future without further input. Since R·I(t) decays monotonically
    /// towards 0 and dV/dt < 0 whenever V > R·I, V never exceeds max(V₀, R·I₀, 0): a cheap test that
    /// spares the root search for almost every update.
    @inlinable @inline(__always)
    public static func mayCross(v: Double, i: Double, _ k: NeuronConstants) -> Bool {
        v >= k.threshold || k.resistance * i >= k.threshold
    }

    /// Time (s, ≥ 0) from now at which V first reaches θ without further input, or nil if never.
    ///
    /// V(t) − θ is a sum of two exponentials minus a constant, so it has at most one extremum. If V is
    /// rising now, the maximum is at `t_peak = ln(−b₀τ_syn/(a₀τ_mem)) / (1/τ_mem − 1/τ_syn)` with
    /// `a₀ = c·I₀`, `b₀ = V₀ − c·I₀`; the crossing, if V(t_peak) ≥ θ, is bracketed by [0, t_peak] and
    /// refined by safeguarded Newton iteration to 10⁻¹⁵ s (far below the kernel's 1 ps resolution) —
    /// precise event timing as in NEST's `iaf_psc_exp_ps` (Morrison et al., Neural Comput. 19, 2007).
    /// Never early: `crossing(v:i:_:).notBefore`.
    public static func firstCrossing(v: Double, i: Double, _ k: NeuronConstants) -> Double? {
        crossing(v: v, i: i, k)?.notBefore
    }

    /// The first crossing (see `firstCrossing`) as two times (s from now): `root`, the search's best
    /// estimate of the root (the converged Newton iterate, within ≈ 10⁻¹⁵ s of it and not biased either
    /// way beyond that), and `notBefore ≥ root`, a time at which V ≥ θ for certain — `root` itself when V
    /// has reached θ there, else 10 fs later when converged (Newton approaches the root from below on the
    /// rising flank, so a converged iterate may sit a rounding error short of it), capped at the bracket's
    /// end. The event kernel orders the spike by `notBefore` (never early) and resets the neuron at `root`,
    /// so that the 10 fs allowance does not accumulate over a burst (issue #19).
    public static func crossing(v: Double, i: Double, _ k: NeuronConstants) -> (root: Double, notBefore: Double)? {
        let theta = k.threshold
        if v >= theta { return (0, 0) }
        if !mayCross(v: v, i: i, k) { return nil }
        let a0 = k.coupling * i  // coefficient of e^{−t/τ_syn}
        let b0 = v - a0  // coefficient of e^{−t/τ_mem}
        // dV/dt at 0 = −b0/τ_mem − a0/τ_syn
        let slope0 = -b0 * k.rateMem - a0 * k.rateSyn
        if slope0 <= 0 { return nil }
        let ratio = -(b0 * k.rateMem) / (a0 * k.rateSyn)
        guard ratio > 0 else { return nil }
        let tPeak = log(ratio) / (k.rateMem - k.rateSyn)
        guard tPeak.isFinite, tPeak > 0 else { return nil }
        // V(t) − θ and its derivative from one pair of exponentials (both decays in one vector call).
        func fdf(_ t: Double) -> (f: Double, df: Double) {
            let e = FastMath.expNonPositive(SIMD4(-t * k.rateMem, -t * k.rateSyn, 0, 0))
            return (b0 * e[0] + a0 * e[1] - theta, -b0 * k.rateMem * e[0] - a0 * k.rateSyn * e[1])
        }
        func f(_ t: Double) -> Double { fdf(t).f }
        if f(tPeak) < 0 { return nil }
        var lo = 0.0, hi = tPeak
        var t = 0.0
        var converged = false
        for _ in 0..<200 {
            let (ft, d) = fdf(t)
            if ft >= 0 { hi = t } else { lo = t }
            var next = d > 0 ? t - ft / d : (lo + hi) / 2
            if !(next > lo && next < hi) { next = (lo + hi) / 2 }
            if abs(next - t) <= 1e-15 || hi - lo <= 1e-15 { t = next; converged = true; break }
            t = next
        }
        if f(t) >= 0 { return (t, t) }
        return converged ? (t, min(hi, t + 1e-14)) : (hi, hi)
    }
}
