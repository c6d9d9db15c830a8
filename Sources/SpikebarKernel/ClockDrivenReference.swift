import SpikebarChip
import SpikebarCore
import SpikebarDevices

/// A dense, clock-driven simulation of a chip: every step, every synapse of every connection is
/// evaluated (Σ_j s_j·q_ji over all rows, spiking or not) — the work an every-row, every-step
/// architecture does, and the peer `spikebar bench kernel` measures the event kernel against.
/// Same neuron physics (`StepPropagator`) and update order as grid mode; no read noise.
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
        let pops = chip.populations.map(\.size)
        let L = pops.count - 1
        let scale = chip.device.readVoltage * chip.device.readPulse
        let q: [[Double]] = chip.connections.map { c in zip(c.gPlus, c.gMinus).map { scale * ($0 - $1) } }
        let k: [[NeuronConstants]] = [[]] + chip.neurons.map { $0.map(NeuronConstants.init) }
        let prop: [[StepPropagator]] = k.map { $0.map { StepPropagator($0, dt: dt) } }
        var v = pops.map { [Double](repeating: 0, count: $0) }, I = v
        var ref = pops.map { [Int](repeating: 0, count: $0) }
        var s = pops.map { [Double](repeating: 0, count: $0) }
        var counts = [Int](repeating: 0, count: pops.count)
        var work = 0.0
        var p = 0
        for n in 0..<steps {
            if n > 0 {
                for l in 1...L {
                    for i in 0..<pops[l] {
                        if ref[l][i] > 0 { ref[l][i] -= 1; StepPropagator.heldStep(v: &v[l][i], i: &I[l][i], alpha: prop[l][i].alpha, reset: k[l][i].reset) }
                        else { prop[l][i].step(v: &v[l][i], i: &I[l][i]) }
                    }
                }
            }
            for l in 0...L { for i in 0..<pops[l] { s[l][i] = 0 } }
            let end = Int64(n + 1) * dtPs
            while p < input.count && input.times[p] < end {
                let ch = Int(input.channels[p]); p += 1
                if ch >= 0 && ch < pops[0] { s[0][ch] += 1; counts[0] += 1 }
            }
            for l in 1...L {
                // Feed-forward input from population l−1 at this step: dense over every row.
                for (c, conn) in chip.connections.enumerated() where conn.to == l && !conn.recurrent {
                    denseAccumulate(q[c], s[conn.from], into: &I[l], gain: k[l], outputs: conn.outputs)
                    work += Double(conn.inputs * conn.outputs)
                }
                for i in 0..<pops[l] where v[l][i] >= k[l][i].threshold {
                    v[l][i] = k[l][i].reset
                    ref[l][i] = prop[l][i].refractorySteps
                    s[l][i] = 1
                    counts[l] += 1
                }
                for (c, conn) in chip.connections.enumerated() where conn.to == l && conn.recurrent {
                    denseAccumulate(q[c], s[l], into: &I[l], gain: k[l], outputs: conn.outputs)
                    work += Double(conn.inputs * conn.outputs)
                }
            }
        }
        return Result(spikes: counts, synapseUpdates: work)
    }

    static func denseAccumulate(_ q: [Double], _ s: [Double], into I: inout [Double], gain: [NeuronConstants], outputs: Int) {
        var acc = [Double](repeating: 0, count: outputs)
        for j in 0..<s.count {
            let sj = s[j]
            let base = j * outputs
            for i in 0..<outputs { acc[i] += sj * q[base + i] }
        }
        for i in 0..<outputs { I[i] += acc[i] * gain[i].chargeToCurrent }
    }
}
