import SpikebarDevices
import SpikebarNIR

/// One weight node of an NIR graph laid out on crossbar tiles (`NIRConvMapping`), ideal weights as
/// conductances of differential pairs: `G± = g_min + (g_max − g_min)·max(±w, 0)/max|w|` per node (no
/// levels, no programming error); a cell without a weight sits at `g_min`. Tiles are `rows × cols`
/// cells, `cols/2` neurons each (`TileSpec` differential columns).
struct NIRTileLayout {
    struct Tile { var rows: Int, cols: Int, usedRows: Int, usedCols: Int, conductanceTotal: Double }
    /// A row read an input event causes: tile (index into `tiles`) and Σ G of the row's used cells.
    struct Read { var tile: Int, conductance: Double }

    var tiles: [Tile] = []
    /// `reads[m]`: the row reads one event on input element `m` causes.
    var reads: [[Read]] = []
    /// `fanOut[m]`: synapses one event on input element `m` reaches (synaptic events).
    var fanOut: [Int] = []

    /// Layout of a compiled weight node (`.dense` or `.convolution`); nil for other operations.
    init?(_ op: NIROperation, mapping: NIRConvMapping, tileRows: Int, tileCols: Int, device: RRAMDevice) {
        let neuronsPerTile = max(1, tileCols / 2)
        let span = device.gMax - device.gMin
        switch op {
        case let .dense(wt, inputs, outputs, _):
            let wMax = wt.map(abs).max() ?? 0
            func pair(_ w: Double) -> Double { wMax > 0 ? 2 * device.gMin + span * abs(w) / wMax : 2 * device.gMin }
            let colBlocks = (outputs + neuronsPerTile - 1) / neuronsPerTile
            let rowBlocks = (inputs + tileRows - 1) / tileRows
            var index: [Int: Int] = [:]
            for rb in 0..<rowBlocks {
                for cb in 0..<colBlocks {
                    index[rb * colBlocks + cb] = tiles.count
                    tiles.append(
                        Tile(
                            rows: tileRows, cols: tileCols, usedRows: min(tileRows, inputs - rb * tileRows),
                            usedCols: 2 * min(neuronsPerTile, outputs - cb * neuronsPerTile), conductanceTotal: 0))
                }
            }
            for m in 0..<inputs {
                var row: [Read] = []
                for cb in 0..<colBlocks {
                    var g = 0.0
                    for o in (cb * neuronsPerTile)..<min(outputs, (cb + 1) * neuronsPerTile) { g += pair(wt[m * outputs + o]) }
                    let t = index[(m / tileRows) * colBlocks + cb] ?? 0
                    tiles[t].conductanceTotal += g
                    row.append(Read(tile: t, conductance: g))
                }
                reads.append(row); fanOut.append(outputs)
            }
        case let .convolution(c):
            let wMax = c.weight.map(abs).max() ?? 0
            func extra(_ w: Double) -> Double { wMax > 0 ? span * abs(w) / wMax : 0 }  // above the 2·g_min of an empty pair
            let inputs = c.inChannels * c.inHeight * c.inWidth
            let positions = c.outHeight * c.outWidth
            switch mapping {
            case .unrolled:
                // Output neuron n = position · C_out + o (position-major: an input's targets are adjacent).
                let outputs = positions * c.outChannels
                let colBlocks = (outputs + neuronsPerTile - 1) / neuronsPerTile
                func neurons(_ cb: Int) -> Int { min(neuronsPerTile, outputs - cb * neuronsPerTile) }
                var index: [Int: Int] = [:]
                var perInput: [[Int: (g: Double, n: Int)]] = []
                for m in 0..<inputs {
                    let ch = m / (c.inHeight * c.inWidth), y = (m / c.inWidth) % c.inHeight, x = m % c.inWidth
                    var blocks: [Int: (g: Double, n: Int)] = [:]
                    c.forEachTarget(channel: ch, y: y, x: x) { out, w in
                        let o = out / positions, p = out % positions
                        let cb = (p * c.outChannels + o) / neuronsPerTile
                        let e = blocks[cb] ?? (0, 0)
                        blocks[cb] = (e.g + extra(c.weight[w]), e.n + 1)
                    }
                    perInput.append(blocks)
                }
                // Tiles: every (row block, column block) holding a target, in (row block, column block) order.
                let rowBlocks = (inputs + tileRows - 1) / tileRows
                for rb in 0..<rowBlocks {
                    var used = Set<Int>()
                    for m in (rb * tileRows)..<min(inputs, (rb + 1) * tileRows) { used.formUnion(perInput[m].keys) }
                    for cb in used.sorted() {
                        let rows = min(tileRows, inputs - rb * tileRows)
                        index[rb * colBlocks + cb] = tiles.count
                        tiles.append(
                            Tile(
                                rows: tileRows, cols: tileCols, usedRows: rows, usedCols: 2 * neurons(cb),
                                conductanceTotal: Double(rows * 2 * neurons(cb)) * device.gMin))
                    }
                }
                for m in 0..<inputs {
                    var row: [Read] = []
                    var fan = 0
                    for (cb, e) in perInput[m].sorted(by: { $0.key < $1.key }) {
                        let t = index[(m / tileRows) * colBlocks + cb] ?? 0
                        tiles[t].conductanceTotal += e.g
                        row.append(Read(tile: t, conductance: Double(2 * neurons(cb)) * device.gMin + e.g))
                        fan += e.n
                    }
                    reads.append(row); fanOut.append(fan)
                }
            case .kernelStationary:
                // Row r = (c · k_h + ky) · k_w + kx of the C_in·k_h·k_w × C_out kernel matrix (groups: zeros off the group blocks).
                let k = c.kernelHeight * c.kernelWidth
                let matrixRows = c.inChannels * k
                let cinPG = c.inChannels / c.groups, coutPG = c.outChannels / c.groups
                let colBlocks = (c.outChannels + neuronsPerTile - 1) / neuronsPerTile
                let rowBlocks = (matrixRows + tileRows - 1) / tileRows
                var rowG = Array(repeating: Array(repeating: 0.0, count: colBlocks), count: matrixRows)
                for r in 0..<matrixRows {
                    let ch = r / k, off = r % k, g = ch / cinPG, cl = ch % cinPG
                    for cb in 0..<colBlocks {
                        let lo = cb * neuronsPerTile, hi = min(c.outChannels, lo + neuronsPerTile)
                        var s = Double(2 * (hi - lo)) * device.gMin
                        for o in lo..<hi where o / coutPG == g { s += extra(c.weight[(o * cinPG + cl) * k + off]) }
                        rowG[r][cb] = s
                    }
                }
                for rb in 0..<rowBlocks {
                    for cb in 0..<colBlocks {
                        let rows = min(tileRows, matrixRows - rb * tileRows)
                        let total = (rb * tileRows..<(rb * tileRows + rows)).reduce(0.0) { $0 + rowG[$1][cb] }
                        tiles.append(
                            Tile(
                                rows: tileRows, cols: tileCols, usedRows: rows,
                                usedCols: 2 * (min(c.outChannels, (cb + 1) * neuronsPerTile) - cb * neuronsPerTile), conductanceTotal: total))
                    }
                }
                for m in 0..<inputs {
                    let ch = m / (c.inHeight * c.inWidth), y = (m / c.inWidth) % c.inHeight, x = m % c.inWidth
                    var offsets = Set<Int>()
                    var fan = 0
                    c.forEachTarget(channel: ch, y: y, x: x) { _, w in
                        offsets.insert(w % k); fan += 1
                    }
                    var row: [Read] = []
                    for off in offsets.sorted() {
                        let r = ch * k + off
                        for cb in 0..<colBlocks { row.append(Read(tile: (r / tileRows) * colBlocks + cb, conductance: rowG[r][cb])) }
                    }
                    reads.append(row); fanOut.append(fan)
                }
            }
        default:
            return nil
        }
    }
}
