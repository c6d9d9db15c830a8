import SpikebarChip
import SpikebarDevices
import SpikebarNIR

/// One weight node of an NIR graph laid out on crossbar tiles (`ConvolutionMapping`), ideal weights as
/// conductances of differential pairs: `G± = g_min + (g_max − g_min)·max(±w, 0)/max|w|` per node (no
/// levels, no programming error); a cell without a weight sits at `g_min`. The node is a
/// `CrossbarConnection` (dense, unrolled or kernel-stationary convolution) and its tiles are the chip's
/// (`TileSpec.blocks(of:)`, `polarities`, `usedColumns`): one tile-layout rule for both.
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
    init?(_ op: NIROperation, mapping: ConvolutionMapping, spec: TileSpec, device: RRAMDevice) {
        switch op {
        case let .dense(wt, inputs, outputs, _):
            self.init(
                DenseCrossbarConnection(inputs: inputs, outputs: outputs, weights: wt), spec: spec, device: device,
                largestWeight: wt.map(abs).max() ?? 0)
        case let .convolution(c):
            let wMax = c.weight.map(abs).max() ?? 0
            switch mapping {
            case .unrolled: self.init(UnrolledConvolution(c), spec: spec, device: device, largestWeight: wMax)
            case .kernelStationary: self.init(KernelStationaryConvolution(c), spec: spec, device: device, largestWeight: wMax)
            }
        default:
            return nil
        }
    }

    /// The tiles of `c` and the reads of each of its input elements; `largestWeight` sits at g_max.
    init<C: CrossbarConnection>(_ c: C, spec: TileSpec, device: RRAMDevice, largestWeight wMax: Double) {
        let span = device.gMax - device.gMin
        let polarities = spec.polarities
        // Σ G above g_min that weight w adds to the cells of one polarity's tile.
        func extra(_ w: Double, _ p: SpikebarChip.Tile.Polarity) -> Double {
            guard wMax > 0 else { return 0 }
            switch p {
            case .both: return span * abs(w) / wMax
            case .plus: return span * max(w, 0) / wMax
            case .minus: return span * max(-w, 0) / wMax
            }
        }
        let blocks = spec.blocks(of: c)
        // Blocks of each row block (keyed by its first row), and each block's first tile.
        var byRowStart: [Int: [(block: TileBlock, firstTile: Int)]] = [:]
        for b in blocks {
            byRowStart[b.rowStart, default: []].append((b, tiles.count))
            for _ in polarities {
                tiles.append(
                    Tile(
                        rows: spec.rows, cols: spec.cols, usedRows: b.usedRows, usedCols: spec.usedColumns(neurons: b.neurons),
                        conductanceTotal: 0))
            }
        }
        // Every matrix row's reads: per block of its row block and polarity, Σ G of its used cells.
        let perTile = spec.neuronsPerTile
        var rowReads = [[Read]](repeating: [], count: c.matrixRows)
        for r in 0..<c.matrixRows {
            guard let row = byRowStart[(r / spec.rows) * spec.rows] else { continue }
            var sums = [Int: [Double]]()
            c.forEachWeight(inRow: r) { column, w in
                var e = sums[column / perTile] ?? Array(repeating: 0, count: polarities.count)
                for (k, p) in polarities.enumerated() { e[k] += extra(w, p) }
                sums[column / perTile] = e
            }
            for (b, first) in row {
                // A row is read on the tiles where it holds a synapse; its other cells still sit at g_min.
                let e = sums[b.neuronStart / perTile]
                for (k, p) in polarities.enumerated() {
                    let g = Double((p == .both ? 2 : 1) * b.neurons) * device.gMin + (e?[k] ?? 0)
                    tiles[first + k].conductanceTotal += g
                    if e != nil { rowReads[r].append(Read(tile: first + k, conductance: g)) }
                }
            }
        }
        for m in 0..<c.inputs {
            reads.append(c.rowsRead(byInput: m).flatMap { rowReads[$0] })
            fanOut.append(c.synapsesReached(byInput: m))
        }
    }
}
