import SpikebarNeurons

/// Grid mode's per-step neuron phases (steps 1 and 3 of `runGrid`) four neurons at a time. On the
/// quickstart chip a step has ≈ 1.6 input spikes, so advancing and testing the 138 neurons 10 000
/// times a model second was most of the run; here a group of four advances with one vector
/// `StepPropagator.step` unless one of its neurons is refractory (then the four take the scalar
/// `step` / `heldStep`), and the threshold test compares four at once, visiting only the groups where a
/// neuron reached θ. Every neuron follows the same operations as before, bit for bit.
///
/// Layout (`GridLayerSteps`): α, β, κ per neuron, padded with zeros to whole groups of four plus one;
/// the layer's state buffers (`LayerState`, n + 4 entries) and the padded constants (`NeuronSoA`) cover
/// every lane of the last group, and a padding lane stays at V = I = 0 (zero coefficients, never
/// refractory, never reported: only lanes below the layer's size spike). The loops run on
/// `GridLayerSteps.View`, a trivial value of raw pointers (no reference counting per step).
final class GridLayerSteps {
    let view: View

    init(_ props: [StepPropagator], layer: LayerView, refSteps: UnsafeMutablePointer<Int32>) {
        let size = props.count
        let m = (size + 3) / 4 * 4 + 4
        func buffer(_ value: (StepPropagator) -> Double) -> UnsafeMutablePointer<Double> {
            let p = UnsafeMutablePointer<Double>.allocate(capacity: m)
            p.initialize(repeating: 0, count: m)
            for (k, prop) in props.enumerated() { p[k] = value(prop) }
            return p
        }
        let refractory = UnsafeMutablePointer<Int32>.allocate(capacity: max(size, 1))
        for (k, prop) in props.enumerated() { (refractory + k).initialize(to: Int32(clamping: prop.refractorySteps)) }
        view = View(
            size: size, alpha: buffer(\.alpha), beta: buffer(\.beta), kappa: buffer(\.kappa), refractorySteps: refractory,
            layer: layer, ref: refSteps)
    }

    deinit {
        view.alpha.deallocate(); view.beta.deallocate(); view.kappa.deallocate(); view.refractorySteps.deallocate()
    }

    /// One layer's grid step: its constants, its state (`LayerView`) and its refractory counters.
    struct View {
        let size: Int
        let alpha: UnsafeMutablePointer<Double>, beta: UnsafeMutablePointer<Double>, kappa: UnsafeMutablePointer<Double>
        /// Refractory period in steps, per neuron.
        let refractorySteps: UnsafeMutablePointer<Int32>
        let layer: LayerView
        /// Refractory steps left, per neuron (the layer state's `refSteps`).
        let ref: UnsafeMutablePointer<Int32>
    }
}

extension GridLayerSteps.View {
    /// Step 1: every neuron of the layer advances one step (V held at reset while refractory).
    func advance() {
        let V = layer.v, I = layer.cur, reset = layer.soa.reset
        var i = 0
        while i < size {
            if (ref[i] | ref[i + 1] | ref[i + 2] | ref[i + 3]) == 0 {
                var v = load(V, i), cur = load(I, i)
                StepPropagator.step(v: &v, i: &cur, alpha: load(alpha, i), beta: load(beta, i), kappa: load(kappa, i))
                store(v, V, i); store(cur, I, i)
            } else {
                for k in i..<i + 4 {
                    if ref[k] > 0 {
                        ref[k] -= 1
                        StepPropagator.heldStep(v: &V[k], i: &I[k], alpha: alpha[k], reset: reset[k])
                    } else {
                        StepPropagator.step(v: &V[k], i: &I[k], alpha: alpha[k], beta: beta[k], kappa: kappa[k])
                    }
                }
            }
            i += 4
        }
    }

    /// Step 3's test: the neurons with V ≥ θ, in index order, reset and made refractory; `body` gets each.
    func fire(_ body: (Int32) -> Void) {
        let V = layer.v, th = layer.soa.threshold, reset = layer.soa.reset
        var i = 0
        while i < size {
            if (load(V, i) .>= load(th, i)).anyLane {
                for k in i..<min(i + 4, size) where V[k] >= th[k] {
                    V[k] = reset[k]
                    ref[k] = refractorySteps[k]
                    body(Int32(k))
                }
            }
            i += 4
        }
    }
}

@inline(__always)
private func load(_ p: UnsafeMutablePointer<Double>, _ i: Int) -> SIMD4<Double> {
    UnsafeRawPointer(p + i).loadUnaligned(as: SIMD4<Double>.self)
}

@inline(__always)
private func store(_ x: SIMD4<Double>, _ p: UnsafeMutablePointer<Double>, _ i: Int) {
    UnsafeMutableRawPointer(p + i).storeBytes(of: x, as: SIMD4<Double>.self)
}
