import Foundation
import Testing
import SpikebarChip
import SpikebarCore
import SpikebarDevices
import SpikebarKernel
import SpikebarScenario
// main moves the neuron equations (LIFDynamics, NeuronConstants) into SpikebarNeurons: this file then
// needs it, and compiles on either side of that merge.
#if canImport(SpikebarNeurons)
import SpikebarNeurons
import SpikebarTestSupport
#endif

/// Exact mode's spike times against the closed form of one LIF + DPI neuron over whole bursts (issue #19,
/// point 2): the kernel keeps each crossing's exact time for the neuron's own state (reset, refractory
/// end, later integration) and uses the picosecond tick only to order and deliver the spike, so every
/// reported time must be the closed form's crossing rounded up to the next picosecond — however many
/// spikes came before it, without the drift that rounding each reset would add.
///
/// The reference is written here, independently of the kernel: the closed form with libm's `exp`,
/// crossings by plain bisection to the last bit between consecutive inputs, times as `Double` seconds,
/// never rounded.
///
/// Bound checked, per spike: `−ε ≤ t_kernel − t_closed form < 1 ps + 0.011 ps + ε`, where
/// 0.011 ps is the root search's own allowance for the tick (`LIFDynamics.crossing`: converged to
/// 10⁻¹⁵ s, the tick never early, at most 10 fs past the root) and ε the spike's conditioning, two terms:
/// `1000·ulp(θ)/|dV/dt|` — both sides carry a few hundred ulps of rounding in V (each update rounds; the
/// decay damps it), and an error δV moves a crossing of slope dV/dt by δV/|dV/dt| — plus how far the
/// closed form's spike moves when every earlier reset is moved by 1 fs (the root's tolerance; computed
/// with the reference itself): in a burst's grazing tail, where the slope at θ nears 0, each spike
/// amplifies the error of the one before. No double-precision method locates those better.
@Suite struct ExactSpikeTimeTests {
    /// A 1-input, 1-neuron chip with weight 1 (G⁺ = 100 µS, G⁻ = 10 µS), no programming error or read noise.
    func chip(gain: Double, refractory: Double) throws -> Chip {
        let yaml = """
            seed: 7
            network: {input: 1, layers: [{name: out, size: 1}]}
            neurons: {tau_mem: 20e-3, tau_syn: 5e-3, threshold: 1.0, reset: 0.0, refractory: \(refractory), membrane_resistance: 2e9, synapse_gain: \(gain)}
            heterogeneity: {tau_cv: 0}
            device: {levels: 8, g_min: 10e-6, g_max: 100e-6, read_voltage: 0.1, read_pulse: 100e-9, programming_error: 0, read_noise: 0}
            weights: {source: generated, target_rate: 0}
            input: {source: uniform, max_rate: 0, window: 0.05, samples: 1}
            simulation: {timing: exact, dt: 1e-3}
            """
        let loaded = try scenario(yaml)
        return try Chip(scenario: loaded.scenario, weights: [WeightMatrix(inputs: 1, outputs: 1, values: [1])])
    }

    /// One spike of the reference: its time (s) and dV/dt there (V/s).
    struct RefSpike { var time: Double, slope: Double }

    /// The closed-form spike train of the chip's neuron driven by `inputs` (ps) until `window` (s).
    /// `perturb` (s): the neuron resets that much after each crossing instead of at it — for the
    /// sensitivity of later spikes to an error in earlier ones.
    func closedForm(chip: Chip, inputs: [Int64], window: Double, perturb: Double = 0) -> [RefSpike] {
        let p = chip.neurons[0][0]
        let k = NeuronConstants(p)
        let c = chip.connections[0]
        // The current step of one input spike, as the kernel computes it (read charge × gain/τ_syn).
        let dI = chip.device.readVoltage * chip.device.readPulse * (c.gPlus[0] - c.gMinus[0]) * k.chargeToCurrent
        let tauS = 1 / k.rateSyn, tauM = 1 / k.rateMem, coupling = k.coupling
        let theta = k.threshold, reset = k.reset, tRef = p.refractory
        // State (v, i) at time `last`; V is pinned at reset until `refEnd`.
        var v = 0.0, i = 0.0, last = 0.0, refEnd = -Double.infinity
        var spikes: [RefSpike] = []
        func V(_ v0: Double, _ i0: Double, _ s: Double) -> Double {
            v0 * exp(-s / tauM) + coupling * i0 * (exp(-s / tauS) - exp(-s / tauM))
        }
        func slope(_ v0: Double, _ i0: Double, _ s: Double) -> Double {
            -v0 / tauM * exp(-s / tauM) + coupling * i0 * (-exp(-s / tauS) / tauS + exp(-s / tauM) / tauM)
        }
        for tEnd in inputs.map({ Double($0) * 1e-12 }) + [window] {
            // Crossings in [free start, tEnd]: at most one extremum of V per free interval.
            while true {
                // Start of free evolution: the end of the hold, with V at reset and I decayed meanwhile.
                let t0 = max(last, refEnd)
                if t0 > tEnd { break }
                let v0 = refEnd > last ? reset : v
                let i0 = i * exp(-(t0 - last) / tauS)
                let span = tEnd - t0
                var hi: Double
                if v0 >= theta {
                    hi = 0
                } else {
                    // V rises until its peak (if it rises at all), then falls: the crossing lies before it.
                    let a0 = coupling * i0, b0 = v0 - a0
                    let ratio = -(b0 / tauM) / (a0 / tauS)
                    let peak = ratio > 0 ? log(ratio) / (1 / tauM - 1 / tauS) : 0
                    hi = min(max(peak, 0), span)
                    if !(V(v0, i0, hi) >= theta) { break }
                    var lo = 0.0
                    while true {
                        let mid = (lo + hi) / 2
                        if mid <= lo || mid >= hi { break }
                        if V(v0, i0, mid) >= theta { hi = mid } else { lo = mid }
                    }
                }
                let tc = t0 + hi
                spikes.append(RefSpike(time: tc, slope: slope(v0, i0, hi)))
                v = reset; i = i0 * exp(-(hi + perturb) / tauS); last = tc + perturb; refEnd = last + tRef
            }
            if tEnd >= window { break }
            // Bring the state to the input, then add its current step.
            let t0 = max(last, min(refEnd, tEnd))
            let i0 = i * exp(-(t0 - last) / tauS)
            let v0 = refEnd > last ? reset : v
            v = V(v0, i0, tEnd - t0); i = i0 * exp(-(tEnd - t0) / tauS) + dI; last = tEnd
        }
        return spikes
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String, gain: Double, refractory: Double, inputs: [Int64], window: Double
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        // One strong input, no refractory period: a burst whose crossings flatten as I decays, the last
        // ones grazing (the "grazing burst" of issue #19).
        Case(name: "one kick, burst, refractory 0", gain: 2000, refractory: 0, inputs: [1_000_000_000], window: 0.1),
        Case(name: "one kick, burst, refractory 0.3 ms", gain: 2000, refractory: 0.3e-3, inputs: [1_000_000_000], window: 0.1),
        // A periodic drive just above threshold (R·I ≈ 1.2 θ on average): slow crossings riding the
        // current's ripple, inputs landing in every phase of the inter-spike interval.
        Case(
            name: "periodic drive 1.2 θ, refractory 0", gain: 0.0667, refractory: 0,
            inputs: (0..<10_000).map { Int64($0) * 100_000_000 + 1_000_000 }, window: 1),
        // Irregular input (fixed LCG), stronger drive, 1 ms refractory period.
        Case(
            name: "irregular drive, refractory 1 ms", gain: 0.15, refractory: 1e-3,
            inputs: irregularTimes(count: 3_000, meanGapPs: 66_000_000), window: 0.2),
    ]

    static func irregularTimes(count: Int, meanGapPs: Int64) -> [Int64] {
        var s: UInt64 = 0x9E37_79B9_7F4A_7C15, t: Int64 = 0, out: [Int64] = []
        for _ in 0..<count {
            s = s &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            t += 1 + Int64((s >> 33) % UInt64(2 * meanGapPs))
            out.append(t)
        }
        return out
    }

    /// An input in the very tick of a crossing (`⌈t_c⌉`, after `t_c`): the crossing goes first, so the
    /// neuron resets at `t_c` and the input's current arrives after the reset — the closed form's order.
    /// (Were the input first, the neuron would fire at the tick from its state there, reset up to 1 ps
    /// late, and every later spike of the burst would carry that shift.)
    @Test func inputInTheTickOfACrossingComesAfterIt() throws {
        let chip = try chip(gain: 2000, refractory: 0)
        let kick: Int64 = 1_000_000_000
        // The closed form's first crossing after the kick; an input at its tick and one every 97 µs.
        let tc = try #require(closedForm(chip: chip, inputs: [kick], window: 0.01).first).time
        let tick = Int64((tc * 1e12).rounded(.up))
        #expect(Double(tick) * 1e-12 > tc)  // strictly after: the case under test
        let inputs = [kick, tick] + (1...40).map { tick + Int64($0) * 97_000_000 }
        var input = SpikeList()
        for t in inputs { input.append(time: t, channel: 0) }
        let first = EventKernel(chip: chip, timing: .exact, readNoise: false)
            .run(input: input, options: RunOptions(window: 0.01, recordSpikes: true)).spikes[1].times.first
        #expect(first == tick)
        let (count, worst, _) = compare(chip: chip, inputs: inputs, window: 0.01, name: "input in the tick of a crossing")
        #expect(count > 20)
        print(
            "ExactSpikeTimeTests[input in the tick of a crossing]: \(count) spikes, max |t_kernel − t_closed form| = \(String(format: "%.4f", worst * 1e12)) ps"
        )
    }

    @Test(arguments: cases)
    func spikeTimesAreTheClosedFormRoundedUp(_ c: Case) throws {
        let chip = try chip(gain: c.gain, refractory: c.refractory)
        let (count, worst, maxEps) = compare(chip: chip, inputs: c.inputs, window: c.window, name: c.name)
        #expect(count > 20, "the case should burst: \(count) spikes")
        print(
            "ExactSpikeTimeTests[\(c.name)]: \(count) spikes, max |t_kernel − t_closed form| = \(String(format: "%.4f", worst * 1e12)) ps, largest allowance ε \(String(format: "%.4f", maxEps * 1e12)) ps"
        )
    }

    /// Runs the kernel on `inputs` and checks every spike against the closed form with the bound above;
    /// returns the spike count, the largest |error| and the largest allowance ε (s).
    func compare(chip: Chip, inputs all: [Int64], window: Double, name: String) -> (Int, Double, Double) {
        var input = SpikeList()
        for t in all { input.append(time: t, channel: 0) }
        let r = EventKernel(chip: chip, timing: .exact, readNoise: false)
            .run(input: input, options: RunOptions(window: window, recordSpikes: true))
        let kernel = r.spikes[1].times
        let inputs = all.filter { Double($0) * 1e-12 < window }
        let ref = closedForm(chip: chip, inputs: inputs, window: window)
        #expect(kernel.count == ref.count, "\(name): \(kernel.count) spikes vs \(ref.count) in the closed form")
        // Each spike's conditioning: the local term, and how much an error of 1 fs in the time of every
        // earlier reset (the root search's tolerance) moves it — a burst's grazing tail amplifies those.
        let later = closedForm(chip: chip, inputs: inputs, window: window, perturb: 1e-15)
        let earlier = closedForm(chip: chip, inputs: inputs, window: window, perturb: -1e-15)
        #expect(later.count == ref.count && earlier.count == ref.count)
        let ulp = NeuronConstants(chip.neurons[0][0]).threshold.ulp
        var worst = 0.0, outside = 0, maxEps = 0.0
        var first: String? = nil
        for (n, (tk, s)) in zip(kernel, ref).enumerated() {
            let err = Double(tk) * 1e-12 - s.time
            let carried = n < later.count && n < earlier.count ? max(abs(later[n].time - s.time), abs(earlier[n].time - s.time)) : 0
            let eps = 1000 * ulp / abs(s.slope) + carried
            maxEps = max(maxEps, eps)
            worst = max(worst, abs(err))
            if !(err >= -eps && err < 1e-12 + 1.1e-14 + eps) {
                outside += 1
                if first == nil { first = "spike \(n) at \(tk) ps, closed form \(s.time) s: error \(err * 1e12) ps (ε \(eps * 1e12) ps)" }
            }
        }
        #expect(outside == 0, "\(name): \(outside) spikes outside the bound; first: \(first ?? "-")")
        return (kernel.count, worst, maxEps)
    }
}
