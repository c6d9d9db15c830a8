import SpikebarActivity
import SpikebarChip

/// The tile activity of a `GridEngine` run on a chip — the activity recorder of the grid engines: per
/// tile its row reads, cells read, Σ G read (weighted by the squared drive amplitude, so that
/// `V_read²·t_read·ΣG` is the read energy of analog drives), the concurrency histogram (every read of a
/// step is concurrent with the other reads of its tile in that step) and its peak; per population the
/// synaptic events it received (rows read × columns).
public struct GridActivityRecorder {
    let chip: Chip
    public private(set) var reads: [Int], cells: [Int], conductance: [Double]
    public private(set) var concurrency: [[Int]], peak: [Int]
    public private(set) var synapticEventsIn: [Int]
    private var perTile: [Int: Int] = [:]

    public init(chip: Chip) {
        self.chip = chip
        reads = [Int](repeating: 0, count: chip.tiles.count); cells = reads; peak = reads
        conductance = [Double](repeating: 0, count: chip.tiles.count)
        concurrency = chip.tiles.map { [Int](repeating: 0, count: $0.rows) }
        synapticEventsIn = [Int](repeating: 0, count: chip.populations.count)
    }

    /// Books the reads of `rows` of connection k (one step, so concurrent on their tile) with their drive
    /// amplitudes `amplitudes[row]`.
    public mutating func read(connection k: Int, rows: [Int], amplitudes: [Double]) {
        let conn = chip.connections[k]
        synapticEventsIn[conn.to] += rows.count * conn.outputs
        guard !rows.isEmpty else { return }
        perTile.removeAll(keepingCapacity: true)
        for j in rows { for t in conn.rowTiles[j / conn.tileRows] { perTile[t, default: 0] += 1 } }
        for j in rows {
            let a = amplitudes[j]
            for t in conn.rowTiles[j / conn.tileRows] {
                let tile = chip.tiles[t]
                reads[t] += 1
                cells[t] += tile.usedCols
                conductance[t] += tile.rowConductance[j - tile.rowStart] * a * a
            }
        }
        for (t, n) in perTile {
            concurrency[t][min(n, concurrency[t].count) - 1] += n
            if n > peak[t] { peak[t] = n }
        }
    }

    /// The tiles' `TileActivity`.
    public var tiles: [TileActivity] {
        chip.tiles.enumerated().map { t, tile in
            TileActivity(
                layer: chip.connections[tile.connection].to, rows: tile.rows, cols: tile.cols, usedRows: tile.usedRows,
                usedCols: tile.usedCols, rowReads: reads[t], cellReads: cells[t], conductanceRead: conductance[t],
                conductanceTotal: tile.totalConductance, concurrency: concurrency[t], peakConcurrentRows: peak[t])
        }
    }
}
