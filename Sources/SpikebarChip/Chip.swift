import SpikebarCore
import SpikebarDevices
import SpikebarNeurons

/// A programmed chip: the network's populations, every crossbar connection with the conductance of
/// every cell, and every neuron's own parameters (DESIGN §2–3). One `Chip` value drives both engines.
///
/// ```swift
/// let chip = try Chip(scenario: loaded.scenario, weights: weights)   // program the crossbars
/// let kernel = EventKernel(chip: chip, timing: .exact)
/// ```
public struct Chip: Sendable {
    /// Population 0 is the input; populations 1… are the layers of neurons.
    public var populations: [Population]
    /// Crossbar connections (feed-forward and recurrent), in the order layers are evaluated.
    public var connections: [Connection]
    /// Physical tiles, every connection's tiles in order.
    public var tiles: [Tile]
    /// Per-neuron parameters of each layer of neurons (`neurons[l − 1]` for population `l`).
    public var neurons: [[NeuronParameters]]
    /// The device the crossbars are made of.
    public var device: RRAMDevice
    /// Tile geometry and mapping.
    public var tileSpec: TileSpec
    /// Which chip sample this is (Monte-Carlo over programming errors): part of every random key.
    public var chipSample: Int
    /// What programming cost (write-verify pulses and energy; one pulse per cell without write-verify).
    public var programming = ProgrammingStats()

    public var layerCount: Int { populations.count - 1 }
}

/// A named group of neurons (or input channels).
public struct Population: Sendable, Equatable, Codable {
    public var name: String
    public var size: Int
}

/// All synapses from one population to another, stored as the programmed conductances of the
/// differential pairs: `gPlus[j·outputs + i]`, `gMinus[j·outputs + i]` for presynaptic `j`, postsynaptic `i`
/// (row-major by presynaptic neuron: a spike reads one contiguous row).
public struct Connection: Sendable {
    public var from: Int, to: Int
    public var recurrent: Bool
    public var inputs: Int, outputs: Int
    /// Conductances (S) as programmed; empty when the connection regenerates them (`regeneration`):
    /// read them with `conductanceRow(_:plus:minus:)` or `conductances`, which serve both kinds.
    public var gPlus: [Siemens], gMinus: [Siemens]
    /// How the conductances are regenerated when they are not stored (large connections,
    /// `Chip.regenerationThreshold`); nil: `gPlus`/`gMinus` hold them.
    public var regeneration: ConductanceRecipe? = nil
    /// Level each cell was programmed to.
    public var levelPlus: [UInt16], levelMinus: [UInt16]
    /// Tiles holding row `j`: `rowTiles[j / tileRows]` lists their indices in `Chip.tiles`.
    public var rowTiles: [[Int]]
    /// Rows per tile for this connection (the tile geometry's rows).
    public var tileRows: Int
    /// Stuck cells (`Chip.injectStuckCells`), one code per synapse, empty when none: bit 0 `G⁺` stuck,
    /// bit 1 `G⁺` stuck high (LRS), bit 2 `G⁻` stuck, bit 3 `G⁻` stuck high.
    public var stuck: [UInt8] = []

    /// Effective signed conductance `G⁺ − G⁻` (S) of synapse (j → i) of a connection that stores its
    /// conductances.
    @inlinable public func effective(_ j: Int, _ i: Int) -> Siemens {
        gPlus[j * outputs + i] - gMinus[j * outputs + i]
    }

    /// Whether `gPlus`/`gMinus` hold the conductances (else `regeneration` makes them on demand).
    public var storesConductances: Bool { regeneration == nil }

    /// Row `j`'s conductances (S) into `plus`/`minus` (`outputs` entries each): copied when stored,
    /// regenerated (programmed and aged again from the keyed streams, the same bits) otherwise.
    public func conductanceRow(_ j: Int, plus: UnsafeMutableBufferPointer<Siemens>, minus: UnsafeMutableBufferPointer<Siemens>) {
        let row = j * outputs..<(j + 1) * outputs
        guard let recipe = regeneration else {
            _ = plus.update(fromContentsOf: gPlus[row])
            _ = minus.update(fromContentsOf: gMinus[row])
            return
        }
        var stats = ProgrammingStats()
        recipe.program(row: j, levelsPlus: levelPlus[row], levelsMinus: levelMinus[row], plus: plus, minus: minus, stats: &stats)
        if let a = recipe.ageing { recipe.age(row: j, a, levelsPlus: levelPlus[row], levelsMinus: levelMinus[row], plus: plus, minus: minus) }
    }

    /// Every conductance (S), row-major: the stored arrays, or all rows regenerated (16 B per synapse
    /// for as long as the caller holds them).
    public var conductances: (plus: [Siemens], minus: [Siemens]) {
        guard regeneration != nil else { return (gPlus, gMinus) }
        var gp = [Siemens](repeating: 0, count: inputs * outputs), gm = gp
        gp.withUnsafeMutableBufferPointer { p in
            gm.withUnsafeMutableBufferPointer { m in
                for j in 0..<inputs {
                    let row = j * outputs..<(j + 1) * outputs
                    conductanceRow(j, plus: UnsafeMutableBufferPointer(rebasing: p[row]), minus: UnsafeMutableBufferPointer(rebasing: m[row]))
                }
            }
        }
        return (gp, gm)
    }

    /// Stores the conductances (regenerating them once) so that they can be changed cell by cell.
    public mutating func storeConductances() {
        guard regeneration != nil else { return }
        (gPlus, gMinus) = conductances
        regeneration = nil
    }

    /// The programmed weights `(G⁺ − G⁻)/window` in units of the conductance window (`window` =
    /// G_max − G_min, `Chip.conductanceWindow`), row-major like the cells: what the twins read back.
    /// `attenuation` (per cell, G⁺ and G⁻: the tiles' parasitic read factors) multiplies each cell first.
    public func effectiveWeights(window: Siemens, attenuation: (plus: [Double], minus: [Double])? = nil) -> [Double] {
        let (gPlus, gMinus) = conductances
        guard let a = attenuation else { return zip(gPlus, gMinus).map { ($0 - $1) / window } }
        return gPlus.indices.map { (gPlus[$0] * a.plus[$0] - gMinus[$0] * a.minus[$0]) / window }
    }
}

extension Chip {
    /// The conductance window G_max − G_min (S): a weight of ±1 is one cell at G_max, its partner at G_min.
    public var conductanceWindow: Siemens { device.conductanceWindow }
}

/// One physical crossbar tile: a block of a connection's rows and neurons.
public struct Tile: Sendable, Equatable {
    public var connection: Int
    /// Presynaptic rows `[rowStart, rowStart + usedRows)` and postsynaptic neurons
    /// `[neuronStart, neuronStart + neurons)` of the connection.
    public var rowStart: Int, usedRows: Int
    public var neuronStart: Int, neurons: Int
    /// Which polarity the tile holds: both (differential columns), or only G⁺ / only G⁻ (differential arrays).
    public var polarity: Polarity
    public var rows: Int, cols: Int
    /// Columns in use: 2 × neurons for differential columns, neurons for differential arrays.
    public var usedCols: Int
    /// Σ G of each used row (S), index `j − rowStart`: what a read of that row draws.
    public var rowConductance: [Siemens]
    /// Σ G over the tile (S).
    public var totalConductance: Siemens

    public enum Polarity: String, Sendable, Codable { case both, plus, minus }
}
