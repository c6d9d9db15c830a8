import SpikebarCore
import SpikebarDevices
import SpikebarNeurons

/// Grid mode: the events of each step are processed together (a calendar queue whose buckets are the
/// steps), neurons advance with the shared `StepPropagator`, in the one step order (`GridStepOrder`).
/// Per step n, at t_n = n·dt:
/// 1. every neuron advances from t_{n−1} (V ← βV + κI, I ← αI; V held at reset while refractory);
/// 2. input spikes binned to step n (t ∈ [t_n, t_{n+1})) read their rows; their charge enters I;
/// 3. layer by layer: neurons with V ≥ θ spike and reset; their rows are read at once, feeding the
///    next layer's I (and their own layer's, for recurrent connections) at t_n.
/// Input reaching I at t_n moves V from step n+1 on — exactly the exact mode's semantics sampled on
/// the grid, and the twin's update order.
extension RunState {
    mutating func runGrid(input: SpikeList, dt: Double) {
        let dtPs = max(1, Int64((dt * 1e12).rounded()))
        let steps = max(1, Int((options.window / dt).rounded()))
        let L = net.populations.count - 1
        // Per layer: α, β, κ and the refractory steps as the vector loops read them (index 0: the input).
        let layerSteps = net.layers.indices.map { l in
            GridLayerSteps(net.layers[l].constants.map { StepPropagator($0, dt: dt) }, layer: views[l], refSteps: states[l].refSteps)
        }
        let stepViews = layerSteps.map(\.view)
        let probes = options.probes
        var spikedNow: [[Int32]] = [[Int32]](repeating: [], count: L + 1)
        var touched: [Int] = []
        var stepReads = [Int](repeating: 0, count: net.tiles.count)
        var probeCursor = [Int](repeating: 0, count: options.probes.count)
        let times = input.times, channels = input.channels
        var p = 0
        // Column blocks of one inference's input reads (`RunOptions.deliveryThreads`). Read noise draws
        // one random number per synapse in row order, so a noisy run stays on one thread.
        let columnParts = noisy ? 0 : max(1, options.deliveryThreads)
        var batch: [Int32] = []
        let inputTargets = StepTargets(
            net.outgoing[0].map { connectionViews[$0] }, layers: views, parts: max(columnParts, 1), inputs: net.populations[0].size)
        defer { inputTargets.release() }
        // The helper threads start with the first step large enough for them (`deliverInputRows`):
        // a network whose steps all stay below the grain never has them spinning beside it.
        defer { crew?.stop(); crew = nil; withExtendedLifetime(layerSteps) {} }
        // The step order is `GridStepOrder`'s, shared with the twin and `GridEngine`.
        GridStepOrder.run(
            steps: steps, layers: L,
            advance: { l, _ in
                // 1. Advance.
                updates[l] += net.populations[l].size
                stepViews[l].advance()
            },
            readInputs: { n in
                // 2. Inputs of this step.
                let t = Int64(n) * dtPs, stepEnd = t + dtPs
                if columnParts > 0 {
                    // The step's input rows together (RunState+GridColumns+Unsafe.swift): the same additions
                    // in the same order as `deliverGrid`, on `deliveryThreads` threads.
                    batch.removeAll(keepingCapacity: true)
                    while p < times.count && times[p] < stepEnd {
                        let ch = Int(channels[p]); let tin = times[p]; p += 1
                        guard tin >= 0, ch >= 0, ch < net.populations[0].size else { continue }
                        batch.append(Int32(ch))
                    }
                    deliverInputRows(batch, at: t, targets: inputTargets, parts: columnParts, stepReads: &stepReads)
                } else {
                    while p < times.count && times[p] < stepEnd {
                        let ch = Int(channels[p]); let tin = times[p]; p += 1
                        guard tin >= 0, ch >= 0, ch < net.populations[0].size else { continue }
                        countSpike(0, ch, t)
                        for k in net.outgoing[0] { deliverGrid(k, row: ch, at: t, touched: &touched, stepReads: &stepReads) }
                    }
                }
            },
            emit: { l, n in
                // 3. Thresholds, layer by layer: the spikes' rows feed the next layer (and their own) at once.
                let t = Int64(n) * dtPs
                spikedNow[l].removeAll(keepingCapacity: true)
                stepViews[l].fire { spikedNow[l].append($0) }
                for i in spikedNow[l] {
                    countSpike(l, Int(i), t)
                    for k in net.outgoing[l] { deliverGrid(k, row: Int(i), at: t, touched: &touched, stepReads: &stepReads) }
                }
            },
            endStep: { n in
                let t = Int64(n) * dtPs, stepEnd = t + dtPs
                // Concurrency: every read of a step overlaps the others on its tile.
                for tile in touched {
                    addConcurrency(tile, stepReads[tile], weight: stepReads[tile])
                    stepReads[tile] = 0
                }
                touched.removeAll(keepingCapacity: true)
                // Probes: a time in [t_n, t_{n+1}) samples the state at the end of step n.
                for (k, probe) in probes.enumerated() {
                    while probeCursor[k] < probe.times.count && probe.times[probeCursor[k]].picoseconds < stepEnd {
                        let st = states[probe.population]
                        probeSamples[k].append(ProbeSample(time: SimTime(picoseconds: t), v: st.v[probe.neuron], i: st.cur[probe.neuron]))
                        probeCursor[k] += 1
                    }
                }
            })
    }

    /// The counting half of a row read: tiles read, their concurrency in this step, synaptic events.
    /// (Through the connection's raw view, as exact mode's `readTilesExact`: no reference counting per
    /// row, which at 10⁶ neurons was a tenth of the step.)
    mutating func readBookkeeping(_ k: Int, row j: Int, touched: inout [Int], stepReads: inout [Int]) {
        let c = connectionViews[k]
        for tile32 in c.tiles(ofRow: j) {
            let tile = Int(tile32)
            tileBookkeeping(tile, row: j)
            if stepReads[tile] == 0 { touched.append(tile) }
            stepReads[tile] += 1
        }
        synapticIn[c.to] += c.outputs
    }

    mutating func deliverGrid(_ k: Int, row j: Int, at t: Int64, touched: inout [Int], stepReads: inout [Int]) {
        readBookkeeping(k, row: j, touched: &touched, stepReads: &stepReads)
        let c = net.connections[k]
        let l = c.to, n = c.outputs, base = j * n
        var rng = self.rng
        let noisy = self.noisy
        let I = states[l].cur
        let q = c.charge, sd = c.noise, rtn = c.rtn
        net.layers[l].chargeToCurrent.withUnsafeBufferPointer { g in
            if noisy, !rtn.isEmpty, let r = rtn.baseAddress {
                // Device physics: white + 1/f noise (in `sd`) and RTN.
                for i in 0..<n { I[i] += (q[base + i] + sd[base + i] * rng.nextGaussian() + rtnCharge(r, base + i, &rng)) * g[i] }
            } else if noisy {
                for i in 0..<n { I[i] += (q[base + i] + sd[base + i] * rng.nextGaussian()) * g[i] }
            } else {
                for i in 0..<n { I[i] += q[base + i] * g[i] }
            }
        }
        self.rng = rng
    }
}
