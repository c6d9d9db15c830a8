import SpikebarChip
import SpikebarDevices

extension RunState {
    /// Tile parasitics of a read that overlaps other reads on its tiles (Docs/circuits.md §3): the compiled
    /// charges already carry the single-row read factors; when `m > 1` rows of a tile are read at once, the
    /// other rows' currents load the shared bit lines and neuron inputs, and each `G⁺`/`G⁻` column's charge
    /// is scaled by `CrossbarParasitics.concurrencyFactor(active: m, meanG: column mean, rows:)`. Writes the
    /// row's corrected charges into `parasiticScratch` and returns true; returns false (nothing written)
    /// when every tile of the row is read alone, the common case of sparse activation.
    mutating func concurrentCharges(_ k: Int, row j: Int) -> Bool {
        guard let par = net.parasitics else { return false }
        let c = net.connections[k]
        let tilesOfRow = c.rowTiles[j / c.tileRows]
        var any = false
        for tile in tilesOfRow where tileCount.activeReads(tile) > 1 { any = true; break }
        guard any else { return false }
        let n = c.outputs, base = j * n
        if parasiticScratch.count < n { parasiticScratch = [Double](repeating: 0, count: n) }
        var fp = [Double](repeating: 1, count: n), fm = fp
        for tile in tilesOfRow {
            let info = net.tiles[tile]
            let m = tileCount.activeReads(tile)
            guard m > 1 else { continue }
            for local in 0..<info.neurons {
                let i = info.neuronStart + local
                if info.polarity != .minus {
                    fp[i] = par.model.concurrencyFactor(active: m, meanG: par.meanPlus[tile][local], rows: info.rows)
                }
                if info.polarity != .plus {
                    fm[i] = par.model.concurrencyFactor(active: m, meanG: par.meanMinus[tile][local], rows: info.rows)
                }
            }
        }
        for i in 0..<n { parasiticScratch[i] = c.chargePlus[base + i] * fp[i] - c.chargeMinus[base + i] * fm[i] }
        return true
    }
}
