import SpikebarCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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

    public init(
        capacitance: Double, spike: MIFMemristor, reset: MIFMemristor, thermalVoltage: Volts,
        spikeThreshold: Double, signalFloor: Double, alphaTau: Seconds, gains: [Double], readout: MIFReadout = .membrane
    ) {
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
