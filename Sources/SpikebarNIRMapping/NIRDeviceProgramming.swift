import SpikebarChip
import SpikebarCore
import SpikebarDevices
import SpikebarNIR

/// An imported NIR graph put on a real device (`spikebar nir evaluate|price --device SCENARIO`): every
/// weight node (Affine, Linear, Conv) is programmed as the chip programs a connection
/// (`Chip.programConnection`: levels, programming error or write-verify, passive-array physics, ageing
/// to `device.time_since_programming`, stuck cells at `device.faults`), and its weights are replaced by
/// what the cells hold, `W' = s · (G⁺ − G⁻)/(G_max − G_min)`.
///
/// - Scale: each node's weights are divided by `s = max |W|` so that its largest weight sits on the top
///   level — what a per-layer gain (the DPI gain on the chip, a scale factor in the ADC path) restores.
///   Biases are not in the crossbar and stay exact.
/// - A convolution's kernel matrix (`C_in/groups · k… × C_out`) is programmed once, as the
///   kernel-stationary mapping stores it; the unrolled mapping's copies of each weight would each have
///   their own programming error, which is not modelled (every copy reads the same value).
/// - With `tiles.parasitics` (R_s, R_n, wire resistance), each cell's conductance is attenuated as a
///   single-row read on its tile sees it (`Chip.parasiticAttenuation`: the ladder solved exactly for one
///   driven row, as the kernel and the twin use it; Docs/circuits.md): seed 003's non-ideal crossbars.
///   The extra drop of rows read together (the kernel's mean-field concurrency factor) is not applied.
/// - Read noise per read is not modelled here (the NIR reference program reads the programmed values);
///   the event kernel's read-noise model applies to dense scenarios only.
/// - Draws are keyed by (scenario seed, weight node index in `sortedNames` order with subgraphs in place,
///   row, chip sample): the same chip sample is the same chip.
public enum NIRDeviceProgramming {
    /// What programming did.
    public struct Report: Codable, Sendable, Equatable {
        public var weightNodes: Int
        public var cells: Int
        public var pulses: Int
        public var failures: Int
        public var stuckCells: Int
        /// RMS of `W' − W` over all weights, relative to each node's `max |W|` (dimensionless).
        public var relativeRMSError: Double
        public var chipSample: Int
        /// Whether the tiles' read-path parasitics were folded in (single-row attenuation).
        public var parasitics: Bool = false
    }

    public static func program(
        _ graph: NIRGraph, device: RRAMDevice, tiles: TileSpec, seed: UInt64,
        chipSample: Int = 0
    ) -> (NIRGraph, Report) {
        var report = Report(weightNodes: 0, cells: 0, pulses: 0, failures: 0, stuckCells: 0, relativeRMSError: 0, chipSample: chipSample)
        report.parasitics = tiles.parasitics != nil
        var squares = 0.0, count = 0
        var index = 0
        func matrix(_ w: NIRTensor) -> NIRTensor {
            // W is [out, in…] in C order: out = shape[0], in = the rest flattened.
            let out = w.shape.first ?? 0, inputs = out > 0 ? w.count / out : 0
            let s = w.values.reduce(0) { Swift.max($0, abs($1)) }
            defer { index += 1 }
            guard out > 0, inputs > 0, s > 0, s.isFinite else { return w }
            var values = [Float](repeating: 0, count: w.count)
            for o in 0..<out { for j in 0..<inputs { values[j * out + o] = Float(w.values[o * inputs + j] / s) } }
            let (conn, stats) = Chip.programConnection(
                WeightMatrix(inputs: inputs, outputs: out, values: values), index: index,
                device: device, tiles: tiles, seed: seed, chipSample: chipSample)
            report.weightNodes += 1; report.cells += stats.cells; report.pulses += stats.pulses; report.failures += stats.failures
            report.stuckCells += conn.stuck.reduce(0) { $0 + StuckCellCode.stuckCells($1) }
            // Read-path parasitics of the tiles (`tiles.parasitics`: R_s, R_n, wire; seed 003's R_s/R_n), as the
            // chip folds them into its reads: each cell's single-row-read attenuation (`Chip.parasiticAttenuation`).
            let attenuation = tiles.parasitics.map { p in
                let a = Chip.parasiticAttenuation(
                    gPlus: conn.gPlus, gMinus: conn.gMinus, inputs: conn.inputs, outputs: conn.outputs, spec: tiles, model: p)
                return (plus: a.plus, minus: a.minus)
            }
            let effective = conn.effectiveWeights(window: device.conductanceWindow, attenuation: attenuation)
            var programmed = w
            for o in 0..<out {
                for j in 0..<inputs {
                    let v = s * effective[j * out + o]
                    let e = (v - w.values[o * inputs + j]) / s
                    squares += e * e; count += 1
                    programmed.values[o * inputs + j] = v
                }
            }
            return programmed
        }
        func walk(_ g: NIRGraph) -> NIRGraph {
            var out = g
            for name in g.sortedNames {
                guard let node = g.nodes[name] else { continue }
                switch node {
                case let .affine(w, b): out.nodes[name] = .affine(weight: matrix(w), bias: b)
                case let .linear(w): out.nodes[name] = .linear(weight: matrix(w))
                case var .convolution(c): c.weight = matrix(c.weight); out.nodes[name] = .convolution(c)
                case let .graph(sub): out.nodes[name] = .graph(walk(sub))
                default: break
                }
            }
            return out
        }
        let programmed = walk(graph)
        report.relativeRMSError = count > 0 ? (squares / Double(count)).squareRoot() : 0
        return (programmed, report)
    }
}
