import SpikebarCore
import SpikebarDevices
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Exact (continuous-time) mode.
extension RunState {
    mutating func runExact(input: SpikeList) {
        // Probes are queued first: at equal times a probe sees the state before any event at that time.
        for (k, probe) in options.probes.enumerated() {
            for t in probe.times where t.picoseconds < windowPs {
                schedule(Event(time: t.picoseconds, seq: 0, kind: .probe, population: Int32(probe.population),
                               neuron: Int32(probe.neuron), tag: UInt32(k)))
            }
        }
        let times = input.times, channels = input.channels
        var p = 0
        // Inputs count as scheduled before every queued event: at equal times they go first.
        while true {
            let nextInput = p < times.count ? times[p] : Int64.max
            let nextQueued = heap.min?.time ?? Int64.max
            let t = min(nextInput, nextQueued)
            if t >= windowPs { break }
            if nextInput <= nextQueued {
                let ch = Int(channels[p]); p += 1
                guard ch >= 0, ch < net.populations[0].size else { continue }
                countSpike(0, ch, t)
                for k in net.outgoing[0] { deliverExact(k, row: ch, at: t) }
            } else {
                guard let e = heap.popMin() else { break }  // invariant: nextQueued < Int64.max implies non-empty
                queueEvents += 1
                switch e.kind {
                case .crossing:
                    let l = Int(e.population), i = Int(e.neuron)
                    if e.tag != version[l][i] { staleEvents += 1; continue }
                    fire(l, i, at: e.time)
                case .probe:
                    let s = stateAt(Int(e.population), Int(e.neuron), e.time)
                    probeSamples[Int(e.tag)].append(ProbeSample(time: SimTime(picoseconds: e.time), v: s.v, i: s.i))
                }
            }
        }
    }

    mutating func schedule(_ e: Event) {
        var e = e
        seq &+= 1
        e.seq = seq
        heap.insert(e)
    }

    /// State of neuron (l, i) at `t ≥ tLast`, without changing it: closed form, with the refractory
    /// hold (V pinned to reset until `refEnd`, I decaying meanwhile).
    func stateAt(_ l: Int, _ i: Int, _ t: Int64) -> (v: Double, i: Double) {
        let k = net.layers[l].constants[i]
        var vv = v[l][i], ii = cur[l][i]
        let last = tLast[l][i], hold = refEnd[l][i]
        if t <= last { return (vv, ii) }
        if hold > last {
            let end = min(t, hold)
            ii *= exp(-Double(end - last) * 1e-12 * k.rateSyn)
            vv = k.reset
            if t <= hold { return (vv, ii) }
            return LIFDynamics.propagate(v: vv, i: ii, t: Double(t - hold) * 1e-12, k)
        }
        return LIFDynamics.propagate(v: vv, i: ii, t: Double(t - last) * 1e-12, k)
    }

    /// A predicted crossing came due: the neuron spikes, resets, and its spike reads its rows.
    mutating func fire(_ l: Int, _ i: Int, at t: Int64) {
        let s = stateAt(l, i, t)
        let k = net.layers[l].constants[i]
        cur[l][i] = s.i
        v[l][i] = k.reset
        tLast[l][i] = t
        refEnd[l][i] = t + k.refractoryPicoseconds
        pending[l][i] = false
        version[l][i] &+= 1
        updates[l] += 1
        countSpike(l, i, t)
        for c in net.outgoing[l] { deliverExact(c, row: i, at: t) }
        // The synaptic current may still carry V over threshold once the refractory period ends.
        predict(l, i, at: t)
    }

    /// (Re)predicts neuron (l, i)'s next threshold crossing from its state at `t` (= tLast).
    mutating func predict(_ l: Int, _ i: Int, at t: Int64) {
        let k = net.layers[l].constants[i]
        var vv = v[l][i], ii = cur[l][i], t0 = t
        let hold = refEnd[l][i]
        if hold > t {
            ii *= exp(-Double(hold - t) * 1e-12 * k.rateSyn)
            vv = k.reset
            t0 = hold
        }
        if let dt = LIFDynamics.firstCrossing(v: vv, i: ii, k) {
            let tc = t0 + Int64((dt * 1e12).rounded(.up))
            version[l][i] &+= 1
            pending[l][i] = true
            if tc < windowPs {
                schedule(Event(time: tc, seq: 0, kind: .crossing, population: Int32(l), neuron: Int32(i), tag: version[l][i]))
            }
        } else if pending[l][i] {
            pending[l][i] = false
            version[l][i] &+= 1
        }
    }
}
