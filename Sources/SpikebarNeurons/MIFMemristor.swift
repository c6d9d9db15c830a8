import SpikebarCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One volatile memristor of the MIF neuron, in the generalised metastable-switch (GMMS) model of
/// Molter & Nugent ("The generalized metastable switch memristor model", CNNA 2016, arXiv:1608.04659;
/// Knowm's mean-MSS SPICE model `memristor_knowm.sub`), with a volatility term added:
///
/// ```
/// G(x)  = x/R_on + (1 − x)/R_off                                  (S)
/// dx/dt = (1/τ)·[(1 − x)·α(V) − x·β(V)] − x/τ_vol
/// α(V)  = 1/(1 + e^{−(V − V_on)/V_T})      β(V) = 1 − 1/(1 + e^{−(V + V_off)/V_T})
/// ```
/// `V` is the membrane voltage that gates the device (the HH-style abstraction of the MIF neuron:
/// each memristor is one "channel" whose switching is driven by the membrane potential), `x ∈ [0, 1]`
/// the fraction of metastable switches in the ON state. The `x/τ_vol` term is the spontaneous
/// relaxation of a volatile (diffusive) memristor: at zero bias the filament dissolves with time
/// constant τ_vol (Wang et al., Nat. Mater. 16, 2017, doi:10.1038/nmat4756, ~100 µs–ms); without it the
/// GMMS state is non-volatile (α(0), β(0) ≈ e^{−V_on/V_T} ≈ 10⁻⁵ for the parameters below).
public struct MIFMemristor: Sendable, Equatable, Codable {
    /// ON resistance (Ω).
    public var rOn: Ohms
    /// OFF resistance (Ω).
    public var rOff: Ohms
    /// Reversal (battery) voltage the device connects the membrane to (V).
    public var reversal: Volts
    /// Switching-ON voltage V_on (V): α = 1/2 at V = V_on.
    public var vOn: Volts
    /// Switching-OFF voltage V_off (V): β = 1/2 at V = −V_off.
    public var vOff: Volts
    /// GMMS switching time constant τ (s) (Knowm's default TAU = 100 µs).
    public var tau: Seconds
    /// Volatility time constant τ_vol (s): relaxation of x towards OFF at zero bias.
    public var tauVolatile: Seconds

    public init(rOn: Ohms, rOff: Ohms, reversal: Volts, vOn: Volts, vOff: Volts, tau: Seconds, tauVolatile: Seconds) {
        self.rOn = rOn; self.rOff = rOff; self.reversal = reversal; self.vOn = vOn; self.vOff = vOff
        self.tau = tau; self.tauVolatile = tauVolatile
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case rOn = "r_on", rOff = "r_off", reversal, vOn = "v_on", vOff = "v_off", tau, tauVolatile = "tau_volatile"
    }
    /// Decodes with `fallback` supplying the keys that are absent.
    static func decode(_ decoder: Decoder, fallback d: MIFMemristor) throws -> MIFMemristor {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let m = MIFMemristor(
            rOn: try c.positive(.rOn, default: d.rOn, unit: "Ω"),
            rOff: try c.positive(.rOff, default: d.rOff, unit: "Ω"),
            reversal: try c.decode(.reversal, default: d.reversal, in: -10...10, unit: "V"),
            vOn: try c.decode(.vOn, default: d.vOn, in: -10...10, unit: "V"),
            vOff: try c.decode(.vOff, default: d.vOff, in: -10...10, unit: "V"),
            tau: try c.positive(.tau, default: d.tau, unit: "s"),
            tauVolatile: try c.positive(.tauVolatile, default: d.tauVolatile, unit: "s"))
        guard m.rOff > m.rOn else { throw c.invalid(.rOff, "r_off (\(m.rOff) Ω) must exceed r_on (\(m.rOn) Ω)") }
        return m
    }
    public init(from decoder: Decoder) throws { self = try MIFMemristor.decode(decoder, fallback: MIFParameters.default.spike) }
}
