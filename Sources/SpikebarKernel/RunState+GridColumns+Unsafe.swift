import SpikebarCore

// Grid mode's input rows, a step at a time (issue #19, points 3 and 4). At 10⁵–10⁶ neurons every
// input spike's row is a DRAM round trip at a random place; here the step's spikes are first counted
// (tiles, spike counts; their counters asked for a few spikes ahead) and then their rows added, each
// row asked for a few rows before it is added, so that rows load while others are added. With
// `RunOptions.deliveryThreads` = T > 1 and a step large enough (`deliveryGrain`), thread b adds the
// charges of column block b of every row and counts the spikes of the b-th range of input channels
// (whole row blocks of tiles). Every neuron's current receives the additions of `deliverGrid` in the
// same order (rows in spike order, connections in order, one multiply-add per synapse), and every
// tile's sums run in spike order on one thread: results are bit-identical for any T. The parts write
// disjoint columns (whole cache lines), tiles and channels, and read only the compiled charges and tables.

extension RunState {
    /// Delivers the input spikes `rows` of the step at `t` (channels of population 0, in time order)
    /// through every connection leaving the input population.
    /// `targets`: the connections leaving the input (`StepTargets`, made once per run).
    mutating func deliverInputRows(_ rows: [Int32], at t: Int64, targets: StepTargets, parts: Int, stepReads: inout [Int]) {
        guard !rows.isEmpty else { return }
        let work = rows.count * targets.synapsesPerRow
        // The step's helpers: none below the grain; else the inference's crew, started on first use.
        var helpers: StepCrew? = nil
        if parts > 1, work >= options.deliveryGrain {
            let c = crew ?? StepCrew(helpers: parts - 1)
            crew = c
            helpers = c
        }
        let blocks = helpers == nil ? 1 : parts
        rows.withUnsafeBufferPointer { r in
            // `blocks` parts (this thread and, when there are helpers, the inference's `StepCrew`), each
            // the column block b of the adding and the counting of the b-th range of input channels:
            // every tile's sums still run in spike order on one thread. One part is the
            // one-thread loop: the same code, no reference counting per spike (a retain/release pair
            // per spike and connection was a quarter of a 10⁵-neuron step).
            let plan = ColumnBlockPlan(rows: r, targets: targets, blocks: blocks)
            let tables = tileTables, counters = tileCount
            var reads = 0
            spikeCounts[0].withUnsafeMutableBufferPointer { sc in
                stepReads.withUnsafeMutableBufferPointer { sr in
                    let counting = SplitCounting(
                        rows: r, targets: targets, parts: blocks, tables: tables, counters: counters,
                        spikeCounts: sc.baseAddress!, stepReads: sr.baseAddress!, channels: sc.count)
                    if let helpers {
                        let work: @Sendable (Int) -> Void = { b in
                            counting.count(part: b)
                            plan.deliver(block: b)
                        }
                        helpers.run(work)
                    } else {
                        counting.count(part: 0)
                        plan.deliver(block: 0)
                    }
                    reads = counting.totalReads()
                }
            }
            // The order-free totals (the parts booked their tiles' concurrency).
            rowReads += reads
            populationSpikes[0] += r.count
            if options.recordSpikes { for j in r { recorded[0].append(time: t, channel: j) } }
            for k in 0..<targets.count { synapticIn[targets.views[k].to] += r.count * targets.views[k].outputs }
        }
    }
}

/// The connections leaving the input population, as raw buffers for a run's steps: their views, the
/// target layers' charge-to-current gains and currents, and the counting parts' tallies. Made once per
/// run (`runGrid`), released at its end.
struct StepTargets: @unchecked Sendable {
    let count: Int
    let views: UnsafeMutablePointer<ConnectionView>
    let gains: UnsafeMutablePointer<UnsafeMutablePointer<Double>>
    let currents: UnsafeMutablePointer<UnsafeMutablePointer<Double>>
    /// One tally per part (`SplitCounting`), `parts` of them.
    let tally: UnsafeMutablePointer<Int>
    /// Input channels per row block of every target: the least common multiple of their tile rows
    /// (`SplitCounting` splits the channels on its multiples).
    let rowBlock: Int

    /// The most tiles one input row is read on (all targets together): a step's first-read list of a
    /// part holds at most its spikes × this.
    let tilesPerRow: Int

    init(_ targets: [ConnectionView], layers: [LayerView], parts: Int, inputs: Int) {
        var most = 0
        for c in targets {
            var blockMost = 0
            var j = 0
            while j < inputs {
                blockMost = max(blockMost, c.tiles(ofRow: j).count)
                j += max(c.tileRows, 1)
            }
            most += blockMost
        }
        tilesPerRow = max(most, 1)
        tally = .allocate(capacity: max(parts, 1))
        tally.initialize(repeating: 0, count: max(parts, 1))
        count = targets.count
        views = .allocate(capacity: max(count, 1))
        views.initialize(from: targets, count: count)
        gains = .allocate(capacity: max(count, 1))
        currents = .allocate(capacity: max(count, 1))
        var g = 1
        for c in targets {
            let r = max(c.tileRows, 1)
            var x = g, y = r
            while y != 0 { (x, y) = (y, x % y) }
            g = min(g / x * r, Int(Int32.max))
        }
        rowBlock = g
        for (k, c) in targets.enumerated() {
            (gains + k).initialize(to: layers[c.to].soa.chargeToCurrent)
            (currents + k).initialize(to: layers[c.to].cur)
        }
    }

    var synapsesPerRow: Int { (0..<count).reduce(0) { $0 + views[$1].outputs } }

    func release() {
        views.deallocate(); gains.deallocate(); currents.deallocate(); tally.deallocate()
    }
}

/// The counting half of a step's input reads split in ranges of input channels: part b counts the
/// spikes of its channels — their spike counts and their reads on every tile — in spike order. The
/// ranges' bounds are whole row blocks of tiles (`tileRows`), so every tile's rows, hence every read of
/// it in the step, belong to one part: every per-tile sum (reads, cells, ΣG) and every count is the
/// one-thread loop's, and no cache line of the counters is written by two threads. A part first gathers
/// its own spikes (in spike order) from the step's. At the end it books its tiles' concurrency for the
/// step (only input spikes read the tiles of connections from the input, and the histogram's counts do
/// not depend on the order tiles are booked in).
private struct SplitCounting: @unchecked Sendable {
    let rows: UnsafeBufferPointer<Int32>
    let targets: StepTargets
    let parts: Int
    let tables: TileTablesView
    let counters: TileCountersView
    let spikeCounts: UnsafeMutablePointer<Int>
    let stepReads: UnsafeMutablePointer<Int>
    /// Input channels.
    let channels: Int
    /// Per part: its row-tile reads (the targets' tallies).
    let tally: UnsafeMutablePointer<Int>

    init(
        rows: UnsafeBufferPointer<Int32>, targets: StepTargets, parts: Int, tables: TileTablesView, counters: TileCountersView,
        spikeCounts: UnsafeMutablePointer<Int>, stepReads: UnsafeMutablePointer<Int>, channels: Int
    ) {
        self.rows = rows; self.targets = targets; self.parts = parts; self.tables = tables; self.counters = counters
        self.spikeCounts = spikeCounts; self.stepReads = stepReads
        self.channels = max(channels, 1)
        tally = targets.tally
    }

    /// The input channels part b counts: `[⌈b·B/parts⌉·g, ⌈(b+1)·B/parts⌉·g)` for B row blocks of g
    /// channels, g the least common multiple of the targets' tile rows (a row block of every target).
    func channels(part b: Int) -> Range<Int> {
        if parts == 1 { return 0..<channels }
        let g = targets.rowBlock
        if g >= channels { return b == 0 ? 0..<channels : channels..<channels }
        let blocks = (channels + g - 1) / g
        let lo = min(channels, (b * blocks + parts - 1) / parts * g)
        let hi = min(channels, ((b + 1) * blocks + parts - 1) / parts * g)
        return lo..<hi
    }

    func count(part b: Int) {
        // This part's spikes, in spike order. With several parts, which part owns a spike is random
        // from spike to spike, so they are first gathered without a branch (a mispredicted ownership
        // test per spike and loop cost more than the counting itself at 10⁵–10⁶ neurons).
        let mine = channels(part: b)
        let own: UnsafeBufferPointer<Int32>
        var gathered: UnsafeMutablePointer<Int32>? = nil
        if parts == 1 {
            own = rows
        } else {
            let list = UnsafeMutablePointer<Int32>.allocate(capacity: max(rows.count, 1))
            var n = 0
            for j32 in rows {
                list[n] = j32
                n &+= mine.contains(Int(j32)) ? 1 : 0
            }
            gathered = list
            own = UnsafeBufferPointer(start: list, count: n)
        }
        defer { gathered?.deallocate() }
        var reads = 0
        let T = tables, C = counters
        let ahead = 8
        // The tiles this part reads first in the step, to book their concurrency at its end.
        let firstRead = UnsafeMutablePointer<Int>.allocate(capacity: max(own.count * targets.tilesPerRow, 1))
        defer { firstRead.deallocate() }
        var firsts = 0
        for (m, j32) in own.enumerated() {
            if m + ahead < own.count {
                // The random reads of this part's spike `ahead` on — the channel's spike count and, on
                // every tile the row is read on, the row's ΣG in the tile tables: at 10⁶ inputs both miss
                // every cache level, as the charge rows do (`perf`: 35 % and 9 % of a grid step before
                // they were asked for). Hints only (`prefetchLine`).
                let a = Int(own[m + ahead])
                prefetchLine(UnsafeRawPointer(spikeCounts + a))
                for k in 0..<targets.count {
                    for tile32 in targets.views[k].tiles(ofRow: a) {
                        let tile = Int(tile32)
                        prefetchLine(UnsafeRawPointer(T.rowConductance + (T.rowOffset[tile] + a - T.rowStart[tile])))
                    }
                }
            }
            let j = Int(j32)
            spikeCounts[j] += 1
            for k in 0..<targets.count {
                for tile32 in targets.views[k].tiles(ofRow: j) {
                    let tile = Int(tile32)
                    C.recordRead(tile, row: j, tables: T)
                    reads += 1
                    if stepReads[tile] == 0 { firstRead[firsts] = tile; firsts += 1 }
                    stepReads[tile] += 1
                }
            }
        }
        // Concurrency: every read of the step overlaps the others on its tile (as `runGrid` books the
        // tiles its layers' spikes read), once per tile read in this step.
        for f in 0..<firsts {
            let tile = firstRead[f]
            let n = stepReads[tile]
            C.addConcurrency(tile, n, weight: n)
            stepReads[tile] = 0
        }
        tally[b] = reads
    }

    func totalReads() -> Int { (0..<parts).reduce(0) { $0 + tally[$1] } }
}

/// The pointers one step's column-block delivery reads and writes; valid for the duration of
/// `deliverInputRows` (the run state and the compiled network own them). The rows were asked for while
/// they were counted (`SplitCounting.count`).
private struct ColumnBlockPlan: @unchecked Sendable {
    let rows: UnsafeBufferPointer<Int32>
    let targets: StepTargets
    let blocks: Int

    /// The neurons (columns) block b of `blocks` adds: bounds on whole cache lines (multiples of 8
    /// doubles; the layer's currents start on a line), so two threads never write one line.
    @inline(__always)
    static func columns(block b: Int, of blocks: Int, outputs n: Int) -> Range<Int> {
        let lo = b == 0 ? 0 : (n * b / blocks) & ~7
        let hi = b == blocks - 1 ? n : (n * (b + 1) / blocks) & ~7
        return lo..<max(lo, hi)
    }

    func deliver(block b: Int) {
        // Each row's segment is asked for `ahead` rows before it is added (hints, `prefetch`): enough
        // to cover a DRAM round trip at 10⁶ neurons, few enough to stay in L1 (measured: 2–8 alike, 16
        // slower; asking for all the step's rows while counting was slower at 10⁵ and 10⁶).
        let ahead = 4
        // With several blocks, block 0 walks its columns (and asks for its lines) from the top down, the
        // others bottom up: each core's L2 stream prefetcher then runs off the row's ends instead of into
        // a neighbour's block. Walking up, block 0's prefetcher fetched block 1's lines into the wrong
        // core, and block 1's adding took as long as the whole row on one thread (10⁵ neurons, per-part
        // timings: 10.9–11.7 µs against 6.5–7.3 µs for block 0). The order of a row's columns changes no
        // sum: each column still adds its rows in spike order.
        let descending = blocks > 1 && b == 0
        for (r, j) in rows.enumerated() {
            for k in 0..<targets.count {
                let c = targets.views[k]
                guard let q0 = c.charge else { continue }
                let n = c.outputs
                let cols = ColumnBlockPlan.columns(block: b, of: blocks, outputs: n)
                let q = q0 + Int(j) * n, g = targets.gains[k], I = targets.currents[k]
                if descending {
                    if r + ahead < rows.count { prefetchDescending(q0 + Int(rows[r + ahead]) * n + cols.lowerBound, count: cols.count) }
                    var i = cols.upperBound
                    while i > cols.lowerBound {
                        i -= 1
                        I[i] += q[i] * g[i]
                    }
                } else {
                    if r + ahead < rows.count { prefetch(q0 + Int(rows[r + ahead]) * n + cols.lowerBound, count: cols.count) }
                    var i = cols.lowerBound
                    while i < cols.upperBound {
                        I[i] += q[i] * g[i]
                        i += 1
                    }
                }
            }
        }
    }
}
