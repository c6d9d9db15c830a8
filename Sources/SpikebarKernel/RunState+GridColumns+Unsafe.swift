import SpikebarCore

// Grid mode's input rows, a step at a time (issue #19, points 3 and 4). The one-thread loop
// (`deliverGrid`) reads each input spike's row when it meets it: at 10⁵–10⁶ neurons every row is a
// DRAM round trip at a random place, one after the other. Here the step's rows are first counted —
// asking for each row as it is counted, so they load in parallel — and then added. With
// `RunOptions.deliveryThreads` = T > 1 and a step large enough (`deliveryGrain`), thread b adds the
// charges of column block b and counts the reads of the b-th range of tiles and the spikes of the b-th
// range of input channels. Every neuron's current receives the additions of `deliverGrid` in the same order (rows
// in spike order, connections in order, one multiply-add per synapse), and every tile's sums run in
// spike order on one thread: results are bit-identical for any T. The blocks write disjoint columns,
// tiles and channels, and read only the compiled charges and tables.

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
        // The counting's own random reads are asked for `ahead` spikes early (`askForCounters`).
        let ahead = 8
        func askAhead(_ r: UnsafeBufferPointer<Int32>, _ m: Int) {
            guard m + ahead < r.count else { return }
            askForCounters(inputRow: Int(r[m + ahead]), of: targets)
        }
        // The step's helpers: none below the grain; else the inference's crew, started on first use.
        var helpers: StepCrew? = nil
        if parts > 1, work >= options.deliveryGrain {
            let c = crew ?? StepCrew(helpers: parts - 1)
            crew = c
            helpers = c
        }
        rows.withUnsafeBufferPointer { r in
            if let helpers {
                // T threads (this one and the inference's `StepCrew`), each the column block b of the
                // adding and the counting of the b-th range of tiles (and of input channels): every
                // tile's sums still run in spike order on one thread.
                let plan = ColumnBlockPlan(rows: r, targets: targets, gains: gains, currents: currents, blocks: parts, lookahead: 4)
                let tables = tileTables, counters = tileCount
                var firstRead: [Int] = [], reads = 0
                spikeCounts[0].withUnsafeMutableBufferPointer { sc in
                    stepReads.withUnsafeMutableBufferPointer { sr in
                        let counting = SplitCounting(
                            rows: r, targets: targets, parts: parts, tables: tables, counters: counters,
                            spikeCounts: sc.baseAddress!, stepReads: sr.baseAddress!, channels: sc.count, tiles: sr.count)
                        let work: @Sendable (Int) -> Void = { b in
                            counting.count(part: b)
                            plan.deliver(block: b)
                        }
                        helpers.run(work)
                        for b in 0..<parts { firstRead.append(contentsOf: counting.touched(part: b)) }
                        reads = counting.totalReads()
                        counting.release()
                    }
                }
                // The order-free totals, and the tiles first read in this step (their order only orders
                // independent per-tile histogram updates at the step's end).
                touched.append(contentsOf: firstRead)
                rowReads += reads
                populationSpikes[0] += r.count
                if options.recordSpikes { for j in r { recorded[0].append(time: t, channel: j) } }
                for (k, c) in zip(outgoing, targets) { synapticIn[net.connections[k].to] += r.count * c.outputs }
            } else {
                for (m, j) in r.enumerated() {
                    askAhead(r, m)
                    countSpike(0, Int(j), t)
                    for (k, c) in zip(outgoing, targets) {
                        readBookkeeping(k, row: Int(j), touched: &touched, stepReads: &stepReads)
                        if let q = c.charge { prefetch(q + Int(j) * c.outputs, count: c.outputs) }
                    }
                }
                ColumnBlockPlan(rows: r, targets: targets, gains: gains, currents: currents, blocks: 1, lookahead: 0).deliver(block: 0)
            }
        }
    }
}

/// The counting half of a step's input reads split in ranges of tiles (and of input channels): part b
/// updates only the b-th range (`owner`), in spike order, so every per-tile sum (reads, cells, ΣG) and
/// every count is the one-thread loop's. Each part lists the tiles it read first in this step.
private struct SplitCounting: @unchecked Sendable {
    let rows: UnsafeBufferPointer<Int32>
    let targets: [ConnectionView]
    let parts: Int
    let tables: TileTablesView
    let counters: TileCountersView
    let spikeCounts: UnsafeMutablePointer<Int>
    let stepReads: UnsafeMutablePointer<Int>
    /// Input channels and tiles (the ranges `owner` splits).
    let channels: Int, tiles: Int
    /// Per part: its first-read tiles (capacity `tiles`) and how many, and its row-tile reads.
    let firstRead: [UnsafeMutablePointer<Int>]
    let tally: UnsafeMutablePointer<Int>

    init(
        rows: UnsafeBufferPointer<Int32>, targets: [ConnectionView], parts: Int, tables: TileTablesView, counters: TileCountersView,
        spikeCounts: UnsafeMutablePointer<Int>, stepReads: UnsafeMutablePointer<Int>, channels: Int, tiles: Int
    ) {
        self.rows = rows; self.targets = targets; self.parts = parts; self.tables = tables; self.counters = counters
        self.spikeCounts = spikeCounts; self.stepReads = stepReads
        self.channels = max(channels, 1); self.tiles = max(tiles, 1)
        firstRead = (0..<parts).map { _ in UnsafeMutablePointer<Int>.allocate(capacity: max(tiles, 1)) }
        tally = .allocate(capacity: 2 * parts)
        tally.initialize(repeating: 0, count: 2 * parts)
    }

    /// The part that counts item `i` of `n` (a tile, an input channel): contiguous ranges, so that two
    /// threads never write the same cache line of the per-tile counters (an interleaved split — tile mod
    /// T — made every line shared and cost more than the second thread saved).
    @inline(__always)
    func owner(_ i: Int, of n: Int) -> Int { i * parts / n }

    func count(part b: Int) {
        var first = 0, reads = 0
        let list = firstRead[b]
        let T = tables, C = counters
        let ahead = 8
        for (m, j32) in rows.enumerated() {
            let j = Int(j32)
            if m + ahead < rows.count {
                // This part's random reads of a spike `ahead` on (as the one-thread path's `askAhead`).
                let a = Int(rows[m + ahead])
                if owner(a, of: channels) == b { prefetchLine(UnsafeRawPointer(spikeCounts + a)) }
                for c in targets {
                    for tile32 in c.tiles(ofRow: a) {
                        let tile = Int(tile32)
                        if owner(tile, of: tiles) == b { prefetchLine(UnsafeRawPointer(T.rowConductance + (T.rowOffset[tile] + a - T.rowStart[tile]))) }
                    }
                }
            }
            if owner(j, of: channels) == b { spikeCounts[j] += 1 }
            for c in targets {
                for tile32 in c.tiles(ofRow: j) {
                    let tile = Int(tile32)
                    guard owner(tile, of: tiles) == b else { continue }
                    C.recordRead(tile, row: j, tables: T)
                    reads += 1
                    if stepReads[tile] == 0 { list[first] = tile; first += 1 }
                    stepReads[tile] += 1
                }
            }
        }
        tally[2 * b] = first; tally[2 * b + 1] = reads
    }

    func touched(part b: Int) -> [Int] { Array(UnsafeBufferPointer(start: firstRead[b], count: tally[2 * b])) }
    func totalReads() -> Int { (0..<parts).reduce(0) { $0 + tally[2 * $1 + 1] } }
    func release() {
        for p in firstRead { p.deallocate() }
        tally.deallocate()
    }
}

extension RunState {
    /// Asks for the counters a read of input row `j` will update — the channel's spike count and, on
    /// every tile the row is read on, the row's ΣG in the tile tables — ahead of the read (hints: see
    /// `prefetchLine`). At 10⁶ inputs both miss every cache level, as the charge rows do; `perf` showed
    /// them taking 35 % and 9 % of a grid step before they were asked for. (Tried in exact mode too, for
    /// the next input spike: no measurable change at 10⁶ — 1.18–1.74 s either way —, not kept.)
    @inline(__always)
    func askForCounters(inputRow j: Int, of targets: [ConnectionView]) {
        spikeCounts[0].withUnsafeBufferPointer { if let b = $0.baseAddress, j < $0.count { prefetchLine(UnsafeRawPointer(b + j)) } }
        let T = tileTables
        for c in targets {
            for tile32 in c.tiles(ofRow: j) {
                let tile = Int(tile32)
                prefetchLine(UnsafeRawPointer(T.rowConductance + (T.rowOffset[tile] + j - T.rowStart[tile])))
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
