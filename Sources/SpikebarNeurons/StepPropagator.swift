import SpikebarCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The exact exponential propagator over a fixed step `dt` (DESIGN §2, the twin's discretisation and
/// the kernel's `grid(dt)` mode): `V ← β·V + κ·I`, `I ← α·I`, with `α = e^{−dt/τ_syn}`,
/// `β = e^{−dt/τ_mem}` and `κ = c·(α − β)` — `LIFDynamics.propagate` at `t = dt`, computed once.
public struct StepPropagator: Sendable, Equatable {
    public var alpha: Double, beta: Double, kappa: Double
    /// Refractory period in whole steps (t_ref / dt, rounded).
    public var refractorySteps: Int

    public init(_ k: NeuronConstants, dt: Seconds) {
        alpha = exp(-dt * k.rateSyn)
        beta = exp(-dt * k.rateMem)
        kappa = k.coupling * (alpha - beta)
        refractorySteps = Int((Double(k.refractoryPicoseconds) * 1e-12 / dt).rounded())
    }

    /// One step of the membrane and synapse, outside the refractory period. The order of operations
    /// is part of the replay contract: every stepped engine calls this function.
    @inlinable @inline(__always)
    public func step(v: inout Double, i: inout Double) {
        StepPropagator.step(v: &v, i: &i, alpha: alpha, beta: beta, kappa: kappa)
    }

    /// The step with its coefficients passed in: the twin keeps α, β, κ as structure-of-arrays and
    /// calls this in its inner loop, so kernel and twin run the same operations in the same order.
    @inlinable @inline(__always)
    public static func step(v: inout Double, i: inout Double, alpha: Double, beta: Double, kappa: Double) {
        v = beta * v + kappa * i
        i = alpha * i
    }

    /// `step` on four neurons at once, lane for lane the same operations in the same order (Swift never
    /// fuses `a·b + c`), so a lane's result is the scalar step's bit for bit: grid mode advances a layer
    /// four neurons at a time with it.
    @inlinable @inline(__always)
    public static func step(
        v: inout SIMD4<Double>, i: inout SIMD4<Double>, alpha: SIMD4<Double>, beta: SIMD4<Double>, kappa: SIMD4<Double>
    ) {
        v = beta * v + kappa * i
        i = alpha * i
    }

    /// One step inside the refractory period: V held at `reset`, I decays (`I ← α·I`). Every stepped
    /// engine (grid mode, the dense reference, the twin) calls this, as it calls `step` outside it.
    @inlinable @inline(__always)
    public static func heldStep(v: inout Double, i: inout Double, alpha: Double, reset: Double) {
        i = alpha * i
        v = reset
    }

    /// Partial derivatives of one step, for the twin's backward pass: `∂V'/∂V = β`, `∂V'/∂I = κ`,
    /// `∂I'/∂I = α` (the step is linear in the state).
    @inlinable public var jacobian: (dVdV: Double, dVdI: Double, dIdI: Double) { (beta, kappa, alpha) }
}
