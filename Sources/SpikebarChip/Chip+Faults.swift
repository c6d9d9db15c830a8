import SpikebarCore
import SpikebarDevices

extension Chip {
    /// Sticks a fraction of the cells: each cell, independently with probability `fraction` (the bit
    /// error rate), ignores its programming and sits at the highest level (stuck at LRS) with probability
    /// `highFraction`, else at the lowest (stuck at HRS) — the failure modes measured by Drolet et al. on
    /// TiO₂ crossbars (`../shared/data/tio2-passive-crossbar/`). Draws are keyed by (seed, faults,
    /// connection and row, chip sample), so a chip sample always has the same stuck cells; the stuck map is
    /// kept in `Connection.stuck` (`StuckCellCode`; fault-aware retraining reads it). Tile conductance sums follow.
    public mutating func injectStuckCells(fraction: Double, highFraction: Double = 0.5, seed: UInt64) {
        guard fraction > 0 else { return }
        for c in connections.indices {
            Chip.injectStuckCells(
                into: &connections[c], index: c, fraction: fraction, highFraction: highFraction,
                device: device, seed: seed, chipSample: chipSample)
        }
        rebuildTiles()
    }

    /// `injectStuckCells` on one connection (index `c` keys its draws): the same cells stick whether the
    /// connection belongs to a chain network or to an imported graph (`programConnection`).
    public static func injectStuckCells(
        into conn: inout Connection, index c: Int, fraction: Double, highFraction: Double,
        device: RRAMDevice, seed: UInt64, chipSample: Int
    ) {
        guard fraction > 0 else { return }
        conn.storeConductances()  // stuck cells change single cells
        let top = device.levels - 1
        if conn.stuck.isEmpty { conn.stuck = [UInt8](repeating: 0, count: conn.inputs * conn.outputs) }
        for j in 0..<conn.inputs {
            var rng = RandomStream(seed: seed, purpose: .faults, index: UInt64(c) << 32 | UInt64(j), sample: UInt64(chipSample))
            for i in 0..<conn.outputs {
                let k = j * conn.outputs + i
                if rng.nextUniform() < fraction {
                    let high = StuckCellCode.sticksHigh(rng.nextUniform(), highFraction: highFraction)
                    let level = high ? top : 0
                    conn.levelPlus[k] = UInt16(level); conn.gPlus[k] = device.conductance(level: level)
                    conn.stuck[k] |= StuckCellCode.plus(high: high)
                }
                if rng.nextUniform() < fraction {
                    let high = StuckCellCode.sticksHigh(rng.nextUniform(), highFraction: highFraction)
                    let level = high ? top : 0
                    conn.levelMinus[k] = UInt16(level); conn.gMinus[k] = device.conductance(level: level)
                    conn.stuck[k] |= StuckCellCode.minus(high: high)
                }
            }
        }
    }

    /// Recomputes the tiles' conductance sums after the cells changed.
    public mutating func rebuildTiles() {
        tiles = []
        for c in connections.indices {
            let (connTiles, rowTiles) = Chip.mapOntoTiles(connections[c], index: c, spec: tileSpec, firstTile: tiles.count)
            connections[c].rowTiles = rowTiles
            tiles += connTiles
        }
        _checkInvariants()
    }

    /// The stuck map of every connection (`Connection.stuck` codes, all 0 where nothing is stuck), in
    /// connection order: what fault-aware retraining masks.
    public var stuckMap: [[UInt8]] {
        connections.map { $0.stuck.isEmpty ? [UInt8](repeating: 0, count: $0.inputs * $0.outputs) : $0.stuck }
    }

    /// Fraction of cells stuck.
    public var stuckFraction: Double {
        var stuck = 0, cells = 0
        for c in connections {
            cells += 2 * c.inputs * c.outputs
            for s in c.stuck { stuck += StuckCellCode.stuckCells(s) }
        }
        return cells > 0 ? Double(stuck) / Double(cells) : 0
    }
}
