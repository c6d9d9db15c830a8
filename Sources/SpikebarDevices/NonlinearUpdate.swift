import Foundation
import SpikebarCore

/// Nonlinear, asymmetric conductance updates of an analog RRAM under identical programming pulses — the
/// exponential potentiation/depression model, per pulse count `n`:
///
/// ```
/// potentiation (LTP):  G(n) = G_max − β_P · e^{−α_P n}
/// depression   (LTD):  G(n) = G_min + β_D · e^{−α_D n}
/// ```
///
/// with its nonlinearity metrics over a full sweep of `N` pulses (`ΔG = G_max − G_min`):
/// `PANL = G_LTP(N/2)/ΔG − 0.5`, `DANL = 0.5 − G_LTD(N/2)/ΔG`, `ANL = PANL + DANL` (the definitions of
/// Spikebar issue #8). Defaults: the Mo/TiOₓ device of the issue (G_max 674 nS, G_min 32.95 nS,
/// α_P 0.03058, β_P 626.8 nS, α_D 0.3534, β_D 921.9 nS, N ≈ 94), whose published PANL 0.32, DANL 0.45,
/// ANL 0.77 these formulas reproduce (`NonlinearUpdateTests`).
///
/// ```swift
/// let m = NonlinearUpdateModel.moTiOx
/// let (panl, danl, anl) = NonlinearityMetrics.of(m, pulses: 94)
/// ```
public struct NonlinearUpdateModel: Sendable, Equatable, Codable {
    public var gMax: Siemens, gMin: Siemens
    public var alphaP: Double, betaP: Siemens
    public var alphaD: Double, betaD: Siemens

    public init(gMax: Siemens, gMin: Siemens, alphaP: Double, betaP: Siemens, alphaD: Double, betaD: Siemens) {
        self.gMax = gMax; self.gMin = gMin; self.alphaP = alphaP; self.betaP = betaP; self.alphaD = alphaD; self.betaD = betaD
    }

    /// The Mo/TiOₓ device (parameters from the issue).
    public static let moTiOx = NonlinearUpdateModel(
        gMax: 674e-9, gMin: 32.95e-9, alphaP: 0.03058, betaP: 626.8e-9,
        alphaD: 0.3534, betaD: 921.9e-9)

    /// Conductance after `n` potentiation pulses (S).
    public func potentiation(_ n: Double) -> Siemens { gMax - betaP * exp(-alphaP * n) }
    /// Conductance after `n` depression pulses (S).
    public func depression(_ n: Double) -> Siemens { gMin + betaD * exp(-alphaD * n) }

    /// One potentiation pulse from conductance `g`: the pulse count `n` that the LTP curve has at `g`,
    /// then `G(n + 1)`; clipped to [G_min, G_max].
    public func potentiate(from g: Siemens) -> Siemens {
        let r = Swift.max(1e-300, (gMax - Swift.min(g, gMax)) / betaP)
        return Swift.min(gMax, Swift.max(gMin, gMax - betaP * r * exp(-alphaP)))
    }
    /// One depression pulse from conductance `g` (the LTD curve's next point), clipped to [G_min, G_max].
    public func depress(from g: Siemens) -> Siemens {
        let r = Swift.max(0, (Swift.max(g, gMin) - gMin) / betaD)
        return Swift.min(gMax, Swift.max(gMin, gMin + betaD * r * exp(-alphaD)))
    }

    /// A device-to-device variant: every parameter multiplied by `1 + cv·ξ` (ξ ~ N(0, 1), clipped so
    /// that it stays positive and G_max > G_min), from the keyed stream `rng`.
    public func sampled(cv: Double, using rng: inout RandomStream) -> NonlinearUpdateModel {
        func v(_ x: Double) -> Double { x * Swift.max(0.05, 1 + cv * rng.nextGaussian()) }
        var m = NonlinearUpdateModel(gMax: v(gMax), gMin: v(gMin), alphaP: v(alphaP), betaP: v(betaP), alphaD: v(alphaD), betaD: v(betaD))
        if m.gMax <= m.gMin { m.gMax = m.gMin * 1.01 }
        return m
    }
}

/// PANL / DANL / ANL of any measured or modelled device curve.
public enum NonlinearityMetrics {
    /// From sampled curves: `ltp[n]`, `ltd[n]` for n = 0…N (S), `ΔG = G_max − G_min` of the window.
    /// The value at `N/2` is interpolated linearly when N is odd.
    public static func of(ltp: [Siemens], ltd: [Siemens], gMax: Siemens, gMin: Siemens) -> (panl: Double, danl: Double, anl: Double) {
        func mid(_ c: [Siemens]) -> Double {
            guard !c.isEmpty else { return .nan }
            let x = Double(c.count - 1) / 2
            let lo = Int(x.rounded(.down)), hi = Swift.min(c.count - 1, lo + 1)
            return c[lo] + (c[hi] - c[lo]) * (x - Double(lo))
        }
        let dg = gMax - gMin
        let panl = mid(ltp) / dg - 0.5, danl = 0.5 - mid(ltd) / dg
        return (panl, danl, panl + danl)
    }

    /// From the exponential model over `pulses` (N) pulses.
    public static func of(_ m: NonlinearUpdateModel, pulses: Int) -> (panl: Double, danl: Double, anl: Double) {
        let ltp = (0...pulses).map { m.potentiation(Double($0)) }
        let ltd = (0...pulses).map { m.depression(Double($0)) }
        return of(ltp: ltp, ltd: ltd, gMax: m.gMax, gMin: m.gMin)
    }
}
