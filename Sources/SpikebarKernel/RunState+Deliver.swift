import SpikebarCore
import SpikebarDevices
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The hot loop: one row read delivering its column charges to a layer of neurons.
///
/// Invariants (checked by `RunState+Invariants`): `charge.count == noise.count or noise is empty`,
/// `charge.count == inputs × outputs`, every per-neuron array of layer `to` has `outputs` entries,
/// `t ≥ tLast[i]` for every neuron (events are processed in time order).
/// Cost per synaptic event: two `exp`, a few multiply-adds, one compare, and one Gaussian when read
/// noise is on; no allocation.
extension RunState {
    mutating func deliverExact(_ k: Int, row j: Int, at t: Int64) {
        readTilesExact(k, row: j, at: t)
        let c = net.connections[k]
        let l = c.to
        let n = c.outputs
        synapticIn[l] += n
        updates[l] += n
        let layer = net.layers[l]
        let base = j * n
        // Neurons whose V may reach θ: predicted after the loop (root search is the slow path).
        var needsPrediction: [Int32] = []
        swap(&needsPrediction, &predictionScratch)
        needsPrediction.removeAll(keepingCapacity: true)
        let noisy = self.noisy
        var rng = self.rng
        c.charge.withUnsafeBufferPointer { q in
        c.noise.withUnsafeBufferPointer { sd in
        layer.rateSyn.withUnsafeBufferPointer { rs in
        layer.rateMem.withUnsafeBufferPointer { rm in
        layer.coupling.withUnsafeBufferPointer { cp in
        layer.chargeToCurrent.withUnsafeBufferPointer { g in
        layer.resistance.withUnsafeBufferPointer { r in
        layer.threshold.withUnsafeBufferPointer { th in
        layer.reset.withUnsafeBufferPointer { rst in
        v[l].withUnsafeMutableBufferPointer { V in
        cur[l].withUnsafeMutableBufferPointer { I in
        tLast[l].withUnsafeMutableBufferPointer { last in
        refEnd[l].withUnsafeBufferPointer { hold in
        pending[l].withUnsafeMutableBufferPointer { pend in
        version[l].withUnsafeMutableBufferPointer { ver in
            for i in 0..<n {
                var vv = V[i], ii = I[i]
                let tl = last[i]
                if t != tl {
                    if hold[i] > tl {
                        // Refractory (rare path): V pinned at reset until hold[i], I decays meanwhile.
                        let end = min(t, hold[i])
                        ii *= exp(-Double(end &- tl) * 1e-12 * rs[i])
                        vv = rst[i]
                        if t > end {
                            let dt = Double(t &- end) * 1e-12
                            let a = exp(-dt * rs[i])
                            let b = exp(-dt * rm[i])
                            vv = vv * b + cp[i] * ii * (a - b)
                            ii *= a
                        }
                    } else {
                        let dt = Double(t &- tl) * 1e-12
                        let a = exp(-dt * rs[i])
                        let b = exp(-dt * rm[i])
                        vv = vv * b + cp[i] * ii * (a - b)
                        ii *= a
                    }
                    last[i] = t
                }
                var dq = q[base + i]
                if noisy { dq += sd[base + i] * rng.nextGaussian() }
                ii += dq * g[i]
                V[i] = vv; I[i] = ii
                if vv >= th[i] || r[i] * ii >= th[i] {
                    needsPrediction.append(Int32(i))
                } else if pend[i] {
                    pend[i] = false
                    ver[i] &+= 1
                }
            }
        }}}}}}}}}}}}}}}
        self.rng = rng
        for i in needsPrediction { predict(l, Int(i), at: t) }
        swap(&needsPrediction, &predictionScratch)
    }
}
