import Foundation
import SpikebarCore

/// How a programmed conductance evolves with the time since programming `t`: **relaxation** (each
/// level's distribution broadens within milliseconds) and **retention drift** (the means of the lower
/// levels fall with log time and the spreads grow).
///
/// For a cell programmed to `G₀` at level `k` (statistics `DeviceLevel`):
///
/// ```
/// D(t)  = log10(1 + t / t_onset)                         decades of drift
/// r(t)  = 1 − exp(−t / τ_relax)                          relaxed fraction
/// G(t)  = G₀ · (1 − ν_k · D(t)) + s(t) · ξ,   ξ ~ N(0, 1) fixed per cell and chip sample
/// s(t)² = r(t) · σ_relax,k² + (σ_decade,k · D(t))²        added spread
/// ```
///
/// clipped at 0 S. The level's distribution therefore has mean `G_k·(1 − ν_k D)` and std
/// `√((1 − ν_k D)²σ_prog,k² + s(t)²)`. One ξ per cell keeps a cell's trajectory consistent over time
/// (the same chip sample read at 5 s and at 1 h is the same chip, further drifted). Sources and status
/// of the parameters: `DeviceLevel.hfo2` and `Docs/devices.md#time-since-programming`.
public struct DeviceTimeModel: Sendable, Equatable, Codable {
    /// Relaxation time constant (s): the broadening is complete a few τ after programming.
    public var relaxationTime: Seconds
    /// Drift onset `t_onset` (s): the time scale after which log-time drift starts.
    public var driftOnset: Seconds

    public init(relaxationTime: Seconds = 1e-3, driftOnset: Seconds = 1) {
        self.relaxationTime = relaxationTime; self.driftOnset = driftOnset
    }

    /// Decades of drift at `t`: `log10(1 + t / t_onset)`.
    public func decades(at t: Seconds) -> Double { log10(1 + Swift.max(0, t) / driftOnset) }

    /// Relaxed fraction at `t`: `1 − exp(−t / τ_relax)`.
    public func relaxed(at t: Seconds) -> Double { t <= 0 ? 0 : -expm1(-t / relaxationTime) }

    /// Factor applied to a programmed conductance of level `level` at `t`: `1 − ν·D(t)` (≥ 0).
    public func meanFactor(_ level: DeviceLevel, at t: Seconds) -> Double {
        Swift.max(0, 1 - level.driftPerDecade * decades(at: t))
    }

    /// Std added by relaxation and drift at `t` (S): `s(t)`.
    public func addedStd(_ level: DeviceLevel, at t: Seconds) -> Siemens {
        let d = level.spreadPerDecade * decades(at: t)
        return (relaxed(at: t) * level.relaxationStd * level.relaxationStd + d * d).squareRoot()
    }

    /// The conductance at `t` of a cell programmed to `g0` at `level`, with its own deviate `xi`.
    public func evolve(_ g0: Siemens, level: DeviceLevel, at t: Seconds, xi: Double) -> Siemens {
        Swift.max(0, g0 * meanFactor(level, at: t) + addedStd(level, at: t) * xi)
    }

    /// Mean and std of level `level` at `t` when programming left it with std `programmed` around its target.
    public func distribution(_ level: DeviceLevel, programmedStd: Siemens, at t: Seconds) -> (mean: Siemens, std: Siemens) {
        let f = meanFactor(level, at: t), s = addedStd(level, at: t)
        return (level.conductance * f, (f * f * programmedStd * programmedStd + s * s).squareRoot())
    }
}
