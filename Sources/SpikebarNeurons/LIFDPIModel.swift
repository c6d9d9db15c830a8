import SpikebarCore

/// LIF + DPI neurons (`NeuronParameters`, Docs/neurons.md) behind the `SpikingNeuronModel` contract.
///
/// Step: `StepPropagator` (the exact propagator at dt; V held at reset while refractory); drive: column
/// charge (C) → `I += gain·ΔQ/τ_syn`; rule: `V ≥ θ` ⇒ spike, `V ← V_reset`, refractory for
/// `round(t_ref/dt)` steps. Exact mode: `LIFDynamics.propagate` / `firstCrossing`.
public enum LIFDPIModel: DifferentiableNeuronModel, ExactlySolvableNeuronModel {
    /// Membrane V (V), synaptic current I (A), refractory steps left.
    public struct State: Sendable, Equatable {
        public var v: Double, i: Double
        public var refractorySteps: Int
        public init(v: Double, i: Double, refractorySteps: Int = 0) { self.v = v; self.i = i; self.refractorySteps = refractorySteps }
    }
    public struct Constants: Sendable, Equatable {
        public var neuron: NeuronConstants
        public var step: StepPropagator
    }

    public static let kind = NeuronModelKind.lifDPI
    public static let driveUnit = "C (column charge)"

    public static func constants(_ p: NeuronParameters, dt: Seconds) -> Constants {
        let k = NeuronConstants(p)
        return Constants(neuron: k, step: StepPropagator(k, dt: dt))
    }
    public static func rest(_ k: Constants) -> State { State(v: 0, i: 0) }

    @inlinable
    public static func advance(_ s: inout State, _ k: Constants) {
        if s.refractorySteps > 0 {
            s.refractorySteps -= 1
            StepPropagator.heldStep(v: &s.v, i: &s.i, alpha: k.step.alpha, reset: k.neuron.reset)
        } else {
            k.step.step(v: &s.v, i: &s.i)
        }
    }
    @inlinable
    public static func receive(_ s: inout State, drive: Double, _ k: Constants) {
        s.i += drive * k.neuron.chargeToCurrent
    }
    @inlinable
    public static func emit(_ s: inout State, _ k: Constants) -> NeuronOutput {
        guard s.v >= k.neuron.threshold else { return .silent }
        s.v = k.neuron.reset
        s.refractorySteps = k.step.refractorySteps
        return .spike
    }

    /// (∂V'/∂V, ∂V'/∂I, ∂I'/∂I) of a free step (the step is linear in the state).
    public static func jacobian(_ s: State, _ k: Constants) -> (dVdV: Double, dVdI: Double, dIdI: Double) {
        s.refractorySteps > 0 ? (0, 0, k.step.alpha) : k.step.jacobian
    }

    public static func exactConstants(_ p: NeuronParameters) -> NeuronConstants { NeuronConstants(p) }
    public static func propagate(_ s: State, by t: Seconds, _ k: NeuronConstants) -> State {
        let (v, i) = LIFDynamics.propagate(v: s.v, i: s.i, t: t, k)
        return State(v: v, i: i)
    }
    public static func firstCrossing(_ s: State, _ k: NeuronConstants) -> Seconds? {
        LIFDynamics.firstCrossing(v: s.v, i: s.i, k)
    }
}
