import SpikebarCore

/// Parameters of the default neuron: a DPI synapse (first-order low-pass current) feeding a leaky
/// integrate-and-fire membrane (DESIGN §2, after the NHC SNN of Moro et al., ISCAS 2022, and the DPI
/// circuit of Bartolozzi & Indiveri, Neural Computation 19(10), 2007, doi:10.1162/neco.2007.19.10.2581).
///
/// ```
/// τ_syn · dI/dt = −I            at a row read: I += gain · ΔQ / τ_syn   (ΔQ: column charge, C)
/// τ_mem · dV/dt = −V + R · I    spike when V ≥ θ, then V ← V_reset, held for t_ref
/// ```
/// The resting potential is 0 V. The membrane capacitance implied is `τ_mem / R`.
public struct NeuronParameters: Sendable, Equatable, Codable {
    /// Membrane time constant τ_mem (s).
    public var tauMem: Seconds
    /// Synaptic (DPI) time constant τ_syn (s).
    public var tauSyn: Seconds
    /// Firing threshold θ (V), > `reset`.
    public var threshold: Volts
    /// Membrane potential after a spike (V).
    public var reset: Volts
    /// Refractory period t_ref (s): V is held at `reset` for this long after a spike.
    public var refractory: Seconds
    /// Membrane resistance R (Ω): converts synaptic current into membrane drive.
    public var resistance: Ohms
    /// DPI gain (dimensionless): scales the charge a read delivers into synaptic current.
    public var synapseGain: Double

    public init(
        tauMem: Seconds, tauSyn: Seconds, threshold: Volts, reset: Volts, refractory: Seconds,
        resistance: Ohms, synapseGain: Double
    ) {
        self.tauMem = tauMem; self.tauSyn = tauSyn; self.threshold = threshold; self.reset = reset
        self.refractory = refractory; self.resistance = resistance; self.synapseGain = synapseGain
    }

    /// Defaults: τ_mem 20 ms, τ_syn 5 ms, θ 1 V, reset 0 V, t_ref 2 ms, R 2 GΩ (C_mem = 10 pF), gain 1.
    /// Time constants in the range of the analog neurons of DYNAP-SE and the NHC SNN chip
    /// (milliseconds, biologically plausible); R and θ are model units chosen so that one full-window
    /// conductance pair read at 0.1 V for 100 ns moves V by a few percent of θ (see Docs/neurons.md).
    public static let `default` = NeuronParameters(
        tauMem: 20e-3, tauSyn: 5e-3, threshold: 1.0, reset: 0.0,
        refractory: 2e-3, resistance: 2e9, synapseGain: 1.0)

    enum CodingKeys: String, CodingKey, CaseIterable {
        case model, tauMem = "tau_mem", tauSyn = "tau_syn", threshold, reset, refractory
        case resistance = "membrane_resistance", synapseGain = "synapse_gain"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(tauMem, forKey: .tauMem); try c.encode(tauSyn, forKey: .tauSyn)
        try c.encode(threshold, forKey: .threshold); try c.encode(reset, forKey: .reset)
        try c.encode(refractory, forKey: .refractory); try c.encode(resistance, forKey: .resistance)
        try c.encode(synapseGain, forKey: .synapseGain)
    }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = NeuronParameters.default
        // `model: lif` names this (default) model explicitly; `model: mif` is decoded by MIFParameters.
        if let model = try c.decodeIfPresent(String.self, forKey: .model), model != "lif" {
            throw c.invalid(.model, "unknown neuron model '\(model)' (expected lif or mif)")
        }
        tauMem = try c.positive(.tauMem, default: d.tauMem, unit: "s")
        tauSyn = try c.positive(.tauSyn, default: d.tauSyn, unit: "s")
        threshold = try c.decode(.threshold, default: d.threshold, in: -1e3...1e3, unit: "V")
        reset = try c.decode(.reset, default: d.reset, in: -1e3...1e3, unit: "V")
        refractory = try c.nonNegative(.refractory, default: d.refractory, unit: "s")
        resistance = try c.positive(.resistance, default: d.resistance, unit: "Ω")
        synapseGain = try c.positive(.synapseGain, default: d.synapseGain)
        guard reset < threshold else { throw c.invalid(.reset, "reset (\(reset) V) must be below threshold (\(threshold) V)") }
        guard threshold > 0 else { throw c.invalid(.threshold, "threshold must be above the 0 V resting potential") }
    }
}
