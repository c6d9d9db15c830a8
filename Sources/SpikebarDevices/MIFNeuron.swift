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
        let m = MIFMemristor(rOn: try c.positive(.rOn, default: d.rOn, unit: "Ω"),
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

/// Parameters of the memristive integrate-and-fire (MIF) neuron: a membrane capacitor and two volatile
/// memristors, after the MIF model of Zhou, Choi, Eshraghian & Kang ("A fully memristive spiking
/// neural network with unsupervised learning", arXiv:2203.01416) and its BPTT training in MEMprop
/// (Zhou et al., "Gradient-based neuromorphic learning on dynamical RRAM arrays", IEEE JETCAS 12(4),
/// 2022, doi:10.1109/JETCAS.2022.3224071, arXiv:2206.12992). Circuit (Docs/mif-neurons.md):
///
/// ```
/// C·dV/dt = I_in − G₁(x₁)·(V − E₁) − G₂(x₂)·(V − E₂)
/// ```
/// M1 (`spike`, E₁ > 0) switches ON as V approaches its V_on and drives the upstroke (depolarisation);
/// M2 (`reset`, E₂ < 0, higher V_on, slower volatility) switches ON at the top of the spike and pulls V
/// below rest (repolarisation, hyperpolarisation: the refractory period). The OFF conductances set the
/// resting potential `(E₁/R_off1 + E₂/R_off2)/(1/R_off1 + 1/R_off2)` (0 V with the defaults) and the leak.
///
/// The defaults are this project's choice, in the ranges of volatile diffusive memristors; the
/// published tables of the MIF papers could not be retrieved (Docs/mif-neurons.md, "Parameters"), so
/// each value is justified there. Units SI.
public struct MIFParameters: Sendable, Equatable, Codable {
    /// Membrane capacitance C (F). Default 10 pF (an on-chip MIM capacitor of ≈ 5,000 µm² at 2 fF/µm²).
    public var capacitance: Double
    /// M1: the spike-generating memristor (to the positive rail E₁).
    public var spike: MIFMemristor
    /// M2: the reset / refractory memristor (to the negative rail E₂).
    public var reset: MIFMemristor
    /// Thermal voltage V_T = kT/q (V) of the GMMS rates: 25.7 mV at 298.5 K, the temperature of Knowm's
    /// model.
    public var thermalVoltage: Volts
    /// A spike is counted when x₁ rises through this value (dimensionless, 0…1).
    public var spikeThreshold: Double
    /// Rows driven with an amplitude below this are not read (the signal is exactly 0 below it).
    public var signalFloor: Double
    /// Time constant τ_α of the alpha-shaped input drive `a(t) = (t/τ_α)·e^{1 − t/τ_α}` (s), peak 1 at τ_α.
    public var alphaTau: Seconds
    /// Current mirror ratio from the crossbar column into the membrane, per layer of neurons
    /// (dimensionless): `I = gain · V_read · (G⁺ − G⁻) · u · t_read/dt` (Docs/mif-neurons.md).
    public var gains: [Double]
    /// What the class scores read from the output neurons (a smooth function of the dynamics).
    public var readout: MIFReadout

    public init(capacitance: Double, spike: MIFMemristor, reset: MIFMemristor, thermalVoltage: Volts,
                spikeThreshold: Double, signalFloor: Double, alphaTau: Seconds, gains: [Double], readout: MIFReadout = .membrane) {
        self.capacitance = capacitance; self.spike = spike; self.reset = reset; self.thermalVoltage = thermalVoltage
        self.spikeThreshold = spikeThreshold; self.signalFloor = signalFloor; self.alphaTau = alphaTau; self.gains = gains
        self.readout = readout
    }

    /// The defaults (Docs/mif-neurons.md, "Parameters"): C 10 pF; M1 5 MΩ/2 GΩ to +1 V, V_on 0.3 V,
    /// V_off 0.1 V, τ 50 µs, τ_vol 100 µs; M2 2 MΩ/1 GΩ to −0.5 V, V_on 0.6 V, V_off 0.3 V, τ 100 µs,
    /// τ_vol 1 ms; V_T 25.7 mV; τ_α 2 ms; gains 0.3 (input → hidden) and 0.05 (hidden → output); membrane readout.
    public static let `default` = MIFParameters(
        capacitance: 10e-12,
        spike: MIFMemristor(rOn: 5e6, rOff: 2e9, reversal: 1.0, vOn: 0.3, vOff: 0.1, tau: 50e-6, tauVolatile: 100e-6),
        reset: MIFMemristor(rOn: 2e6, rOff: 1e9, reversal: -0.5, vOn: 0.6, vOff: 0.3, tau: 100e-6, tauVolatile: 1e-3),
        thermalVoltage: 0.0257, spikeThreshold: 0.5, signalFloor: 0.01, alphaTau: 2e-3, gains: [0.3, 0.05])

    enum CodingKeys: String, CodingKey, CaseIterable {
        case model, capacitance, spike = "spike_memristor", reset = "reset_memristor", thermalVoltage = "thermal_voltage"
        case spikeThreshold = "spike_threshold", signalFloor = "signal_floor", alphaTau = "alpha_tau", gains, readout
    }
    struct Sub: Decodable { let value: MIFMemristor; let isSpike: Bool }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = MIFParameters.default
        let model = try c.decode(.model, default: "mif")
        guard model == "mif" else { throw c.invalid(.model, "expected mif") }
        capacitance = try c.positive(.capacitance, default: d.capacitance, unit: "F")
        spike = c.contains(.spike) ? try MIFMemristor.decode(c.superDecoder(forKey: .spike), fallback: d.spike) : d.spike
        reset = c.contains(.reset) ? try MIFMemristor.decode(c.superDecoder(forKey: .reset), fallback: d.reset) : d.reset
        thermalVoltage = try c.positive(.thermalVoltage, default: d.thermalVoltage, unit: "V")
        spikeThreshold = try c.decode(.spikeThreshold, default: d.spikeThreshold, in: 1e-6...0.999999)
        signalFloor = try c.decode(.signalFloor, default: d.signalFloor, in: 0...0.5)
        alphaTau = try c.positive(.alphaTau, default: d.alphaTau, unit: "s")
        gains = try c.decode(.gains, default: d.gains)
        guard gains.allSatisfy({ $0.isFinite && $0 > 0 }) else { throw c.invalid(.gains, "every gain must be > 0") }
        readout = try c.choice(.readout, default: d.readout)
        guard spike.reversal > reset.reversal else {
            throw c.invalid(.spike, "the spike memristor's reversal (\(spike.reversal) V) must be above the reset memristor's (\(reset.reversal) V)")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode("mif", forKey: .model)
        try c.encode(capacitance, forKey: .capacitance); try c.encode(spike, forKey: .spike); try c.encode(reset, forKey: .reset)
        try c.encode(thermalVoltage, forKey: .thermalVoltage); try c.encode(spikeThreshold, forKey: .spikeThreshold)
        try c.encode(signalFloor, forKey: .signalFloor); try c.encode(alphaTau, forKey: .alphaTau); try c.encode(gains, forKey: .gains)
        try c.encode(readout, forKey: .readout)
    }

    /// Resting potential (V): where the two OFF conductances balance.
    public var restingPotential: Volts {
        let g1 = 1 / spike.rOff, g2 = 1 / reset.rOff
        return (g1 * spike.reversal + g2 * reset.reversal) / (g1 + g2)
    }
}

/// The smooth quantity of the output neurons the class scores are the time-average of.
public enum MIFReadout: String, Sendable, Equatable, Codable, CaseIterable {
    /// Membrane voltage V (V): grows continuously with the integrated input, below and above threshold.
    case membrane
    /// State x₁ of the spike memristor (0…1): ≈ the fraction of the window spent spiking — a smooth
    /// spike count, but nearly flat between spike-count changes (its gradient is mostly edge effects).
    case spikeMemristor = "spike_memristor"
}

/// State of one MIF neuron: membrane voltage (V) and the two memristor states (0…1).
public struct MIFState: Sendable, Equatable {
    public var v: Double, x1: Double, x2: Double
    public init(v: Double, x1: Double, x2: Double) { self.v = v; self.x1 = x1; self.x2 = x2 }
}

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
    public func jacobian(_ s: MIFState) -> (vv: Double, vx1: Double, vx2: Double, x1v: Double, x1x1: Double,
                                            x2v: Double, x2x2: Double) {
        let (a1, b1, a2, b2) = rates(s.v)
        let g1 = gOff1 + dG1 * s.x1, g2 = gOff2 + dG2 * s.x2
        // dα/dV = α(1 − α)/V_T, dβ/dV = −β(1 − β)/V_T
        let da1 = a1 * (1 - a1) * invVT, db1 = -b1 * (1 - b1) * invVT
        let da2 = a2 * (1 - a2) * invVT, db2 = -b2 * (1 - b2) * invVT
        return (vv: 1 - dtOverC * (g1 + g2),
                vx1: -dtOverC * dG1 * (s.v - e1),
                vx2: -dtOverC * dG2 * (s.v - e2),
                x1v: r1 * ((1 - s.x1) * da1 - s.x1 * db1),
                x1x1: 1 - r1 * (a1 + b1) - rv1,
                x2v: r2 * ((1 - s.x2) * da2 - s.x2 * db2),
                x2x2: 1 - r2 * (a2 + b2) - rv2)
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

/// The alpha-shaped input drive `a(t) = (t/τ_α)·e^{1 − t/τ_α}` sampled at `t_n = n·dt` (peak 1 at τ_α):
/// every pixel row is driven with amplitude `intensity · a(t_n)` (Docs/mif-neurons.md, "Input").
public enum MIFAlphaKernel {
    public static func samples(steps: Int, dt: Seconds, tau: Seconds) -> [Double] {
        (0..<steps).map { n in
            let r = Double(n) * dt / tau
            return r * exp(1 - r)
        }
    }
}
