import Foundation
import SpikebarNeurons

/// One neuron population's update per time step, from NIR's ODEs (`Docs/nir.md`):
///
/// - leaky state (LIF, LI, CubaLIF/CubaLI membrane, CubaLIF/CubaLI synapse):
///   `x ← m·x + g·x_∞` with `x_∞` the state the ODE relaxes to under the step's input;
///   forward Euler: `m = 1 − dt/τ`, `g = dt/τ`; exact (input held over the step): `m = e^(−dt/τ)`, `g = 1 − m`;
/// - non-leaky state (IF, I): `v ← v + dt·r·I` (exact for either rule);
/// - CubaLIF/CubaLI: the synaptic current is updated first and the membrane uses the new current
///   (snnTorch `Synaptic`, the exporter of the braille graphs);
/// - spike (LIF, CubaLIF, IF): `z = 1` when `v > v_th` (or `≥`, `NIRRunOptions.comparison`), then
///   `v ← v_reset` or `v ← v − v_th` (`NIRRunOptions.reset`). A spike is a value 1 for one step.
public struct NIRNeuronStep: Sendable, Equatable {
    public var model: NIRNeuron.Model
    public var count: Int
    /// Membrane decay `m` and gain `g` per neuron (IF/I: `m = 1`, `g = dt`).
    public var vDecay: [Double], vGain: [Double]
    /// Synaptic decay and gain (CubaLIF, CubaLI); empty otherwise.
    public var synDecay: [Double], synGain: [Double]
    public var r: [Double], vLeak: [Double], wIn: [Double], vReset: [Double]
    /// The continuous time constants (unit of the graph's time base), for the event-driven run; nil
    /// where the model has none.
    public var tauMem: [Double]?, tauSyn: [Double]?
    /// Thresholds of spiking models; nil for LI, I, CubaLI (their output is `v`).
    public var threshold: [Double]?
    public var reset: NIRRunOptions.Reset
    public var comparison: NIRRunOptions.Comparison

    public init(_ n: NIRNeuron, options: NIRRunOptions) {
        let dt = options.dt
        // The primitives' step coefficients (`NIRPrimitiveModel`, the one place they are written).
        func coefficients(_ tau: [Double]) -> ([Double], [Double]) {
            let c = tau.map { NIRPrimitiveModel.coefficients(tau: $0, dt: dt, exponential: options.discretisation == .exponential) }
            return (c.map(\.decay), c.map(\.gain))
        }
        model = n.model; count = n.count
        if let tau = n.tauMem {
            (vDecay, vGain) = coefficients(tau)
        } else {
            vDecay = Array(repeating: 1, count: n.count); vGain = Array(repeating: dt, count: n.count)
        }
        if let tau = n.tauSyn { (synDecay, synGain) = coefficients(tau) } else { synDecay = []; synGain = [] }
        r = n.r; vLeak = n.vLeak; wIn = n.wIn; vReset = n.vReset; threshold = n.vThreshold
        tauMem = n.tauMem; tauSyn = n.tauSyn
        reset = options.reset; comparison = options.comparison
    }

    /// Whether the membrane leaks (else `v ← v + g·r·I`).
    public var leaky: Bool { model != .integrateAndFire && model != .integrator }

    /// Advances `v` (and `syn`) by one step under `input`, writing the output (spikes or `v`) to `output`.
    public func step(input: [Double], v: inout [Double], syn: inout [Double], output: inout [Double]) {
        step(input: input, v: &v, syn: &syn, output: &output, preReset: nil)
    }

    /// `step`, also writing each neuron's membrane before the spike and reset to `preReset` (the BPTT
    /// tape, `NIRProgram.gradient`).
    public func step(input: [Double], v: inout [Double], syn: inout [Double], output: inout [Double], preReset: UnsafeMutablePointer<Double>?) {
        let hasSyn = !synDecay.isEmpty
        let leaky = self.leaky, subtract = reset == .subtract, inclusive = comparison == .greaterOrEqual
        // The primitives' step and spike rule (`NIRPrimitiveModel`), neuron by neuron.
        for k in 0..<count {
            var synapse = hasSyn ? syn[k] : 0
            NIRPrimitiveModel.integrate(
                v: &v[k], syn: &synapse, input: input[k], hasSynapse: hasSyn, leaky: leaky, vDecay: vDecay[k], vGain: vGain[k],
                synDecay: hasSyn ? synDecay[k] : 0, synGain: hasSyn ? synGain[k] : 0, r: r[k], vLeak: leaky ? vLeak[k] : 0,
                wIn: hasSyn ? wIn[k] : 1)
            if hasSyn { syn[k] = synapse }
            preReset?[k] = v[k]
            guard let threshold else { output[k] = v[k]; continue }
            let fired = NIRPrimitiveModel.fire(
                v: &v[k], threshold: threshold[k], vReset: subtract ? 0 : vReset[k], subtractive: subtract, inclusive: inclusive)
            output[k] = fired ? 1 : 0
        }
    }
}
