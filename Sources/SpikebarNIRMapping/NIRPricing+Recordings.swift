import Foundation
import SpikebarActivity
import SpikebarChip
import SpikebarCore
import SpikebarCost
import SpikebarData
import SpikebarDevices
import SpikebarNIR

extension NIRPricing {
    /// Mean price per inference over N-MNIST recordings, per architecture.
    public struct Summary: Codable, Sendable, Equatable {
        public struct Architecture: Codable, Sendable, Equatable {
            public var architecture: String
            /// Mean energy per inference (J).
            public var energy: Joules
            /// Mean latency per inference (s), streaming and compute bases.
            public var latency: Seconds, computeLatency: Seconds
            /// Area (m²) of the mapping (the same for every recording).
            public var area: SquareMetres
            /// False when any recording's mapping was infeasible on this architecture as priced.
            public var feasible: Bool
            /// The cost model's notes that hold for every recording (why a mapping is infeasible, unverified
            /// prices, the node…; notes quoting one recording's own figures are left out of the mean): the
            /// caveats travel with the numbers.
            public var notes: [String]
        }
        public var file: String
        public var mapping: String
        /// `grid` (1 ms frames) or `exact` (one step per event time).
        public var mode: String
        public var recordings: Int
        public var correct: Int
        public var tiles: Int
        /// Cells of every built tile (rows × cols).
        public var cells: Int
        /// Means per inference.
        public var rowReads: Double, cellReads: Double, synapticEvents: Double, spikes: Double, steps: Double
        /// Mean spikes per inference of each population (Input first).
        public var layerSpikes: [String: Double]
        public var architectures: [Architecture]
        /// The device the weights were programmed on (`--device`); nil: the graph's weights exactly.
        public var device: NIRDeviceProgramming.Report? = nil
        /// What the figures assume, shown with them (console and JSON), as `report.json`'s `assumptions`.
        public var assumptions: [String] = []
    }

    /// Prices the first `options.limit` recordings of `<data>/nmnist-subset/<labelFile>` (1 ms frames, as
    /// `NIREvaluation`) under `mapping`; recordings run in parallel, results independent of the thread count.
    public static func priceRecordings(
        program: NIRProgram, dataDirectory: String, options: NIREvaluation.Options,
        mapping: ConvolutionMapping, tiles: TileSpec = .default,
        device: RRAMDevice = .default, prices: PriceLists = .default,
        progress: (@Sendable (Int) -> Void)? = nil
    ) throws -> Summary {
        let channels = NIREvaluation.frameShape.reduce(1, *)
        guard program.inputCount == channels else {
            throw NIRError(
                file: program.file, node: program.nodes[program.inputIndex].name,
                "the Input takes \(program.inputCount) values; pricing runs N-MNIST frames of [2, 34, 34] = \(channels)")
        }
        if options.exact, let refusal = NIREvaluation.exactModeRefusal(program) { throw refusal }
        let data = try NMNISTSubset.load(directory: dataDirectory, labelFile: options.labelFile, limit: options.limit)
        let results = ParallelMap.map(count: data.spikes.count, threads: options.threads, progress: progress) { k -> Swift.Result<Result, Error> in
            Swift.Result {
                options.exact
                    ? try price(
                        program: program, events: data.spikes[k], bin: options.bin, mapping: mapping, tiles: tiles, device: device, prices: prices)
                    : try price(
                        program: program, frames: NIREvaluation.frames(data.spikes[k], bin: options.bin, channels: channels),
                        bin: options.bin, mapping: mapping, tiles: tiles, device: device, prices: prices)
            }
        }
        let priced = try results.map { try $0.get() }
        let n = Double(max(priced.count, 1))
        func mean(_ f: (Result) -> Double) -> Double { priced.reduce(0.0) { $0 + f($1) } / n }
        let first = priced.first
        var layerSpikes: [String: Double] = [:]
        for (i, layer) in (first?.activity.layers ?? []).enumerated() { layerSpikes[layer.name] = mean { Double($0.activity.layers[i].spikes) } }
        let archs = (first?.estimates ?? []).indices.map { i in
            Summary.Architecture(
                architecture: priced[0].estimates[i].architecture,
                energy: mean { $0.estimates[i].totalEnergy }, latency: mean { $0.estimates[i].totalLatency },
                computeLatency: mean { $0.estimates[i].totalComputeLatency },
                area: priced[0].estimates[i].totalArea, feasible: priced.allSatisfy { $0.estimates[i].feasible },
                notes: priced[0].estimates[i].notes.filter { note in priced.allSatisfy { $0.estimates[i].notes.contains(note) } })
        }
        let correct = zip(priced, data.labels).filter { $0.0.run.predictedClass == $0.1 }.count
        return Summary(
            file: program.file, mapping: mapping.rawValue, mode: options.exact ? "exact" : "grid", recordings: priced.count, correct: correct,
            tiles: first?.activity.tiles.count ?? 0, cells: first?.activity.tiles.reduce(0) { $0 + $1.rows * $1.cols } ?? 0,
            rowReads: mean { Double($0.activity.totalRowReads) }, cellReads: mean { Double($0.activity.totalCellReads) },
            synapticEvents: mean { Double($0.activity.totalSynapticEvents) },
            spikes: mean { Double($0.activity.totalSpikes) }, steps: mean { Double($0.activity.steps) },
            layerSpikes: layerSpikes, architectures: archs,
            assumptions: assumptions(mapping: mapping, prices: prices, exact: options.exact))
    }

    /// The assumption lines of a NIR pricing run.
    static func assumptions(mapping: ConvolutionMapping, prices: PriceLists, exact: Bool) -> [String] {
        var out = [
            "Activity from the NIR reference program (\(exact ? "one step per event time" : "1 ms frames")), priced per inference; latency on two bases (streaming: input in real time; compute: input buffered).",
            "Convolutions \(mapping == .unrolled ? "unrolled: every output position's weights stored (cells and area counted), one row read per input spike" : "kernel-stationary: the C_in·k·k × C_out kernel stored once, an input spike reads up to k² rows"); pooling and flatten are address remapping (no array read).",
            prices.overheads
                ? "Idle, bias, leakage and supply energies priced on every architecture (defaults are assumptions A, Docs/cost-models.md)."
                : "Idle, bias, leakage and supply energies NOT priced (architectures.overheads: false).",
        ]
        if let n = prices.sameNode {
            out.append(
                "CMOS logic of every architecture scaled to \(n.node) at \(n.vdd) V (architectures.same_node, Stillmaker & Baas 2017, confidence M).")
        } else {
            out.append("Technology nodes NOT equalised (RRAM 130 nm, DYNAP 180 nm, ADC/DAC 32 nm, Loihi 14 nm).")
        }
        return out
    }
}
