import Foundation
import Testing
import SpikebarChip
import SpikebarCore
import SpikebarData
import SpikebarDevices
import SpikebarKernel
import SpikebarScenario
import SpikebarNeurons
import SpikebarTestSupport

/// Exact mode against a plain, eager event-driven loop written here: after *every* update of a neuron
/// its next threshold crossing is searched (`LIFDynamics.crossing`), and the earliest pending event
/// (a crossing before an input of its tick) is processed next, by scanning every neuron; a neuron resets
/// at its crossing's exact time, its spike is delivered at the picosecond tick (issue #19). No lower bounds, no layer
/// checks, no horizons, no vector paths: what the kernel's optimisations must reproduce, spike for
/// spike. Times agree to rounding: the two search the root from different instants, and a grazing
/// crossing (V peaking just above θ) is ill-conditioned — a 1-ulp change of V moves it by up to
/// √(2·ulp/|V''|) ≈ 10⁻¹⁰ s — so times are compared to 1 ns; a missed or extra crossing changes the
/// spike sequence itself.
@Suite struct ExactReferenceTests {
    /// A neuron's state at time `last` (ps; a whole number, or after a spike its exact crossing time, where
    /// it reset), its refractory end, and its next crossing: the tick it is due at and its exact time.
    struct Neuron { var v = 0.0, i = 0.0, last = 0.0, refEnd = -Double.infinity, next: Int64? = nil, exact = 0.0 }

    func reference(chip: Chip, input: SpikeList, windowPs: Int64) -> [[(time: Int64, neuron: Int)]] {
        let L = chip.layerCount
        let consts = chip.neurons.map { $0.map(NeuronConstants.init) }
        var state = chip.populations.map { [Neuron](repeating: Neuron(), count: $0.size) }
        let scale = chip.device.readVoltage * chip.device.readPulse
        var spikes = [[(time: Int64, neuron: Int)]](repeating: [], count: L + 1)

        func advance(_ l: Int, _ n: Int, to t: Double) {
            var s = state[l][n]
            guard t > s.last else { return }
            let held = s.refEnd > s.last ? (min(t, s.refEnd) - s.last) * 1e-12 : 0
            (s.v, s.i) = LIFDynamics.propagate(v: s.v, i: s.i, t: (t - s.last) * 1e-12, held: held, consts[l - 1][n])
            s.last = t
            state[l][n] = s
        }
        // From the state's own time (the end of its hold if later): the exact crossing, and its tick.
        func predict(_ l: Int, _ n: Int) {
            let k = consts[l - 1][n]
            let s = state[l][n]
            let t0 = max(s.last, s.refEnd)
            let (v0, i0) = LIFDynamics.propagate(v: s.v, i: s.i, t: (t0 - s.last) * 1e-12, held: (t0 - s.last) * 1e-12, k)
            if let c = LIFDynamics.crossing(v: v0, i: i0, k) {
                state[l][n].exact = t0 + c.root * 1e12
                state[l][n].next = Int64((t0 + c.notBefore * 1e12).rounded(.up))
            } else {
                state[l][n].next = nil
            }
        }
        func deliver(from p: Int, row j: Int, at t: Int64) {
            for c in chip.connections where c.from == p {
                for n in 0..<c.outputs {
                    advance(c.to, n, to: Double(t))
                    state[c.to][n].i += scale * (c.gPlus[j * c.outputs + n] - c.gMinus[j * c.outputs + n]) * consts[c.to - 1][n].chargeToCurrent
                    predict(c.to, n)
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
            // A crossing goes before an input of its tick: it happened at or before it.
            if nextInput < (best?.t ?? Int64.max) {
                deliver(from: 0, row: Int(input.channels[p]), at: nextInput)
                p += 1
            } else if let b = best {
                // Reset at the exact crossing time; the spike is delivered at its tick.
                let tc = state[b.l][b.n].exact
                advance(b.l, b.n, to: tc)
                state[b.l][b.n].v = consts[b.l - 1][b.n].reset
                state[b.l][b.n].refEnd = tc + Double(consts[b.l - 1][b.n].refractoryPicoseconds)
                spikes[b.l].append((b.t, b.n))
                deliver(from: b.l, row: b.n, at: b.t)
                predict(b.l, b.n)
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
        #expect(r.spikes[1].count > 50)  // real activity, refractory periods included
        #expect(r.spikes[2].count > 5)
    }
}
