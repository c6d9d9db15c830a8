/// The twin laid out for its hot loops: every per-neuron constant and every weight matrix (and its
/// transpose, for the backward pass) in raw buffers, built once per batch and shared read-only by the
/// worker threads. The only file of the module, with `TwinWorkspace`, that allocates raw memory.
final class PreparedTwin: @unchecked Sendable {
    let L: Int, T: Int
    /// Population sizes, `[0]` = inputs.
    let sizes: [Int]
    // Per population (index 0 unused).
    let alpha: [UnsafeMutablePointer<Double>], beta: [UnsafeMutablePointer<Double>], kappa: [UnsafeMutablePointer<Double>]
    let threshold: [UnsafeMutablePointer<Double>], reset: [UnsafeMutablePointer<Double>], scale: [UnsafeMutablePointer<Double>]
    let refSteps: [UnsafeMutablePointer<Int32>]
    // Per connection.
    let w: [UnsafeMutablePointer<Double>], wt: [UnsafeMutablePointer<Double>]
    let conn: [TwinNetwork.Connection]
    /// Feed-forward connection into population l, recurrent connection of population l (−1: none).
    let ff: [Int], rec: [Int]
    let readout: Readout, readoutScale: Double, slope: Double
    let detachReset: Bool, smooth: Bool
    /// Also accumulate ∂L/∂α, ∂L/∂β, ∂L/∂κ per neuron in the backward pass (trainable time constants).
    let decayGradients: Bool
    private var owned: [UnsafeMutableRawPointer] = []

    init(_ twin: TwinNetwork, weights: [[Double]], decayGradients: Bool = false) {
        self.decayGradients = decayGradients
        L = twin.layers.count
        T = twin.steps
        sizes = [twin.inputs] + twin.layers.map(\.size)
        var owned: [UnsafeMutableRawPointer] = []
        func buffer<S: Collection>(_ values: S) -> UnsafeMutablePointer<S.Element> {
            let p = UnsafeMutablePointer<S.Element>.allocate(capacity: max(values.count, 1))
            _ = UnsafeMutableBufferPointer(start: p, count: values.count).initialize(from: values)
            owned.append(UnsafeMutableRawPointer(p))
            return p
        }
        let dummyD = buffer([0.0]), dummyI = buffer([Int32(0)])
        alpha = [dummyD] + twin.layers.map { buffer($0.alpha) }
        beta = [dummyD] + twin.layers.map { buffer($0.beta) }
        kappa = [dummyD] + twin.layers.map { buffer($0.kappa) }
        threshold = [dummyD] + twin.layers.map { buffer($0.threshold) }
        reset = [dummyD] + twin.layers.map { buffer($0.reset) }
        scale = [dummyD] + twin.layers.map { buffer($0.inputScale) }
        refSteps = [dummyI] + twin.layers.map { buffer($0.refractorySteps) }
        conn = twin.plan
        w = weights.map { buffer($0) }
        wt = zip(twin.plan, weights).map { c, v in
            var t = [Double](repeating: 0, count: v.count)
            for j in 0..<c.inputs { for i in 0..<c.outputs { t[i * c.inputs + j] = v[j * c.outputs + i] } }
            return buffer(t)
        }
        ff = twin.feedForward
        rec = twin.recurrentOf.map { $0 ?? -1 }
        readout = twin.readout; readoutScale = twin.readoutScale; slope = twin.surrogateSlope
        detachReset = twin.detachReset; smooth = twin.smoothSpikes
        self.owned = owned
    }

    deinit { for p in owned { p.deallocate() } }
}

/// Scratch memory of one worker: the forward trace of one sample (pre-threshold V, spikes and
/// refractory flags per step), the neuron state, the backward adjoints and the weight gradients of the
/// samples it processed.
final class TwinWorkspace {
    let sizes: [Int], T: Int
    let vPre: [UnsafeMutablePointer<Double>], spk: [UnsafeMutablePointer<Double>]
    let refm: [UnsafeMutablePointer<UInt8>]
    let v: [UnsafeMutablePointer<Double>], cur: [UnsafeMutablePointer<Double>], ref: [UnsafeMutablePointer<Int32>]
    let gVp: [UnsafeMutablePointer<Double>], gIe: [UnsafeMutablePointer<Double>], gVend: [UnsafeMutablePointer<Double>]
    let u: [UnsafeMutablePointer<Double>], gs: [UnsafeMutablePointer<Double>]
    let grad: [UnsafeMutablePointer<Double>]
    /// Current and potential of every neuron at the end of each step (after resets and the step's
    /// synaptic input), and the accumulated ∂L/∂α, ∂L/∂β, ∂L/∂κ: only for trainable time constants.
    let iEnd: [UnsafeMutablePointer<Double>], vEnd: [UnsafeMutablePointer<Double>]
    let gAlpha: [UnsafeMutablePointer<Double>], gBeta: [UnsafeMutablePointer<Double>], gKappa: [UnsafeMutablePointer<Double>]
    let gradCount: [Int]
    var argmaxStep: [Int]
    private var owned: [UnsafeMutableRawPointer] = []

    init(_ p: PreparedTwin) {
        sizes = p.sizes; T = p.T
        var owned: [UnsafeMutableRawPointer] = []
        func zeros<E: Numeric>(_ n: Int, _: E.Type) -> UnsafeMutablePointer<E> {
            let q = UnsafeMutablePointer<E>.allocate(capacity: max(n, 1))
            q.initialize(repeating: 0, count: max(n, 1))
            owned.append(UnsafeMutableRawPointer(q))
            return q
        }
        let pops = 0...p.L
        vPre = pops.map { zeros($0 == 0 ? 0 : p.T * p.sizes[$0], Double.self) }
        spk = pops.map { zeros($0 == 0 ? 0 : p.T * p.sizes[$0], Double.self) }
        refm = pops.map { zeros($0 == 0 ? 0 : p.T * p.sizes[$0], UInt8.self) }
        v = pops.map { zeros(p.sizes[$0], Double.self) }
        cur = pops.map { zeros(p.sizes[$0], Double.self) }
        ref = pops.map { zeros(p.sizes[$0], Int32.self) }
        gVp = pops.map { zeros(p.sizes[$0], Double.self) }
        gIe = pops.map { zeros(p.sizes[$0], Double.self) }
        gVend = pops.map { zeros(p.sizes[$0], Double.self) }
        u = pops.map { zeros(p.sizes[$0], Double.self) }
        gs = pops.map { zeros(p.sizes[$0], Double.self) }
        gradCount = p.conn.map { $0.inputs * $0.outputs }
        grad = gradCount.map { zeros($0, Double.self) }
        iEnd = pops.map { zeros($0 == 0 ? 0 : p.T * p.sizes[$0], Double.self) }
        vEnd = pops.map { zeros($0 == 0 ? 0 : p.T * p.sizes[$0], Double.self) }
        gAlpha = pops.map { zeros(p.sizes[$0], Double.self) }
        gBeta = pops.map { zeros(p.sizes[$0], Double.self) }
        gKappa = pops.map { zeros(p.sizes[$0], Double.self) }
        argmaxStep = Array(repeating: 0, count: p.sizes[p.L])
        self.owned = owned
    }

    func zeroGradients() {
        for (g, n) in zip(grad, gradCount) { g.update(repeating: 0, count: n) }
        for (l, n) in sizes.enumerated() {
            gAlpha[l].update(repeating: 0, count: n); gBeta[l].update(repeating: 0, count: n); gKappa[l].update(repeating: 0, count: n)
        }
    }

    deinit { for p in owned { p.deallocate() } }
}
