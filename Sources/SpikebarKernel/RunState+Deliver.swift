import SpikebarCore
import SpikebarDevices
import SpikebarNeurons

/// The hot loop: one row read delivering its column charges to a layer of neurons (exact mode).
///
/// Four neurons per iteration (`SIMD4<Double>`): the closed form over the time since each neuron's last
/// update (`LIFDynamics.propagate`, refractory-aware, with the decay factors from
/// `FastMath.expNonPositive`), the read's charge (plus read noise), then the prediction test. The
/// layer's last `n mod 4` neurons take the scalar functions, which evaluate the same expressions in the
/// same order (the scalar exponential *is* one lane of the vector one), so every neuron follows the
/// closed form bit for bit whichever path updates it.
///
/// The prediction test is what keeps the work vectorised: a neuron that cannot reach θ without further
/// input (`LIFDynamics.mayCross`) needs nothing, and — for a row read of the input population — neither
/// does one that provably stays below θ until the **horizon**, the next input spike, which reads a row
/// of every connection from the input and so updates (and tests) every neuron they feed again. Only the
/// rest (rare on the quickstart workload; every neuron that may cross when there is no horizon) get
/// `schedulePrediction`, in index order, after the loop. No allocation per event.
///
/// Two passes, so that the first has no branch on the data (a mispredicted branch in this loop throws
/// away the overlapped work of the next iterations; measured, `Docs/performance.md`):
/// 1. every group of four is updated with the closed form without refractory hold, two groups per
///    iteration, stage by stage, so that their dependency chains overlap. A lane whose hold covers the
///    whole interval (it ends at or after t) takes, by a select, the refractory closed form's value for
///    that case — V at reset, I decayed by the factor already computed — which is exactly what
///    `propagate(…held…)` evaluates then. Each lane's state before the update (time, I, and the read's
///    charge when there is read noise) is saved, and a per-lane flag stored: may cross, or held
///    for only part of the interval (its hold ends strictly between its last update and t);
/// 2. in index order, the groups with a flag or something pending: a group with a partly held lane is
///    updated again from its saved state with `propagate(…held…)` — the expressions the one-pass loop
///    evaluated — then its lanes' prediction bookkeeping (`settle`).
/// Each lane's result therefore does not depend on the pass that computed it, nor on its neighbours
/// (`FastMath.expNonPositive` picks its polynomial per lane); the read noise is drawn in pass 1 in neuron
/// order (the same stream as one pass) and reused in pass 2. Separate compiled copies of the loops
/// (generic parameters) serve the cases with and without read noise and horizon.
///
/// Invariants (checked by `RunState+Invariants.swift`): the connection's `charge` has `inputs × outputs`
/// entries and `noise` is empty or the same size; layer `to` has `outputs` neurons; `t ≥ tLast[i]` for
/// every neuron, because events are processed in time order (a neuron's time is a whole number of ps,
/// or after a spike its crossing's exact time, at most the spike's tick). Times are `Double` ps below 2⁵³:
/// `t − tLast` is exact when both are whole (Sterbenz otherwise: t and tLast are within a factor 2 of
/// each other except near 0, where both are exact anyway). With Δt = 0 the decay factors are exactly 1 and 0 is added, so a neuron updated twice at
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
        let c = connectionViews[k]
        let l = c.to
        let n = c.outputs
        synapticIn[l] += n
        updates[l] += n
        guard let charge = c.charge else { return }  // invariant: a connection has inputs × outputs > 0 charges
        let layer = views[l]
        let base = j * n
        var rng = self.rng
        let noise = noisy ? c.noise.map { UnsafePointer($0 + base) } : nil
        let rtn = c.rtn.map { UnsafePointer($0) }
        let count: Int
        if concurrent {
            let scratch = parasiticScratch
            count = scratch.withUnsafeBufferPointer {
                deliverLayer(layer, n: n, q: $0.baseAddress!, noise: noise, rtn: rtn, base: base, t: t, horizon: horizon, rng: &rng)
            }
        } else {
            count = deliverLayer(layer, n: n, q: charge + base, noise: noise, rtn: rtn, base: base, t: t, horizon: horizon, rng: &rng)
        }
        self.rng = rng
        for m in 0..<count { schedulePrediction(l, Int(layer.candidates[m]), at: t) }
    }
}

/// Picks the compiled copy of the loop for the case (generic specialisation): with the noise path's
/// calls in the loop, the compiler would keep every vector in memory across iterations, and the horizon
/// test is decided at compile time. `noise`: the row's read-noise std (C) at `noise[i]`, nil when off.
private func deliverLayer(
    _ layer: LayerView, n: Int, q: UnsafePointer<Double>, noise sd: UnsafePointer<Double>?,
    rtn: UnsafePointer<Double>?, base: Int, t: Int64, horizon: Int64?, rng: inout RandomStream
) -> Int {
    if let sd {
        var noise = DrawnReadNoise(sd: sd, rtn: rtn, base: base, rng: rng)
        defer { rng = noise.rng }
        if let horizon { return deliverPasses(layer, n: n, q: q, noise: &noise, t: t, horizon: WithHorizon(time: horizon)) }
        return deliverPasses(layer, n: n, q: q, noise: &noise, t: t, horizon: NoHorizon())
    }
    var noise = NoReadNoise()
    if let horizon { return deliverPasses(layer, n: n, q: q, noise: &noise, t: t, horizon: WithHorizon(time: horizon)) }
    return deliverPasses(layer, n: n, q: q, noise: &noise, t: t, horizon: NoHorizon())
}

/// The read noise added to a row's charges (C) in the delivery loop; specialised per case.
protocol DeliveryNoise {
    /// Whether there is any (false: the charges are exactly `q`).
    static var isOn: Bool { get }
    /// Draws neuron i…i+3's noise, in neuron order, and adds it to `dq`.
    mutating func add(to dq: inout SIMD4<Double>, at i: Int)
    /// Draws neuron i's noise and adds it to `dq`.
    mutating func add(to dq: inout Double, at i: Int)
}

/// No read noise.
struct NoReadNoise: DeliveryNoise {
    static var isOn: Bool { false }
    @inline(__always) mutating func add(to dq: inout SIMD4<Double>, at i: Int) {}
    @inline(__always) mutating func add(to dq: inout Double, at i: Int) {}
}

/// Read noise drawn from the run's stream: a Gaussian with the synapse's std `sd[i]` (C), and with
/// device physics the RTN of its two cells (`rtnCharge`, table at `base + i`).
struct DrawnReadNoise: DeliveryNoise {
    let sd: UnsafePointer<Double>
    let rtn: UnsafePointer<Double>?
    let base: Int
    var rng: RandomStream

    static var isOn: Bool { true }

    @inline(__always) mutating func add(to dq: inout SIMD4<Double>, at i: Int) {
        var xi = SIMD4<Double>()
        for lane in 0..<4 { xi[lane] = rng.nextGaussian() }
        dq += load(sd, i) * xi
        if let rtn {
            for lane in 0..<4 { dq[lane] += rtnCharge(rtn, base + i + lane, &rng) }
        }
    }

    @inline(__always) mutating func add(to dq: inout Double, at i: Int) {
        dq += sd[i] * rng.nextGaussian()
        if let rtn { dq += rtnCharge(rtn, base + i, &rng) }
    }
}

/// Whether the delivery has a horizon (see `deliverExact`); specialised per case.
protocol DeliveryHorizon {
    static var isOn: Bool { get }
    /// The horizon (ps; unused without one).
    var time: Int64 { get }
}

struct WithHorizon: DeliveryHorizon {
    static var isOn: Bool { true }
    let time: Int64
}

struct NoHorizon: DeliveryHorizon {
    static var isOn: Bool { false }
    var time: Int64 { Int64.max }
}

/// The two passes over one layer (see above). `q`: the row's charges (C) at `q[i]`. Returns how many
/// neurons it left in `layer.candidates` for `schedulePrediction`.
private func deliverPasses<Noise: DeliveryNoise, Horizon: DeliveryHorizon>(
    _ layer: LayerView, n: Int, q: UnsafePointer<Double>, noise: inout Noise, t: Int64, horizon: Horizon
) -> Int {
    let V = layer.v, I = layer.cur, lastPs = layer.tLastPs, holdPs = layer.refEndPs
    let K = layer.soa
    let kind = layer.pendingKind, ver = layer.version
    let savedT = layer.savedT, savedI = layer.savedI, savedQ = layer.savedQ
    let flags = layer.laneFlags
    let tD = SIMD4<Double>(repeating: Double(t))
    let horizonD = SIMD4<Double>(repeating: Double(horizon.time))
    let hasHorizon = Horizon.isOn
    // Whole groups of four; the layer's last n mod 4 neurons go scalar below.
    let vectorEnd = n & ~3
    var i = 0
    // Pass 1: no branch on the data. Each lane's state before the update is saved, and its flag
    // (refractory-held in this update, or may cross) stored for pass 2. Two groups per iteration, stage
    // by stage, so that their dependency chains (exponentials, then the prediction test) overlap.
    // Times in picoseconds as doubles (`tLastPs`, `refEndPs`: whole numbers, or a spike's exact crossing
    // time and its refractory end), with the same expressions as the scalar path, lane for lane.
    let stage = Pass1(
        V: V, I: I, lastPs: lastPs, holdPs: holdPs, savedT: savedT, savedI: savedI,
        flags: flags, K: K, tD: tD, horizonD: horizonD, hasHorizon: hasHorizon)
    while i + 8 <= vectorEnd {
        var qa = load(q, i), qb = load(q, i + 4)
        if Noise.isOn {
            noise.add(to: &qa, at: i); store(qa, savedQ, i)
            noise.add(to: &qb, at: i + 4); store(qb, savedQ, i + 4)
        }
        let a = stage.begin(i, qa), b = stage.begin(i + 4, qb)
        let (va, ia) = stage.propagate(a, i)
        let (vb, ib) = stage.propagate(b, i + 4)
        stage.finish(a, va, ia, i)
        stage.finish(b, vb, ib, i + 4)
        i += 8
    }
    if i < vectorEnd {
        var qa = load(q, i)
        if Noise.isOn { noise.add(to: &qa, at: i); store(qa, savedQ, i) }
        let a = stage.begin(i, qa)
        let (va, ia) = stage.propagate(a, i)
        stage.finish(a, va, ia, i)
    }
    // Pass 2, in index order: the groups with a flagged lane or something pending.
    var count = 0
    i = 0
    while i < vectorEnd {
        let pending = UnsafeRawPointer(kind + i).loadUnaligned(as: UInt32.self)
        let flag = load(flags, i)
        if pending == 0 && flag == SIMD4<Int64>() { i += 4; continue }
        let tl = load(savedT, i), h = load(holdPs, i)
        // Without a partly held lane pass 1's values stand, and so does its test (the flags).
        var mayCross = unsafeBitCast(flag, to: SIMDMask<SIMD4<Int64>>.self)
        if partlyHeld(hold: h, last: tl, now: tD).anyLane {
            // The refractory closed form (V at reset until the hold clamped to [tLast, t]) for the whole
            // group from its saved state, with the same charge: lane for lane what pass 1 computed for
            // the other lanes, the held form for the partly held ones.
            let hc = h.replacing(with: tl, where: tl .> h)
            let held = (hc.replacing(with: tD, where: hc .> tD) - tl) * 1e-12
            let dt = (tD - tl) * 1e-12
            // Only the partly held lanes are taken: the others keep pass 1's values (the same), so their
            // V before the update need not be saved — a held lane restarts from reset.
            let partly = partlyHeld(hold: h, last: tl, now: tD)
            var (vv, ii) = LIFDynamics.propagate(
                v: load(V, i), i: load(savedI, i), t: dt, held: held,
                reset: load(K.reset, i), rateSyn: load(K.rateSyn, i),
                rateMem: load(K.rateMem, i), coupling: load(K.coupling, i))
            ii += (Noise.isOn ? load(savedQ, i) : load(q, i)) * load(K.chargeToCurrent, i)
            store(load(V, i).replacing(with: vv, where: partly), V, i)
            store(load(I, i).replacing(with: ii, where: partly), I, i)
            mayCross = predictionTest(load(V, i), load(I, i), hold: h, tD: tD, horizonD: horizonD, hasHorizon: hasHorizon, K, i)
        }
        if pending != 0 || mayCross.anyLane {
            for lane in 0..<4 { settle(i + lane, mayCross: mayCross[lane], kind: kind, version: ver, candidates: layer.candidates, count: &count) }
        }
        i += 4
    }
    var k = vectorEnd
    while k < n {
        var vv = V[k], ii = I[k]
        let now = Double(t), tl = lastPs[k], hold = holdPs[k]
        let held = hold > tl && now != tl ? (Swift.min(now, hold) - tl) * 1e-12 : 0
        (vv, ii) = LIFDynamics.propagate(v: vv, i: ii, t: (now - tl) * 1e-12, held: held, K.constants[k])
        lastPs[k] = now
        var dq = q[k]
        noise.add(to: &dq, at: k)
        ii += dq * K.chargeToCurrent[k]
        V[k] = vv; I[k] = ii
        settle(
            k, mayCross: vv >= K.threshold[k] || K.resistance[k] * ii >= K.threshold[k],
            kind: kind, version: ver, candidates: layer.candidates, count: &count)
        k += 1
    }
    return count
}

/// Which lanes may reach θ and need a prediction, after their update to `t` (state `vv`, `ii`). A lane
/// may reach θ without further input when R·I ≥ θ, or V ≥ θ already (see `LIFDynamics.mayCross`). With
/// a horizon, one that provably stays below θ until then needs nothing: from t₀ (t, or the end of a
/// running refractory period) and V₀ (V, or reset), V rises at most at slope (R·I − min(V₀, 0))/τ_mem,
/// so V₀ + (horizon − t₀)·slope < θ (with a relative margin of 10⁻⁹ for rounding) proves it.
@inline(__always)
private func predictionTest(
    _ vv: SIMD4<Double>, _ ii: SIMD4<Double>, hold h: SIMD4<Double>, tD: SIMD4<Double>,
    horizonD: SIMD4<Double>, hasHorizon: Bool, _ K: NeuronSoA, _ i: Int
) -> SIMDMask<SIMD4<Int64>> {
    let t0 = h.replacing(with: tD, where: tD .> h)
    let th = load(K.threshold, i)
    let drive = load(K.resistance, i) * ii
    // Still refractory after t: t₀ − t > 0, i.e. the hold ends after t (exact: integers below 2⁵³).
    let refractory = h .> tD
    var mayCross = (drive .>= th) .| ((vv .>= th) .& .!refractory)
    if hasHorizon {
        let zero = SIMD4<Double>()
        let span = (horizonD - t0) * 1e-12
        let v0 = vv.replacing(with: load(K.reset, i), where: refractory)
        let slope = LIFDynamics.riseRateBound(v: v0, drive: drive, rateMem: load(K.rateMem, i))
        let safe = (span .<= zero) .| (v0 + span * slope * (1 + 1e-9) .< th)
        mayCross = mayCross .& .!(safe .& .!((vv .>= th) .& .!refractory))
    }
    return mayCross
}

/// Prediction bookkeeping of neuron i after its update: a neuron that may reach θ is collected for
/// `schedulePrediction`; one that cannot drops its bound and voids a queued crossing.
@inline(__always)
private func settle(
    _ i: Int, mayCross: Bool, kind: UnsafeMutablePointer<UInt8>, version: UnsafeMutablePointer<UInt32>,
    candidates: UnsafeMutablePointer<Int32>, count: inout Int
) {
    if mayCross {
        candidates[count] = Int32(truncatingIfNeeded: i)
        count += 1
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

/// Pass 1's stages for one group of four (two groups are interleaved stage by stage).
private struct Pass1 {
    let V, I, lastPs, holdPs, savedT, savedI: UnsafeMutablePointer<Double>
    let flags: UnsafeMutablePointer<Int64>
    let K: NeuronSoA
    let tD: SIMD4<Double>, horizonD: SIMD4<Double>
    let hasHorizon: Bool

    @_transparent func begin(_ i: Int, _ dq: SIMD4<Double>) -> GroupStart {
        GroupStart(tl: load(lastPs, i), hold: load(holdPs, i), v: load(V, i), i: load(I, i), dq: dq)
    }

    @_transparent func propagate(_ g: GroupStart, _ i: Int) -> (v: SIMD4<Double>, i: SIMD4<Double>) {
        let c = load(K.coupling, i)
        var (vv, ii) = LIFDynamics.propagate(
            v: g.v, i: g.i, t: (tD - g.tl) * 1e-12, rateSyn: load(K.rateSyn, i),
            rateMem: load(K.rateMem, i), coupling: c)
        // A lane held at reset over the whole interval (its hold ends at or after t) is the refractory
        // closed form with held = Δt: I decays by the same factor as computed (`ii`), and V restarts from
        // reset with no free time left (decay factors exactly 1) — `propagate(…held…)` evaluates exactly
        // this, so its result is taken here instead of in pass 2.
        let one = SIMD4<Double>(repeating: 1)
        let atReset = LIFDynamics.apply(v: load(K.reset, i), i: ii, decaySyn: one, decayMem: one, coupling: c)
        vv.replace(with: atReset.v, where: (g.hold .>= tD) .& (tD .> g.tl))
        return (vv, ii + g.dq * load(K.chargeToCurrent, i))
    }

    @_transparent func finish(_ g: GroupStart, _ vv: SIMD4<Double>, _ ii: SIMD4<Double>, _ i: Int) {
        store(vv, V, i); store(ii, I, i); store(tD, lastPs, i)
        store(g.tl, savedT, i); store(g.i, savedI, i)
        let mayCross = predictionTest(vv, ii, hold: g.hold, tD: tD, horizonD: horizonD, hasHorizon: hasHorizon, K, i)
        // A lane whose hold ends strictly inside (tLast, t) needs the refractory closed form in pass 2.
        store(unsafeBitCast(mayCross .| partlyHeld(hold: g.hold, last: g.tl, now: tD), to: SIMD4<Int64>.self), flags, i)
    }
}

/// A group's state before its update, and the read's charge (pass 1).
private struct GroupStart {
    var tl: SIMD4<Double>, hold: SIMD4<Double>, v: SIMD4<Double>, i: SIMD4<Double>, dq: SIMD4<Double>
}

/// Lanes whose refractory hold ends strictly between their last update and `now` (times in ps): the
/// update then runs the refractory closed form with 0 < held < Δt (`LIFDynamics.propagate(…held…)`).
@inline(__always)
private func partlyHeld(hold h: SIMD4<Double>, last tl: SIMD4<Double>, now tD: SIMD4<Double>) -> SIMDMask<SIMD4<Int64>> {
    (h .> tl) .& (h .< tD)
}
