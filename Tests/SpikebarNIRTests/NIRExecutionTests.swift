import Foundation
import SpikebarNIR
import Testing

/// The time-stepped reference execution, node by node, against closed forms and hand-computed steps.
struct NIRExecutionTests {
    func neuron(
        _ model: NIRNeuron.Model, count: Int = 1, tau: Double? = nil, tauSyn: Double? = nil, r: Double = 1,
        vLeak: Double = 0, threshold: Double? = nil, vReset: Double = 0, wIn: Double = 1
    ) -> NIRNode {
        let v = { (x: Double) in Array(repeating: x, count: count) }
        return .neuron(
            NIRNeuron(
                model: model, shape: [count], tauMem: tau.map(v), tauSyn: tauSyn.map(v), r: v(r), vLeak: v(vLeak),
                vThreshold: threshold.map(v), vReset: v(vReset), wIn: v(wIn)))
    }

    func outputs(_ g: NIRGraph, _ frames: [[Double]], _ options: NIRRunOptions) throws -> [[Double]] {
        // Per-step outputs: run prefixes (small graphs only) and difference the cumulative counts.
        var out: [[Double]] = []
        var last = [Double]()
        let p = try NIRProgram(graph: g, options: options)
        for t in 1...frames.count {
            let c = try p.run(frames: Array(frames.prefix(t))).outputCounts
            out.append(last.isEmpty ? c : zip(c, last).map { $0 - $1 })
            last = c
        }
        return out
    }

    @Test func integrateAndFireCountsInputs() throws {
        // v += r·(W·x) per frame (dt = 1); spike when v > 2.5, reset to 0.
        let w = NIRTensor(shape: [2, 3], values: [1, 2, 0, 0, 1, 1])
        let g = chain([("lin", .linear(weight: w)), ("if", neuron(.integrateAndFire, count: 2, r: 1, threshold: 2.5))], input: [3])
        let frames: [[Double]] = [[1, 0, 0], [0, 1, 0], [1, 0, 2], [0, 0, 0], [3, 0, 0]]
        // neuron 0: v = 1, 3 → spike (0), 1, 1, 4 → spike; neuron 1: 0, 1, 3 → spike, 0, 0
        let out = try outputs(g, frames, NIRRunOptions(dt: 1))
        #expect(out == [[0, 0], [1, 0], [0, 1], [0, 0], [1, 0]])
        // ≥ and subtraction: neuron 0 with threshold 3 reached exactly at step 2.
        let g3 = chain([("lin", .linear(weight: w)), ("if", neuron(.integrateAndFire, count: 2, r: 1, threshold: 3))], input: [3])
        let ge = try outputs(g3, frames, NIRRunOptions(dt: 1, reset: .subtract, comparison: .greaterOrEqual))
        #expect(ge.map { $0[0] } == [0, 1, 0, 0, 1])  // v: 1, 3→0, 1, 1, 4→1
        let gt = try outputs(g3, frames, NIRRunOptions(dt: 1))
        #expect(gt.map { $0[0] } == [0, 0, 1, 0, 0])  // v: 1, 3, 4→0, 0, 3
    }

    @Test func leakyIntegratorMatchesItsClosedForm() throws {
        // Constant input I: v(t) = v_leak + (r·I − v_leak)… here v_leak = 0.2: v(t) = a + (0 − a)·e^(−t/τ), a = v_leak + r·I.
        let tau = 0.01, r = 2.0, vLeak = 0.2, input = 0.7, dt = 1e-4
        let g = chain([("li", neuron(.leakyIntegrator, tau: tau, r: r, vLeak: vLeak))], input: [1])
        let steps = 200
        let p = try NIRProgram(graph: g, options: NIRRunOptions(dt: dt, discretisation: .exponential))
        let a = vLeak + r * input
        // Output of LI is v; the run sums it, so the sum over n steps is Σ_k a(1 − e^(−k dt/τ)).
        let exact = (1...steps).reduce(0.0) { $0 + a * (1 - exp(-Double($1) * dt / tau)) }
        let got = try p.run(frames: Array(repeating: [input], count: steps)).outputCounts[0]
        #expect(abs(got - exact) < 1e-9 * exact)
        let euler = try NIRProgram(graph: g, options: NIRRunOptions(dt: dt)).run(frames: Array(repeating: [input], count: steps)).outputCounts[0]
        #expect(abs(euler - exact) / exact < 0.01)  // forward Euler: O(dt/τ) = 1 % bound
        #expect(abs(euler - exact) > 1e-6 * exact)  // …but not exact
    }

    @Test func cubaLIFFollowsItsODE() throws {
        // A kick I₀ into the synapse, then τ_m dv/dt = −v + r·I₀·e^(−t/τ_s): v(t) = r·I₀·τ_s/(τ_s − τ_m)·(e^(−t/τ_s) − e^(−t/τ_m)).
        let ts = 2e-3, tm = 5e-3, r = 1.5, w = 2.0, dt = 1e-6
        let g = chain([("c", neuron(.cubaLI, tau: tm, tauSyn: ts, r: r, wIn: w))], input: [1])
        let gain = 1 - exp(-dt / ts)
        let kick = 1.0 / (gain * w)  // synaptic current after the first step = 1
        let steps = 5000
        var frames = Array(repeating: [0.0], count: steps)
        frames[0] = [kick]
        let p = try NIRProgram(graph: g, options: NIRRunOptions(dt: dt, discretisation: .exponential))
        let c0 = try p.run(frames: frames).outputCounts[0]
        let c1 = try p.run(frames: frames + [[0]]).outputCounts[0]
        let v = c1 - c0  // v after steps + 1 steps, t = steps·dt after the kick
        let t = Double(steps) * dt
        let ode = r * ts / (ts - tm) * (exp(-t / ts) - exp(-t / tm))
        #expect(abs(v - ode) / ode < 2e-3, "v = \(v), ODE \(ode)")
    }

    @Test func cubaLIFSpikesAndResets() throws {
        // snnTorch's braille convention: dt = 1e-4, τ_syn = 2e-4, w_in = 2, τ_mem = 2.22e-4·… → syn = ½syn + S, v = βv + syn.
        let dt = 1e-4, ts = 2e-4, tm = 1e-3
        let r = tm / dt, w = ts / dt
        let g = chain([("c", neuron(.cubaLIF, tau: tm, tauSyn: ts, r: r, threshold: 1, wIn: w))], input: [1])
        let frames: [[Double]] = [[0.6], [0], [0], [0]]
        // syn: 0.6, 0.3, 0.15, 0.075; v (β = 0.9): 0.6, 0.84, 0.906, 0.8904 — no spike; with 0.7: 0.7, 0.98, 1.057 → spike
        #expect(try outputs(g, frames, NIRRunOptions(dt: dt)).map { $0[0] } == [0, 0, 0, 0])
        #expect(try outputs(g, [[0.7], [0], [0], [0]], NIRRunOptions(dt: dt)).map { $0[0] } == [0, 0, 1, 0])
    }

    @Test func convolutionEqualsTheDirectSum() throws {
        var rng = TestRandom(7)
        let (cin, cout, h, wd, k, groups) = (4, 6, 7, 6, 3, 2)
        let weight = NIRTensor(shape: [cout, cin / groups, k, k], values: (0..<(cout * cin / groups * k * k)).map { _ in rng.unit() })
        let bias = (0..<cout).map { _ in rng.unit() }
        let conv = NIRConvolution(
            weight: weight, bias: bias, stride: [2, 1], padding: [1, 2], paddingAfter: [1, 2], dilation: [1, 2],
            groups: groups, inputSpatial: [h, wd])
        let x = (0..<(cin * h * wd)).map { _ in rng.count() }
        let g = chain([("conv", .convolution(conv))], input: [cin, h, wd])
        let got = try NIRProgram(graph: g, options: NIRRunOptions(dt: 1)).run(frames: [x]).outputCounts
        let (oh, ow) = ((h + 2 - 2 - 1) / 2 + 1, (wd + 4 - 4 - 1) / 1 + 1)
        #expect(got.count == cout * oh * ow)
        for o in 0..<cout {
            for i in 0..<oh {
                for j in 0..<ow {
                    var s = bias[o]
                    let g0 = o / (cout / groups)
                    for cl in 0..<(cin / groups) {
                        for u in 0..<k {
                            for v in 0..<k {
                                let y = i * 2 - 1 + u, xx = j - 2 + v * 2
                                if y < 0 || y >= h || xx < 0 || xx >= wd { continue }
                                s += weight.values[((o * (cin / groups) + cl) * k + u) * k + v] * x[((g0 * (cin / groups) + cl) * h + y) * wd + xx]
                            }
                        }
                    }
                    #expect(abs(got[(o * oh + i) * ow + j] - s) < 1e-12)
                }
            }
        }
    }

    @Test func conv1dSamePaddingAndPooling() throws {
        // Conv1d 'same' (k = 3): y[i] = Σ_u w[u]·x[i − 1 + u].
        let c = NIRConvolution(
            weight: NIRTensor(shape: [1, 1, 3], values: [1, 10, 100]), bias: [0], stride: [1], padding: [1], paddingAfter: [1],
            dilation: [1], groups: 1, inputSpatial: nil)
        let out = try NIRProgram(graph: chain([("c", .convolution(c))], input: [1, 4]), options: NIRRunOptions(dt: 1)).run(frames: [[1, 2, 3, 4]])
        let expected: [Double] = [210, 321, 432, 43]  // [10·1 + 100·2, 1 + 10·2 + 100·3, 2 + 30 + 400, 3 + 40]
        #expect(out.outputCounts == expected)
        let frame = (1...16).map(Double.init)
        let sum = NIRPooling(average: false, kernel: [2, 2], stride: [2, 2], padding: [0, 0])
        let s = try NIRProgram(graph: chain([("p", .pooling(sum))], input: [1, 4, 4]), options: NIRRunOptions(dt: 1)).run(frames: [frame])
        let sums: [Double] = [14, 22, 46, 54]  // 1+2+5+6, 3+4+7+8, 9+10+13+14, 11+12+15+16
        #expect(s.outputCounts == sums)
        var avg = sum; avg.average = true
        let a = try NIRProgram(
            graph: chain([("p", .pooling(avg)), ("f", .flatten(startDim: 0, endDim: -1, inputShape: [1, 2, 2]))], input: [1, 4, 4]),
            options: NIRRunOptions(dt: 1)
        ).run(frames: [frame])
        #expect(a.outputCounts == [3.5, 5.5, 11.5, 13.5])
    }

    @Test func elementwiseNodesAndDelay() throws {
        let g = chain([("s", .scale([2, -1])), ("t", .threshold([1, -1.5])), ("d", .delay([2e-3, 0]))], input: [2])
        // scale: [1,1]→[2,-1]→thr [1,1]; [0.4,2]→[0.8,-2]→[0,0]; delay 2 steps on element 0.
        let frames: [[Double]] = [[1, 1], [0.4, 2], [0, 0], [0, 0]]
        let out = try outputs(g, frames, NIRRunOptions(dt: 1e-3))
        // threshold element 1 passes whenever its input is 0 > −1.5.
        #expect(out == [[0, 1], [0, 0], [1, 1], [0, 1]])
        let affine = chain(
            [("a", .affine(weight: NIRTensor(shape: [1, 2], values: [1, 1]), bias: [0.5])), ("i", neuron(.integrator, r: 3))], input: [2])
        // I: v += dt·r·(x₀ + x₁ + 0.5), dt = 0.1 → 0.3·(1.5), then 0.3·(0.5): v = 0.45, 0.6
        let iv = try outputs(affine, [[1, 0], [0, 0]], NIRRunOptions(dt: 0.1))
        #expect(abs(iv[0][0] - 0.45) < 1e-12 && abs(iv[1][0] - 0.6) < 1e-12)
    }

    @Test func recurrentSubgraphDelaysTheClosingEdge() throws {
        // nested_cycle: fc → sub(CubaLIF ⇄ rec) → fc2 (+0.5) → IF(θ = 2) → output. Checked against a hand loop.
        let g = try NIRGraph.read(path: fixture("nested_cycle_gzip.nir"))
        let dt = 1e-3
        let p = try NIRProgram(graph: g, options: NIRRunOptions(dt: dt))
        let delayed = p.nodes.flatMap { n in n.inputs.filter(\.delayed).map { "\(p.nodes[$0.source].name)→\(n.name)" } }
        #expect(delayed == ["sub.rec→sub.lif"])
        var rng = TestRandom(3)
        let frames = (0..<40).map { _ in (0..<3).map { _ in rng.count() } }
        let result = try p.run(frames: frames)
        // Hand loop.
        let fc = [[1.0, 0, 2], [0, 1, -1]], rec = [[0.0, -0.5], [0.25, 0]]
        let (ts, tm, r, th) = (2e-3, 5e-3, [1.0, 2.0], [1.0, 1.5])
        var syn = [0.0, 0], v = [0.0, 0], z = [0.0, 0], vif = 0.0, count = 0.0
        for f in frames {
            let recIn = (0..<2).map { o in rec[o][0] * z[0] + rec[o][1] * z[1] }
            for k in 0..<2 {
                let drive = fc[k][0] * f[0] + fc[k][1] * f[1] + fc[k][2] * f[2] + recIn[k]
                syn[k] += dt / ts * (-syn[k] + drive)
                v[k] += dt / tm * (-v[k] + r[k] * syn[k])
                z[k] = v[k] > th[k] ? 1 : 0
                if z[k] == 1 { v[k] = 0 }
            }
            vif += dt * 1000 * (z[0] + z[1] + 0.5)  // IF: v += dt·r·I, r = 1000
            if vif > 2 { count += 1; vif = 0 }
        }
        #expect(result.outputCounts == [count])
        #expect(count > 0)
        let plain = try NIRProgram(graph: try NIRGraph.read(path: fixture("nested_cycle_plain.nir")), options: NIRRunOptions(dt: dt)).run(
            frames: frames)
        #expect(plain == result)
    }

    @Test func brailleSubgraphEqualsTheFlatGraph() throws {
        let flat = try NIRGraph.read(path: fixture("braille_noDelay_bias_zero.nir"))
        let nested = try NIRGraph.read(path: fixture("braille_subgraph_repaired.nir"))
        let o = NIRRunOptions(dt: 1e-4)
        var rng = TestRandom(11)
        let frames = (0..<300).map { _ in (0..<12).map { _ in rng.count() > 0 ? 1.0 : 0 } }
        let a = try NIRProgram(graph: flat, options: o).run(frames: frames)
        let b = try NIRProgram(graph: nested, options: o).run(frames: frames)
        #expect(a.outputCounts == b.outputCounts)
        #expect(a.outputCounts.reduce(0, +) > 0)
        let hidden = a.nodes.first { $0.name == "lif1.lif" }, hiddenB = b.nodes.first { $0.name == "lif1.lif1" }
        #expect(hidden?.outputTotals == hiddenB?.outputTotals && (hidden?.nonzeroOutputs ?? 0) > 0)
    }

    @Test func inconsistentGraphsAreErrors() {
        let wrong = chain([("lin", .linear(weight: NIRTensor(shape: [2, 3], values: Array(repeating: 1, count: 6))))], input: [4])
        let e = expectError { _ = try NIRProgram(graph: wrong, options: NIRRunOptions(dt: 1)) }
        #expect(e?.node == "lin" && e?.reason.contains("4 values") == true, "\(String(describing: e))")
        var twoInputs = wrong
        twoInputs.nodes["in2"] = .input(shape: [3])
        #expect(expectError { _ = try NIRProgram(graph: twoInputs, options: NIRRunOptions(dt: 1)) }?.reason.contains("2 Input nodes") == true)
        let p = try? NIRProgram(graph: chain([], input: [2]), options: NIRRunOptions(dt: 1))
        #expect(expectError { _ = try p?.run(frames: [[1, 2, 3]]) }?.reason.contains("3 values") == true)
    }
}
