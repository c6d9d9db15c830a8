import SpikebarCore
import SpikebarDevices
import SpikebarNeurons

/// Exact (continuous-time) mode.
///
/// Threshold crossings are found in two stages so that the root search runs only for neurons that
/// will plausibly fire before their next input:
/// 1. after every update of a neuron that may reach θ (`LIFDynamics.mayCross`), a lower bound of its
///    crossing time is stored: with I ≥ 0, dV/dt ≤ (R·I₀ − min(V₀, 0))/τ_mem, so V < θ before
///    `t₀ + (θ − V₀)·τ_mem/(R·I₀ − min(V₀, 0))`. Each layer keeps one *layer check* queued at the
///    earliest bound of its neurons, so an input queues at most one event per layer;
/// 2. when a layer check comes due, the neurons whose bound has come (no input changed them since) get
///    their exact crossing by root search (`LIFDynamics.crossing`), queued as a per-neuron event
///    that any later input invalidates (version number); the layer check moves to the next bound.
///    A layer check never comes later than any of its neurons' bounds, so no crossing is missed.
/// The spike times are those of the closed form, to the 1 ps resolution, as without the checks.
///
/// Exact times (issue #19): a crossing's continuous time `t_c` (a `Double` in ps, `crossingPs`) is the
/// neuron's own time — its reset, the start of its refractory period and the origin of its later
/// integration — while the spike itself is ordered, counted and delivered at the picosecond tick
/// `⌈t_c⌉`. Rounding therefore never feeds back into the neuron's trajectory: each reported time is its
/// closed-form crossing rounded up, however many spikes came before (`ExactSpikeTimeTests`). A crossing
/// is queued ahead of the inputs and other events of its tick (`schedule`): it happened at `t_c ≤` that
/// tick, before them.
extension RunState {
    mutating func runExact(input: SpikeList) {
        // Probes are queued first, so at equal times a probe sees the state before any check at that
        // time; the crossings of that tick (they happened at or before it) and the input spikes, merged
        // from the input list, come before it.
        for (k, probe) in options.probes.enumerated() {
            for t in probe.times where t.picoseconds < windowPs {
                schedule(
                    Event(
                        time: t.picoseconds, seq: 0, kind: .probe, population: Int32(probe.population),
                        neuron: Int32(probe.neuron), tag: UInt32(k)))
            }
        }
        let times = input.times, channels = input.channels
        let inputSize = net.populations[0].size
        let fromInput = net.outgoing[0]
        var p = 0
        // Inputs count as scheduled before every queued event of their time except crossings, which
        // happened at or before the tick they are queued at (`schedule`).
        while true {
            let nextInput = p < times.count ? times[p] : Int64.max
            let top = heap.min
            let nextQueued = top?.time ?? Int64.max
            let t = min(nextInput, nextQueued)
            if t >= windowPs || runaway != nil { break }
            if nextInput < nextQueued || (nextInput == nextQueued && top?.kind != .crossing) {
                let ch = Int(channels[p]); p += 1
                // Spikes before the window or on a channel the network lacks are ignored (both modes).
                guard t >= 0, ch >= 0, ch < inputSize else { continue }
                countSpike(0, ch, t)
                // The next valid input spike reads a row of every connection from the input, so it
                // updates every neuron those connections feed: a horizon for their predictions.
                var next = p
                while next < times.count && (times[next] < 0 || channels[next] < 0 || Int(channels[next]) >= inputSize) {
                    next += 1
                }
                let horizon = next < times.count ? min(times[next], windowPs) : windowPs
                // The next input's rows, requested now: on a network whose charges exceed the caches they
                // come from DRAM at a random place, and this spike's delivery hides that latency.
                if next < times.count {
                    let row = Int(channels[next])
                    for k in fromInput {
                        let c = connectionViews[k]
                        if let charge = c.charge { prefetch(charge + row * c.outputs, count: c.outputs) }
                    }
                }
                for k in fromInput { deliverExact(k, row: ch, at: t, horizon: horizon) }
            } else {
                guard let e = heap.popMin() else { break }  // invariant: nextQueued < Int64.max implies non-empty
                queueEvents += 1
                let l = Int(e.population), i = Int(e.neuron)
                switch e.kind {
                case .crossing:
                    if e.tag != views[l].version[i] { staleEvents += 1; continue }
                    fire(l, i, at: e.time)
                case .check:
                    if e.tag != layerCheckVersion[l] { staleEvents += 1; continue }
                    layerCheck(l, at: e.time)
                case .probe:
                    let s = stateAt(l, i, Double(e.time))
                    probeSamples[Int(e.tag)].append(ProbeSample(time: SimTime(picoseconds: e.time), v: s.v, i: s.i))
                }
            }
        }
    }

    /// Queues `e` with the next sequence number. A crossing's key has the top bit of `seq` clear and
    /// every other event's set, so at equal times crossings come first (among themselves, and the others
    /// among themselves, in scheduling order): a crossing queued at tick `t` happened at `t_c ∈ (t − 1, t]`,
    /// before whatever else is due at `t`.
    mutating func schedule(_ e: Event) {
        var e = e
        seq &+= 1
        e.seq = e.kind == .crossing ? seq : seq | Event.afterCrossings
        heap.insert(e)
    }

    /// State of neuron (l, i) at `t ≥ tLast` (ps, a whole number or a crossing's exact time), without
    /// changing it: closed form, with the refractory hold (V pinned to reset until `refEndPs`, I decaying
    /// meanwhile). The same expressions as the delivery loop's, so the two agree bit for bit.
    func stateAt(_ l: Int, _ i: Int, _ t: Double) -> (v: Double, i: Double) {
        let st = views[l]
        let k = st.soa.constants[i]
        let last = st.tLastPs[i], hold = st.refEndPs[i]
        if t <= last { return (st.v[i], st.cur[i]) }
        let held = hold > last ? (min(t, hold) - last) * 1e-12 : 0
        return LIFDynamics.propagate(v: st.v[i], i: st.cur[i], t: (t - last) * 1e-12, held: held, k)
    }

    /// Brings neuron (l, i)'s stored state to `t` (ps).
    mutating func advance(_ l: Int, _ i: Int, to t: Double) {
        let s = stateAt(l, i, t)
        let st = views[l]
        st.v[i] = s.v; st.cur[i] = s.i
        if t > st.tLastPs[i] { st.tLastPs[i] = t }
    }

    /// A predicted crossing came due at tick `t`: the neuron resets at its exact crossing time
    /// (`crossingPs`, in `(t − 1, t]`), its refractory period runs from there, and its spike, at `t`,
    /// reads its rows.
    mutating func fire(_ l: Int, _ i: Int, at t: Int64) {
        let st = views[l]
        let tc = st.crossingPs[i]
        advance(l, i, to: tc)
        let k = st.soa.constants[i]
        st.v[i] = k.reset
        st.refEndPs[i] = tc + Double(k.refractoryPicoseconds)
        st.pendingKind[i] = 0
        st.version[i] &+= 1
        updates[l] += 1
        countSpike(l, i, t)
        for c in net.outgoing[l] { deliverExact(c, row: i, at: t) }
        // The synaptic current may still carry V over threshold once the refractory period ends.
        schedulePrediction(l, i, at: t)
    }

    /// The layer check came due: neurons whose lower bound is now get their exact crossing searched;
    /// the check moves to the next earliest bound.
    mutating func layerCheck(_ l: Int, at t: Int64) {
        let st = views[l]
        layerCheckTime[l] = Int64.max
        var next = Int64.max
        // Neurons with a pending bound (kind 1), in index order, found eight kind bytes at a time:
        // `check` changes only its own neuron's kind, which the scan has already passed.
        let kinds = UnsafeRawPointer(st.pendingKind)
        var w = 0
        while w < st.size {
            var bits = boundBytes(kinds.loadUnaligned(fromByteOffset: w, as: UInt64.self))
            if w + 8 > st.size { bits &= (1 << (8 * UInt64(st.size - w))) &- 1 }
            while bits != 0 {
                let i = w + bits.trailingZeroBitCount / 8
                bits &= bits &- 1
                if st.pendingTime[i] <= t { check(l, i, at: t) } else { next = min(next, st.pendingTime[i]) }
            }
            w += 8
        }
        if next < Int64.max { requestLayerCheck(l, at: next) }
    }

    /// Makes sure layer `l` has a check queued no later than `t`.
    mutating func requestLayerCheck(_ l: Int, at t: Int64) {
        guard t < layerCheckTime[l] else { return }
        layerCheckTime[l] = t
        layerCheckVersion[l] &+= 1
        if t < windowPs {
            schedule(Event(time: t, seq: 0, kind: .check, population: Int32(l), neuron: -1, tag: layerCheckVersion[l]))
        }
    }

    /// Neuron (l, i)'s bound has come with no input since: find the exact crossing, if any.
    mutating func check(_ l: Int, _ i: Int, at t: Int64) {
        let now = Double(t)
        advance(l, i, to: now)
        let st = views[l]
        let k = st.soa.constants[i]
        // Search from the end of the refractory period when the neuron is still in it.
        let t0 = max(now, st.refEndPs[i])
        let (vv, ii) = LIFDynamics.propagate(
            v: st.v[i], i: st.cur[i], t: (t0 - now) * 1e-12,
            held: (t0 - now) * 1e-12, k)
        st.version[i] &+= 1
        if let c = LIFDynamics.crossing(v: vv, i: ii, k) {
            // The root is the neuron's time; the tick (never early, rounded up) orders the spike.
            let tc = t0 + c.root * 1e12, late = t0 + c.notBefore * 1e12
            let tick = late < Double(windowPs) ? Int64(late.rounded(.up)) : windowPs
            st.pendingKind[i] = 2
            st.pendingTime[i] = tick
            st.crossingPs[i] = tc
            if tick < windowPs {
                schedule(Event(time: tick, seq: 0, kind: .crossing, population: Int32(l), neuron: Int32(i), tag: st.version[i]))
            }
        } else {
            st.pendingKind[i] = 0
        }
    }

    /// After neuron (l, i) changed — its state is at `tLastPs` (`t`, or the exact time of the spike it
    /// just fired at tick `t`) — store a lower bound of its next crossing (and make sure the layer check
    /// comes no later), or drop what is pending when it cannot fire.
    mutating func schedulePrediction(_ l: Int, _ i: Int, at t: Int64) {
        let st = views[l]
        let k = st.soa
        let last = st.tLastPs[i], hold = st.refEndPs[i]
        let refractory = hold > last
        let v0 = refractory ? k.reset[i] : st.v[i]
        let t0 = refractory ? hold : last
        let threshold = k.threshold[i]
        let drive = k.resistance[i] * st.cur[i]
        if !refractory && v0 >= threshold {
            // Already at threshold: fire now (after the crossings already queued for this time), from
            // the state's own time.
            st.version[i] &+= 1
            st.pendingKind[i] = 2
            st.pendingTime[i] = t
            st.crossingPs[i] = last
            schedule(Event(time: t, seq: 0, kind: .crossing, population: Int32(l), neuron: Int32(i), tag: st.version[i]))
            return
        }
        // Any queued exact crossing is void: the state changed.
        if st.pendingKind[i] == 2 { st.version[i] &+= 1 }
        guard drive >= threshold else {
            st.pendingKind[i] = 0
            return
        }
        let slope = LIFDynamics.riseRateBound(v: v0, drive: drive, rateMem: k.rateMem[i])
        // Rounded down: still a lower bound; never before now (the state is valid from `last ≤ t`, and V
        // stays below θ until t₀ + (θ − V₀)/slope); past the window it needs no precision.
        let b = min((t0 + (threshold - v0) / slope * 1e12).rounded(.down), Double(windowPs))
        let bound = max(Int64(b), t)
        st.pendingKind[i] = 1
        st.pendingTime[i] = bound
        requestLayerCheck(l, at: bound)
    }
}

/// One bit (the byte's lowest) set in each byte of `word` equal to 1 (a pending bound, `pendingKind == 1`),
/// none elsewhere; kinds are 0, 1 or 2, so a byte is 1 exactly when bit 0 is set and bit 1 is clear.
@inline(__always)
private func boundBytes(_ word: UInt64) -> UInt64 {
    word & ~(word >> 1) & 0x0101_0101_0101_0101
}
