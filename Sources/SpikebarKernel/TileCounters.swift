import SpikebarActivity
import SpikebarChip

/// The tiles' static tables for the per-read bookkeeping, as raw buffers (built once per chip, owned by
/// `CompiledNetwork`): per tile its used columns, first row and each row's Σ G (S).
final class TileTables: @unchecked Sendable {
    let view: TileTablesView

    init(_ tiles: [Tile]) {
        let n = max(tiles.count, 1)
        let usedCols = UnsafeMutablePointer<Int>.allocate(capacity: n); usedCols.initialize(repeating: 0, count: n)
        let rowStart = UnsafeMutablePointer<Int>.allocate(capacity: n); rowStart.initialize(repeating: 0, count: n)
        let offset = UnsafeMutablePointer<Int>.allocate(capacity: n); offset.initialize(repeating: 0, count: n)
        let total = max(tiles.reduce(0) { $0 + $1.rowConductance.count }, 1)
        let rowG = UnsafeMutablePointer<Double>.allocate(capacity: total); rowG.initialize(repeating: 0, count: total)
        var at = 0
        for (k, t) in tiles.enumerated() {
            usedCols[k] = t.usedCols; rowStart[k] = t.rowStart; offset[k] = at
            for g in t.rowConductance { rowG[at] = g; at += 1 }
        }
        view = TileTablesView(usedCols: usedCols, rowStart: rowStart, rowOffset: offset, rowConductance: rowG)
    }

    deinit {
        view.usedCols.deallocate(); view.rowStart.deallocate(); view.rowOffset.deallocate(); view.rowConductance.deallocate()
    }
}

/// Raw pointers of `TileTables` (a trivial value: no reference counting per read).
struct TileTablesView {
    let usedCols: UnsafeMutablePointer<Int>, rowStart: UnsafeMutablePointer<Int>, rowOffset: UnsafeMutablePointer<Int>
    /// Σ G of row j of tile k (S) at `rowConductance[rowOffset[k] + j − rowStart[k]]`.
    let rowConductance: UnsafeMutablePointer<Double>
}

/// One run's tile activity (both modes): reads, cells read, conductance read, the concurrency histogram
/// (`histogram[k]` = reads that found k + 1 rows active; its length is the peak) and, in exact mode, the
/// end times of the reads still in progress (a FIFO, since every read lasts `t_read`). Raw buffers
/// behind a trivial view, so the per-read bookkeeping pays no copy-on-write checks or reference counting.
final class TileCounters {
    let view: TileCountersView

    init(tiles n: Int) {
        let m = max(n, 1)
        func ints() -> UnsafeMutablePointer<Int> {
            let p = UnsafeMutablePointer<Int>.allocate(capacity: m); p.initialize(repeating: 0, count: m); return p
        }
        let g = UnsafeMutablePointer<Double>.allocate(capacity: m); g.initialize(repeating: 0, count: m)
        let histogram = UnsafeMutablePointer<UnsafeMutablePointer<Int>?>.allocate(capacity: m)
        histogram.initialize(repeating: nil, count: m)
        let fifo = UnsafeMutablePointer<UnsafeMutablePointer<Int64>?>.allocate(capacity: m)
        fifo.initialize(repeating: nil, count: m)
        view = TileCountersView(
            reads: ints(), cells: ints(), peak: ints(), conductance: g, histogram: histogram,
            histogramCapacity: ints(), fifo: fifo, fifoCapacity: ints(), fifoHead: ints(), fifoCount: ints())
        count = n
    }

    let count: Int

    deinit {
        let v = view
        for k in 0..<max(count, 1) { v.histogram[k]?.deallocate(); v.fifo[k]?.deallocate() }
        for p in [v.reads, v.cells, v.peak, v.histogramCapacity, v.fifoCapacity, v.fifoHead, v.fifoCount] { p.deallocate() }
        v.conductance.deallocate(); v.histogram.deallocate(); v.fifo.deallocate()
    }

    /// Tile k's concurrency histogram as an array (length = its peak).
    func histogram(_ k: Int) -> [Int] {
        let v = view
        guard let h = v.histogram[k] else { return [] }
        return Array(UnsafeBufferPointer(start: h, count: v.peak[k]))
    }

    /// The tiles' `TileActivity` (tile k of `tiles` is counter k; `layer`: the population its connection
    /// feeds; `padTo`: a histogram length to pad with zeros to, per tile, nil to keep its peak).
    func activities(of tiles: [Tile], layer: (Tile) -> Int, padTo: ((Tile) -> Int)? = nil) -> [TileActivity] {
        let v = view
        return tiles.enumerated().map { k, t in
            var h = histogram(k)
            if let n = padTo?(t), n > h.count { h += [Int](repeating: 0, count: n - h.count) }
            return TileActivity(
                layer: layer(t), rows: t.rows, cols: t.cols, usedRows: t.usedRows,
                usedCols: t.usedCols, rowReads: v.reads[k], cellReads: v.cells[k],
                conductanceRead: v.conductance[k], conductanceTotal: t.totalConductance,
                concurrency: h, peakConcurrentRows: v.peak[k])
        }
    }
}

/// Raw pointers of one run's `TileCounters`.
struct TileCountersView {
    let reads: UnsafeMutablePointer<Int>, cells: UnsafeMutablePointer<Int>, peak: UnsafeMutablePointer<Int>
    let conductance: UnsafeMutablePointer<Double>
    let histogram: UnsafeMutablePointer<UnsafeMutablePointer<Int>?>, histogramCapacity: UnsafeMutablePointer<Int>
    let fifo: UnsafeMutablePointer<UnsafeMutablePointer<Int64>?>, fifoCapacity: UnsafeMutablePointer<Int>
    let fifoHead: UnsafeMutablePointer<Int>, fifoCount: UnsafeMutablePointer<Int>

    /// One read of row `j` on `tile` by a binary spike (drive amplitude 1): the event kernel's reads in
    /// both modes (and grid mode's split counting, one thread per tile).
    @inline(__always)
    func recordRead(_ tile: Int, row j: Int, tables T: TileTablesView) {
        recordRead(tile, row: j, tables: T, amplitude: 1)
    }

    /// One read of row `j` on `tile` driven at `amplitude` a (a fraction of V_read): a read, its used
    /// cells, and the row's Σ G weighted by a² (so that `V_read²·t_read·ΣG` is the read energy of analog
    /// drives; a = 1 adds Σ G itself, bit for bit). The per-read rule of every engine on a chip: the event
    /// kernel and the grid engines' `GridActivityRecorder`.
    @inline(__always)
    func recordRead(_ tile: Int, row j: Int, tables T: TileTablesView, amplitude a: Double) {
        reads[tile] += 1
        cells[tile] += T.usedCols[tile]
        conductance[tile] += T.rowConductance[T.rowOffset[tile] + j - T.rowStart[tile]] * a * a
    }

    /// Adds `weight` reads that found `active` (≥ 1) rows of tile k on.
    @inline(__always)
    func addConcurrency(_ k: Int, _ active: Int, weight: Int) {
        if active > histogramCapacity[k] { growHistogram(k, to: active) }
        histogram[k]![active - 1] += weight
        if active > peak[k] { peak[k] = active }
    }

    private func growHistogram(_ k: Int, to active: Int) {
        let capacity = Swift.max(2 * histogramCapacity[k], active, 8)
        let p = UnsafeMutablePointer<Int>.allocate(capacity: capacity)
        p.initialize(repeating: 0, count: capacity)
        if let old = histogram[k] {
            p.update(from: old, count: histogramCapacity[k])
            old.deallocate()
        }
        histogram[k] = p
        histogramCapacity[k] = capacity
    }

    /// Exact mode: drops tile k's reads that have ended by `t` (end time ≤ t), then records a read
    /// ending at `end`; returns how many reads are on, this one included.
    @inline(__always)
    func startRead(_ k: Int, at t: Int64, ending end: Int64) -> Int {
        var head = fifoHead[k], n = fifoCount[k]
        let capacity = fifoCapacity[k]
        if let buffer = fifo[k] {
            while n > 0 && buffer[head] <= t {
                head += 1
                if head == capacity { head = 0 }
                n -= 1
            }
        }
        fifoHead[k] = head; fifoCount[k] = n
        if n == capacity { growFIFO(k) }
        let buffer = fifo[k]!
        var tail = fifoHead[k] + n
        if tail >= fifoCapacity[k] { tail -= fifoCapacity[k] }
        buffer[tail] = end
        fifoCount[k] = n + 1
        return n + 1
    }

    /// Reads in progress on tile k (exact mode; after `startRead`, the new one included).
    @inline(__always)
    func activeReads(_ k: Int) -> Int { fifoCount[k] }

    private func growFIFO(_ k: Int) {
        let old = fifo[k], oldCapacity = fifoCapacity[k], n = fifoCount[k], head = fifoHead[k]
        let capacity = Swift.max(2 * oldCapacity, 16)
        let p = UnsafeMutablePointer<Int64>.allocate(capacity: capacity)
        p.initialize(repeating: 0, count: capacity)
        if let old {
            for m in 0..<n { p[m] = old[(head + m) % oldCapacity] }
            old.deallocate()
        }
        fifo[k] = p; fifoCapacity[k] = capacity; fifoHead[k] = 0
    }
}
