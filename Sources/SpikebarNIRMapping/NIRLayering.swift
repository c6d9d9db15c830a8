import Foundation
import SpikebarChip
import SpikebarCore
import SpikebarDevices
import SpikebarNIR
import SpikebarNeurons

/// An NIR graph of dense CubaLIF layers as a network of the chip's own kind (`spikebar nir import`,
/// Docs/nir.md "Into the event kernel"): layers of LIF neurons with a DPI synapse, fully connected to
/// the previous population, optionally recurrent — what the event kernel, the twin and every command
/// run. The inverse of `NIRExport.graph(chip:)`.
///
/// The graph must be a chain `Input → (Affine|Linear → CubaLIF [+ Affine|Linear from the layer to
/// itself]) × L → Output`, without bias, with `v_leak = 0`, and per layer one `r`, one `θ`, one
/// `v_reset` and one `w_in` (the chip's neurons differ only in their time constants); the reset must be
/// to `v_reset` (the chip cannot subtract). Anything else is refused naming the node and why.
///
/// Conversion (chip: a row read adds `gain·Q₁·w/τ_syn` to I, `τ_mem dV/dt = −V + R·I`, spike at V ≥ θ,
/// V ← reset; NIR's readers: a spike adds `(dt/τ_syn)·w_in·W` to I, `τ_mem dv/dt = −v + r·I`):
///
/// - weights `w = W/s` with `s = max |W|` of the connection (so that they fit the levels);
/// - the chip's potential is the layer's scaled by `k = θ₀/θ_l` (θ₀, R₀, `v_reset`₀: the first layer's), so
///   every layer spikes at θ₀ and resets to `k·v_reset_l`, which must equal `v_reset`₀;
/// - `gain_l = s · dt · w_in · k · r / (R₀ · Q₁)`, `Q₁ = RRAMDevice.chargePerUnitWeight` of the device the
///   chip is programmed on, `dt` the graph's step; a recurrent connection's own `s` is folded into its
///   weights relative to the layer's feed-forward `s` (one DPI gain per layer);
/// - τ_mem and τ_syn per neuron: the nominal neuron has the first neuron's, every neuron its own through
///   `TunedTimeConstants` factors (a scenario's `heterogeneity.tau_cv` is drawn on top);
/// - refractory period 0 (NIR has none), or the `refractory_s` of Spikebar's own export metadata.
///
/// What differs, by construction: the kernel integrates exactly in continuous time (or on its grid)
/// where NIR's readers step with forward Euler at `dt`; a recurrent spike arrives at once instead of a
/// step later; the chip spikes at `V ≥ θ` where NIR says `>`.
public struct NIRLayering: Sendable {
    public var network: NetworkSpec
    /// Weights per connection in `Chip.connectionPlan(network:)` order, in [−1, 1].
    public var weights: [WeightMatrix]
    /// DPI gain per layer.
    public var gains: [Double]
    /// The nominal neuron (the first neuron of the first layer; DPI gain of layer 1).
    public var neurons: NeuronParameters
    /// Every neuron's τ_mem and τ_syn, as factors of the nominal neuron's.
    public var timeConstants: TunedTimeConstants
    /// What the conversion did, in words (for the written scenario's header).
    public var notes: [String]

    public init(graph: NIRGraph, dt: Double, reset: NIRRunOptions.Reset, device: RRAMDevice, file: String = "<memory>") throws {
        guard reset == .toResetPotential else {
            throw NIRError(file: file, "the chip's neurons reset to a potential (reset: zero); reset by subtraction cannot be put on them")
        }
        guard dt > 0, dt.isFinite else { throw NIRError(file: file, "dt must be > 0 (got \(dt))") }
        let program = try NIRProgram(graph: graph, options: NIRRunOptions(dt: dt), file: file)
        let nodes = program.nodes
        func fail(_ j: Int, _ why: String) -> NIRError { NIRError(file: file, node: nodes[j].name, why) }
        // Follows identity nodes (a subgraph's Input/Output) back to a computing node.
        func through(_ j: Int) throws -> Int {
            var k = j
            while case .identity = nodes[k].operation, k != program.inputIndex {
                guard nodes[k].inputs.count == 1 else {
                    throw fail(k, "joins \(nodes[k].inputs.count) inputs; the chip's layers take one connection each")
                }
                k = nodes[k].inputs[0].source
            }
            return k
        }
        func raw(_ name: String) -> NIRNeuron? {
            // A node's own name (exporters use dots too), else `outer.inner` inside subgraph `outer`.
            if case let .neuron(n)? = graph.nodes[name] { return n }
            var g = graph
            let parts = name.split(separator: ".").map(String.init)
            for (i, p) in parts.enumerated() {
                guard let node = g.nodes[p] else { return nil }
                if i == parts.count - 1 { if case let .neuron(n) = node { return n } else { return nil } }
                guard case let .graph(sub) = node else { return nil }
                g = sub
            }
            return nil
        }
        func dense(_ j: Int) throws -> (weights: [Double], inputs: Int, outputs: Int) {
            guard case let .dense(wt, inputs, outputs, bias) = nodes[j].operation else {
                throw fail(
                    j, "is \(nodes[j].typeName); the event kernel's connections are Affine or Linear (convolutions run with engine: reference)")
            }
            if let b = bias.first(where: { $0 != 0 }) { throw fail(j, "has a bias (\(b)); the chip's crossbar rows carry no bias") }
            if let bad = wt.first(where: { !$0.isFinite }) { throw fail(j, "has a weight \(bad); weights must be finite") }
            return (wt, inputs, outputs)
        }
        // Walk back from the Output: each layer is a CubaLIF fed by one dense node (+ one recurrent).
        var layers: [(neuron: Int, ff: Int, rec: Int?)] = []
        var j = try through(nodes[program.outputIndex].inputs.first?.source ?? program.outputIndex)
        guard nodes[program.outputIndex].inputs.count == 1 else { throw fail(program.outputIndex, "the Output must have one input") }
        while j != program.inputIndex {
            guard case .neuron = nodes[j].operation, let n = raw(nodes[j].name) else {
                throw fail(j, "is \(nodes[j].typeName); the event kernel takes chains of Affine/Linear → CubaLIF layers")
            }
            guard n.model == .cubaLIF else {
                throw fail(
                    j,
                    "is \(n.model.rawValue); the chip's neurons are LIF with a DPI synapse (NIR CubaLIF)\(n.model == .lif ? " — a LIF node has no synaptic time constant" : "")"
                )
            }
            var ff: Int?, rec: Int?
            for input in nodes[j].inputs {
                let w = try through(input.source)
                let src = try through(nodes[w].inputs.first?.source ?? w)
                guard nodes[w].inputs.count == 1 else { throw fail(w, "joins \(nodes[w].inputs.count) inputs") }
                if src == j {
                    guard rec == nil else { throw fail(j, "has two recurrent connections") }
                    rec = w
                } else {
                    guard ff == nil else { throw fail(j, "has two feed-forward inputs; the chip's layers take one") }
                    ff = w
                }
            }
            guard let f = ff else { throw fail(j, "has no feed-forward input") }
            layers.insert((j, f, rec), at: 0)
            j = try through(nodes[f].inputs[0].source)
        }
        guard !layers.isEmpty else { throw NIRError(file: file, "the graph has no layer of neurons") }
        // Per-layer constants and the nominal neuron.
        func single(_ values: [Double], _ j: Int, _ what: String) throws -> Double {
            guard let v = values.first else { throw fail(j, "has no \(what)") }
            if let other = values.first(where: { abs($0 - v) > 1e-9 * max(abs(v), 1e-300) }) {
                throw fail(j, "\(what) differs between its neurons (\(v) vs \(other)); on the chip it is one value per layer")
            }
            return v
        }
        let q = device.chargePerUnitWeight
        var sizes: [LayerSpec] = []
        var ws: [WeightMatrix] = [], gains: [Double] = []
        var tauMem: [[Double]] = [], tauSyn: [[Double]] = []
        var theta0 = 0.0, r0 = 0.0, reset0 = 0.0, mem0 = 0.0, syn0 = 0.0, refractory = 0.0
        var notes: [String] = []
        var inputs = program.inputCount
        for (l, layer) in layers.enumerated() {
            guard let n = raw(nodes[layer.neuron].name), let tm = n.tauMem, let ts = n.tauSyn, let th = n.vThreshold else { continue }
            if let leak = n.vLeak.first(where: { $0 != 0 }) {
                throw fail(layer.neuron, "has v_leak = \(leak); the chip's membrane rests at 0")
            }
            let r = try single(n.r, layer.neuron, "r"), theta = try single(th, layer.neuron, "v_threshold")
            let vReset = try single(n.vReset, layer.neuron, "v_reset"), wIn = try single(n.wIn, layer.neuron, "w_in")
            guard theta > 0, r > 0, wIn.isFinite, tm.allSatisfy({ $0 > 0 && $0.isFinite }), ts.allSatisfy({ $0 > 0 && $0.isFinite }) else {
                throw fail(layer.neuron, "needs v_threshold > 0, r > 0 and τ > 0 to be put on the chip")
            }
            if l == 0 { theta0 = theta; r0 = r; reset0 = vReset; mem0 = tm[0]; syn0 = ts[0] }
            let k = theta0 / theta
            if abs(k * vReset - reset0) > 1e-9 * max(abs(reset0), theta0) {
                throw fail(
                    layer.neuron,
                    "v_reset/v_threshold = \(vReset / theta) differs from the first layer's (\(reset0 / theta0)); the chip has one reset for every layer"
                )
            }
            let f = try dense(layer.ff)
            guard f.inputs == inputs, f.outputs == n.count else {
                throw fail(layer.ff, "is \(f.inputs)→\(f.outputs), the layer needs \(inputs)→\(n.count)")
            }
            let s = f.weights.reduce(0) { max($0, abs($1)) }
            let scale = s > 0 ? s : 1
            ws.append(WeightMatrix(inputs: f.inputs, outputs: f.outputs, values: f.weights.map { Float($0 / scale) }))
            var recurrent = false
            if let rj = layer.rec {
                let rw = try dense(rj)
                guard rw.inputs == n.count, rw.outputs == n.count else {
                    throw fail(rj, "is \(rw.inputs)→\(rw.outputs), a recurrent layer of \(n.count) needs \(n.count)→\(n.count)")
                }
                let sr = rw.weights.reduce(0) { max($0, abs($1)) }
                if sr > scale {
                    throw fail(
                        rj,
                        "its largest weight (\(sr)) exceeds the layer's feed-forward one (\(scale)); the chip's one DPI gain per layer cannot hold both within [−1, 1]"
                    )
                }
                ws.append(WeightMatrix(inputs: n.count, outputs: n.count, values: rw.weights.map { Float($0 / scale) }))
                recurrent = true
            }
            let gain = scale * dt * wIn * k * r / (r0 * q)
            guard gain.isFinite, gain > 0 else {
                throw fail(
                    layer.neuron,
                    "its DPI gain s·dt·w_in·k·r/(R₀·Q₁) = \(gain) is not a finite positive number (dt \(dt), w_in \(wIn)); check --dt and the graph's w_in"
                )
            }
            gains.append(gain)
            // Spikebar's own exports say in metadata what NIR cannot: the population's name and the
            // refractory period (`NIRExport`); other graphs have neither (refractory 0).
            let meta = graph.metadata[nodes[layer.neuron].name] ?? [:]
            var label = Self.populationName(nodes[layer.neuron].name, index: l, last: l == layers.count - 1)
            if case let .string(p)? = meta["population"], !p.isEmpty, p != "input", p.allSatisfy({ $0.isLetter || $0.isNumber || "_-".contains($0) })
            {
                label = p
            }
            if case let .numbers(t)? = meta["refractory_s"] {
                let value = try single(t, layer.neuron, "refractory_s (metadata)")
                guard value >= 0, value.isFinite else { throw fail(layer.neuron, "refractory_s (metadata) is \(value)") }
                if l == 0 {
                    refractory = value
                } else if value != refractory {
                    throw fail(layer.neuron, "refractory_s (metadata) differs from the first layer's; the chip has one refractory period")
                }
            } else if l > 0, refractory != 0 {
                throw fail(layer.neuron, "has no refractory_s where the first layer has \(refractory) s")
            }
            sizes.append(LayerSpec(name: label, size: n.count, recurrent: recurrent))
            tauMem.append(tm); tauSyn.append(ts)
            notes.append(
                "layer \(l + 1) (\(nodes[layer.neuron].name), \(n.count) CubaLIF): weights / \(Units.fixed(scale, significant: 4)), potential × \(Units.fixed(k, significant: 4)), DPI gain \(Units.fixed(gains[l], significant: 4))"
            )
            inputs = n.count
        }
        guard !sizes.last!.recurrent else {
            throw fail(layers[layers.count - 1].neuron, "the output layer is recurrent; the chip's output layer cannot be")
        }
        network = NetworkSpec(input: program.inputCount, layers: sizes)
        weights = ws
        self.gains = gains
        neurons = NeuronParameters(
            tauMem: mem0, tauSyn: syn0, threshold: theta0, reset: reset0, refractory: refractory, resistance: r0, synapseGain: gains[0])
        timeConstants = TunedTimeConstants(
            tauMem: tauMem, tauSyn: tauSyn, memFactor: tauMem.map { $0.map { $0 / mem0 } }, synFactor: tauSyn.map { $0.map { $0 / syn0 } })
        self.notes = notes
    }

    /// A population name the scenario accepts: the node's name with `.` and `/` replaced, `layer_N` when it
    /// would be `input` or empty, `output` for the last layer when the node is unnamed.
    static func populationName(_ node: String, index: Int, last: Bool) -> String {
        let clean = String(node.map { $0 == "." || $0 == "/" ? "_" : $0 })
        if clean.isEmpty || clean == "input" || Int(clean) != nil { return last ? "output" : "layer_\(index + 1)" }
        return clean
    }
}
