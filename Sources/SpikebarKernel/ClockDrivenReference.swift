import SpikebarChip
import SpikebarCore
import SpikebarDevices
import SpikebarNeurons

/// A dense, clock-driven simulation of a chip: every step, every synapse of every connection is
/// evaluated (Σ_j s_j·q_ji over all rows, spiking or not) — the work an every-row, every-step
/// architecture does, and the peer `spikebar bench kernel` measures the event kernel against.
/// `GridEngine` (every row, every step) with LIF + DPI neurons: the same neuron physics (`StepPropagator`) and update
/// order as grid mode; no read noise.
public enum ClockDrivenReference {
    public struct Result: Sendable {
        /// Spike count of each population.
        public var spikes: [Int]
        /// Synapse evaluations performed (rows × columns × steps, per connection).
        public var synapseUpdates: Double
    }

    public static func run(chip: Chip, input: SpikeList, window: Seconds, dt: Seconds) -> Result {
        let steps = max(1, Int((window / dt).rounded()))
        let dtPs = max(1, Int64((dt * 1e12).rounded()))
        let scale = chip.device.readVoltage * chip.device.readPulse
        let connections = chip.connections.map { c in
            let (gPlus, gMinus) = c.conductances
            return GridEngine<LIFDPIModel>.Connection(
                from: c.from, to: c.to, recurrent: c.recurrent, inputs: c.inputs, outputs: c.outputs,
                w: zip(gPlus, gMinus).map { scale * ($0 - $1) })
        }
        let engine = GridEngine<LIFDPIModel>(
            sizes: chip.populations.map(\.size),
            constants: [[]] + chip.neurons.map { $0.map { LIFDPIModel.constants($0, dt: dt) } },
            connections: connections, routing: .everyRow)
        var spikes = SpikeTrainInput(input, dtPs: dtPs)
        var none = NoGridObserver<LIFDPIModel>()
        let r = engine.run(&spikes, steps: steps, observer: &none)
        return Result(spikes: r.spikes, synapseUpdates: r.synapseUpdates)
    }
}
