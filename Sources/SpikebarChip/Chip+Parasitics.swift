import SpikebarCore
import SpikebarDevices
import SpikebarNeurons

/// The chip's crossbar parasitics (`tiles.parasitics`, Docs/circuits.md) evaluated per tile with the fast
/// model of `CrossbarParasitics`: what the kernel folds into its per-read charges and the twin into its
/// effective weights (one physics, two engines).
public struct ChipParasitics: Sendable {
    public var model: CrossbarParasitics
    /// Per connection, `[j·outputs + i]`: attenuation (dimensionless) of `G⁺` and `G⁻` of synapse j→i when
    /// row j is read alone on its tiles (single-row read; includes the corner scale `1 + k·σ`).
    public var plus: [[Double]], minus: [[Double]]
    /// Per tile, per neuron of the tile (local index): mean conductance (S) per used row of the neuron's
    /// `G⁺` and `G⁻` column (0 where the tile holds the other polarity): the mean-field load of the other
    /// rows of a concurrent read (`CrossbarParasitics.concurrencyFactor`).
    public var meanPlus: [[Double]], meanMinus: [[Double]]
}

extension Chip {
    /// Evaluates `tileSpec.parasitics` on every tile (nil when the scenario has none).
    public func parasitics() -> ChipParasitics? {
        guard let p = tileSpec.parasitics else { return nil }
        var plus: [[Double]] = [], minus: [[Double]] = []
        var meanPlus = [[Double]](repeating: [], count: tiles.count), meanMinus = meanPlus
        for (index, c) in connections.enumerated() {
            let (gPlus, gMinus) = c.conductances
            let a = Chip.parasiticAttenuation(
                gPlus: gPlus, gMinus: gMinus, inputs: c.inputs, outputs: c.outputs,
                spec: tileSpec, model: p)
            plus.append(a.plus); minus.append(a.minus)
            // The tiles of this connection, in the order `mapOntoTiles` created them.
            for (k, t) in tiles.indices.filter({ tiles[$0].connection == index }).enumerated() {
                meanPlus[t] = a.meanPlus[k]; meanMinus[t] = a.meanMinus[k]
            }
        }
        return ChipParasitics(model: p, plus: plus, minus: minus, meanPlus: meanPlus, meanMinus: meanMinus)
    }

    /// Single-row read attenuation of every `G⁺` and `G⁻` of one connection (`[j·outputs + i]`) laid out
    /// on tiles of `spec` (the chip's own mapping, `mapOntoTiles`), and per tile the mean conductance per
    /// used row of each neuron's `G⁺`/`G⁻` column. Each tile's physical array: `rows × cols` cells, row `r` =
    /// presynaptic `rowStart + r`; with differential columns neuron `n` uses columns `2n` (G⁺) and `2n + 1`
    /// (G⁻), with differential arrays column `n` of the plus or minus tile; unused rows and columns hold no
    /// conducting cell. Shared by the kernel (per-read charges) and the twin (effective weights).
    /// Cost O(sweeps · rows · cols · usedRows) per tile.
    public static func parasiticAttenuation(
        gPlus: [Siemens], gMinus: [Siemens], inputs: Int, outputs: Int,
        spec: TileSpec, model p: CrossbarParasitics
    )
        -> (plus: [Double], minus: [Double], meanPlus: [[Double]], meanMinus: [[Double]])
    {
        var plus = [Double](repeating: 1, count: gPlus.count), minus = plus
        var meanPlus: [[Double]] = [], meanMinus: [[Double]] = []
        let conn = Connection(
            from: 0, to: 1, recurrent: false, inputs: inputs, outputs: outputs, gPlus: gPlus, gMinus: gMinus,
            levelPlus: [], levelMinus: [], rowTiles: [], tileRows: spec.rows)
        let (tiles, _) = mapOntoTiles(conn, index: 0, spec: spec, firstTile: 0)
        for tile in tiles {
            let R = tile.rows, C = tile.cols
            var g = [Double](repeating: 0, count: R * C)
            func column(_ n: Int, _ positive: Bool) -> Int { spec.column(neuron: n, positive: positive) }
            for r in 0..<tile.usedRows {
                for n in 0..<tile.neurons {
                    let k = (tile.rowStart + r) * outputs + tile.neuronStart + n
                    if tile.polarity != .minus { g[r * C + column(n, true)] = gPlus[k] }
                    if tile.polarity != .plus { g[r * C + column(n, false)] = gMinus[k] }
                }
            }
            let f = p.singleRowAttenuation(conductance: g, rows: R, cols: C)
            var mp = [Double](repeating: 0, count: tile.neurons), mm = mp
            for r in 0..<tile.usedRows {
                for n in 0..<tile.neurons {
                    let k = (tile.rowStart + r) * outputs + tile.neuronStart + n
                    if tile.polarity != .minus {
                        plus[k] = f[r * C + column(n, true)]
                        mp[n] += g[r * C + column(n, true)] / Double(tile.usedRows)
                    }
                    if tile.polarity != .plus {
                        minus[k] = f[r * C + column(n, false)]
                        mm[n] += g[r * C + column(n, false)] / Double(tile.usedRows)
                    }
                }
            }
            meanPlus.append(mp); meanMinus.append(mm)
        }
        return (plus, minus, meanPlus, meanMinus)
    }
}
