import SpikebarActivity
import SpikebarChip
import SpikebarCore
import SpikebarKernel
import SpikebarReport

extension Simulation {
    /// Number of time bins of the rate-over-time chart.
    public static let rateBins = 50
    /// Most (read, column) samples kept for the column-current histogram of one inference.
    public static let columnCurrentSampleLimit = 2_000_000

    /// The data behind the charts of `report.html`: inference `k`'s spikes (kept from its run for k = 0,
    /// `firstSpikes`; otherwise it is run again with `recordSpikes` — the kernel is deterministic, so its
    /// activity equals the one in `activities`) and derives the raster, the
    /// rates over time and the column currents from its spikes; the concurrency histograms are the
    /// kernel's, summed over `activities`.
    public func detail(_ activities: [Activity], inference k: Int = 0, firstSpikes: [SpikeList]? = nil) -> InferenceDetail? {
        guard k >= 0, k < inputs.count else { return nil }
        // Inference 0's spikes kept from its run (`runAllKeepingFirstSpikes`), else one more run of `k`.
        let result: (spikes: [SpikeList], activity: Activity)
        if k == 0, let spikes = firstSpikes, k < activities.count {
            result = (spikes, activities[k])
        } else {
            let r = infer(k, recordSpikes: true)
            result = (r.spikes, r.activity)
        }
        let (raster, rates) = Simulation.spikeCharts(
            populations: chip.populations.map { ($0.name, $0.size) }, spikes: result.spikes, window: scenario.input.window)
        let tiles = Simulation.tileConcurrency(activities, tiles: chip.tiles.count, layer: { chip.connections[chip.tiles[$0].connection].to })
        // Bounded memory on big chips: beyond `columnCurrentSampleLimit` (read, column) samples keep every
        // k-th one, k fixed in advance from the cell-read count, so the histogram stays deterministic.
        let stride = max(1, (result.activity.totalCellReads + Simulation.columnCurrentSampleLimit - 1) / Simulation.columnCurrentSampleLimit)
        let currents = columnCurrents(spikes: result.spikes, stride: stride)
        var histogram = ColumnCurrents(values: currents.values, readVoltage: chip.device.readVoltage)
        histogram.samples = result.activity.totalCellReads
        histogram.stride = stride
        return InferenceDetail(
            sample: inputs.sampleIDs[k], raster: raster, rates: rates, tileConcurrency: tiles,
            columnCurrents: histogram)
    }

    /// The raster (first `PopulationRaster.limit` spikes of each population) and the rates over
    /// `rateBins` bins of the window, from one inference's spikes (one list per population, ps): the
    /// charts every engine's report draws the same way.
    static func spikeCharts(populations: [(name: String, size: Int)], spikes: [SpikeList], window: Seconds) -> ([PopulationRaster], RateOverTime) {
        let raster = populations.enumerated().map { p, pop -> PopulationRaster in
            let s = p < spikes.count ? spikes[p] : SpikeList()
            let n = min(s.count, PopulationRaster.limit)
            return PopulationRaster(
                name: pop.name, size: pop.size, spikes: s.count,
                times: s.times.prefix(n).map { Double($0) * 1e-12 },
                neurons: s.channels.prefix(n).map { Int($0) })
        }
        let bins = Simulation.rateBins
        let width = window / Double(bins)
        let rates = populations.enumerated().map { p, pop -> [Double] in
            var c = [Int](repeating: 0, count: bins)
            if p < spikes.count {
                for t in spikes[p].times {
                    let b = Int(Double(t) * 1e-12 / width)
                    if b >= 0 && b < bins { c[b] += 1 }
                }
            }
            return c.map { pop.size > 0 ? Double($0) / Double(pop.size) / width : 0 }
        }
        return (raster, RateOverTime(binWidth: width, rates: rates, populations: populations.map(\.name)))
    }

    /// Each tile's concurrency histogram summed over `activities` and its peak; `layer(t)` is the
    /// population tile t's reads deliver to.
    static func tileConcurrency(_ activities: [Activity], tiles count: Int, layer: (Int) -> Int) -> [TileConcurrency] {
        (0..<count).map { index in
            var counts: [Int] = []
            var peak = 0
            for a in activities where index < a.tiles.count {
                let h = a.tiles[index].concurrency
                if counts.count < h.count { counts += [Int](repeating: 0, count: h.count - counts.count) }
                for (j, x) in h.enumerated() { counts[j] += x }
                peak = max(peak, a.tiles[index].peakConcurrentRows)
            }
            return TileConcurrency(tile: index, layer: layer(index), counts: counts, peak: peak)
        }
    }

    /// Column currents at the onset of every row read caused by `spikes` (one list per population), and
    /// the number of active rows each read found on its tile (which must reproduce the kernel's
    /// concurrency histogram: the tests hold it).
    ///
    /// `I_c = V_read · Σ_{active rows r} G_rc` with the programmed conductances; active rows are the read
    /// row and those whose pulse is still on (exact timing: reads of the tile that started in
    /// `(t − t_read, t]`, earlier reads at the same time included) or, in grid timing, every read of the same
    /// step. Each tile belongs to one connection, so its reads are the spikes of that connection's source
    /// population, in the order the kernel delivered them.
    /// With `stride` k > 1 only every k-th (read, column) sample is returned (the active counts are complete).
    public func columnCurrents(spikes: [SpikeList], stride: Int = 1) -> (values: [Double], active: [[Int]]) {
        var seen = 0
        var values: [Double] = []
        func keep(_ xs: [Double]) {
            if stride <= 1 { values += xs; return }
            for x in xs { if seen % stride == 0 { values.append(x) }; seen += 1 }
        }
        let v = chip.device.readVoltage
        let pulse = max(1, Int64((chip.device.readPulse * 1e12).rounded()))
        let grid: Bool
        switch kernel.timing {
        case .exact: grid = false;
        case .grid: grid = true
        }
        var active = [[Int]](repeating: [], count: chip.tiles.count)
        for c in chip.connections {
            guard c.from < spikes.count else { continue }
            let s = spikes[c.from]
            // Per tile of this connection: reads in progress (start time, row), oldest first.
            var open: [Int: [(t: Int64, row: Int)]] = [:]
            // Grid timing: the reads of one step are concurrent, so group the spikes of a step first.
            var start = 0
            while start < s.count {
                var end = start + 1
                if grid { while end < s.count && s.times[end] == s.times[start] { end += 1 } }
                let t = s.times[start]
                var stepReads: [Int: [Int]] = [:]
                for n in start..<end {
                    let j = Int(s.channels[n])
                    guard j >= 0, j < c.inputs, c.tileRows > 0, j / c.tileRows < c.rowTiles.count else { continue }
                    for tile in c.rowTiles[j / c.tileRows] {
                        if grid {
                            stepReads[tile, default: []].append(j)
                        } else {
                            var list = open[tile, default: []]
                            list.removeAll { $0.t + pulse <= t }
                            list.append((t, j))
                            open[tile] = list
                            active[tile].append(list.count)
                            keep(tileColumnCurrents(tile: chip.tiles[tile], connection: c, rows: list.map(\.row), voltage: v))
                        }
                    }
                }
                if grid {
                    for tile in stepReads.keys.sorted() {
                        let rows = stepReads[tile] ?? []
                        let currents = tileColumnCurrents(tile: chip.tiles[tile], connection: c, rows: rows, voltage: v)
                        // Every read of the step sees the same active rows: one sample set per read.
                        for _ in rows { active[tile].append(rows.count); keep(currents) }
                    }
                }
                start = end
            }
        }
        return (values, active)
    }

    /// Currents of the used columns of `tile` when `rows` (connection row indices) are active.
    func tileColumnCurrents(tile: Tile, connection c: Connection, rows: [Int], voltage: Double) -> [Double] {
        // Row by row (`conductanceRow`: stored or regenerated); each column's sum still runs in row order.
        var plus = [Double](repeating: 0, count: tile.neurons), minus = plus
        var gp = [Double](repeating: 0, count: c.outputs), gm = gp
        gp.withUnsafeMutableBufferPointer { p in
            gm.withUnsafeMutableBufferPointer { m in
                for j in rows {
                    c.conductanceRow(j, plus: p, minus: m)
                    for n in 0..<tile.neurons {
                        plus[n] += p[tile.neuronStart + n]
                        minus[n] += m[tile.neuronStart + n]
                    }
                }
            }
        }
        var out: [Double] = []
        out.reserveCapacity(tile.usedCols)
        for n in 0..<tile.neurons {
            switch tile.polarity {
            case .both: out.append(voltage * plus[n]); out.append(voltage * minus[n])
            case .plus: out.append(voltage * plus[n])
            case .minus: out.append(voltage * minus[n])
            }
        }
        return out
    }
}
