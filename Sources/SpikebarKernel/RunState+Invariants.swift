import SpikebarCore

/// Invariants of a run's state, checked by the tests (`EventKernel.checkInvariants`), in the spirit of
/// swift-collections' `_checkInvariants()`: the hot loop relies on them instead of checking per event.
extension RunState {
    /// Human-readable violations; empty when every invariant holds.
    func invariantViolations(now t: Int64) -> [String] {
        var out: [String] = []
        for (k, c) in net.connections.enumerated() {
            let inputs = net.populations[c.from].size
            if c.charge.count != inputs * c.outputs {
                out.append("connection \(k): charge has \(c.charge.count) entries, expected \(inputs * c.outputs)")
            }
            if !c.noise.isEmpty && c.noise.count != c.charge.count { out.append("connection \(k): noise size differs from charge") }
            if !c.rtn.isEmpty && (c.rtn.count != 4 * c.charge.count || c.noise.isEmpty) {
                out.append("connection \(k): RTN table must have 4 entries per synapse, with read noise")
            }
            if net.layers[c.to].size != c.outputs {
                out.append("connection \(k): layer \(c.to) has \(net.layers[c.to].size) neurons, connection \(c.outputs) outputs")
            }
        }
        for l in 1..<states.count {
            let st = states[l]
            var earliestBound = Int64.max
            for i in 0..<st.size {
                if st.tLastPs[i] > Double(t) { out.append("layer \(l) neuron \(i): last update \(st.tLastPs[i]) after now \(t)") }
                if !st.v[i].isFinite || !st.cur[i].isFinite { out.append("layer \(l) neuron \(i): non-finite state") }
                if !(st.tLastPs[i] >= 0) || !st.tLastPs[i].isFinite {
                    out.append("layer \(l) neuron \(i): tLastPs \(st.tLastPs[i]) is not a time ≥ 0")
                }
                // The refractory end is −∞ (never fired) or a spike's exact time + t_ref, at or after it.
                if st.refEndPs[i] != -.infinity && (!st.refEndPs[i].isFinite || st.refEndPs[i] < 0) {
                    out.append("layer \(l) neuron \(i): refEndPs \(st.refEndPs[i]) is not −∞ or a time ≥ 0")
                }
                if st.pendingKind[i] == 2 && st.pendingTime[i] < windowPs
                    && !(st.crossingPs[i] <= Double(st.pendingTime[i]) && st.crossingPs[i] > Double(st.pendingTime[i]) - 1)
                {
                    out.append("layer \(l) neuron \(i): crossing tick \(st.pendingTime[i]) is not its exact time \(st.crossingPs[i]) rounded up")
                }
                if st.pendingKind[i] == 1 { earliestBound = min(earliestBound, st.pendingTime[i]) }
            }
            if earliestBound < Int64.max && layerCheckTime[l] > earliestBound {
                out.append("layer \(l): layer check at \(layerCheckTime[l]) after a neuron's bound \(earliestBound)")
            }
        }
        return out
    }
}

extension EventKernel {
    /// Runs an inference and returns the invariant violations found at its end (tests only).
    public func checkInvariants(input: SpikeList, options: RunOptions) -> [String] {
        var state = RunState(net: net, options: options, noise: readNoise)
        switch timing {
        case .exact: state.runExact(input: input)
        case let .grid(dt): state.runGrid(input: input, dt: dt)
        }
        return state.invariantViolations(now: state.windowPs)
    }
}
