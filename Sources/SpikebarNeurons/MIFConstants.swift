import SpikebarCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The MIF neuron's equations discretised by forward Euler at step `dt` — the one place they live.
/// The twin (`MIFNetwork`) and the kernel's MIF grid mode (`MIFGridKernel`) both call `step`, and the
/// twin's backward pass calls `jacobian`, so both engines run the same operations in the same order.
///
/// Every operation is smooth (sigmoids, products), so BPTT differentiates the actual dynamics: no
/// surrogate gradient. The four GMMS rates share one exponential `u = e^{V/V_T}`:
/// `α = u/(u + e^{V_on/V_T})`, `β = 1/(1 + u·e^{V_off/V_T})`.
///
/// ```swift
/// let k = MIFConstants(.default, dt: 10e-6)
/// var s = k.rest
/// for _ in 0..<1000 { k.step(&s, current: 4e-9) }
/// ```
public struct MIFConstants: Sendable, Equatable {
    public var dt: Seconds
    /// dt/C (V/A).
    public var dtOverC: Double
    /// OFF conductance and ON − OFF conductance of M1, M2 (S).
    public var gOff1: Double, dG1: Double, gOff2: Double, dG2: Double
    public var e1: Double, e2: Double
    /// e^{V_on/V_T}, e^{V_off/V_T} of M1, M2.
    public var kOn1: Double, kOff1: Double, kOn2: Double, kOff2: Double
    /// dt/τ and dt/τ_vol of M1, M2.
    public var r1: Double, rv1: Double, r2: Double, rv2: Double
    /// 1/V_T (1/V).
    public var invVT: Double
    public var spikeThreshold: Double, signalFloor: Double

    public init(_ p: MIFParameters, dt: Seconds) {
        self.dt = dt
        dtOverC = dt / p.capacitance
        gOff1 = 1 / p.spike.rOff; dG1 = 1 / p.spike.rOn - gOff1
        gOff2 = 1 / p.reset.rOff; dG2 = 1 / p.reset.rOn - gOff2
        e1 = p.spike.reversal; e2 = p.reset.reversal
        invVT = 1 / p.thermalVoltage
        kOn1 = exp(p.spike.vOn * invVT); kOff1 = exp(p.spike.vOff * invVT)
        kOn2 = exp(p.reset.vOn * invVT); kOff2 = exp(p.reset.vOff * invVT)
        r1 = dt / p.spike.tau; rv1 = dt / p.spike.tauVolatile
        r2 = dt / p.reset.tau; rv2 = dt / p.reset.tauVolatile
        spikeThreshold = p.spikeThreshold; signalFloor = p.signalFloor
    }

    /// The resting state: V at the resting potential, both devices at their equilibrium there.
    public var rest: MIFState {
        var s = MIFState(v: (gOff1 * e1 + gOff2 * e2) / (gOff1 + gOff2), x1: 0, x2: 0)
        // The devices' equilibrium at rest (linear in x at fixed V).
        let (a1, b1, a2, b2) = rates(s.v)
        s.x1 = r1 * a1 / (r1 * (a1 + b1) + rv1)
        s.x2 = r2 * a2 / (r2 * (a2 + b2) + rv2)
        return s
    }

    /// e^{V/V_T}, clamped so that it stays finite for any V.
    @inlinable @inline(__always)
    public func expV(_ v: Double) -> Double { exp(Swift.min(700, Swift.max(-700, v * invVT))) }

    /// α₁, β₁, α₂, β₂ at membrane voltage V.
    @inlinable @inline(__always)
    public func rates(_ v: Double) -> (Double, Double, Double, Double) {
        let u = expV(v)
        return (u / (u + kOn1), 1 / (1 + u * kOff1), u / (u + kOn2), 1 / (1 + u * kOff2))
    }

    /// One forward-Euler step with input current `current` (A) held over the step.
    @inlinable @inline(__always)
    public func step(_ s: inout MIFState, current: Double) {
        let (a1, b1, a2, b2) = rates(s.v)
        let g1 = gOff1 + dG1 * s.x1, g2 = gOff2 + dG2 * s.x2
        let v = s.v + dtOverC * (current - g1 * (s.v - e1) - g2 * (s.v - e2))
        let x1 = s.x1 + r1 * ((1 - s.x1) * a1 - s.x1 * b1) - rv1 * s.x1
        let x2 = s.x2 + r2 * ((1 - s.x2) * a2 - s.x2 * b2) - rv2 * s.x2
        s = MIFState(v: v, x1: x1, x2: x2)
    }

    /// The signal the neuron drives its output row with (0…1): x₁, the normalised conductance of the
    /// spike memristor — ≈ 1 during a spike, ≈ 0 at rest — or exactly 0 below `signalFloor` (the row is
    /// not read).
    @inlinable @inline(__always)
    public func signal(_ x1: Double) -> Double { x1 >= signalFloor ? x1 : 0 }

    /// Partial derivatives of one step at state `s` (the state the step starts from): rows V', x₁', x₂';
    /// `dVdI = dt/C` is the derivative with respect to the input current.
    @inlinable @inline(__always)
    public func jacobian(
        _ s: MIFState
    ) -> (
        vv: Double, vx1: Double, vx2: Double, x1v: Double, x1x1: Double,
        x2v: Double, x2x2: Double
    ) {
        let (a1, b1, a2, b2) = rates(s.v)
        let g1 = gOff1 + dG1 * s.x1, g2 = gOff2 + dG2 * s.x2
        // dα/dV = α(1 − α)/V_T, dβ/dV = −β(1 − β)/V_T
        let da1 = a1 * (1 - a1) * invVT, db1 = -b1 * (1 - b1) * invVT
        let da2 = a2 * (1 - a2) * invVT, db2 = -b2 * (1 - b2) * invVT
        return (
            vv: 1 - dtOverC * (g1 + g2),
            vx1: -dtOverC * dG1 * (s.v - e1),
            vx2: -dtOverC * dG2 * (s.v - e2),
            x1v: r1 * ((1 - s.x1) * da1 - s.x1 * db1),
            x1x1: 1 - r1 * (a1 + b1) - rv1,
            x2v: r2 * ((1 - s.x2) * da2 - s.x2 * db2),
            x2x2: 1 - r2 * (a2 + b2) - rv2
        )
    }

    /// Energy (J) the neuron dissipates over one step: Joule heat in both memristors
    /// `G·(V − E)²·dt`. With the capacitor's stored energy this is what the rails supply (Docs/mif-neurons.md).
    @inlinable @inline(__always)
    public func stepEnergy(_ s: MIFState) -> Double {
        let g1 = gOff1 + dG1 * s.x1, g2 = gOff2 + dG2 * s.x2
        let d1 = s.v - e1, d2 = s.v - e2
        return (g1 * d1 * d1 + g2 * d2 * d2) * dt
    }
}
