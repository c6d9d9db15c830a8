import Foundation
import Testing
import SpikebarChip
import SpikebarCore
import SpikebarData
import SpikebarDevices
import SpikebarKernel
import SpikebarScenario
import SpikebarNeurons

/// Exact mode against a plain, eager event-driven loop written here: after *every* update of a neuron
/// its next threshold crossing is searched (`LIFDynamics.firstCrossing`), and the earliest pending event
/// (input spike first on ties) is processed next, by scanning every neuron. No lower bounds, no layer
/// checks, no horizons, no vector paths: what the kernel's optimisations must reproduce, spike for
/// spike. Times agree to rounding: the two search the root from different instants, and a grazing
/// crossing (V peaking just above θ) is ill-conditioned — a 1-ulp change of V moves it by up to
/// √(2·ulp/|V''|) ≈ 10⁻¹⁰ s — so times are compared to 1 ns; a missed or extra crossing changes the
/// spike sequence itself.
@Suite struct ExactReferenceTests {
    struct Neuron { var v = 0.0, i = 0.0, last: Int64 = 0, refEnd = Int64.min, next: Int64? = nil }

    func reference(chip: Chip, input: SpikeList, windowPs: Int64) -> [[(time: Int64, neuron: Int)]] {
        let L = chip.layerCount
        let consts = chip.neurons.map { $0.map(NeuronConstants.init) }
        var state = chip.populations.map { [Neuron](repeating: Neuron(), count: $0.size) }
        let scale = chip.device.readVoltage * chip.device.readPulse
        var spikes = [[(time: Int64, neuron: Int)]](repeating: [], count: L + 1)

        func advance(_ l: Int, _ n: Int, to t: Int64) {
            var s = state[l][n]
            guard t > s.last else { return }
            let held = s.refEnd > s.last ? Double(min(t, s.refEnd) - s.last) * 1e-12 : 0
            (s.v, s.i) = LIFDynamics.propagate(v: s.v, i: s.i, t: Double(t - s.last) * 1e-12, held: held, consts[l - 1][n])
            s.last = t
            state[l][n] = s
        }
        func predict(_ l: Int, _ n: Int, at t: Int64) {
            let k = consts[l - 1][n]
            let s = state[l][n]
            let t0 = max(t, s.refEnd)
            let (v0, i0) = LIFDynamics.propagate(v: s.v, i: s.i, t: Double(t0 - t) * 1e-12, held: Double(t0 - t) * 1e-12, k)
            state[l][n].next = LIFDynamics.firstCrossing(v: v0, i: i0, k).map { t0 + Int64(($0 * 1e12).rounded(.up)) }
        }
        func deliver(from p: Int, row j: Int, at t: Int64) {
            for c in chip.connections where c.from == p {
                for n in 0..<c.outputs {
                    advance(c.to, n, to: t)
                    state[c.to][n].i += scale * (c.gPlus[j * c.outputs + n] - c.gMinus[j * c.outputs + n]) * consts[c.to - 1][n].chargeToCurrent
                    predict(c.to, n, at: t)
                }
            }
        }
        var p = 0
        while true {
            var best: (t: Int64, l: Int, n: Int)? = nil
            for l in 1...L {
                for n in state[l].indices {
                    if let t = state[l][n].next, best == nil || t < best!.t { best = (t, l, n) }
                }
            }
            let nextInput = p < input.count ? input.times[p] : Int64.max
            if nextInput >= windowPs && (best?.t ?? Int64.max) >= windowPs { break }
            if nextInput <= (best?.t ?? Int64.max) {
                deliver(from: 0, row: Int(input.channels[p]), at: nextInput)
                p += 1
            } else if let b = best {
                advance(b.l, b.n, to: b.t)
                state[b.l][b.n].v = consts[b.l - 1][b.n].reset
                state[b.l][b.n].refEnd = b.t + consts[b.l - 1][b.n].refractoryPicoseconds
                spikes[b.l].append((b.t, b.n))
                deliver(from: b.l, row: b.n, at: b.t)
                predict(b.l, b.n, at: b.t)
            }
        }
        return spikes
    }

    @Test(arguments: [false, true])
    func exactModeEqualsEagerReference(recurrent: Bool) throws {
        // 14 hidden and 6 output neurons: whole four-lane groups and scalar tails, heterogeneous τ.
        let (chip, input) = try twoLayerTestChip(hidden: 14, out: 6, recurrent: recurrent)
        let r = EventKernel(chip: chip, timing: .exact, readNoise: false)
            .run(input: input, options: RunOptions(window: 0.2, recordSpikes: true))
        let ref = reference(chip: chip, input: input, windowPs: 200_000_000_000)
        for l in 1...2 {
            let kernel = zip(r.spikes[l].times, r.spikes[l].channels).map { (time: $0, neuron: Int($1)) }
            #expect(kernel.count == ref[l].count, "population \(l): \(kernel.count) vs \(ref[l].count) spikes")
            for (a, b) in zip(kernel, ref[l]) where a.neuron != b.neuron || abs(a.time - b.time) > 1000 {
                Issue.record("population \(l): first difference kernel (\(a.time) ps, #\(a.neuron)) vs reference (\(b.time) ps, #\(b.neuron))")
                break
            }
        }
        #expect(r.spikes[1].count > 50)   // real activity, refractory periods included
        #expect(r.spikes[2].count > 5)
    }
}
