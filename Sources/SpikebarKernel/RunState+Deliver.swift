import SpikebarCore
import SpikebarDevices

/// The hot loop: one row read delivering its column charges to a layer of neurons (exact mode).
///
/// One fused pass over the layer, four neurons per iteration (`SIMD4<Double>`): the closed form over
/// the time since each neuron's last update (`LIFDynamics.propagate`, refractory-aware, with the decay
/// factors from `FastMath.expNonPositive`), the read's charge (plus read noise), then the prediction
/// test. The layer's last `n mod 4` neurons take the scalar functions, which evaluate the same
/// expressions in the same order (the scalar exponential *is* one lane of the vector one), so every
/// neuron follows the closed form bit for bit whichever path updates it.
///
/// The prediction test is what keeps the loop branch-light: a neuron that cannot reach θ without
/// further input (`LIFDynamics.mayCross`) needs nothing, and — for a row read of the input population —
/// neither does one that provably stays below θ until the **horizon**, the next input spike, which
/// reads a row of every connection from the input and so updates (and tests) every neuron they feed
/// again. Only the rest (rare on the quickstart workload; every neuron that may cross when there is no
/// horizon) leave the vector path: they are collected in index order and get `schedulePrediction`
/// after the loop. No allocation per event.
///
/// Invariants (checked by `RunState+Invariants.swift`): the connection's `charge` has `inputs × outputs`
/// entries and `noise` is empty or the same size; layer `to` has `outputs` neurons; `t ≥ tLast[i]` for
/// every neuron, because events are processed in time order, and `t − tLast[i] < 2⁵³` ps (exact in a
/// `Double`). With Δt = 0 the decay factors are exactly 1 and 0 is added, so a neuron updated twice at
/// the same time is unchanged by the second update. `Tests/SpikebarTests/ExactReferenceTests.swift`
/// checks the whole scheme against an eager reference that searches every neuron's crossing after
/// every update.
extension RunState {
    /// Delivers the read of row `j` of connection `k` at `t`. `horizon`: a time by which every neuron of
    /// the layer is certain to be updated again (the next valid input spike, for a connection from the
    /// input population), or nil when unknown (spikes of a layer of neurons).
    mutating func deliverExact(_ k: Int, row j: Int, at t: Int64, horizon: Int64? = nil) {
        readTilesExact(k, row: j, at: t)
        // Tile parasitics with other rows' reads still on: this row's charges corrected for them.
        let concurrent = net.parasitics != nil && concurrentCharges(k, row: j)
        let scratch = concurrent ? parasiticScratch : []
        let c = net.connections[k]
        let l = c.to
        let n = c.outputs
        synapticIn[l] += n
        updates[l] += n
        let layer = net.layers[l]
        let K = layer.soa
        let st = states[l]
        let base = j * n
        var candidates = predictionScratch
        candidates.removeAll(keepingCapacity: true)
        var rng = self.rng
        let noisy = self.noisy
        c.charge.withUnsafeBufferPointer { qBuffer in
        c.noise.withUnsafeBufferPointer { sdBuffer in
        c.rtn.withUnsafeBufferPointer { rtnBuffer in
        scratch.withUnsafeBufferPointer { scratchBuffer in
            guard let q0 = qBuffer.baseAddress else { return }
            // An empty array may still have a base address: RTN only when the table is there.
            let rtn = rtnBuffer.isEmpty ? nil : rtnBuffer.baseAddress
            let q = concurrent ? scratchBuffer.baseAddress! : q0 + base
            let sd = sdBuffer.baseAddress.map { $0 + base }
            let V = st.v, I = st.cur, last = st.tLast, hold = st.refEnd
            let kind = st.pendingKind, ver = st.version
            let now4 = SIMD4<Int64>(repeating: t)
            var i = 0
            // Whole groups of four; the layer's last n mod 4 neurons go scalar below.
            let vectorEnd = n & ~3
            let lastPs = st.tLastPs, holdPs = st.refEndPs
            let tD = SIMD4<Double>(repeating: Double(t))
            let horizonD = SIMD4<Double>(repeating: Double(horizon ?? Int64.max))
            while i < vectorEnd {
                // Times in picoseconds as exact doubles (`tLastPs`, `refEndPs`), branch-free: the elapsed
                // time; its refractory part, V held at reset until the hold clamped to [tLast, t]; the
                // start t₀ = max(t, hold) of free evolution after t; and the gap from t₀ to the horizon.
                // Differences of integers below 2⁵³ are exact, so each lane equals the scalar path's
                // integer arithmetic converted once.
                let tl = load(lastPs, i), h = load(holdPs, i)
                let t0 = h.replacing(with: tD, where: tD .> h)
                let dt = (tD - tl) * 1e-12
                let hc = h.replacing(with: tl, where: tl .> h)
                let held = (hc.replacing(with: tD, where: hc .> tD) - tl) * 1e-12
                let restPs = t0 - tD
                let span = (horizonD - t0) * 1e-12
                var vv: SIMD4<Double>, ii: SIMD4<Double>
                if (held .> 0).anyLane {
                    (vv, ii) = LIFDynamics.propagate(v: load(V, i), i: load(I, i), t: dt, held: held, reset: load(K.reset, i),
                                                     rateSyn: load(K.rateSyn, i), rateMem: load(K.rateMem, i),
                                                     coupling: load(K.coupling, i))
                } else {
                    (vv, ii) = LIFDynamics.propagate(v: load(V, i), i: load(I, i), t: dt, rateSyn: load(K.rateSyn, i),
                                                     rateMem: load(K.rateMem, i), coupling: load(K.coupling, i))
                }
                var dq = load(q, i)
                if noisy, let sd {
                    var xi = SIMD4<Double>()
                    for lane in 0..<4 { xi[lane] = rng.nextGaussian() }
                    dq += load(sd, i) * xi
                    if let rtn {
                        for lane in 0..<4 { dq[lane] += rtnCharge(rtn, base + i + lane, &rng) }
                    }
                }
                ii += dq * load(K.chargeToCurrent, i)
                store(vv, V, i); store(ii, I, i); store(now4, last, i); store(tD, lastPs, i)
                // Prediction, branch-free for the common case. A lane may reach θ without further input
                // when R·I ≥ θ, or V ≥ θ already (see `LIFDynamics.mayCross`). With a horizon, one that
                // provably stays below θ until then needs nothing: from t₀ (t, or the end of a running
                // refractory period) and V₀ (V, or reset), V rises at most at slope (R·I − min(V₀, 0))/τ_mem,
                // so V₀ + (horizon − t₀)·slope < θ (with a relative margin of 10⁻⁹ for rounding) proves it.
                let th = load(K.threshold, i)
                let drive = load(K.resistance, i) * ii
                let refractory = restPs .> 0
                var mayCross = (drive .>= th) .| ((vv .>= th) .& .!refractory)
                if horizon != nil {
                    let zero = SIMD4<Double>()
                    let v0 = vv.replacing(with: load(K.reset, i), where: refractory)
                    let slope = LIFDynamics.riseRateBound(v: v0, drive: drive, rateMem: load(K.rateMem, i))
                    let safe = (span .<= zero) .| (v0 + span * slope * (1 + 1e-9) .< th)
                    mayCross = mayCross .& .!(safe .& .!((vv .>= th) .& .!refractory))
                }
                // Nothing pending and nothing to predict: the common case, one predictable branch.
                let pending = UnsafeRawPointer(kind + i).loadUnaligned(as: UInt32.self)
                if pending != 0 || mayCross.anyLane {
                    for lane in 0..<4 { settle(i + lane, mayCross: mayCross[lane], kind: kind, version: ver, candidates: &candidates) }
                }
                i += 4
            }
            while i < n {
                var vv = V[i], ii = I[i]
                let tl = last[i]
                let held = hold[i] > tl && t != tl ? Double(Swift.min(t, hold[i]) &- tl) * 1e-12 : 0
                (vv, ii) = LIFDynamics.propagate(v: vv, i: ii, t: Double(t &- tl) * 1e-12, held: held, layer.constants[i])
                last[i] = t; lastPs[i] = Double(t)
                var dq = q[i]
                if noisy, let sd {
                    dq += sd[i] * rng.nextGaussian()
                    if let rtn { dq += rtnCharge(rtn, base + i, &rng) }
                }
                ii += dq * K.chargeToCurrent[i]
                V[i] = vv; I[i] = ii
                settle(i, mayCross: vv >= K.threshold[i] || K.resistance[i] * ii >= K.threshold[i],
                       kind: kind, version: ver, candidates: &candidates)
                i += 1
            }
        }}}}
        self.rng = rng
        for i in candidates { schedulePrediction(l, Int(i), at: t) }
        predictionScratch = candidates
    }
}

/// Prediction bookkeeping of neuron i after its update: a neuron that may reach θ is collected for
/// `schedulePrediction`; one that cannot drops its bound and voids a queued crossing.
@inline(__always)
private func settle(_ i: Int, mayCross: Bool, kind: UnsafeMutablePointer<UInt8>, version: UnsafeMutablePointer<UInt32>,
                    candidates: inout [Int32]) {
    if mayCross {
        candidates.append(Int32(i))
    } else if kind[i] != 0 {
        if kind[i] == 2 { version[i] &+= 1 }
        kind[i] = 0
    }
}

@inline(__always)
private func load<T: SIMDScalar>(_ p: UnsafeMutablePointer<T>, _ i: Int) -> SIMD4<T> {
    UnsafeRawPointer(p + i).loadUnaligned(as: SIMD4<T>.self)
}

@inline(__always)
private func load<T: SIMDScalar>(_ p: UnsafePointer<T>, _ i: Int) -> SIMD4<T> {
    UnsafeRawPointer(p + i).loadUnaligned(as: SIMD4<T>.self)
}

@inline(__always)
private func store<T: SIMDScalar>(_ x: SIMD4<T>, _ p: UnsafeMutablePointer<T>, _ i: Int) {
    UnsafeMutableRawPointer(p + i).storeBytes(of: x, as: SIMD4<T>.self)
}
