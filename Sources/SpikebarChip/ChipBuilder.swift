import SpikebarCore
import SpikebarDevices
import SpikebarNeurons

extension Chip {
    /// Synapses from which a connection of an active chip without stuck cells keeps only its levels
    /// and regenerates its conductances when read (`ConductanceRecipe`): 2²⁴ (16.8 M; 256 MiB of
    /// conductance pairs). The 10⁶-neuron scaling chip (128 M synapses) is above it, the 10⁵ one (12.8 M)
    /// and every shipped scenario below. Same bits either way (`ConductanceRecipeTests`).
    public static let regenerationThreshold = 1 << 24

    /// Programs a chip: maps each connection's weights onto tiles, writes every cell to its level with
    /// the device's programming error, and samples every neuron's time constants.
    ///
    /// - Parameters:
    ///   - weights: one matrix per connection, in `Chip.connectionPlan(network:)` order, values in [−1, 1]
    ///     (units of the conductance window).
    ///   - gains: DPI gain per layer of neurons (defaults to `spec.neurons.synapseGain`).
    ///   - chipSample: Monte-Carlo index of this chip (programming errors, time constants).
    ///   - regenerateFrom: connections of at least this many synapses regenerate their conductances
    ///     instead of storing them (`regenerationThreshold`; `Int.max` stores all).
    public init(
        spec: ChipSpec, weights: [WeightMatrix], gains: [Double]? = nil, chipSample: Int = 0,
        regenerateFrom: Int = Chip.regenerationThreshold
    ) throws {
        let net = spec.network
        populations = [Population(name: "input", size: net.input)] + net.layers.map { Population(name: $0.name, size: $0.size) }
        device = spec.device
        tileSpec = spec.tiles
        self.chipSample = chipSample
        let plan = Chip.connectionPlan(network: net)
        guard weights.count == plan.count else {
            throw SpikebarError.mismatch("weights have \(weights.count) matrices but the network has \(plan.count) connections")
        }
        connections = []
        tiles = []
        for (c, (from, to, recurrent)) in plan.enumerated() {
            let w = weights[c]
            let inputs = populations[from].size, outputs = populations[to].size
            guard w.inputs == inputs, w.outputs == outputs else {
                throw SpikebarError.mismatch(
                    "weights of connection \(populations[from].name)→\(populations[to].name) are \(w.inputs)×\(w.outputs), the network needs \(inputs)×\(outputs)"
                )
            }
            let regenerate =
                device.array != .passive && device.faults.bitErrorRate == 0 && inputs * outputs >= regenerateFrom
            var (conn, stats) =
                device.array == .passive
                ? Chip.programPassive(
                    w, from: from, to: to, recurrent: recurrent, device: device, passive: device.passive ?? PassiveArraySpec(),
                    tiles: tileSpec, seed: spec.seed, connection: c, chipSample: chipSample)
                : regenerate
                    ? Chip.programRegenerable(
                        w, from: from, to: to, recurrent: recurrent, device: device, seed: spec.seed, connection: c, chipSample: chipSample)
                    : Chip.program(
                        w, from: from, to: to, recurrent: recurrent, device: device,
                        seed: spec.seed, connection: c, chipSample: chipSample)
            programming.add(stats)
            Chip.age(&conn, device: device, seed: spec.seed, connection: c, chipSample: chipSample)
            conn.tileRows = tileSpec.rows
            let (connTiles, rowTiles) = Chip.mapOntoTiles(conn, index: c, spec: tileSpec, firstTile: tiles.count)
            conn.rowTiles = rowTiles
            tiles += connTiles
            connections.append(conn)
        }
        neurons = Chip.sampleNeurons(spec: spec, gains: gains, chipSample: chipSample)
        injectStuckCells(fraction: device.faults.bitErrorRate, highFraction: device.faults.highFraction, seed: spec.seed)
        _checkInvariants()
    }

    /// Programs one weight matrix the way the chip programs connection `c` — levels, programming error
    /// (or write-verify), passive-array physics, ageing to `device.timeSinceProgramming`, stuck cells at
    /// `device.faults` — with every draw keyed by (seed, c, row, chip sample). For networks the chain plan
    /// does not describe (imported NIR graphs): one programming path for both.
    public static func programConnection(
        _ w: WeightMatrix, index c: Int, device: RRAMDevice, tiles: TileSpec,
        seed: UInt64, chipSample: Int = 0
    ) -> (Connection, ProgrammingStats) {
        var (conn, stats) =
            device.array == .passive
            ? Chip.programPassive(
                w, from: 0, to: 1, recurrent: false, device: device, passive: device.passive ?? PassiveArraySpec(),
                tiles: tiles, seed: seed, connection: c, chipSample: chipSample)
            : Chip.program(w, from: 0, to: 1, recurrent: false, device: device, seed: seed, connection: c, chipSample: chipSample)
        Chip.age(&conn, device: device, seed: seed, connection: c, chipSample: chipSample)
        injectStuckCells(
            into: &conn, index: c, fraction: device.faults.bitErrorRate, highFraction: device.faults.highFraction,
            device: device, seed: seed, chipSample: chipSample)
        conn.tileRows = tiles.rows
        return (conn, stats)
    }

    /// Every neuron's parameters on chip sample `chipSample`: the spec's nominal neuron with τ_mem and τ_syn
    /// drawn from the heterogeneity (keyed by seed, layer and chip sample), and the layer's DPI gain.
    /// `neurons[l − 1]` for population `l`. The twin calls this to train on the chip's own time constants.
    public static func sampleNeurons(spec: ChipSpec, gains: [Double]? = nil, chipSample: Int = 0) -> [[NeuronParameters]] {
        var neurons: [[NeuronParameters]] = []
        for (k, layerSpec) in spec.network.layers.enumerated() {
            let l = k + 1
            var base = spec.neurons
            if let gains, k < gains.count { base.synapseGain = gains[k] }
            var rng = RandomStream(seed: spec.seed, purpose: .timeConstants, index: UInt64(l), sample: UInt64(chipSample))
            var layer: [NeuronParameters] = []
            layer.reserveCapacity(layerSpec.size)
            for _ in 0..<layerSpec.size {
                var p = base
                p.tauMem = rng.nextLognormal(mean: base.tauMem, cv: spec.heterogeneity.tauCV)
                p.tauSyn = rng.nextLognormal(mean: base.tauSyn, cv: spec.heterogeneity.tauCV)
                if let tuned = spec.tunedTimeConstants {
                    // Trained bias settings on this die: its own mismatch times the learned factor.
                    // invariant: shapes checked against the network when read (`TunedTimeConstants.read` → `validate`).
                    p.tauMem *= tuned.memFactor[k][layer.count]; p.tauSyn *= tuned.synFactor[k][layer.count]
                }
                layer.append(p)
            }
            neurons.append(layer)
        }
        return neurons
    }

    /// The connections a network has, in evaluation order: for each layer, its feed-forward input, then
    /// its recurrent connection if any. `(from, to, recurrent)` are population indices.
    public static func connectionPlan(network: NetworkSpec) -> [(from: Int, to: Int, recurrent: Bool)] {
        var plan: [(Int, Int, Bool)] = []
        for (k, layer) in network.layers.enumerated() {
            plan.append((k, k + 1, false))
            if layer.recurrent { plan.append((k + 1, k + 1, true)) }
        }
        return plan
    }

    /// Writes a weight matrix as differential pairs: `w ≥ 0` puts `G⁺` at level `round(w·(L−1))` and
    /// `G⁻` at level 0, `w < 0` the reverse, so `G⁺ − G⁻ ≈ w·(G_max − G_min)`. With `device.physics`
    /// and write-verify, each cell is programmed by `WriteVerify` (pulses counted); otherwise with one
    /// pulse of Gaussian error.
    static func program(
        _ w: WeightMatrix, from: Int, to: Int, recurrent: Bool, device: RRAMDevice,
        seed: UInt64, connection: Int, chipSample: Int
    ) -> (Connection, ProgrammingStats) {
        let n = w.inputs * w.outputs
        var gPlus = [Double](repeating: 0, count: n), gMinus = gPlus
        let (lPlus, lMinus) = levels(w, device: device)
        let recipe = ConductanceRecipe(device: device, seed: seed, connection: connection, chipSample: chipSample)
        var stats = ProgrammingStats()
        stats.cells = 2 * n
        gPlus.withUnsafeMutableBufferPointer { gp in
            gMinus.withUnsafeMutableBufferPointer { gm in
                for j in 0..<w.inputs {
                    let row = j * w.outputs..<(j + 1) * w.outputs
                    recipe.program(
                        row: j, levelsPlus: lPlus[row], levelsMinus: lMinus[row],
                        plus: UnsafeMutableBufferPointer(rebasing: gp[row]), minus: UnsafeMutableBufferPointer(rebasing: gm[row]),
                        stats: &stats)
                }
            }
        }
        stats.energy = recipe.programmingEnergy(pulses: stats.pulses)
        return (
            Connection(
                from: from, to: to, recurrent: recurrent, inputs: w.inputs, outputs: w.outputs,
                gPlus: gPlus, gMinus: gMinus, levelPlus: lPlus, levelMinus: lMinus, rowTiles: [], tileRows: 1), stats
        )
    }

    /// The level pair of every weight (`RRAMDevice.pairLevels`), row-major.
    static func levels(_ w: WeightMatrix, device: RRAMDevice) -> ([UInt16], [UInt16]) {
        var lPlus = [UInt16](repeating: 0, count: w.inputs * w.outputs), lMinus = lPlus
        for k in lPlus.indices {
            let (lp, lm) = device.pairLevels(weight: Double(w.values[k]))
            lPlus[k] = UInt16(lp); lMinus[k] = UInt16(lm)
        }
        return (lPlus, lMinus)
    }

    /// A connection whose conductances are not stored but regenerated row by row when read
    /// (`ConductanceRecipe`: the same keyed streams, so the same bits): its levels, its programming
    /// statistics and its tiles' Σ G are made here, one row at a time. Ageing included; no stuck cells
    /// (a chip with faults stores its conductances).
    static func programRegenerable(
        _ w: WeightMatrix, from: Int, to: Int, recurrent: Bool, device: RRAMDevice,
        seed: UInt64, connection: Int, chipSample: Int
    ) -> (Connection, ProgrammingStats) {
        let (lPlus, lMinus) = levels(w, device: device)
        var conn = Connection(
            from: from, to: to, recurrent: recurrent, inputs: w.inputs, outputs: w.outputs,
            gPlus: [], gMinus: [], levelPlus: lPlus, levelMinus: lMinus, rowTiles: [], tileRows: 1)
        let recipe = ConductanceRecipe(device: device, seed: seed, connection: connection, chipSample: chipSample)
        conn.regeneration = recipe
        var stats = ProgrammingStats()
        stats.cells = 2 * w.inputs * w.outputs
        guard device.physics?.writeVerify != nil, device.levelStatistics != nil else {
            // One pulse per cell: the statistics need no conductance.
            stats.pulses = stats.cells
            stats.energy = recipe.programmingEnergy(pulses: stats.pulses)
            return (conn, stats)
        }
        var gp = [Double](repeating: 0, count: w.outputs), gm = gp
        gp.withUnsafeMutableBufferPointer { p in
            gm.withUnsafeMutableBufferPointer { m in
                for j in 0..<w.inputs {
                    let row = j * w.outputs..<(j + 1) * w.outputs
                    recipe.program(row: j, levelsPlus: lPlus[row], levelsMinus: lMinus[row], plus: p, minus: m, stats: &stats)
                }
            }
        }
        stats.energy = recipe.programmingEnergy(pulses: stats.pulses)
        return (conn, stats)
    }

    /// Evolves a programmed connection to `device.timeSinceProgramming` (relaxation and retention drift,
    /// `DeviceTimeModel.evolve`), one deviate per cell from the keyed stream `(seed, drift, connection
    /// << 32 | row, chip sample)`: the same chip sample at a later time is the same chip, drifted further.
    /// A regenerable connection ages as it is regenerated (`ConductanceRecipe.row`).
    static func age(_ conn: inout Connection, device: RRAMDevice, seed: UInt64, connection: Int, chipSample: Int) {
        guard conn.regeneration == nil else { return }
        let recipe = ConductanceRecipe(device: device, seed: seed, connection: connection, chipSample: chipSample)
        guard let ageing = recipe.ageing else { return }
        let outputs = conn.outputs
        let lp = conn.levelPlus, lm = conn.levelMinus
        conn.gPlus.withUnsafeMutableBufferPointer { gp in
            conn.gMinus.withUnsafeMutableBufferPointer { gm in
                for j in 0..<conn.inputs {
                    let row = j * outputs..<(j + 1) * outputs
                    recipe.age(
                        row: j, ageing, levelsPlus: lp[row], levelsMinus: lm[row],
                        plus: UnsafeMutableBufferPointer(rebasing: gp[row]), minus: UnsafeMutableBufferPointer(rebasing: gm[row]))
                }
            }
        }
    }

    /// Splits a connection into tiles of `spec.rows` rows; columns hold `cols/2` neurons per tile with
    /// differential columns, `cols` per tile pair with differential arrays. Each row's conductances are
    /// read once (`conductanceRow`: stored or regenerated) and summed into every tile it crosses.
    static func mapOntoTiles(_ conn: Connection, index: Int, spec: TileSpec, firstTile: Int) -> ([Tile], [[Int]]) {
        var tiles: [Tile] = []
        var rowTiles: [[Int]] = []
        let polarities = spec.polarities
        let blocks = spec.blocks(inputs: conn.inputs, outputs: conn.outputs)
        var gp = [Siemens](repeating: 0, count: conn.outputs), gm = gp
        var b = 0
        while b < blocks.count {
            // The blocks of one row block (neuron blocks left to right), each with its polarities.
            let rowStart = blocks[b].rowStart, usedRows = blocks[b].usedRows
            var e = b
            while e < blocks.count && blocks[e].rowStart == rowStart { e += 1 }
            var sums = [[Double]](repeating: [Double](repeating: 0, count: usedRows), count: (e - b) * polarities.count)
            gp.withUnsafeMutableBufferPointer { p in
                gm.withUnsafeMutableBufferPointer { m in
                    for r in 0..<usedRows {
                        conn.conductanceRow(rowStart + r, plus: p, minus: m)
                        for (t, block) in blocks[b..<e].enumerated() {
                            for (q, polarity) in polarities.enumerated() {
                                var s = 0.0
                                for i in block.neuronStart..<(block.neuronStart + block.neurons) {
                                    if polarity != .minus { s += p[i] }
                                    if polarity != .plus { s += m[i] }
                                }
                                sums[t * polarities.count + q][r] = s
                            }
                        }
                    }
                }
            }
            rowTiles.append([])
            for (t, block) in blocks[b..<e].enumerated() {
                for (q, polarity) in polarities.enumerated() {
                    let rowG = sums[t * polarities.count + q]
                    rowTiles[rowTiles.count - 1].append(firstTile + tiles.count)
                    tiles.append(
                        Tile(
                            connection: index, rowStart: block.rowStart, usedRows: usedRows, neuronStart: block.neuronStart,
                            neurons: block.neurons, polarity: polarity, rows: spec.rows, cols: spec.cols,
                            usedCols: spec.usedColumns(neurons: block.neurons), rowConductance: rowG,
                            totalConductance: rowG.reduce(0, +)))
                }
            }
            b = e
        }
        return (tiles, rowTiles)
    }
}
