import Foundation
import SpikebarNIR
import Testing

/// `NIRProgram.gradient`: backpropagation through time against finite differences on graphs without
/// spikes (where the gradient is exact): dense and recurrent layers with synaptic and membrane leaks,
/// a convolution, sum pooling and flatten.
struct NIRGradientTests {
    static func leaky(_ n: Int, shape: [Int]? = nil, synapse: Bool) -> NIRNode {
        .neuron(
            NIRNeuron(
                model: synapse ? .cubaLI : .leakyIntegrator, shape: shape ?? [n], tauMem: Array(repeating: 0.004, count: n),
                tauSyn: synapse ? Array(repeating: 0.002, count: n) : nil, r: Array(repeating: 1.5, count: n),
                vLeak: Array(repeating: 0.1, count: n), vThreshold: nil, vReset: Array(repeating: 0, count: n),
                wIn: Array(repeating: 0.8, count: n)))
    }

    /// Input[3] → Affine → CubaLI (+ recurrent Linear) → Affine → LI → Output.
    static func recurrentGraph(_ v: [Double]) -> NIRGraph {
        NIRGraph(
            nodes: [
                "input": .input(shape: [3]), "output": .output(shape: [2]),
                "fc1": .affine(weight: NIRTensor(shape: [4, 3], values: Array(v[0..<12])), bias: Array(v[12..<16])),
                "lif": leaky(4, synapse: true),
                "rec": .linear(weight: NIRTensor(shape: [4, 4], values: Array(v[16..<32]))),
                "fc2": .affine(weight: NIRTensor(shape: [2, 4], values: Array(v[32..<40])), bias: Array(v[40..<42])),
                "li": leaky(2, synapse: false),
            ],
            edges: [
                NIREdge("input", "fc1"), NIREdge("fc1", "lif"), NIREdge("lif", "rec"), NIREdge("rec", "lif"), NIREdge("lif", "fc2"),
                NIREdge("fc2", "li"), NIREdge("li", "output"),
            ])
    }

    static func steps(_ count: Int, inputs: Int, seed: UInt64) -> [[(index: Int, value: Double)]] {
        var rng = TestRandom(seed)
        return (0..<count).map { _ in
            (0..<inputs).compactMap { i in
                let c = rng.count(); return c > 0 ? (i, c) : nil
            }
        }
    }

    func loss(_ g: NIRGraph, _ s: [[(index: Int, value: Double)]]) throws -> Double {
        try NIRProgram(graph: g, options: NIRRunOptions(dt: 1e-3)).gradient(sparse: s, label: 1, scale: 0.7, slope: 5).loss
    }

    @Test func recurrentLeakyLayersMatchFiniteDifferences() throws {
        var rng = TestRandom(7)
        let v = (0..<42).map { _ in 0.6 * rng.unit() }
        let s = Self.steps(12, inputs: 3, seed: 3)
        let program = try NIRProgram(graph: Self.recurrentGraph(v), options: NIRRunOptions(dt: 1e-3))
        let g = try program.gradient(sparse: s, label: 1, scale: 0.7, slope: 5)
        let index = Dictionary(uniqueKeysWithValues: program.nodes.enumerated().map { ($1.name, $0) })
        // (parameter offset in v, analytic gradient): NIR weight [out, in] ↔ the dense node's [in][out].
        func dense(_ name: String, _ offset: Int, out: Int, inputs: Int) -> [(Int, Double)] {
            guard let j = index[name], let gw = g.weights[j] else { return [] }
            return (0..<(out * inputs)).map { m in (offset + m, gw[(m % inputs) * out + m / inputs]) }
        }
        var checks = dense("fc1", 0, out: 4, inputs: 3) + dense("rec", 16, out: 4, inputs: 4) + dense("fc2", 32, out: 2, inputs: 4)
        if let j = index["fc1"], let gb = g.biases[j] { checks += gb.enumerated().map { (12 + $0, $1) } }
        if let j = index["fc2"], let gb = g.biases[j] { checks += gb.enumerated().map { (40 + $0, $1) } }
        #expect(checks.count == 42)
        for (m, analytic) in checks {
            var plus = v, minus = v
            plus[m] += 1e-6; minus[m] -= 1e-6
            let numeric = (try loss(Self.recurrentGraph(plus), s) - loss(Self.recurrentGraph(minus), s)) / 2e-6
            #expect(abs(numeric - analytic) <= 1e-6 + 1e-4 * abs(numeric), "parameter \(m): numeric \(numeric), BPTT \(analytic)")
        }
    }

    /// Input[1, 4, 4] → Conv2d(1→2, 2×2) → LI → SumPool2d(2) → Flatten → Affine(2→2) → LI → Output.
    static func convGraph(_ v: [Double]) -> NIRGraph {
        let conv = NIRConvolution(
            weight: NIRTensor(shape: [2, 1, 2, 2], values: Array(v[0..<8])), bias: Array(v[8..<10]), stride: [1, 1], padding: [0, 0],
            paddingAfter: [0, 0], dilation: [1, 1], groups: 1, inputSpatial: [4, 4])
        let pool = NIRPooling(average: false, kernel: [2, 2], stride: [2, 2], padding: [0, 0])
        return chain(
            [
                ("conv", .convolution(conv)), ("li1", leaky(18, shape: [2, 3, 3], synapse: false)), ("pool", .pooling(pool)),
                ("flat", .flatten(startDim: 0, endDim: -1, inputShape: nil)),
                ("fc", .affine(weight: NIRTensor(shape: [2, 2], values: Array(v[10..<14])), bias: Array(v[14..<16]))),
                ("li2", leaky(2, synapse: true)),
            ], input: [1, 4, 4])
    }

    @Test func convolutionAndPoolingMatchFiniteDifferences() throws {
        var rng = TestRandom(11)
        let v = (0..<16).map { _ in 0.7 * rng.unit() }
        let s = Self.steps(8, inputs: 16, seed: 5)
        let program = try NIRProgram(graph: Self.convGraph(v), options: NIRRunOptions(dt: 1e-3))
        let g = try program.gradient(sparse: s, label: 1, scale: 0.7, slope: 5)
        let index = Dictionary(uniqueKeysWithValues: program.nodes.enumerated().map { ($1.name, $0) })
        guard let c = index["conv"], let f = index["fc"], let gc = g.weights[c], let gcb = g.biases[c], let gf = g.weights[f], let gfb = g.biases[f]
        else {
            Issue.record("no gradient for conv or fc"); return
        }
        let analytic = gc + gcb + (0..<4).map { m in gf[(m % 2) * 2 + m / 2] } + gfb
        for m in 0..<16 {
            var plus = v, minus = v
            plus[m] += 1e-6; minus[m] -= 1e-6
            let numeric = (try loss(Self.convGraph(plus), s) - loss(Self.convGraph(minus), s)) / 2e-6
            #expect(abs(numeric - analytic[m]) <= 1e-6 + 1e-4 * abs(numeric), "parameter \(m): numeric \(numeric), BPTT \(analytic[m])")
        }
    }
}
