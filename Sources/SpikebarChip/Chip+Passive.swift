import SpikebarCore
import SpikebarDevices
import SpikebarNeurons

/// Where each cell of a connection sits in the passive crossbars that hold it, and how many writes follow
/// it there (`Docs/passive-arrays.md#programming-order`). A connection is cut into tiles exactly as
/// `Chip.mapOntoTiles` does (blocks of `rows` rows; `cols/2` neurons with `G⁺, G⁻` in adjacent columns, or
/// `cols` neurons in twin arrays); each tile is one crossbar whose used devices are programmed in `order`.
public struct PassiveLayout: Sendable, Equatable {
    /// Writes that follow `G⁺` / `G⁻` of synapse `j·outputs + i` in its crossbar.
    public var afterPlus: [Int32], afterMinus: [Int32]
    /// A key unique to each device of the connection (crossbar, position), for its random stream.
    public var keyPlus: [UInt64], keyMinus: [UInt64]

    public init(inputs: Int, outputs: Int, tiles spec: TileSpec, order: PassiveArraySpec.Order) {
        let n = inputs * outputs
        afterPlus = [Int32](repeating: 0, count: n); afterMinus = afterPlus
        keyPlus = [UInt64](repeating: 0, count: n); keyMinus = keyPlus
        let twin = spec.mapping == .arrays
        var array: UInt64 = 0
        for block in spec.blocks(inputs: inputs, outputs: outputs) {
            let usedRows = block.usedRows, m = block.neurons
            let usedCols = spec.usedColumns(neurons: m)
            let devices = usedRows * usedCols
            func place(_ r: Int, _ col: Int) -> (after: Int32, position: UInt64) {
                let pos = order == .rowMajor ? r * usedCols + col : col * usedRows + r
                return (Int32(devices - 1 - pos), UInt64(pos))
            }
            for r in 0..<usedRows {
                for i in 0..<m {
                    let k = (block.rowStart + r) * outputs + block.neuronStart + i
                    let p = place(r, spec.column(neuron: i, positive: true)), q = place(r, spec.column(neuron: i, positive: false))
                    afterPlus[k] = p.after; afterMinus[k] = q.after
                    keyPlus[k] = array << 24 | p.position
                    keyMinus[k] = (twin ? array + 1 : array) << 24 | q.position
                }
            }
            array += twin ? 2 : 1
        }
    }

    /// The random stream of one device: keyed by (seed, connection, device key, chip sample or batch).
    public static func stream(seed: UInt64, purpose: RandomStream.Purpose, connection: Int, key: UInt64, sample: Int) -> RandomStream {
        RandomStream(seed: seed, purpose: purpose, index: 1 << 63 | UInt64(connection) << 48 | key, sample: UInt64(truncatingIfNeeded: sample))
    }
}

extension Chip {
    /// Programs a connection into passive crossbars (`PassiveArraySpec.program` per device): each cell's
    /// target is its level's conductance; tuning error, V/3 disturbance from the writes that follow it
    /// in its crossbar, and failures (recorded in `Connection.stuck`) are drawn from the device's own
    /// keyed stream (seed, connection, crossbar position, chip sample).
    static func programPassive(
        _ w: WeightMatrix, from: Int, to: Int, recurrent: Bool, device: RRAMDevice, passive: PassiveArraySpec,
        tiles: TileSpec, seed: UInt64, connection: Int, chipSample: Int
    ) -> (Connection, ProgrammingStats) {
        let n = w.inputs * w.outputs
        let layout = PassiveLayout(inputs: w.inputs, outputs: w.outputs, tiles: tiles, order: passive.order)
        var gPlus = [Double](repeating: 0, count: n), gMinus = gPlus
        var lPlus = [UInt16](repeating: 0, count: n), lMinus = lPlus
        var stuck = [UInt8](repeating: 0, count: n)
        var failures = 0
        for k in 0..<n {
            let (lp, lm) = device.pairLevels(weight: Double(w.values[k]))
            lPlus[k] = UInt16(lp); lMinus[k] = UInt16(lm)
            var rp = PassiveLayout.stream(seed: seed, purpose: .programming, connection: connection, key: layout.keyPlus[k], sample: chipSample)
            let p = passive.program(target: device.conductance(level: lp), after: Int(layout.afterPlus[k]), gHRS: device.gMin, using: &rp)
            var rm = PassiveLayout.stream(seed: seed, purpose: .programming, connection: connection, key: layout.keyMinus[k], sample: chipSample)
            let m = passive.program(target: device.conductance(level: lm), after: Int(layout.afterMinus[k]), gHRS: device.gMin, using: &rm)
            gPlus[k] = p.g; gMinus[k] = m.g
            // Stuck codes as Chip.injectStuckCells writes them: "high" = above the window's middle.
            let mid = (device.gMin + device.gMax) / 2
            if p.stuck { stuck[k] |= StuckCellCode.plus(high: p.g > mid); failures += 1 }
            if m.stuck { stuck[k] |= StuckCellCode.minus(high: m.g > mid); failures += 1 }
        }
        var stats = ProgrammingStats()
        stats.cells = 2 * n; stats.pulses = 2 * n; stats.failures = failures
        // Pulse count is the model's (one tuning per cell, no verify loop counted); its energy uses the same
        // assumed per-pulse energy as the 1T1R single-pulse case (`WriteVerify.pulseEnergy`, Docs/devices.md).
        stats.energy = Double(stats.pulses) * WriteVerify().pulseEnergy
        var conn = Connection(
            from: from, to: to, recurrent: recurrent, inputs: w.inputs, outputs: w.outputs,
            gPlus: gPlus, gMinus: gMinus, levelPlus: lPlus, levelMinus: lMinus, rowTiles: [], tileRows: 1)
        if failures > 0 { conn.stuck = stuck }
        return (conn, stats)
    }
}
