import SpikebarCore
import SpikebarDevices
import SpikebarNeurons

extension Chip {
    /// Programs a chip: maps each connection's weights onto tiles, writes every cell to its level with
    /// the device's programming error, and samples every neuron's time constants.
    ///
    /// - Parameters:
    ///   - weights: one matrix per connection, in `Chip.connectionPlan(network:)` order, values in [−1, 1]
    ///     (units of the conductance window).
    ///   - gains: DPI gain per layer of neurons (defaults to `spec.neurons.synapseGain`).
    ///   - chipSample: Monte-Carlo index of this chip (programming errors, time constants).
    public init(spec: ChipSpec, weights: [WeightMatrix], gains: [Double]? = nil, chipSample: Int = 0) throws {
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
            var (conn, stats) =
                device.array == .passive
                ? Chip.programPassive(
                    w, from: from, to: to, recurrent: recurrent, device: device, passive: device.passive ?? PassiveArraySpec(),
                    tiles: tileSpec, seed: spec.seed, connection: c, chipSample: chipSample)
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
        var lPlus = [UInt16](repeating: 0, count: n), lMinus = lPlus
        var stats = ProgrammingStats()
        stats.cells = 2 * n
        // One cell: write-verify to the level's target (pulses and misses counted) with device physics,
        // else one pulse with the level's Gaussian programming error.
        let writeVerify = device.physics?.writeVerify, table = device.levelStatistics
        func write(level: Int, using rng: inout RandomStream) -> Siemens {
            guard let wv = writeVerify, let table else {
                stats.pulses += 1
                return device.program(level: level, using: &rng)
            }
            let r = wv.program(target: table[level].conductance, sigma: table[level].programmingStd, using: &rng)
            stats.pulses += r.pulses
            if abs(r.conductance - table[level].conductance) > wv.tolerance { stats.failures += 1 }
            return r.conductance
        }
        // One stream per presynaptic row so that rows can later be programmed in parallel.
        for j in 0..<w.inputs {
            var rng = RandomStream(
                seed: seed, purpose: .programming, index: UInt64(connection) << 32 | UInt64(j),
                sample: UInt64(chipSample))
            for i in 0..<w.outputs {
                let k = j * w.outputs + i
                let (lp, lm) = device.pairLevels(weight: Double(w.values[k]))
                lPlus[k] = UInt16(lp); lMinus[k] = UInt16(lm)
                gPlus[k] = write(level: lp, using: &rng)
                gMinus[k] = write(level: lm, using: &rng)
            }
        }
        // Without write-verify each cell takes one pulse of the same (assumed, documented) energy as a
        // write-verify pulse: `WriteVerify.pulseEnergy`, 10 pJ by default (Docs/devices.md#write-verify).
        stats.energy = Double(stats.pulses) * ((table != nil ? writeVerify : nil) ?? WriteVerify()).pulseEnergy
        return (
            Connection(
                from: from, to: to, recurrent: recurrent, inputs: w.inputs, outputs: w.outputs,
                gPlus: gPlus, gMinus: gMinus, levelPlus: lPlus, levelMinus: lMinus, rowTiles: [], tileRows: 1), stats
        )
    }

    /// Evolves a programmed connection to `device.timeSinceProgramming` (relaxation and retention drift,
    /// `DeviceTimeModel.evolve`), one deviate per cell from the keyed stream `(seed, drift, connection
    /// << 32 | row, chip sample)`: the same chip sample at a later time is the same chip, drifted further.
    static func age(_ conn: inout Connection, device: RRAMDevice, seed: UInt64, connection: Int, chipSample: Int) {
        guard let physics = device.physics, let table = device.levelStatistics, device.timeSinceProgramming > 0 else { return }
        let t = device.timeSinceProgramming
        let factor = table.map { physics.time.meanFactor($0, at: t) }
        let added = table.map { physics.time.addedStd($0, at: t) }
        for j in 0..<conn.inputs {
            var rng = RandomStream(seed: seed, purpose: .drift, index: UInt64(connection) << 32 | UInt64(j), sample: UInt64(chipSample))
            for i in 0..<conn.outputs {
                let k = j * conn.outputs + i
                let lp = Int(conn.levelPlus[k]), lm = Int(conn.levelMinus[k])
                conn.gPlus[k] = Swift.max(0, conn.gPlus[k] * factor[lp] + added[lp] * rng.nextGaussian())
                conn.gMinus[k] = Swift.max(0, conn.gMinus[k] * factor[lm] + added[lm] * rng.nextGaussian())
            }
        }
    }

    /// Splits a connection into tiles of `spec.rows` rows; columns hold `cols/2` neurons per tile with
    /// differential columns, `cols` per tile pair with differential arrays.
    static func mapOntoTiles(_ conn: Connection, index: Int, spec: TileSpec, firstTile: Int) -> ([Tile], [[Int]]) {
        var tiles: [Tile] = []
        var rowTiles: [[Int]] = []
        let polarities = spec.polarities
        for block in spec.blocks(inputs: conn.inputs, outputs: conn.outputs) {
            if block.neuronStart == 0 { rowTiles.append([]) }
            let usedRows = block.usedRows, n = block.neurons
            for polarity in polarities {
                var rowG = [Double](repeating: 0, count: usedRows)
                for r in 0..<usedRows {
                    let base = (block.rowStart + r) * conn.outputs + block.neuronStart
                    var s = 0.0
                    for i in 0..<n {
                        if polarity != .minus { s += conn.gPlus[base + i] }
                        if polarity != .plus { s += conn.gMinus[base + i] }
                    }
                    rowG[r] = s
                }
                rowTiles[rowTiles.count - 1].append(firstTile + tiles.count)
                tiles.append(
                    Tile(
                        connection: index, rowStart: block.rowStart, usedRows: usedRows, neuronStart: block.neuronStart,
                        neurons: n, polarity: polarity, rows: spec.rows, cols: spec.cols,
                        usedCols: spec.usedColumns(neurons: n), rowConductance: rowG,
                        totalConductance: rowG.reduce(0, +)))
            }
        }
        return (tiles, rowTiles)
    }
}
