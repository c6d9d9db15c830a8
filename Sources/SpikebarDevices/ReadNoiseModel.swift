import Foundation
import SpikebarCore

/// Read-to-read noise of one cell: **1/f noise** (a relative fluctuation whose amplitude falls as the
/// conductance rises) plus **random telegraph noise** (one trap switching between two states, a jump of
/// `ΔG` with a level-dependent amplitude). A read of a cell of conductance `G` at level `k` returns
///
/// ```
/// G_read = G · (1 + f_k · ξ) + ΔG_k · (s − p_k),   ξ ~ N(0, 1) fresh per read,  s ∈ {0, 1}
/// ```
///
/// where `s` is the trap state (a two-state Markov chain with mean dwell times `τ_up`, `τ_down`) and
/// `p_k = τ_up/(τ_up + τ_down)` its stationary occupancy, so the read mean is `G` and the read variance
/// `(f_k G)² + ΔG_k² p_k (1 − p_k)`. The 1/f part is a white deviate per read: its std is the 1/f
/// spectrum integrated over the read bandwidth (`f_k`), and its correlations between reads are not
/// modelled (documented approximation). Sources: `DeviceLevel.hfo2`.
public struct ReadNoiseModel: Sendable {
    public let level: DeviceLevel

    public init(level: DeviceLevel) { self.level = level }

    /// Std of one read of a cell of conductance `g` (S), 1/f and RTN together.
    public func std(conductance g: Siemens) -> Siemens {
        let f = level.flickerNoise * g, p = level.rtnOccupancy
        return (f * f + level.rtnAmplitude * level.rtnAmplitude * p * (1 - p)).squareRoot()
    }

    /// The telegraph term `ΔG·(s − p)` of one read with the trap drawn from its stationary occupancy:
    /// `s = 1` when `uniform` (in [0, 1)) falls below `p`. Zero-mean. In whatever unit `jump` is given
    /// (S, or C for the charge of a read): the event kernel draws it fresh at every read.
    @inlinable @inline(__always)
    public static func stationaryTelegraph(jump: Double, occupancy p: Double, uniform: Double) -> Double {
        jump * ((uniform < p ? 1.0 : 0.0) - p)
    }

    /// Probability that the trap is in the other state after `interval` seconds, from state up (`s = 1`)
    /// or down (`s = 0`): `P(1→0) = (1 − p)(1 − e^{−λΔ})`, `P(0→1) = p(1 − e^{−λΔ})`, `λ = 1/τ_up + 1/τ_down`.
    public func switchProbability(fromUp: Bool, interval: Seconds) -> Double {
        let tu = level.rtnTauUp, td = level.rtnTauDown
        guard tu > 0, td > 0 else { return 0 }
        let mix = -expm1(-interval * (1 / tu + 1 / td))
        let p = level.rtnOccupancy
        return fromUp ? (1 - p) * mix : p * mix
    }

    /// `count` successive reads of a cell of conductance `g`, `interval` seconds apart: the trap follows
    /// its Markov chain from a stationary start, 1/f noise is fresh per read. Used to characterise the
    /// model (mean, std, RTN jump histogram) and by `Tests/…/ReadNoiseStatisticsTests`.
    public func reads(conductance g: Siemens, count: Int, interval: Seconds, using rng: inout RandomStream) -> (values: [Siemens], states: [UInt8]) {
        var values = [Siemens](repeating: 0, count: Swift.max(0, count))
        var states = [UInt8](repeating: 0, count: Swift.max(0, count))
        let p = level.rtnOccupancy
        var up = rng.nextUniform() < p
        let pUpDown = switchProbability(fromUp: true, interval: interval)
        let pDownUp = switchProbability(fromUp: false, interval: interval)
        for k in 0..<Swift.max(0, count) {
            if k > 0 { if rng.nextUniform() < (up ? pUpDown : pDownUp) { up.toggle() } }
            let s = up ? 1.0 : 0.0
            values[k] = g * (1 + level.flickerNoise * rng.nextGaussian()) + level.rtnAmplitude * (s - p)
            states[k] = up ? 1 : 0
        }
        return (values, states)
    }
}
