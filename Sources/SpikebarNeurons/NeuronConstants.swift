import SpikebarCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The closed-form solution of the DPI + LIF equations of `NeuronParameters` — the one place these
/// equations live. The event kernel integrates exactly between events with `propagate` and finds
/// threshold crossings with `firstCrossing`; the time-stepped engines use `StepPropagator`, which is
/// `propagate` evaluated at a fixed step.
///
/// With `a = e^{−t/τ_syn}`, `b = e^{−t/τ_mem}` and `c = R·τ_syn/(τ_syn − τ_mem)`:
/// ```
/// I(t) = I₀ · a
/// V(t) = V₀ · b + c · I₀ · (a − b)
/// ```
/// (the standard solution for exponential current synapses; e.g. Rotter & Diesmann, Biol. Cybern. 81,
/// 1999, doi:10.1007/s004220050570). τ_syn = τ_mem is the degenerate case; `NeuronConstants` nudges
/// τ_syn by one part in 10⁹ so that `c` stays finite (an error far below any measured spread).
public struct NeuronConstants: Sendable, Equatable {
    /// 1/τ_syn and 1/τ_mem (1/s).
    public var rateSyn: Double, rateMem: Double
    /// c = R·τ_syn/(τ_syn − τ_mem) (Ω).
    public var coupling: Double
    /// gain/τ_syn (1/s): current added per coulomb of read charge.
    public var chargeToCurrent: Double
    /// R (Ω): `R·I` bounds every future V (see `mayCross`).
    public var resistance: Double
    public var threshold: Double, reset: Double
    /// Refractory period in picoseconds.
    public var refractoryPicoseconds: Int64

    public init(_ p: NeuronParameters) {
        var tauSyn = p.tauSyn
        if abs(tauSyn - p.tauMem) <= 1e-9 * p.tauMem { tauSyn = p.tauMem * (1 + 1e-9) }
        rateSyn = 1 / tauSyn
        rateMem = 1 / p.tauMem
        coupling = p.resistance * tauSyn / (tauSyn - p.tauMem)
        chargeToCurrent = p.synapseGain / tauSyn
        resistance = p.resistance
        threshold = p.threshold
        reset = p.reset
        refractoryPicoseconds = Int64((p.refractory * 1e12).rounded())
    }
}
