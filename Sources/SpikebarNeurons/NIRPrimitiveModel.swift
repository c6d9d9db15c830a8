import Foundation
import SpikebarCore

/// The neuron primitives of NIR — IF, LIF, CubaLIF and their readouts I, LI, CubaLI (Pedersen et al.,
/// "Neuromorphic intermediate representation", Nat. Commun. 15, 8122 (2024), Table 1) — one time step of
/// their ODEs, behind the `SpikingNeuronModel` contract (issue #17: the contract admits IF, LIF with a
/// delta synapse, CubaLIF, LI readouts, reset to a value or by subtraction). `NIRNeuronStep` (the NIR
/// reference program) runs these same expressions, neuron by neuron; `GridEngine<NIRPrimitiveModel>` runs
/// a dense graph of them (`NIRPrimitiveModelTests`).
///
/// Per step (Docs/nir.md, "Execution semantics"), with the step's input u:
/// - synapse (CubaLIF, CubaLI) first: `I ← m_s·I + g_s·w_in·u`, and the membrane takes the new I;
///   without one (delta synapse) the membrane takes `I = u`;
/// - leaky membrane (LIF, LI, CubaLIF, CubaLI): `v ← m·v + g·(v_leak + r·I)`; non-leaky (IF, I):
///   `v ← v + dt·r·I`;
/// - forward Euler: `m = 1 − dt/τ`, `g = dt/τ`; exponential (input held over the step): `m = e^(−dt/τ)`,
///   `g = 1 − m`;
/// - spiking models: a spike when `v > θ` (or `≥`), then `v ← v_reset` or `v ← v − θ`; readouts output v.
///
/// NIR's step takes the step's input inside the leak, so the contract's phases map as: `advance` does
/// nothing, `receive` sums the step's drive, `emit` integrates it and applies the spike rule.
public enum NIRPrimitiveModel: SpikingNeuronModel {
    /// One neuron's parameters, in the graph's units (time in the unit of `dt`).
    public struct Parameters: Sendable, Equatable {
        /// Membrane time constant; nil: no leak (IF, I).
        public var tauMem: Double?
        /// Synaptic time constant; nil: delta synapse (LIF, IF, LI, I).
        public var tauSyn: Double?
        public var r: Double, vLeak: Double, wIn: Double, vReset: Double
        /// Spike threshold; nil: a readout (LI, I, CubaLI), whose output is v.
        public var threshold: Double?
        /// Reset by subtraction (`v ← v − θ`, Sinabs `MembraneSubtract`) instead of to `v_reset`.
        public var subtractiveReset: Bool
        /// Spike when `v ≥ θ` (Sinabs) instead of `v > θ` (NIR spec).
        public var inclusiveThreshold: Bool
        /// Exponential discretisation instead of forward Euler.
        public var exponential: Bool
        public init(
            tauMem: Double?, tauSyn: Double?, r: Double = 1, vLeak: Double = 0, wIn: Double = 1, vReset: Double = 0,
            threshold: Double?, subtractiveReset: Bool = false, inclusiveThreshold: Bool = false, exponential: Bool = false
        ) {
            self.tauMem = tauMem; self.tauSyn = tauSyn; self.r = r; self.vLeak = vLeak; self.wIn = wIn; self.vReset = vReset
            self.threshold = threshold; self.subtractiveReset = subtractiveReset; self.inclusiveThreshold = inclusiveThreshold
            self.exponential = exponential
        }
    }

    /// A step's coefficients: membrane decay and gain (IF/I: 1 and dt), synaptic decay and gain (0, 0
    /// without a synapse).
    public struct Constants: Sendable, Equatable {
        public var vDecay: Double, vGain: Double, synDecay: Double, synGain: Double
        public var hasSynapse: Bool, leaky: Bool
        public var r: Double, vLeak: Double, wIn: Double, vReset: Double
        public var threshold: Double?
        public var subtractiveReset: Bool, inclusiveThreshold: Bool
    }

    /// Membrane v, synaptic current (CubaLIF, CubaLI), and the drive received this step.
    public struct State: Sendable, Equatable {
        public var v: Double, syn: Double, drive: Double
        public init(v: Double, syn: Double, drive: Double) { self.v = v; self.syn = syn; self.drive = drive }
    }

    public static let kind = NeuronModelKind.nir
    public static let driveUnit = "graph units (the node's input)"

    /// Decay m and gain g of a leaky state with time constant `tau` at step `dt`.
    @inlinable
    public static func coefficients(tau: Double, dt: Double, exponential: Bool) -> (decay: Double, gain: Double) {
        exponential ? (exp(-dt / tau), 1 - exp(-dt / tau)) : (1 - dt / tau, dt / tau)
    }

    public static func constants(_ p: Parameters, dt: Seconds) -> Constants {
        let (vDecay, vGain) = p.tauMem.map { coefficients(tau: $0, dt: dt, exponential: p.exponential) } ?? (1, dt)
        let (synDecay, synGain) = p.tauSyn.map { coefficients(tau: $0, dt: dt, exponential: p.exponential) } ?? (0, 0)
        return Constants(
            vDecay: vDecay, vGain: vGain, synDecay: synDecay, synGain: synGain, hasSynapse: p.tauSyn != nil,
            leaky: p.tauMem != nil, r: p.r, vLeak: p.vLeak, wIn: p.wIn, vReset: p.vReset, threshold: p.threshold,
            subtractiveReset: p.subtractiveReset, inclusiveThreshold: p.inclusiveThreshold)
    }

    public static func rest(_ k: Constants) -> State { State(v: 0, syn: 0, drive: 0) }

    @inlinable public static func advance(_ s: inout State, _ k: Constants) {}

    @inlinable public static func receive(_ s: inout State, drive: Double, _ k: Constants) { s.drive += drive }

    @inlinable
    public static func emit(_ s: inout State, _ k: Constants) -> NeuronOutput {
        integrate(
            v: &s.v, syn: &s.syn, input: s.drive, hasSynapse: k.hasSynapse, leaky: k.leaky, vDecay: k.vDecay, vGain: k.vGain,
            synDecay: k.synDecay, synGain: k.synGain, r: k.r, vLeak: k.vLeak, wIn: k.wIn)
        s.drive = 0
        guard let th = k.threshold else { return NeuronOutput(spiked: false, signal: s.v) }
        guard fire(v: &s.v, threshold: th, vReset: k.vReset, subtractive: k.subtractiveReset, inclusive: k.inclusiveThreshold) else {
            return .silent
        }
        return .spike
    }

    /// One step of the dynamics under `input` (the expressions every NIR runner evaluates).
    @inlinable @inline(__always)
    public static func integrate(
        v: inout Double, syn: inout Double, input: Double, hasSynapse: Bool, leaky: Bool, vDecay: Double, vGain: Double,
        synDecay: Double, synGain: Double, r: Double, vLeak: Double, wIn: Double
    ) {
        var drive = input
        if hasSynapse {
            syn = synDecay * syn + synGain * wIn * drive
            drive = syn
        }
        if leaky {
            v = vDecay * v + vGain * (vLeak + r * drive)
        } else {
            v += vGain * r * drive
        }
    }

    /// The spike rule: whether `v` crosses `threshold` (`>`, or `≥` when `inclusive`), and the reset if so.
    @inlinable @inline(__always)
    public static func fire(v: inout Double, threshold: Double, vReset: Double, subtractive: Bool, inclusive: Bool) -> Bool {
        guard inclusive ? v >= threshold : v > threshold else { return false }
        v = subtractive ? v - threshold : vReset
        return true
    }
}

/// Continuous time (issue #17: the closed forms in the model, not in the engine): NIR's ODEs between
/// events under a constant drive `b` (a bias reaching the neuron), for the event-driven run of a graph
/// (`NIRProgram.runEventDriven`, Docs/nir.md "Exact timing of leaky graphs"):
/// - IF: `v(t) = v₀ + r·b·t`;
/// - LIF: `v(t) = v∞ + (v₀ − v∞)·e^(−t/τ)`, `v∞ = v_leak + r·b`;
/// - CubaLIF: the event kernel's closed form (`LIFDynamics`) in the frame shifted by `I∞ = w_in·b`,
///   `v∞ = v_leak + r·I∞`.
/// A spike arriving through weight w is a Dirac impulse of area `dt·w` (`impulse`).
extension NIRPrimitiveModel: ExactlySolvableNeuronModel {
    /// One neuron's continuous-time constants under constant drive `drive`.
    public struct ExactConstants: Sendable, Equatable {
        public var tauMem: Double?, tauSyn: Double?
        public var r: Double, vLeak: Double, wIn: Double
        public var threshold: Double?
        /// Constant drive (graph units): what the biases reaching the neuron add to its input.
        public var drive: Double
        public init(tauMem: Double?, tauSyn: Double?, r: Double, vLeak: Double, wIn: Double, threshold: Double?, drive: Double) {
            self.tauMem = tauMem; self.tauSyn = tauSyn; self.r = r; self.vLeak = vLeak; self.wIn = wIn
            self.threshold = threshold; self.drive = drive
        }
    }

    public static func exactConstants(_ p: Parameters) -> ExactConstants { exactConstants(p, drive: 0) }

    /// The constants under constant drive `drive`.
    public static func exactConstants(_ p: Parameters, drive: Double) -> ExactConstants {
        ExactConstants(tauMem: p.tauMem, tauSyn: p.tauSyn, r: p.r, vLeak: p.vLeak, wIn: p.wIn, threshold: p.threshold, drive: drive)
    }

    /// A CubaLIF neuron in the shifted frame: the event kernel's constants (θ − v∞ as threshold), v∞, I∞.
    @inlinable
    static func shiftedFrame(_ k: ExactConstants) -> (constants: NeuronConstants, vInf: Double, iInf: Double) {
        let iInf = k.wIn * k.drive, vInf = k.vLeak + k.r * iInf
        let theta = (k.threshold ?? .infinity) - vInf
        let params = NeuronParameters(
            tauMem: k.tauMem ?? 1, tauSyn: k.tauSyn ?? 1, threshold: theta, reset: 0, refractory: 0, resistance: k.r, synapseGain: 1)
        return (NeuronConstants(params), vInf, iInf)
    }

    public static func propagate(_ s: State, by t: Seconds, _ k: ExactConstants) -> State {
        var s = s
        guard let tau = k.tauMem else {
            s.v += k.r * k.drive * t  // IF
            return s
        }
        guard k.tauSyn != nil else {
            let vInf = k.vLeak + k.r * k.drive  // LIF
            s.v = vInf + (s.v - vInf) * Foundation.exp(-t / tau)
            return s
        }
        let (kc, vInf, iInf) = shiftedFrame(k)
        let (v, i) = LIFDynamics.propagate(v: s.v - vInf, i: s.syn - iInf, t: t, kc)
        s.v = v + vInf; s.syn = i + iInf
        return s
    }

    /// Time from now (≥ 0) of the first threshold crossing without further input; nil when none (or a
    /// readout). A CubaLIF neuron whose resting potential is at or above θ (tonic firing) is bracketed and
    /// bisected: it has one extremum at most, so once a time with V ≥ θ is found, the first crossing is the
    /// only sign change before it.
    public static func firstCrossing(_ s: State, _ k: ExactConstants) -> Seconds? {
        guard let theta = k.threshold else { return nil }
        let v = s.v, b = k.drive
        if v >= theta { return 0 }
        guard let tau = k.tauMem else {
            let rate = k.r * b  // IF
            return rate > 0 ? (theta - v) / rate : nil
        }
        guard k.tauSyn != nil else {
            let vInf = k.vLeak + k.r * b  // LIF
            guard vInf > theta else { return nil }
            return tau * Foundation.log((v - vInf) / (theta - vInf))
        }
        let (kc, vInf, iInf) = shiftedFrame(k)
        let v0 = v - vInf, i0 = s.syn - iInf
        if kc.threshold > 0 { return LIFDynamics.crossing(v: v0, i: i0, kc)?.notBefore }
        func f(_ t: Double) -> Double { LIFDynamics.propagate(v: v0, i: i0, t: t, kc).v - kc.threshold }
        var hi = max(1 / kc.rateMem, 1 / kc.rateSyn)
        var doublings = 0
        while f(hi) < 0 {
            hi *= 2; doublings += 1
            if doublings > 200 { return nil }  // θ exactly at rest: reached only asymptotically
        }
        var lo = 0.0
        for _ in 0..<200 where hi - lo > 1e-15 * max(1, hi) {
            let mid = (lo + hi) / 2
            if f(mid) >= 0 { hi = mid } else { lo = mid }
        }
        return hi
    }

    /// A spike of area `dt` through weight-summed input `x`: `v += dt·r·x` (IF), `v += dt·r·x/τ` (LIF),
    /// `I += dt·w_in·x/τ_syn` (CubaLIF) — the forward-Euler step's response to a one-step input of x.
    @inlinable
    public static func impulse(_ s: inout State, input x: Double, dt: Double, _ k: ExactConstants) {
        guard let tau = k.tauMem else { s.v += dt * k.r * x; return }
        guard let tauSyn = k.tauSyn else { s.v += dt * k.r * x / tau; return }
        s.syn += dt * k.wIn * x / tauSyn
    }
}
