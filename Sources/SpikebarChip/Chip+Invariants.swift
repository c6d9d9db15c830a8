import SpikebarCore

/// The chip's structural invariants, in the spirit of swift-collections' `_checkInvariants()`: checked
/// after every mutation the chip makes itself (programming, stuck cells, tile rebuild) in debug builds,
/// so the kernel and the twin can rely on them without checking per event.
extension Chip {
    /// Human-readable violations; empty when every invariant holds.
    public func invariantViolations() -> [String] {
        var out: [String] = []
        if neurons.count != layerCount { out.append("\(neurons.count) neuron layers for \(layerCount) populations of neurons") }
        for (l, layer) in neurons.enumerated() where l + 1 < populations.count && layer.count != populations[l + 1].size {
            out.append("layer \(l + 1): \(layer.count) neuron parameter sets for \(populations[l + 1].size) neurons")
        }
        for (k, c) in connections.enumerated() {
            let n = c.inputs * c.outputs
            guard c.from >= 0, c.from < populations.count, c.to >= 1, c.to < populations.count else {
                out.append("connection \(k): populations \(c.from) → \(c.to) out of range"); continue
            }
            if c.inputs != populations[c.from].size || c.outputs != populations[c.to].size {
                out.append("connection \(k): \(c.inputs)×\(c.outputs), populations hold \(populations[c.from].size)×\(populations[c.to].size)")
            }
            if c.storesConductances, c.gPlus.count != n || c.gMinus.count != n {
                out.append("connection \(k): \(c.gPlus.count)/\(c.gMinus.count) conductances for \(n) synapses")
            }
            if let r = c.regeneration {
                if !c.gPlus.isEmpty || !c.gMinus.isEmpty { out.append("connection \(k): regenerates its conductances and stores some") }
                if r.connection != k { out.append("connection \(k): its conductances regenerate from connection \(r.connection)'s streams") }
                if c.levelPlus.count != n || c.levelMinus.count != n { out.append("connection \(k): regenerates without a level per cell") }
            }
            if !c.levelPlus.isEmpty && (c.levelPlus.count != n || c.levelMinus.count != n) {
                out.append("connection \(k): level arrays of the wrong size")
            }
            if !c.stuck.isEmpty && c.stuck.count != n { out.append("connection \(k): \(c.stuck.count) stuck codes for \(n) synapses") }
            if c.gPlus.contains(where: { !$0.isFinite || $0 < 0 }) || c.gMinus.contains(where: { !$0.isFinite || $0 < 0 }) {
                out.append("connection \(k): a conductance is negative or not finite")
            }
            let blocks = (c.inputs + tileSpec.rows - 1) / tileSpec.rows
            if c.rowTiles.count != blocks { out.append("connection \(k): \(c.rowTiles.count) row blocks mapped, the tile rows give \(blocks)") }
            for ids in c.rowTiles {
                for t in ids where t < 0 || t >= tiles.count || tiles[t].connection != k {
                    out.append("connection \(k): row block names tile \(t), which is not one of its tiles")
                }
            }
        }
        for (t, tile) in tiles.enumerated() {
            guard tile.connection >= 0, tile.connection < connections.count else {
                out.append("tile \(t): connection \(tile.connection) out of range"); continue
            }
            let c = connections[tile.connection]
            if tile.usedRows > tile.rows || tile.usedCols > tile.cols {
                out.append("tile \(t): uses \(tile.usedRows)×\(tile.usedCols) of \(tile.rows)×\(tile.cols)")
            }
            if tile.rowStart + tile.usedRows > c.inputs || tile.neuronStart + tile.neurons > c.outputs {
                out.append("tile \(t): block beyond its connection")
            }
            guard tile.rowConductance.count == tile.usedRows else {
                out.append("tile \(t): \(tile.rowConductance.count) row sums for \(tile.usedRows) rows"); continue
            }
            // Sizes already reported above: the sums below would read out of range.
            let n = c.inputs * c.outputs
            guard c.storesConductances ? c.gPlus.count == n && c.gMinus.count == n : c.levelPlus.count == n && c.levelMinus.count == n,
                tile.rowStart + tile.usedRows <= c.inputs, tile.neuronStart + tile.neurons <= c.outputs
            else { continue }
            // Σ G per row as `mapOntoTiles` sums it (same order: exactly equal), rows as stored or regenerated.
            var gp = [Double](repeating: 0, count: c.outputs), gm = gp
            gp.withUnsafeMutableBufferPointer { p in
                gm.withUnsafeMutableBufferPointer { m in
                    for r in 0..<tile.usedRows {
                        c.conductanceRow(tile.rowStart + r, plus: p, minus: m)
                        var s = 0.0
                        for i in tile.neuronStart..<(tile.neuronStart + tile.neurons) {
                            if tile.polarity != .minus { s += p[i] }
                            if tile.polarity != .plus { s += m[i] }
                        }
                        if s != tile.rowConductance[r] { out.append("tile \(t) row \(r): Σ G \(tile.rowConductance[r]) ≠ its cells' \(s)"); break }
                    }
                }
            }
        }
        return out
    }

    /// Asserts the invariants in debug builds; nothing in release builds.
    @inline(__always)
    func _checkInvariants() {
        #if DEBUG
        let violations = invariantViolations()
        assert(violations.isEmpty, "chip invariants: \(violations.prefix(3).joined(separator: "; "))")
        #endif
    }
}
