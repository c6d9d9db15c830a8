import SpikebarCore

/// Memristive integrate-and-fire neurons (`MIFParameters`, Docs/mif-neurons.md) behind the
/// `SpikingNeuronModel` contract.
///
/// The MIF ODE has no closed form (not `ExactlySolvable`); its step is `MIFConstants.step`, forward
/// Euler with the input current of the step, so `advance` does nothing and `emit` integrates the step
/// on the current `receive` gathered. A spike is x₁ rising through `spike_threshold`; the neuron drives
/// its rows with `x₁` above the signal floor (an analog amplitude, not a binary event).
public enum MIFModel: DifferentiableNeuronModel {
    /// The neuron's state and the input current (A) gathered for this step.
    public struct State: Sendable, Equatable {
        public var neuron: MIFState
        public var current: Double
        @inlinable public init(neuron: MIFState, current: Double = 0) { self.neuron = neuron; self.current = current }
    }

    public static let kind = NeuronModelKind.mif
    public static let driveUnit = "A (membrane current)"

    public static func constants(_ p: MIFParameters, dt: Seconds) -> MIFConstants { MIFConstants(p, dt: dt) }
    @inlinable public static func rest(_ k: MIFConstants) -> State { State(neuron: k.rest) }
    @inlinable public static func advance(_ s: inout State, _ k: MIFConstants) {}
    @inlinable @inline(__always) public static func receive(_ s: inout State, drive: Double, _ k: MIFConstants) { s.current += drive }
    @inlinable @inline(__always)
    public static func emit(_ s: inout State, _ k: MIFConstants) -> NeuronOutput {
        let before = s.neuron.x1
        k.step(&s.neuron, current: s.current)
        s.current = 0
        let after = s.neuron.x1
        return NeuronOutput(spiked: before < k.spikeThreshold && after >= k.spikeThreshold, signal: k.signal(after))
    }

    public static func jacobian(
        _ s: State, _ k: MIFConstants
    ) -> (
        vv: Double, vx1: Double, vx2: Double, x1v: Double, x1x1: Double,
        x2v: Double, x2x2: Double
    ) {
        k.jacobian(s.neuron)
    }
}
