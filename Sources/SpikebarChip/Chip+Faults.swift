import SpikebarCore
import SpikebarDevices

extension Chip {
    /// Sticks a fraction of the cells: each cell, independently with probability `fraction`, ignores its
    /// programming and sits at the lowest or the highest level (equally likely) — stuck-at-HRS / LRS
    /// devices (the failure modes measured by Drolet et al. on TiO₂ crossbars, see
    /// `../shared/data/tio2-passive-crossbar/`). Draws are keyed by (seed, faults, connection and row,
    /// chip sample), so a chip sample always has the same stuck cells. Tile conductance sums follow.
    public mutating func injectStuckCells(fraction: Double, seed: UInt64) {
        guard fraction > 0 else { return }
        let top = device.levels - 1
        for c in connections.indices {
            var conn = connections[c]
            for j in 0..<conn.inputs {
                var rng = RandomStream(seed: seed, purpose: .faults, index: UInt64(c) << 32 | UInt64(j), sample: UInt64(chipSample))
                for i in 0..<conn.outputs {
                    let k = j * conn.outputs + i
                    if rng.nextUniform() < fraction {
                        let level = rng.nextUniform() < 0.5 ? 0 : top
                        conn.levelPlus[k] = UInt16(level); conn.gPlus[k] = device.conductance(level: level)
                    }
                    if rng.nextUniform() < fraction {
                        let level = rng.nextUniform() < 0.5 ? 0 : top
                        conn.levelMinus[k] = UInt16(level); conn.gMinus[k] = device.conductance(level: level)
                    }
                }
            }
            connections[c] = conn
        }
        tiles = []
        for c in connections.indices {
            let (connTiles, rowTiles) = Chip.mapOntoTiles(connections[c], index: c, spec: tileSpec, firstTile: tiles.count)
            connections[c].rowTiles = rowTiles
            tiles += connTiles
        }
    }
}
