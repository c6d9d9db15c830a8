import SpikebarCore
import SpikebarDevices
import SpikebarChip

/// The chip laid out for the kernel's hot loop (built once per chip, shared by every run):
/// per connection, the charge each synapse delivers per read and its read-noise std, contiguous by
/// presynaptic row; per layer, neuron constants as structure-of-arrays.
struct CompiledConnection {
    let from: Int, to: Int
    let outputs: Int
    /// `V_read · t_read · (G⁺ − G⁻)` (C) of synapse j→i at `[j·outputs + i]`.
    let charge: [Double]
    /// Std of the delivered charge from read-to-read noise (C): `σ_read · V_read · t_read · √(G⁺² + G⁻²)`
    /// (the sum of the two cells' independent fluctuations). Empty when read noise is off.
    let noise: [Double]
    /// Tiles read by a spike of row j: `rowTiles[j / tileRows]`.
    let rowTiles: [[Int]]
    let tileRows: Int
}

struct CompiledLayer {
    let size: Int
    let constants: [NeuronConstants]
    // Hot-loop copies of `constants` as structure of arrays.
    let rateSyn: [Double], rateMem: [Double], coupling: [Double], chargeToCurrent: [Double]
    let resistance: [Double], threshold: [Double], reset: [Double]
    /// Connections delivering into this layer (feed-forward first, then recurrent).
    var incoming: [Int] = []

    init(_ params: [NeuronParameters]) {
        size = params.count
        constants = params.map(NeuronConstants.init)
        rateSyn = constants.map(\.rateSyn); rateMem = constants.map(\.rateMem)
        coupling = constants.map(\.coupling); chargeToCurrent = constants.map(\.chargeToCurrent)
        resistance = constants.map(\.resistance); threshold = constants.map(\.threshold)
        reset = constants.map(\.reset)
    }
}

struct CompiledNetwork {
    let populations: [Population]
    var layers: [CompiledLayer]          // index = population index; [0] is the input (size only)
    let connections: [CompiledConnection]
    /// Outgoing connections of each population.
    let outgoing: [[Int]]
    let tiles: [Tile]
    let readPulsePicoseconds: Int64

    init(chip: Chip, readNoise: Bool) {
        populations = chip.populations
        tiles = chip.tiles
        let scale = chip.device.readVoltage * chip.device.readPulse
        let sigma = readNoise ? chip.device.readNoise : 0
        connections = chip.connections.map { c in
            let charge = zip(c.gPlus, c.gMinus).map { scale * ($0 - $1) }
            let noise = sigma > 0 ? zip(c.gPlus, c.gMinus).map { sigma * scale * ($0 * $0 + $1 * $1).squareRoot() } : []
            return CompiledConnection(from: c.from, to: c.to, outputs: c.outputs, charge: charge, noise: noise,
                                      rowTiles: c.rowTiles, tileRows: c.tileRows)
        }
        layers = [CompiledLayer([])] + chip.neurons.map(CompiledLayer.init)
        var out = [[Int]](repeating: [], count: chip.populations.count)
        for (k, c) in connections.enumerated() {
            out[c.from].append(k)
            layers[c.to].incoming.append(k)
        }
        outgoing = out
        readPulsePicoseconds = max(1, Int64((chip.device.readPulse * 1e12).rounded()))
    }
}
