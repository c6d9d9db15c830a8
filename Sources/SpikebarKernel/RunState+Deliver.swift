import SpikebarCore
import SpikebarDevices

/// The hot loop: one row read delivering its column charges to a layer of neurons (exact mode).
///
/// Two passes over the layer's neurons: the decay factors e^{−Δt/τ_syn}, e^{−Δt/τ_mem} four lanes at a
/// time (`FastMath.expNonPositive`, branch-free), then the state update, the charge (plus read noise)
/// and the threshold test. Neurons that may reach θ are collected and get their prediction after the
/// loop. No allocation per event.
///
/// Invariants (checked by `RunState+Invariants.swift`): the connection's `charge` has `inputs × outputs`
/// entries and `noise` is empty or the same size; layer `to` has `outputs` neurons; `t ≥ tLast[i]` for
/// every neuron, because events are processed in time order. With Δt = 0 the decay factors are exactly
/// 1 and 0 is added, so a neuron updated twice at the same time is unchanged by the second update.
extension RunState {
    mutating func deliverExact(_ k: Int, row j: Int, at t: Int64) {
        readTilesExact(k, row: j, at: t)
        let c = net.connections[k]
        let l = c.to
        let n = c.outputs
        synapticIn[l] += n
        updates[l] += n
        let layer = net.layers[l]
        let st = states[l]
        let base = j * n
        let tNow = t
        // Pass 1: decay factors.
        layer.rateSyn.withUnsafeBufferPointer { rs in
        layer.rateMem.withUnsafeBufferPointer { rm in
            let last = st.tLast, a = st.decaySyn, b = st.decayMem
            var i = 0
            while i + 4 <= n {
                let dt = SIMD4<Double>(Double(tNow &- last[i]), Double(tNow &- last[i + 1]),
                                       Double(tNow &- last[i + 2]), Double(tNow &- last[i + 3])) * -1e-12
                let ea = FastMath.expNonPositive(dt * SIMD4(rs[i], rs[i + 1], rs[i + 2], rs[i + 3]))
                let eb = FastMath.expNonPositive(dt * SIMD4(rm[i], rm[i + 1], rm[i + 2], rm[i + 3]))
                a[i] = ea[0]; a[i + 1] = ea[1]; a[i + 2] = ea[2]; a[i + 3] = ea[3]
                b[i] = eb[0]; b[i + 1] = eb[1]; b[i + 2] = eb[2]; b[i + 3] = eb[3]
                i += 4
            }
            while i < n {
                let dt = -Double(tNow &- last[i]) * 1e-12
                a[i] = FastMath.expNonPositive(dt * rs[i])
                b[i] = FastMath.expNonPositive(dt * rm[i])
                i += 1
            }
        }}
        // Pass 2: update, deliver, test.
        var candidates = predictionScratch
        candidates.removeAll(keepingCapacity: true)
        var rng = self.rng
        let noisy = self.noisy
        c.charge.withUnsafeBufferPointer { q in
        c.noise.withUnsafeBufferPointer { sd in
        layer.rateSyn.withUnsafeBufferPointer { rs in
        layer.rateMem.withUnsafeBufferPointer { rm in
        layer.coupling.withUnsafeBufferPointer { cp in
        layer.chargeToCurrent.withUnsafeBufferPointer { g in
        layer.resistance.withUnsafeBufferPointer { r in
        layer.threshold.withUnsafeBufferPointer { th in
            let V = st.v, I = st.cur, last = st.tLast, hold = st.refEnd, a = st.decaySyn, b = st.decayMem
            let kind = st.pendingKind, ver = st.version
            for i in 0..<n {
                var vv = V[i], ii = I[i]
                let tl = last[i]
                if hold[i] > tl && tNow != tl {
                    // Refractory (rare path): V pinned at reset until hold[i], I decays meanwhile.
                    (vv, ii) = LIFDynamics.propagate(v: vv, i: ii, t: Double(tNow &- tl) * 1e-12,
                                                     held: Double(min(tNow, hold[i]) &- tl) * 1e-12, layer.constants[i])
                } else {
                    (vv, ii) = LIFDynamics.apply(v: vv, i: ii, decaySyn: a[i], decayMem: b[i], coupling: cp[i])
                }
                last[i] = tNow
                var dq = q[base + i]
                if noisy { dq += sd[base + i] * rng.nextGaussian() }
                ii += dq * g[i]
                V[i] = vv; I[i] = ii
                if vv >= th[i] || r[i] * ii >= th[i] {
                    candidates.append(Int32(i))
                } else if kind[i] != 0 {
                    // Cannot fire any more: drop the bound, void a queued crossing.
                    if kind[i] == 2 { ver[i] &+= 1 }
                    kind[i] = 0
                }
            }
        }}}}}}}}
        self.rng = rng
        for i in candidates { schedulePrediction(l, Int(i), at: t) }
        predictionScratch = candidates
    }
}
