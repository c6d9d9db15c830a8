import SpikebarCore

/// A fresh, randomly initialised spiking CNN or FCN written in the layer notation of seed 003
/// (Bhattacharya et al., "Technology aware training in memristive neuromorphic systems…", Table II:
/// `32x32x3-64c5-2s-128c5-2s-256c3-2s-512o-10o`), as an NIR graph that `spikebar nir train` trains and
/// every NIR command runs:
///
/// - `HxWxC` — the input, height × width × channels (the paper's order); the graph's Input is `[C, H, W]`
///   (NIR's channel-first layout). A single number `N` is a flat input of N channels.
/// - `Nc K` (`16c5`) — `Conv2d` with N output channels, a K × K kernel, stride 1 and "same" zero padding
///   (K odd), followed by a population of IF neurons.
/// - `Ks` (`2s`) — `SumPool2d`, K × K window, stride K (the paper's sub-sampling; spikes are summed, as
///   Sinabs's `SumPool2d`, so the next layer sees counts).
/// - `No` (`128o`) — `Affine` with N outputs (a `Flatten` before the first one after a convolution),
///   followed by IF neurons; the last one is the output.
///
/// Neurons are NIR `IF` (`dv/dt = r·I`, `r` = 1, `v_threshold` = 1, `v_reset` = 0): no time constant, so
/// the graph runs in exact (event-driven) timing too, and the scenario's `network.reset` chooses reset to
/// zero or by subtraction. Weights are drawn uniformly in ±`gain`·√(3/fan_in) (variance gain²/fan_in: He
/// initialisation for gain √2) from the keyed stream `(seed, weights, layer)`; biases start at zero.
extension NIRGraph {
    /// One layer of the notation.
    public enum ArchitectureLayer: Sendable, Equatable {
        case convolution(channels: Int, kernel: Int)
        case pooling(kernel: Int)
        case dense(outputs: Int)
    }

    /// Parses the notation: the input shape `[C, H, W]` (or `[N]`) and the layers, or an error naming
    /// the token and why.
    public static func parseArchitecture(_ text: String) throws -> (input: [Int], layers: [ArchitectureLayer]) {
        let tokens = text.split(separator: "-", omittingEmptySubsequences: false).map { String($0).trimmingCharacters(in: .whitespaces) }
        func fail(_ token: String, _ why: String) -> SpikebarError {
            .invalidInput(SourceLocation(file: "architecture '\(text)'", keyPath: "'\(token)'"), why)
        }
        guard let head = tokens.first, !head.isEmpty else { throw fail("", "empty; e.g. 28x28x1-16c5-2s-32c5-2s-128o-10o (seed 003, Table II)") }
        let dims = head.lowercased().split(separator: "x", omittingEmptySubsequences: false).map { Int($0) }
        guard dims.allSatisfy({ ($0 ?? 0) >= 1 }), dims.count == 1 || dims.count == 3 else {
            throw fail(head, "the input is H x W x C (e.g. 28x28x1) or a channel count, all positive integers")
        }
        let d = dims.compactMap { $0 }
        let input = d.count == 3 ? [d[2], d[0], d[1]] : d
        var layers: [ArchitectureLayer] = []
        let form = "a layer is Nc K (convolution, e.g. 16c5), Ks (pooling, e.g. 2s) or No (dense, e.g. 10o), N and K positive integers"
        for t in tokens.dropFirst() {
            let lower = t.lowercased()
            if lower.hasSuffix("o") || lower.hasSuffix("s") {
                guard let n = Int(lower.dropLast()), n >= 1 else { throw fail(t, form) }
                layers.append(lower.hasSuffix("o") ? .dense(outputs: n) : .pooling(kernel: n))
                continue
            }
            let parts = lower.split(separator: "c", omittingEmptySubsequences: false)
            guard parts.count == 2, let c = Int(parts[0]), let k = Int(parts[1]), c >= 1, k >= 1 else { throw fail(t, form) }
            guard k % 2 == 1 else { throw fail(t, "a convolution keeps the map's size with \"same\" padding, which needs an odd kernel") }
            layers.append(.convolution(channels: c, kernel: k))
        }
        guard case .dense? = layers.last else { throw fail(tokens.last ?? "", "the last layer is the output: a dense layer No (e.g. 10o)") }
        return (input, layers)
    }

    /// Largest tensor (map or weights) `architecture` builds: 10⁸ values (800 MB as float64).
    public static let maxElements = 100_000_000
    /// Largest initial weight scale accepted.
    public static let maxGain = 1_000.0

    /// The graph of `architecture`, initialised from `seed` with `gain` (see the type's comment).
    public static func architecture(_ text: String, seed: UInt64, gain: Double = 2.0.squareRoot()) throws -> NIRGraph {
        guard gain > 0, gain <= maxGain else {
            throw SpikebarError.invalidInput(
                SourceLocation(file: "architecture '\(text)'", keyPath: "gain"), "must be in (0, \(Int(maxGain))] (√2 is He initialisation)")
        }
        let (input, layers) = try parseArchitecture(text)
        // Sizes checked before anything is allocated: every map and weight tensor at most `maxElements`
        // (products computed with overflow detection: `99999x99999x99999` is an error, not a trap).
        func product(_ xs: [Int], _ what: String) throws -> Int {
            var p = 1
            for x in xs {
                let (q, overflow) = p.multipliedReportingOverflow(by: x)
                guard !overflow, q <= maxElements else {
                    throw SpikebarError.invalidInput(
                        SourceLocation(file: "architecture '\(text)'", keyPath: "'\(what)'"),
                        "\(xs.map(String.init).joined(separator: " × ")) values: more than \(maxElements) in one tensor")
                }
                p = q
            }
            return p
        }
        var check = input
        _ = try product(check, "input")
        for layer in layers {
            switch layer {
            case let .convolution(c, k):
                guard check.count == 3 else { break }
                _ = try product([c, check[0], k, k], "\(c)c\(k) weights")
                check = [c, check[1], check[2]]
                _ = try product(check, "\(c)c\(k) map")
            case let .pooling(k):
                if check.count == 3 { check = [check[0], check[1] / k, check[2] / k] }
            case let .dense(n):
                let fanIn = try product(check, "flatten")
                _ = try product([n, fanIn], "\(n)o weights")
                check = [n]
            }
        }
        var nodes: [String: NIRNode] = ["input": .input(shape: input)]
        var edges: [NIREdge] = []
        var shape = input
        var last = "input"
        var flat = input.count == 1
        func connect(_ name: String, _ node: NIRNode) { nodes[name] = node; edges.append(NIREdge(last, name)); last = name }
        func uniform(_ count: Int, fanIn: Int, layer: Int) -> [Double] {
            var rng = RandomStream(seed: seed, purpose: .weights, index: UInt64(layer))
            let bound = gain * (3.0 / Double(fanIn)).squareRoot()
            return (0..<count).map { _ in (2 * rng.nextUniform() - 1) * bound }
        }
        func neurons(_ i: Int, _ shape: [Int]) {
            let n = shape.reduce(1, *)
            connect(
                "if\(i)",
                .neuron(
                    NIRNeuron(
                        model: .integrateAndFire, shape: shape, tauMem: nil, tauSyn: nil, r: Array(repeating: 1, count: n),
                        vLeak: Array(repeating: 0, count: n), vThreshold: Array(repeating: 1, count: n), vReset: Array(repeating: 0, count: n),
                        wIn: Array(repeating: 1, count: n))))
        }
        for (i, layer) in layers.enumerated() {
            let token = "layer \(i + 1) of '\(text)'"
            switch layer {
            case let .convolution(c, k):
                guard !flat, shape.count == 3 else {
                    throw SpikebarError.invalidInput(
                        SourceLocation(file: token, keyPath: "'\(c)c\(k)'"), "a convolution needs a C x H x W map; the input is flat here")
                }
                let fanIn = shape[0] * k * k
                let conv = NIRConvolution(
                    weight: NIRTensor(shape: [c, shape[0], k, k], values: uniform(c * fanIn, fanIn: fanIn, layer: i)),
                    bias: Array(repeating: 0, count: c), stride: [1, 1], padding: [k / 2, k / 2], paddingAfter: [k / 2, k / 2],
                    dilation: [1, 1], groups: 1, inputSpatial: [shape[1], shape[2]])
                connect("conv\(i)", .convolution(conv))
                shape = [c, shape[1], shape[2]]
                neurons(i, shape)
            case let .pooling(k):
                guard !flat, shape.count == 3, shape[1] >= k, shape[2] >= k else {
                    throw SpikebarError.invalidInput(
                        SourceLocation(file: token, keyPath: "'\(k)s'"), "pooling needs a C x H x W map at least \(k) x \(k); here it is \(shape)")
                }
                connect("pool\(i)", .pooling(NIRPooling(average: false, kernel: [k, k], stride: [k, k], padding: [0, 0])))
                shape = [shape[0], shape[1] / k, shape[2] / k]
            case let .dense(n):
                if !flat {
                    connect("flatten", .flatten(startDim: 0, endDim: shape.count - 1, inputShape: shape))
                    shape = [shape.reduce(1, *)]
                    flat = true
                }
                let fanIn = shape[0]
                connect(
                    "fc\(i)",
                    .affine(
                        weight: NIRTensor(shape: [n, fanIn], values: uniform(n * fanIn, fanIn: fanIn, layer: i)), bias: Array(repeating: 0, count: n))
                )
                shape = [n]
                neurons(i, shape)
            }
        }
        connect("output", .output(shape: shape))
        var g = NIRGraph(nodes: nodes, edges: edges, version: "1.0.0")
        g.metadata["input"] = [
            "spikebar_architecture": .string(text), "spikebar_init_seed": .string(String(seed)), "spikebar_init_gain": .number(gain),
        ]
        return g
    }
}
