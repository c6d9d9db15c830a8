import SpikebarCore
import SpikebarDevices
import SpikebarChip
import SpikebarNeurons

/// The chip laid out for the kernel's hot loop (built once per chip, shared read-only by every run):
/// per connection, the charge each synapse delivers per read and its read-noise std, contiguous by
/// presynaptic row; per layer, neuron constants as structure-of-arrays.
final class CompiledConnection: @unchecked Sendable {
    // A class, immutable after `init`: the hot loop takes one reference to it per row read instead of
    // copying a struct of arrays (one retain instead of one per array).
    let from: Int, to: Int
    let outputs: Int
    /// `V_read · t_read · (G⁺ − G⁻)` (C) of synapse j→i at `[j·outputs + i]`.
    var charge: UnsafeBufferPointer<Double> { UnsafeBufferPointer(start: view.charge, count: chargeCount) }
    /// Std of the delivered charge from read-to-read noise (C): `σ_read · V_read · t_read · √(G⁺² + G⁻²)`
    /// (the sum of the two cells' independent fluctuations). Empty when read noise is off.
    var noise: UnsafeBufferPointer<Double> { UnsafeBufferPointer(start: view.noise, count: noiseCount) }
    /// Random telegraph noise of the pair (device physics only; empty otherwise), four values per
    /// synapse at `[4k …]`: `G⁺`'s jump charge `V·t·ΔG` (C) and trap occupancy `p`, then `G⁻`'s.
    var rtn: UnsafeBufferPointer<Double> { UnsafeBufferPointer(start: view.rtn, count: rtnCount) }
    // The three are held once, as raw buffers (`view`), not also as arrays: at 10⁶ neurons a second
    // copy of the charges was 1 GB (8 B per synapse).
    private let chargeCount: Int, noiseCount: Int, rtnCount: Int
    /// Tiles read by a spike of row j: `rowTiles[j / tileRows]`.
    let rowTiles: [[Int]]
    let tileRows: Int
    /// With tile parasitics (Docs/circuits.md): the `G⁺` and `G⁻` parts of `charge` (C), each attenuated by
    /// its single-row read factor, so that a concurrent read can correct them separately. Empty otherwise.
    var chargePlus: [Double] = [], chargeMinus: [Double] = []

    /// `charge`, `noise` and `rtn` as raw buffers owned by this object (nil when empty), for the exact-mode
    /// hot loop: it takes them from a plain struct of pointers (`ConnectionView`) with no reference
    /// counting or closure nesting per row read.
    let view: ConnectionView

    /// `charge` (`count` values, from `allocateMatrix`) becomes this connection's: built in place, so that
    /// the charges never exist twice.
    init(
        from: Int, to: Int, outputs: Int, charge: UnsafeMutablePointer<Double>?, count: Int, noise: [Double], rtn: [Double] = [],
        rowTiles: [[Int]], tileRows: Int
    ) {
        self.from = from; self.to = to; self.outputs = outputs
        chargeCount = charge == nil ? 0 : count; noiseCount = noise.count; rtnCount = rtn.count
        self.rowTiles = rowTiles; self.tileRows = tileRows
        // rowTiles flattened: block b's tiles are rowTileList[rowTileStart[b] ..< rowTileStart[b + 1]].
        let start = UnsafeMutablePointer<Int32>.allocate(capacity: rowTiles.count + 1)
        let list = UnsafeMutablePointer<Int32>.allocate(capacity: max(rowTiles.reduce(0) { $0 + $1.count }, 1))
        var at = 0
        for (b, tiles) in rowTiles.enumerated() {
            start[b] = Int32(at)
            for tile in tiles { list[at] = Int32(tile); at += 1 }
        }
        start[rowTiles.count] = Int32(at)
        view = ConnectionView(
            to: to, outputs: outputs, charge: charge, noise: allocateMatrix(copying: noise), rtn: allocateMatrix(copying: rtn),
            tileRows: tileRows, rowTileStart: start, rowTileList: list)
    }

    deinit {
        freeMatrix(view.charge); freeMatrix(view.noise); freeMatrix(view.rtn)
        view.rowTileStart.deallocate(); view.rowTileList.deallocate()
    }
}

/// Raw pointers to one connection's compiled tables (owned by its `CompiledConnection`, which outlives
/// every run that holds the view): a trivial value, so copying it costs no reference counting.
struct ConnectionView {
    let to: Int, outputs: Int
    let charge: UnsafeMutablePointer<Double>?, noise: UnsafeMutablePointer<Double>?, rtn: UnsafeMutablePointer<Double>?
    /// `rowTiles` flattened: the tiles read by row j are `rowTileList[rowTileStart[b] ..< rowTileStart[b + 1]]`,
    /// b = j / tileRows.
    let tileRows: Int
    let rowTileStart: UnsafeMutablePointer<Int32>, rowTileList: UnsafeMutablePointer<Int32>

    /// The tiles a read of row `j` reads (the one place the flattened table is indexed).
    @inline(__always)
    func tiles(ofRow j: Int) -> UnsafeBufferPointer<Int32> {
        let b = j / tileRows
        let start = Int(rowTileStart[b])
        return UnsafeBufferPointer(start: rowTileList + start, count: Int(rowTileStart[b + 1]) - start)
    }
}

/// Random telegraph noise of one synapse's read (C): each cell's trap is drawn from its stationary
/// occupancy `p` (32 random bits per cell from one 64-bit draw) and contributes `ΔQ·(s − p)`, zero-mean.
/// The approximation: the kernel draws the trap state independently at every read (exact when reads of
/// a cell are further apart than the RTN dwell times; `ReadNoiseModel.reads` has the Markov chain).
@inline(__always)
func rtnCharge(_ r: UnsafePointer<Double>, _ k: Int, _ rng: inout RandomStream) -> Double {
    let u = rng.next()
    return ReadNoiseModel.stationaryTelegraph(jump: r[4 * k], occupancy: r[4 * k + 1], uniform: Double(u & 0xFFFF_FFFF) * 0x1.0p-32)
        - ReadNoiseModel.stationaryTelegraph(jump: r[4 * k + 2], occupancy: r[4 * k + 3], uniform: Double(u >> 32) * 0x1.0p-32)
}

/// Neuron constants of one layer, structure of arrays. Immutable after `init`, hence safe to share
/// between threads (`@unchecked Sendable`); the arrays are only read through `withUnsafeBufferPointer`.
final class CompiledLayer: @unchecked Sendable {
    let size: Int
    let constants: [NeuronConstants]
    let rateSyn: [Double], rateMem: [Double], coupling: [Double], chargeToCurrent: [Double]
    let resistance: [Double], threshold: [Double], reset: [Double]
    /// Connections delivering into this layer.
    var incoming: [Int] = []
    /// The same constants as raw, immutable buffers for the exact-mode hot loop (`RunState+Deliver`),
    /// which reads them without closure nesting or reference counting. Owned by this object.
    let soa: NeuronSoA

    init(_ params: [NeuronParameters]) {
        size = params.count
        constants = params.map(NeuronConstants.init)
        rateSyn = constants.map(\.rateSyn); rateMem = constants.map(\.rateMem)
        coupling = constants.map(\.coupling); chargeToCurrent = constants.map(\.chargeToCurrent)
        resistance = constants.map(\.resistance); threshold = constants.map(\.threshold)
        reset = constants.map(\.reset)
        soa = NeuronSoA(
            constants: constants, rateSyn: rateSyn, rateMem: rateMem, coupling: coupling,
            chargeToCurrent: chargeToCurrent, resistance: resistance, threshold: threshold, reset: reset)
    }

    deinit { soa.deallocate() }
}

/// Raw copies of a layer's neuron constants, padded to a multiple of four entries (the hot loop's
/// vector width) so that a four-lane load at any group start stays inside the allocation.
struct NeuronSoA {
    let rateSyn, rateMem, coupling, chargeToCurrent, resistance, threshold, reset: UnsafeMutablePointer<Double>
    /// The layer's `NeuronConstants` (the scalar paths take them whole).
    let constants: UnsafeMutablePointer<NeuronConstants>

    init(
        constants: [NeuronConstants], rateSyn: [Double], rateMem: [Double], coupling: [Double], chargeToCurrent: [Double],
        resistance: [Double], threshold: [Double], reset: [Double]
    ) {
        self.constants = .allocate(capacity: max(constants.count, 1))
        self.constants.initialize(from: constants, count: constants.count)
        func copy(_ a: [Double]) -> UnsafeMutablePointer<Double> {
            let m = (a.count + 3) / 4 * 4 + 4
            let p = UnsafeMutablePointer<Double>.allocate(capacity: m)
            p.initialize(repeating: 0, count: m)
            for (k, x) in a.enumerated() { p[k] = x }
            return p
        }
        self.rateSyn = copy(rateSyn); self.rateMem = copy(rateMem); self.coupling = copy(coupling)
        self.chargeToCurrent = copy(chargeToCurrent); self.resistance = copy(resistance); self.threshold = copy(threshold); self.reset = copy(reset)
    }

    func deallocate() {
        for p in [rateSyn, rateMem, coupling, chargeToCurrent, resistance, threshold, reset] { p.deallocate() }
        constants.deallocate()
    }
}

struct CompiledNetwork {
    let populations: [Population]
    let layers: [CompiledLayer]  // index = population index; [0] is the input (empty)
    let connections: [CompiledConnection]
    /// Outgoing connections of each population.
    let outgoing: [[Int]]
    let tiles: [Tile]
    /// The tiles' per-read tables as raw buffers (exact mode's bookkeeping).
    let tileTables: TileTables
    let readPulsePicoseconds: Int64
    /// Tile parasitics (nil: ideal reads, the charges are exactly `V·t·(G⁺ − G⁻)`).
    let parasitics: ChipParasitics?

    init(chip: Chip, readNoise: Bool) {
        populations = chip.populations
        tiles = chip.tiles
        tileTables = TileTables(chip.tiles)
        let scale = chip.device.readVoltage * chip.device.readPulse
        let sigma = readNoise ? chip.device.readNoise : 0
        let stats = readNoise ? chip.device.levelStatistics : nil
        let par = chip.parasitics()
        parasitics = par
        func build(_ c: Connection, _ charge: UnsafeMutablePointer<Double>?, _ count: Int) -> CompiledConnection {
            // Per-synapse noise needs every conductance (regenerated once when the connection does not store them).
            let g: (plus: [Siemens], minus: [Siemens]) = stats != nil || sigma > 0 ? c.conductances : ([], [])
            if let stats {
                // Device physics (ReadNoiseModel): white `read_noise` + the level's 1/f noise as one
                // Gaussian per synapse, RTN as two trap states drawn per read.
                var noise = [Double](repeating: 0, count: count)
                var rtn = [Double](repeating: 0, count: 4 * count)
                for k in 0..<count {
                    let a = stats[Int(c.levelPlus[k])], b = stats[Int(c.levelMinus[k])]
                    let gp = g.plus[k], gm = g.minus[k]
                    let fp = a.flickerNoise * gp, fm = b.flickerNoise * gm
                    noise[k] = scale * ((sigma * gp) * (sigma * gp) + (sigma * gm) * (sigma * gm) + fp * fp + fm * fm).squareRoot()
                    rtn[4 * k] = scale * a.rtnAmplitude; rtn[4 * k + 1] = a.rtnOccupancy
                    rtn[4 * k + 2] = scale * b.rtnAmplitude; rtn[4 * k + 3] = b.rtnOccupancy
                }
                return CompiledConnection(
                    from: c.from, to: c.to, outputs: c.outputs, charge: charge, count: count, noise: noise, rtn: rtn,
                    rowTiles: c.rowTiles, tileRows: c.tileRows)
            }
            let noise = sigma > 0 ? zip(g.plus, g.minus).map { sigma * scale * ($0 * $0 + $1 * $1).squareRoot() } : []
            return CompiledConnection(
                from: c.from, to: c.to, outputs: c.outputs, charge: charge, count: count, noise: noise,
                rowTiles: c.rowTiles, tileRows: c.tileRows)
        }
        connections = chip.connections.enumerated().map { index, c in
            // The read charges (`ReadCharge`, the rule the chip's twin reads too); single-row read factors
            // folded in at compile time: the hot loop pays nothing for them.
            var cp: [Double] = [], cm: [Double] = []
            if let par {
                let (gPlus, gMinus) = c.conductances
                cp = gPlus.indices.map { ReadCharge.attenuated(gPlus[$0], factor: par.plus[index][$0], scale: scale) }
                cm = gMinus.indices.map { ReadCharge.attenuated(gMinus[$0], factor: par.minus[index][$0], scale: scale) }
            }
            let count = c.inputs * c.outputs
            let charge = allocateMatrix(count: count)
            if let q = charge {
                if par == nil {
                    // Row by row: a connection that regenerates its conductances never holds them all.
                    var gp = [Double](repeating: 0, count: c.outputs), gm = gp
                    gp.withUnsafeMutableBufferPointer { p in
                        gm.withUnsafeMutableBufferPointer { m in
                            for j in 0..<c.inputs {
                                c.conductanceRow(j, plus: p, minus: m)
                                let row = q + j * c.outputs
                                for i in 0..<c.outputs { row[i] = ReadCharge.ideal(plus: p[i], minus: m[i], scale: scale) }
                            }
                        }
                    }
                } else {
                    for k in 0..<count { q[k] = cp[k] - cm[k] }
                }
            }
            let compiled = build(c, charge, count)
            compiled.chargePlus = cp; compiled.chargeMinus = cm
            return compiled
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

/// Mutable neuron state of one layer for one run: raw buffers owned by this object, so the hot loop
/// indexes them without copy-on-write checks or closure nesting. Only `RunState` touches it, from one
/// thread.
final class LayerState {
    let size: Int
    let v: UnsafeMutablePointer<Double>, cur: UnsafeMutablePointer<Double>
    /// Exact mode: the time of the neuron's state (ps, `Double`): a whole number after an update by an
    /// event, or the exact (continuous) time of its last threshold crossing after a spike — the neuron
    /// resets there, not at the spike's tick (issue #19). `refEndPs`: the end of its refractory period,
    /// that crossing time + t_ref (−∞ for "never refractory"). Doubles let the exact-mode loop do its time
    /// arithmetic in vector registers (64-bit integer SIMD compares are emulated on baseline x86-64).
    let tLastPs: UnsafeMutablePointer<Double>, refEndPs: UnsafeMutablePointer<Double>
    /// Exact time (ps) of the pending crossing (`pendingKind == 2`), whose tick `pendingTime` is it rounded up.
    let crossingPs: UnsafeMutablePointer<Double>
    /// Prediction version (lazy invalidation) and what is pending: 0 nothing, 1 a check (lower bound
    /// of the crossing time), 2 an exact crossing; `pendingTime` is when.
    let version: UnsafeMutablePointer<UInt32>, pendingKind: UnsafeMutablePointer<UInt8>
    let pendingTime: UnsafeMutablePointer<Int64>
    /// Decay factors of the current delivery (scratch).
    let decaySyn: UnsafeMutablePointer<Double>, decayMem: UnsafeMutablePointer<Double>
    /// Grid mode: refractory steps left.
    let refSteps: UnsafeMutablePointer<Int32>
    /// Exact-mode delivery scratch (`RunState+Deliver.swift`): neurons collected for `schedulePrediction`;
    /// each neuron's state before the current update (last update time, I, and the read's charge);
    /// per neuron, whether its group of four needs the second pass (all bits set) or not (0).
    let candidates: UnsafeMutablePointer<Int32>
    let savedT: UnsafeMutablePointer<Double>, savedI: UnsafeMutablePointer<Double>, savedQ: UnsafeMutablePointer<Double>
    let laneFlags: UnsafeMutablePointer<Int64>

    init(size n: Int) {
        size = n
        let m = max(n, 1) + 4
        v = .allocate(capacity: m); v.initialize(repeating: 0, count: m)
        // On a cache line of its own: one inference's threads add disjoint column blocks of it, whose
        // bounds are whole lines (`ColumnBlockPlan.columns`), so no line is written by two threads.
        cur = UnsafeMutableRawPointer.allocate(byteCount: m * MemoryLayout<Double>.stride, alignment: 64)
            .bindMemory(to: Double.self, capacity: m)
        cur.initialize(repeating: 0, count: m)
        crossingPs = .allocate(capacity: m); crossingPs.initialize(repeating: 0, count: m)
        tLastPs = .allocate(capacity: m); tLastPs.initialize(repeating: 0, count: m)
        refEndPs = .allocate(capacity: m); refEndPs.initialize(repeating: -.infinity, count: m)
        version = .allocate(capacity: m); version.initialize(repeating: 0, count: m)
        // Whole 8-byte words past the end: the layer check scans the kinds a word at a time.
        let mk = (m + 7) / 8 * 8 + 8
        pendingKind = .allocate(capacity: mk); pendingKind.initialize(repeating: 0, count: mk)
        pendingTime = .allocate(capacity: m); pendingTime.initialize(repeating: 0, count: m)
        decaySyn = .allocate(capacity: m); decaySyn.initialize(repeating: 1, count: m)
        decayMem = .allocate(capacity: m); decayMem.initialize(repeating: 1, count: m)
        refSteps = .allocate(capacity: m); refSteps.initialize(repeating: 0, count: m)
        candidates = .allocate(capacity: m); candidates.initialize(repeating: 0, count: m)
        savedT = .allocate(capacity: m); savedT.initialize(repeating: 0, count: m)
        savedI = .allocate(capacity: m); savedI.initialize(repeating: 0, count: m)
        savedQ = .allocate(capacity: m); savedQ.initialize(repeating: 0, count: m)
        laneFlags = .allocate(capacity: m); laneFlags.initialize(repeating: 0, count: m)
    }

    /// The state's buffers and the layer's constants as one trivial value for the exact-mode hot paths.
    func view(_ soa: NeuronSoA) -> LayerView {
        LayerView(
            size: size, v: v, cur: cur, tLastPs: tLastPs, refEndPs: refEndPs, crossingPs: crossingPs, version: version,
            pendingKind: pendingKind, pendingTime: pendingTime, soa: soa, candidates: candidates,
            savedT: savedT, savedI: savedI, savedQ: savedQ, laneFlags: laneFlags)
    }

    deinit {
        v.deallocate(); UnsafeMutableRawPointer(cur).deallocate(); crossingPs.deallocate(); version.deallocate()
        candidates.deallocate(); laneFlags.deallocate()
        savedT.deallocate(); savedI.deallocate(); savedQ.deallocate()
        tLastPs.deallocate(); refEndPs.deallocate()
        pendingKind.deallocate(); pendingTime.deallocate(); decaySyn.deallocate(); decayMem.deallocate()
        refSteps.deallocate()
    }
}

/// One layer's run state and neuron constants as raw pointers (owned by its `LayerState` and
/// `CompiledLayer`, which the run keeps alive): copying it out of `RunState.views` costs no reference
/// counting, which the exact mode's per-event paths would otherwise pay several times per event.
struct LayerView {
    let size: Int
    let v: UnsafeMutablePointer<Double>, cur: UnsafeMutablePointer<Double>
    let tLastPs: UnsafeMutablePointer<Double>, refEndPs: UnsafeMutablePointer<Double>, crossingPs: UnsafeMutablePointer<Double>
    let version: UnsafeMutablePointer<UInt32>, pendingKind: UnsafeMutablePointer<UInt8>
    let pendingTime: UnsafeMutablePointer<Int64>
    let soa: NeuronSoA
    let candidates: UnsafeMutablePointer<Int32>
    let savedT: UnsafeMutablePointer<Double>, savedI: UnsafeMutablePointer<Double>, savedQ: UnsafeMutablePointer<Double>
    let laneFlags: UnsafeMutablePointer<Int64>

}
