import ArgumentParser
import Foundation
import SpikebarCore
import SpikebarNIR
import SpikebarNIRMapping

/// `spikebar nir evaluate FILE`: accuracy of an NIR graph on the N-MNIST test recordings.
struct NIREvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Accuracy of an NIR graph (ideal weights, time-stepped reference) on labelled N-MNIST test recordings, 1 ms frames.",
        discussion: """
            Frames of event counts per --bin (1 ms), (polarity, y, x) with OFF as channel 0, 34×34; class = the \
            output with the most spikes. Data: <data>/nmnist-subset/test100.txt and <id>.bin, <data> = --data, \
            else $SPIKEBAR_DATA, else ../shared/data. Docs/nir.md.
            """)

    @Argument(help: "The .nir file (its Input must be 2×34×34).") var file: String
    @Option(help: "Data folder holding nmnist-subset/ (default: $SPIKEBAR_DATA, else ../shared/data).") var data: String?
    @Option(help: "Evaluate only the first N recordings of the label list.") var limit: Int = 100
    @Option(help: "Label list in nmnist-subset/.") var labels: String = "test100.txt"
    @Option(help: "Frame width, s.") var bin: Double = 1e-3
    @Flag(
        help:
            "Exact (event-driven) mode: one step per distinct event time (µs) instead of 1 ms frames for graphs without time constants, delays or biases; continuous time for dense graphs of LIF, CubaLIF and IF neurons with leak or bias; others refused."
    ) var exact = false
    @OptionGroup var runArguments: NIRRunArguments
    @OptionGroup var deviceArguments: NIRDeviceArguments
    @Option(help: "Worker threads (0 = all cores). Results do not depend on it.") var threads: Int = 0
    @Flag(help: "Print the result as JSON.") var json = false
    @Flag(help: "Print nothing but errors and the result.") var quiet = false

    func run() throws {
        guard limit >= 1 else { throw ValidationError("--limit must be ≥ 1") }
        guard bin > 0, bin.isFinite else { throw ValidationError("--bin must be > 0") }
        do {
            let read = try readNIRGraphIsolated(path: file)
            let options = try runArguments.options(for: read)
            let placed = try deviceArguments.apply(to: read)
            let program = try NIRProgram(graph: placed.graph, options: options, file: file)
            let progress = ProgressLine(total: limit, label: "recordings", enabled: !quiet && !json)
            let start = Date()
            var r = try NIREvaluation.evaluate(
                program: program, dataDirectory: nirDataDirectory(data),
                options: .init(run: options, bin: bin, limit: limit, labelFile: labels, threads: threads, exact: exact),
                progress: { progress.update($0) })
            progress.finish()
            r.device = placed.report
            if json { try printJSON(r); return }
            let wall = Date().timeIntervalSince(start)
            print(
                "\(file): \(r.correct)/\(r.recordings) correct = \(Units.fixed(r.accuracy * 100, significant: 4)) % "
                    + "(dt \(options.dt), \(options.discretisation.rawValue), reset \(options.reset.rawValue), spike when v \(options.comparison.rawValue) v_th, \(exact ? "exact mode: one step per event time" : "\(Units.fixed(bin * 1e3, significant: 3)) ms frames"); \(Units.fixed(wall, significant: 3)) s)"
            )
            if let d = r.device, let path = deviceArguments.device {
                print(
                    "weights programmed on the device of \(path), chip sample \(d.chipSample): \(d.weightNodes) weight nodes, \(d.cells) cells, \(d.stuckCells) stuck, RMS weight error \(Units.fixed(100 * d.relativeRMSError, significant: 3)) % of each node's largest weight (no read noise)\(d.parasitics ? "; read-path parasitics folded in as single-row reads (rows read together: not modelled)" : "")"
                )
            }
            let silent = r.samples.filter { $0.predicted == nil }.count
            if silent > 0 { print("\(silent) recordings left the output silent (counted wrong)") }
        } catch let e as NIRError {
            fail(
                SpikebarError.invalidInput(
                    SourceLocation(file: e.file, keyPath: [e.node, e.key].filter { !$0.isEmpty }.joined(separator: ": ")), e.reason))
        }
    }
}
