import Foundation
import SpikebarCore
import SpikebarDevices
import SpikebarNeurons

/// The differentiable twin of a feed-forward network of memristive integrate-and-fire neurons
/// (Docs/mif-neurons.md): every neuron is stepped by forward Euler with `MIFConstants.step` (the one
/// copy of the equations, shared with the kernel's `MIFGridKernel`), and trained by BPTT through the
/// actual dynamics — every operation is smooth, so there is **no surrogate gradient** (as in MEMprop,
/// Zhou et al., IEEE JETCAS 2022, doi:10.1109/JETCAS.2022.3224071).
///
/// Per step n (n = 0…T−1), layer by layer:
/// 1. layer 1: `I_i(n) = c₁ · a(t_n) · Σ_p x_p·w_pi` — every pixel row driven with amplitude
///    `x_p·a(t_n)` (alpha kernel `MIFAlphaKernel`); the column charge is linear in the amplitude, so
///    `h = Wᵀx` is computed once per sample;
/// 2. layer l ≥ 2: `I_j(n) = c_l · Σ_i u_i(n)·w_ij` with `u_i(n) = signal(x₁,i)` of the previous layer
///    after its step n (the spike memristor's state: the neuron's smooth spike);
/// 3. each neuron steps `(V, x₁, x₂)` with its current.
///
/// `c_l = gain_l · V_read · (G_max − G_min) · t_read / dt` (A per unit weight and unit amplitude): one
/// `t_read` read pulse per step, its charge spread over the step. Readout: logit of class c =
/// `readoutScale · (1/T)·Σ_n x₁,c(n)` — the time-average of the output neuron's spike memristor, a
/// smooth spike count. Weights are in window units [−1, 1], `inputs × outputs` row-major.
///
/// ```swift
/// let net = MIFNetwork(sizes: [784, 100, 10], weights: w, parameters: .default, device: device,
///                      dt: 10e-6, steps: 1000, readoutScale: 100)
/// let r = net.infer([pixels])[0]      // logits, spike counts, class
/// ```
public struct MIFNetwork: Sendable {
    /// Population sizes, input first.
    public var sizes: [Int]
    /// One matrix per layer of neurons (`sizes[l] × sizes[l+1]`, row-major by presynaptic neuron).
    public var weights: [[Double]]
    public var parameters: MIFParameters
    public var constants: MIFConstants
    public var dt: Seconds
    public var steps: Int
    /// a(t_n), n = 0…T−1.
    public var alpha: [Double]
    /// c_l (A per unit weight and unit amplitude), one per layer of neurons.
    public var currentPerUnit: [Double]
    public var readoutScale: Double
    /// Training: clip each sample's gradient to the median norm of its group of 8 (`clippedSum`).
    public var clipPerSample = true

    public init(
        sizes: [Int], weights: [[Double]], parameters: MIFParameters, currentPerUnit: [Double],
        dt: Seconds, steps: Int, readoutScale: Double
    ) throws {
        guard sizes.count >= 2, weights.count == sizes.count - 1, currentPerUnit.count == sizes.count - 1 else {
            throw SpikebarError.mismatch("MIF twin: \(weights.count) weight matrices and \(currentPerUnit.count) gains for \(sizes.count - 1) layers")
        }
        for l in 0..<weights.count where weights[l].count != sizes[l] * sizes[l + 1] {
            throw SpikebarError.mismatch("MIF twin: layer \(l + 1) weights have \(weights[l].count) values, expected \(sizes[l])×\(sizes[l + 1])")
        }
        guard steps >= 1, dt > 0 else { throw SpikebarError.mismatch("MIF twin: needs dt > 0 and at least one step") }
        self.sizes = sizes; self.weights = weights; self.parameters = parameters
        self.constants = MIFConstants(parameters, dt: dt)
        self.dt = dt; self.steps = steps
        self.alpha = MIFAlphaKernel.samples(steps: steps, dt: dt, tau: parameters.alphaTau)
        self.currentPerUnit = currentPerUnit; self.readoutScale = readoutScale
    }

    /// `c_l` for each layer from the device's read pulse (Docs/mif-neurons.md, "Input").
    public static func currentPerUnit(
        parameters: MIFParameters, readVoltage: Volts, conductanceWindow: Siemens,
        readPulse: Seconds, dt: Seconds
    ) -> [Double] {
        parameters.gains.map { $0 * readVoltage * conductanceWindow * readPulse / dt }
    }

    public var layerCount: Int { sizes.count - 1 }
    public var outputSize: Int { sizes.last ?? 0 }
}

/// What the MIF twin did on one sample.
public struct MIFResult: Sendable, Equatable {
    /// readoutScale × the time-average of each output neuron's readout quantity (`MIFReadout`).
    public var logits: [Double]
    /// Spikes (x₁ rising through `spikeThreshold`) per neuron of every layer of neurons.
    public var spikeCounts: [[Int]]
    /// Output spikes as (step, neuron), step-major.
    public var outputSpikes: [MIFSpike]
    /// Argmax of the logits, ties to the lower index (the decision of twin and kernel alike).
    public var predictedClass: Int {
        return argmaxLowestIndex(logits)
    }
}

/// One spike: the step at whose end x₁ crossed the threshold, and the neuron.
public struct MIFSpike: Sendable, Equatable, Hashable {
    public var step: Int, neuron: Int
    public init(step: Int, neuron: Int) { self.step = step; self.neuron = neuron }
}

/// Per-thread buffers of the MIF twin: every layer's state at every step (BPTT needs them) and the
/// gradient accumulators. Raw buffers (freed in `deinit`): the inner loops index them millions of
/// times per sample, without the uniqueness checks nested arrays would cost.
final class MIFWorkspace {
    let T: Int, sizes: [Int]
    /// State of layer l (1-based; index 0 unused) at step boundary n (n = 0…T), `[n·size + i]`.
    let v: [UnsafeMutablePointer<Double>], x1: [UnsafeMutablePointer<Double>], x2: [UnsafeMutablePointer<Double>]
    var grads: [[Double]]
    init(_ net: MIFNetwork) {
        T = net.steps; sizes = net.sizes
        func alloc(_ n: Int) -> UnsafeMutablePointer<Double> {
            let p = UnsafeMutablePointer<Double>.allocate(capacity: max(n, 1)); p.initialize(repeating: 0, count: max(n, 1)); return p
        }
        v = net.sizes.map { alloc((net.steps + 1) * $0) }
        x1 = net.sizes.map { alloc((net.steps + 1) * $0) }
        x2 = net.sizes.map { alloc((net.steps + 1) * $0) }
        grads = net.weights.map { [Double](repeating: 0, count: $0.count) }
    }
    deinit { for p in v + x1 + x2 { p.deallocate() } }
    func zeroGradients() { for c in grads.indices { grads[c].withUnsafeMutableBufferPointer { $0.update(repeating: 0) } } }
}

extension MIFNetwork {
    /// The grid engine of this network (`GridEngine<MIFModel>`, active rows, each connection scaled by its
    /// layer's current per unit): the kernel's `MIFGridKernel` runs the same engine on the programmed
    /// chip's weights, so twin and kernel agree by construction.
    var engine: GridEngine<MIFModel> {
        GridEngine<MIFModel>(
            sizes: sizes, constants: sizes.enumerated().map { l, n in l == 0 ? [] : Array(repeating: constants, count: n) },
            connections: weights.indices.map { k in
                GridEngine<MIFModel>.Connection(
                    from: k, to: k + 1, recurrent: false, inputs: sizes[k], outputs: sizes[k + 1], w: weights[k],
                    scale: currentPerUnit[k])
            }, routing: .activeRows)
    }

    /// Forward pass of one sample (pixel intensities in [0, 1]) on the grid engine; records every
    /// layer's state at every step boundary into `ws` (what BPTT needs), returns the logits.
    func forward(_ x: [Double], _ ws: MIFWorkspace) -> [Double] {
        let k = constants, T = steps, L = layerCount
        let rest = k.rest
        for l in 1...L {
            for i in 0..<sizes[l] { ws.v[l][i] = rest.v; ws.x1[l][i] = rest.x1; ws.x2[l][i] = rest.x2 }
        }
        var input = MIFAlphaInput(x: x, alpha: alpha, weights: weights[0], outputs: sizes[1], currentPerUnit: currentPerUnit[0])
        var recorder = MIFTraceRecorder(sizes: sizes, v: ws.v, x1: ws.x1, x2: ws.x2)
        _ = engine.run(&input, steps: T, observer: &recorder)
        let out = sizes[L]
        var logits = [Double](repeating: 0, count: out)
        let r = parameters.readout == .membrane ? ws.v[L] : ws.x1[L]
        for n in 1...T { for j in 0..<out { logits[j] += r[n * out + j] } }
        let scale = readoutScale / Double(T)
        return logits.map { $0 * scale }
    }

    /// Spike counts and output spikes of the last forward pass in `ws`.
    func spikes(_ ws: MIFWorkspace) -> (counts: [[Int]], output: [MIFSpike]) {
        let th = constants.spikeThreshold, L = layerCount
        var counts: [[Int]] = [], output: [MIFSpike] = []
        for l in 1...L {
            let size = sizes[l]
            var c = [Int](repeating: 0, count: size)
            for n in 0..<steps {
                for i in 0..<size where ws.x1[l][n * size + i] < th && ws.x1[l][(n + 1) * size + i] >= th {
                    c[i] += 1
                    if l == L { output.append(MIFSpike(step: n, neuron: i)) }
                }
            }
            counts.append(c)
        }
        return (counts, output)
    }

    /// BPTT of one sample after `forward` (same `ws`): adds ∂loss/∂W to `ws.grads`, given
    /// `gLogits` = ∂loss/∂logits.
    func backward(_ x: [Double], _ ws: MIFWorkspace, gLogits: [Double]) {
        let k = constants, T = steps, L = layerCount
        var lv = sizes.map { [Double](repeating: 0, count: $0) }
        var lx1 = lv, lx2 = lv
        var gh = [Double](repeating: 0, count: sizes[1])
        var gI = [Double](repeating: 0, count: sizes.max() ?? 0)
        let out = sizes[L]
        let readout = gLogits.map { $0 * readoutScale / Double(T) }
        for n in stride(from: T - 1, through: 0, by: -1) {
            if parameters.readout == .membrane {
                for j in 0..<out { lv[L][j] += readout[j] }
            } else {
                for j in 0..<out { lx1[L][j] += readout[j] }
            }
            for l in stride(from: L, through: 1, by: -1) {
                let size = sizes[l], from = n * size
                for i in 0..<size {
                    let s = MIFState(v: ws.v[l][from + i], x1: ws.x1[l][from + i], x2: ws.x2[l][from + i])
                    let J = k.jacobian(s)
                    let a = lv[l][i], b = lx1[l][i], d = lx2[l][i]
                    gI[i] = a * k.dtOverC
                    lv[l][i] = J.vv * a + J.x1v * b + J.x2v * d
                    lx1[l][i] = J.vx1 * a + J.x1x1 * b
                    lx2[l][i] = J.vx2 * a + J.x2x2 * d
                }
                let c = currentPerUnit[l - 1]
                if l == 1 {
                    let drive = c * alpha[n]
                    for i in 0..<size { gh[i] += gI[i] * drive }
                } else {
                    let prev = sizes[l - 1], base = (n + 1) * prev
                    weights[l - 1].withUnsafeBufferPointer { w in
                        ws.grads[l - 1].withUnsafeMutableBufferPointer { g in
                            for i in 0..<prev {
                                let u = k.signal(ws.x1[l - 1][base + i])
                                if u == 0 { continue }
                                let row = i * size
                                var back = 0.0
                                for j in 0..<size {
                                    let gj = c * gI[j]
                                    g[row + j] += u * gj
                                    back += w[row + j] * gj
                                }
                                lx1[l - 1][i] += back
                            }
                        }
                    }
                }
            }
        }
        let n1 = sizes[1]
        ws.grads[0].withUnsafeMutableBufferPointer { g in
            for p in 0..<sizes[0] where x[p] != 0 {
                let xp = x[p], row = p * n1
                for i in 0..<n1 { g[row + i] += xp * gh[i] }
            }
        }
    }
}

/// The BPTT recorder of the MIF twin: every neuron's state at the end of step n, stored at boundary
/// n + 1 of the workspace (boundary 0 is the rest state).
struct MIFTraceRecorder: GridObserver {
    typealias Model = MIFModel
    var booksReads: Bool { false }
    let sizes: [Int]
    let v: [UnsafeMutablePointer<Double>], x1: [UnsafeMutablePointer<Double>], x2: [UnsafeMutablePointer<Double>]

    @inline(__always)
    mutating func didEmit(layer l: Int, neuron i: Int, step n: Int, state: MIFModel.State) {
        let at = (n + 1) * sizes[l] + i
        v[l][at] = state.neuron.v; x1[l][at] = state.neuron.x1; x2[l][at] = state.neuron.x2
    }
}
