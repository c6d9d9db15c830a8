import Foundation
import SpikebarNIR
import Testing

/// `NIRProgram.runEventDriven`: exact timing of graphs with leak or bias, against closed forms.
struct NIREventDrivenTests {
    static func neuron(_ model: NIRNeuron.Model, tauMem: Double? = nil, tauSyn: Double? = nil, r: Double = 1, wIn: Double = 1) -> NIRNode {
        .neuron(
            NIRNeuron(
                model: model, shape: [1], tauMem: tauMem.map { [$0] }, tauSyn: tauSyn.map { [$0] }, r: [r], vLeak: [0], vThreshold: [1],
                vReset: [0], wIn: [wIn]))
    }

    /// Output spike times of a one-neuron graph driven by `weight` (and `bias`) from `events`.
    static func spikeTimes(
        _ node: NIRNode, weight: Double, bias: Double, events: [(time: Double, channel: Int)], until: Double, dt: Double = 1e-3,
        reset: NIRRunOptions.Reset = .toResetPotential
    ) throws -> [Double] {
        let g = chain([("fc", .affine(weight: NIRTensor(shape: [1, 1], values: [weight]), bias: [bias])), ("n", node)], input: [1])
        let p = try NIRProgram(graph: g, options: NIRRunOptions(dt: dt, reset: reset, comparison: .greaterOrEqual), file: "t")
        var steps: [Int] = []
        let (run, times) = try p.runEventDriven(events: events, until: until, spikes: { _, step, out in if out[0] != 0 { steps.append(step) } })
        #expect(run.outputCounts[0] == Double(steps.count))
        return steps.map { times[$0] }
    }

    @Test func biasDrivenIFAndLIFFireAtTheirClosedFormPeriods() throws {
        // IF: v = r·b·t, θ = 1 → a spike every 1/(r·b) = 1/7.
        let fi = try Self.spikeTimes(Self.neuron(.integrateAndFire), weight: 0, bias: 7, events: [], until: 1.05)
        #expect(fi.count == 7)
        for (k, t) in fi.enumerated() { #expect(abs(t - Double(k + 1) / 7) < 1e-12, "spike \(k) at \(t)") }
        // LIF: v∞ = r·b = 2, reset to 0 → period τ·ln(v∞/(v∞ − θ)) = τ·ln 2.
        let tau = 0.02
        let lif = try Self.spikeTimes(Self.neuron(.lif, tauMem: tau), weight: 0, bias: 2, events: [], until: 0.1)
        #expect(lif.count == Int(0.1 / (tau * log(2.0))))
        for (k, t) in lif.enumerated() { #expect(abs(t - Double(k + 1) * tau * log(2.0)) < 1e-12, "spike \(k) at \(t)") }
        // Below threshold at rest (v∞ = 0.5): silent.
        #expect(try Self.spikeTimes(Self.neuron(.lif, tauMem: tau), weight: 0, bias: 0.5, events: [], until: 1).isEmpty)
    }

    @Test func cubaLIFImpulseCrossesWhereTheClosedFormDoes() throws {
        // One input spike at t0: I jumps by dt·w_in·w/τ_syn, then V(t) = c·I₀·(e^(−s/τ_syn) − e^(−s/τ_mem)),
        // c = r·τ_syn/(τ_syn − τ_mem); the first crossing of θ = 1, found here by bisection on that formula.
        let (tauSyn, tauMem, r, wIn, w, dt, t0) = (5e-3, 20e-3, 2.0, 1.5, 40.0, 1e-3, 0.01)
        let i0 = dt * wIn * w / tauSyn
        let c = r * tauSyn / (tauSyn - tauMem)
        func v(_ s: Double) -> Double { c * i0 * (exp(-s / tauSyn) - exp(-s / tauMem)) }
        var lo = 0.0, hi = 5e-3
        #expect(v(hi) > 1)
        for _ in 0..<200 { let m = (lo + hi) / 2; if v(m) >= 1 { hi = m } else { lo = m } }
        let times = try Self.spikeTimes(
            Self.neuron(.cubaLIF, tauMem: tauMem, tauSyn: tauSyn, r: r, wIn: wIn), weight: w, bias: 0, events: [(t0, 0)], until: 0.2)
        #expect(times.count >= 1)
        #expect(abs(times[0] - (t0 + hi)) < 1e-12, "first spike \(times[0]) vs \(t0 + hi)")
        // A bias above threshold at rest (tonic, the bracketed search): once the synaptic current has
        // settled at I∞ = w_in·b (it relaxes with τ_syn: the first intervals are shorter), the spikes come every τ_mem·ln(v∞/(v∞ − θ)), v∞ = r·I∞ = 3.
        let tonic = try Self.spikeTimes(
            Self.neuron(.cubaLIF, tauMem: tauMem, tauSyn: tauSyn, r: r, wIn: wIn), weight: 0, bias: 1, events: [], until: 0.5)
        let period = tauMem * log(3.0 / 2.0)
        #expect(tonic.count > 20)
        for k in 12..<tonic.count { #expect(abs(tonic[k] - tonic[k - 1] - period) < 1e-9, "interval \(k): \(tonic[k] - tonic[k - 1]) vs \(period)") }
        // A weaker impulse that peaks below θ: no spike.
        #expect(
            try Self.spikeTimes(
                Self.neuron(.cubaLIF, tauMem: tauMem, tauSyn: tauSyn, r: r, wIn: wIn), weight: 1, bias: 0, events: [(t0, 0)], until: 0.2
            ).isEmpty)
    }

    @Test func runawayAndUnsupportedNodesAreErrorsNamingTheNode() throws {
        // Reset by subtraction under a huge drive: far more than 10 spikes per step → refused, naming the node.
        do {
            _ = try Self.spikeTimes(Self.neuron(.integrateAndFire), weight: 0, bias: 1e6, events: [], until: 1, reset: .subtract)
            Issue.record("a runaway neuron must stop the run")
        } catch let e as NIRError {
            #expect(e.node == "n" && e.reason.contains("runs away"), "\(e)")
        }
        let g = chain(
            [("fc", .affine(weight: NIRTensor(shape: [1, 1], values: [1]), bias: [0])), ("li", Self.neuron(.leakyIntegrator, tauMem: 0.01))],
            input: [1])
        let p = try NIRProgram(graph: g, options: NIRRunOptions(dt: 1e-3), file: "t")
        #expect(p.eventDrivenRefusal()?.node == "li")
        #expect(throws: NIRError.self) { _ = try p.runEventDriven(events: [], until: 1) }
    }
}
