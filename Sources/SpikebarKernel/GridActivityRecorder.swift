import SpikebarActivity
import SpikebarChip

/// The tile activity of a `GridEngine` run on a chip — the activity recorder of the grid engines: per
/// tile its row reads, cells read, Σ G read (weighted by the squared drive amplitude, so that
/// `V_read²·t_read·ΣG` is the read energy of analog drives), the concurrency histogram (every read of a
/// step is concurrent with the other reads of its tile in that step) and its peak; per population the
/// synaptic events it received (rows read × columns). The counters and the per-read rule are the event
/// kernel's (`TileCounters`, `TileCountersView.recordRead`); a tile's histogram is reported over all its
/// rows (zeros past the peak), as the grid engines always have. The counters are raw buffers owned by
/// a class, so copies of a recorder share them: make one recorder per run (as `MIFKernelObserver` does).
public struct GridActivityRecorder {
    let chip: Chip
    private let tables: TileTables
    private let counters: TileCounters
    public private(set) var synapticEventsIn: [Int]
    /// This read's reads per tile, and the tiles it touched (scratch).
    private var stepReads: [Int], touched: [Int] = []

    public init(chip: Chip) {
        self.chip = chip
        tables = TileTables(chip.tiles)
        counters = TileCounters(tiles: chip.tiles.count)
        stepReads = [Int](repeating: 0, count: chip.tiles.count)
        synapticEventsIn = [Int](repeating: 0, count: chip.populations.count)
    }

    /// Books the reads of `rows` of connection k (one step, so concurrent on their tile) with their drive
    /// amplitudes `amplitudes[row]`.
    public mutating func read(connection k: Int, rows: [Int], amplitudes: [Double]) {
        let conn = chip.connections[k]
        synapticEventsIn[conn.to] += rows.count * conn.outputs
        guard !rows.isEmpty else { return }
        let C = counters.view, T = tables.view
        for j in rows {
            let a = amplitudes[j]
            for t in conn.rowTiles[j / conn.tileRows] {
                C.recordRead(t, row: j, tables: T, amplitude: a)
                if stepReads[t] == 0 { touched.append(t) }
                stepReads[t] += 1
            }
        }
        for t in touched {
            C.addConcurrency(t, stepReads[t], weight: stepReads[t])
            stepReads[t] = 0
        }
        touched.removeAll(keepingCapacity: true)
    }

    /// The tiles' `TileActivity`.
    public var tiles: [TileActivity] {
        counters.activities(of: chip.tiles, layer: { chip.connections[$0.connection].to }, padTo: { $0.rows })
    }
}
