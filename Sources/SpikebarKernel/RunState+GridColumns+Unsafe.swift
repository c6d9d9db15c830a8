import SpikebarCore

// Grid mode's input rows, a step at a time (issue #19, points 3 and 4). The one-thread loop
// (`deliverGrid`) reads each input spike's row when it meets it: at 10⁵–10⁶ neurons every row is a
// DRAM round trip at a random place, one after the other. Here the step's rows are first counted —
// asking for each row as it is counted, so they load in parallel — and then added. With
// `RunOptions.deliveryThreads` = T > 1 and a step large enough (`deliveryGrain`), T − 1 threads add
// the charges, each a block of the target neurons' columns, while this thread does the counting.
// Every neuron's current receives the additions of `deliverGrid` in the same order (rows in spike
// order, connections in order, one multiply-add per synapse), and the counters are updated in spike
// order on one thread: results are bit-identical for any T. The blocks write disjoint columns and read
// only the compiled charges; the counting touches no current.

extension RunState {
    /// Delivers the input spikes `rows` of the step at `t` (channels of population 0, in time order)
    /// through every connection leaving the input population.
    mutating func deliverInputRows(_ rows: [Int32], at t: Int64, parts: Int, touched: inout [Int], stepReads: inout [Int]) {
        guard !rows.isEmpty else { return }
        let outgoing = net.outgoing[0]
        let targets = outgoing.map { connectionViews[$0] }
        let gains = targets.map { views[$0.to].soa.chargeToCurrent }
        let currents = targets.map { views[$0.to].cur }
        let work = rows.count * targets.reduce(0) { $0 + $1.outputs }
        // The counting's own random reads (the row's ΣG in the tile tables, the channel's spike count)
        // are asked for `ahead` spikes early: at 10⁶ inputs they miss every cache level too.
        let ahead = 8
        let counts = spikeCounts[0].withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
        let T = tileTables
        func askAhead(_ r: UnsafeBufferPointer<Int32>, _ m: Int) {
            guard m + ahead < r.count else { return }
            let j = Int(r[m + ahead])
            if let counts { prefetchLine(counts + j * MemoryLayout<Int>.stride) }
            for c in targets {
                let block = j / c.tileRows
                for s in Int(c.rowTileStart[block])..<Int(c.rowTileStart[block + 1]) {
                    let tile = Int(c.rowTileList[s])
                    prefetchLine(UnsafeRawPointer(T.rowConductance + (T.rowOffset[tile] + j - T.rowStart[tile])))
                }
            }
        }
        rows.withUnsafeBufferPointer { r in
            if parts == 1 || work < options.deliveryGrain {
                for (m, j) in r.enumerated() {
                    askAhead(r, m)
                    countSpike(0, Int(j), t)
                    for (k, c) in zip(outgoing, targets) {
                        readBookkeeping(k, row: Int(j), touched: &touched, stepReads: &stepReads)
                        if let q = c.charge { prefetch(q + Int(j) * c.outputs, count: c.outputs) }
                    }
                }
                ColumnBlockPlan(rows: r, targets: targets, gains: gains, currents: currents, blocks: 1, lookahead: 0).deliver(block: 0)
            } else {
                let plan = ColumnBlockPlan(rows: r, targets: targets, gains: gains, currents: currents, blocks: parts - 1, lookahead: 4)
                ParallelMap.overlapping(parts - 1, plan.deliver(block:)) {
                    for (m, j) in r.enumerated() {
                        askAhead(r, m)
                        countSpike(0, Int(j), t)
                        for k in outgoing { readBookkeeping(k, row: Int(j), touched: &touched, stepReads: &stepReads) }
                    }
                }
            }
        }
    }
}

/// The pointers one step's column-block delivery reads and writes; valid for the duration of
/// `deliverInputRows` (the run state and the compiled network own them).
private struct ColumnBlockPlan: @unchecked Sendable {
    let rows: UnsafeBufferPointer<Int32>
    let targets: [ConnectionView]
    let gains: [UnsafeMutablePointer<Double>]
    let currents: [UnsafeMutablePointer<Double>]
    let blocks: Int
    /// Rows ahead whose block segment the thread asks for while it adds the current one (0: none,
    /// the rows were asked for while counted).
    let lookahead: Int

    func deliver(block b: Int) {
        for (r, j) in rows.enumerated() {
            for (k, c) in targets.enumerated() {
                guard let q0 = c.charge else { continue }
                let n = c.outputs
                let lo = n * b / blocks, hi = n * (b + 1) / blocks
                if lookahead > 0, r + lookahead < rows.count { prefetch(q0 + Int(rows[r + lookahead]) * n + lo, count: hi - lo) }
                let q = q0 + Int(j) * n, g = gains[k], I = currents[k]
                var i = lo
                while i < hi {
                    I[i] += q[i] * g[i]
                    i += 1
                }
            }
        }
    }
}
