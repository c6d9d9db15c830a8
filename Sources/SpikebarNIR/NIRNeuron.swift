/// Parameters of NIR's neuron nodes (LIF, CubaLIF, CubaLI, IF, LI, I), one value per neuron, in the
/// units of the exporter's time base (`τ` in seconds for snnTorch, Norse and Rockpool; Sinabs's IF has
/// no time constant). The ODEs, the defaults of missing parameters and the discretisation Spikebar uses
/// are in `Docs/nir.md` (source: NIR spec, neuromorphs/NIR `nir/ir/neuron.py`, Pedersen et al. 2024).
public struct NIRNeuron: Sendable, Equatable {
    /// Which of NIR's neuron models.
    public enum Model: String, Sendable, Equatable, CaseIterable {
        /// `τ dv/dt = (v_leak − v) + r·I`, spike when `v > v_threshold`, then `v ← v_reset`.
        case lif = "LIF"
        /// `τ_syn dI/dt = −I + w_in·S`, `τ_mem dv/dt = (v_leak − v) + r·I`, spike and reset as LIF.
        case cubaLIF = "CubaLIF"
        /// CubaLIF without threshold: its output is `v`.
        case cubaLI = "CubaLI"
        /// `dv/dt = r·I`, spike when `v > v_threshold`, then `v ← v_reset`.
        case integrateAndFire = "IF"
        /// `τ dv/dt = (v_leak − v) + r·I`; output `v`.
        case leakyIntegrator = "LI"
        /// `dv/dt = r·I`; output `v` (NIR type string `I`; `Integrator` accepted as a synonym).
        case integrator = "I"
    }

    public var model: Model
    /// Shape of the population (the parameters' shape), e.g. `[16, 16, 16]` after a convolution.
    public var shape: [Int]
    /// Membrane time constant τ or τ_mem (unit of the exporter's time base, s); nil for IF and I.
    public var tauMem: [Double]?
    /// Synaptic time constant τ_syn (s); CubaLIF and CubaLI only.
    public var tauSyn: [Double]?
    /// Input resistance `r` (dimensionless gain on the input current).
    public var r: [Double]
    /// Leak (resting) potential (unit of the threshold); 0 where the model has none.
    public var vLeak: [Double]
    /// Firing threshold; nil for the models that do not spike.
    public var vThreshold: [Double]?
    /// Reset potential; the NIR package's default 0 when the file has none (files before nir 1.0).
    public var vReset: [Double]
    /// Input weight of the synaptic current (CubaLIF, CubaLI); 1 when absent.
    public var wIn: [Double]

    public init(
        model: Model, shape: [Int], tauMem: [Double]?, tauSyn: [Double]?, r: [Double], vLeak: [Double],
        vThreshold: [Double]?, vReset: [Double], wIn: [Double]
    ) {
        self.model = model; self.shape = shape; self.tauMem = tauMem; self.tauSyn = tauSyn; self.r = r
        self.vLeak = vLeak; self.vThreshold = vThreshold; self.vReset = vReset; self.wIn = wIn
    }

    /// Number of neurons.
    public var count: Int { r.count }
    /// Whether the node emits spikes (else it outputs its state `v`).
    public var spikes: Bool { vThreshold != nil }
}
