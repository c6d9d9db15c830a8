import ArgumentParser
import Foundation
import SpikebarChip
import SpikebarCore
import SpikebarNIR
import SpikebarNIRMapping

/// `spikebar nir price FILE --mapping unrolled|kernel-stationary`: energy, latency and area per inference.
struct NIRPriceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "price",
        abstract: "Energy, latency and area per inference of an NIR graph's run on N-MNIST, on every architecture, for a convolution mapping.",
        discussion: """
            Runs the graph (ideal weights, 1 ms frames, as `nir evaluate`) on the first --limit test recordings, turns \
            each run into the architecture-agnostic activity under --mapping (unrolled: a spike reads its pixel's row of \
            the full convolution matrix; kernel-stationary: the C_in·k·k × C_out kernel on tiles, a spike reads up to \
            k² rows) and prices it with every cost model at their default price lists (RRAMDevice.default: 10–100 µS, \
            0.1 V, 100 ns reads). Docs/nir.md.
            """)

    @Argument(help: "The .nir file (its Input must be 2×34×34).") var file: String
    @Option(help: "Convolution mapping: unrolled or kernel-stationary.") var mapping: String = ConvolutionMapping.unrolled.rawValue
    @Option(help: "Data folder holding nmnist-subset/ (default: $SPIKEBAR_DATA, else ../shared/data).") var data: String?
    @Option(help: "Price the first N recordings of the label list (means per inference).") var limit: Int = 10
    @Option(help: "Label list in nmnist-subset/.") var labels: String = "test100.txt"
    @Option(help: "Frame width, s (grid mode; in exact mode the step of the time-stepped architectures).") var bin: Double = 1e-3
    @Flag(
        help:
            "Exact (event-driven) mode: one step per distinct event time for graphs without time constants, delays or biases; continuous time for dense graphs of LIF, CubaLIF and IF neurons with leak or bias; others refused."
    ) var exact = false
    @Option(help: "Tile rows (default 128; with --device, the scenario's).") var tileRows: Int?
    @Option(help: "Tile columns, two per neuron: differential pairs (default 128; with --device, the scenario's).") var tileCols: Int?
    @OptionGroup var runArguments: NIRRunArguments
    @OptionGroup var deviceArguments: NIRDeviceArguments
    @Option(help: "Worker threads (0 = all cores). Results do not depend on it.") var threads: Int = 0
    @Flag(help: "Print the result as JSON.") var json = false
    @Flag(help: "Print nothing but errors and the result.") var quiet = false

    func run() throws {
        guard let m = ConvolutionMapping(rawValue: mapping) else {
            throw ValidationError("--mapping must be one of \(ConvolutionMapping.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard limit >= 1 else { throw ValidationError("--limit must be ≥ 1") }
        guard bin > 0, bin.isFinite else { throw ValidationError("--bin must be > 0") }
        guard (tileRows ?? 1) >= 1, (tileCols ?? 2) >= 2 else { throw ValidationError("--tile-rows must be ≥ 1 and --tile-cols ≥ 2") }
        do {
            let read = try readNIRGraphIsolated(path: file)
            let options = try runArguments.options(for: read)
            let placed = try deviceArguments.apply(to: read)
            if placed.tiles != nil, tileRows != nil || tileCols != nil {
                throw ValidationError("--tile-rows/--tile-cols and --device both give the tiles: the scenario's tiles section is used with --device")
            }
            let geometry = placed.tiles ?? TileSpec(rows: tileRows ?? 128, cols: tileCols ?? 128, mapping: .columns)
            let program = try NIRProgram(graph: placed.graph, options: options, file: file)
            let progress = ProgressLine(total: limit, label: "recordings", enabled: !quiet && !json)
            var s = try NIRPricing.priceRecordings(
                program: program, dataDirectory: nirDataDirectory(data),
                options: .init(run: options, bin: bin, limit: limit, labelFile: labels, threads: threads, exact: exact),
                mapping: m, tiles: geometry, device: placed.device, prices: placed.prices,
                progress: { progress.update($0) })
            s.device = placed.report
            progress.finish()
            if json { try printJSON(s); return }
            print(
                "\(file), \(m.rawValue) mapping, \(s.mode) mode: \(s.recordings) recordings (\(s.correct) correct), \(s.tiles) tiles of \(geometry.rows)×\(geometry.cols) \(geometry.mapping.rawValue) (\(s.cells) cells)"
            )
            if let d = s.device, let path = deviceArguments.device {
                print(
                    "weights programmed on the device of \(path) (its tiles and price lists), chip sample \(d.chipSample): \(d.cells) cells, \(d.stuckCells) stuck, RMS weight error \(Units.fixed(100 * d.relativeRMSError, significant: 3)) % of each node's largest weight\(d.parasitics ? "; read-path parasitics folded in as single-row reads (rows read together: not modelled)" : "")"
                )
            }
            print(
                "per inference: \(Units.fixed(s.steps, significant: 4)) steps, \(Units.fixed(s.spikes, significant: 4)) spikes (input included), \(Units.fixed(s.rowReads, significant: 4)) row reads, \(Units.fixed(s.cellReads, significant: 4)) cell reads, \(Units.fixed(s.synapticEvents, significant: 4)) synaptic events"
            )
            func pad(_ x: String, _ n: Int) -> String { x.count >= n ? x : x + String(repeating: " ", count: n - x.count) }
            for line in s.assumptions { print("  - " + line) }
            if s.device == nil { print("  - Weights: the graph's own, exactly (ideal device; --device SCENARIO programs them on a real one).") }
            print(pad("architecture", 14) + pad("energy", 14) + pad("latency", 14) + pad("compute lat.", 14) + "area")
            for a in s.architectures {
                print(
                    pad(a.architecture, 14) + pad(Units.format(a.energy, "J"), 14) + pad(Units.format(a.latency, "s"), 14)
                        + pad(Units.format(a.computeLatency, "s"), 14) + Units.format(area: a.area)
                        + (a.feasible ? "" : "  (INFEASIBLE as priced: note below)"))
            }
            // The cost models' notes under the table, as in `spikebar run`'s report.
            for a in s.architectures { for note in a.notes { print("  \(a.architecture): \(note)") } }
        } catch let e as NIRError {
            fail(
                SpikebarError.invalidInput(
                    SourceLocation(file: e.file, keyPath: [e.node, e.key].filter { !$0.isEmpty }.joined(separator: ": ")), e.reason))
        }
    }
}
