import ArgumentParser
import Foundation
import SpikebarCore
import SpikebarKernel
import SpikebarPipeline
import SpikebarReport
import SpikebarScenario
import SpikebarTrace

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a scenario and compare the architectures per inference.",
        discussion: """
        Programs the chip, runs every inference through the event kernel, prices the activity on each \
        architecture and prints a side-by-side table. Writes report.md, report.json and report.html (charts: \
        energy and latency by component, decision times, spike raster, rates over time, row concurrency per \
        tile, column currents; Docs/getting-started.md) to --out (default ./spikebar-out/<scenario>/). With --record FILE.sbt it also writes every spike of every \
        inference (input and every layer) to a compressed trace that `spikebar trace replay` checks \
        bit for bit (Docs/trace-format.md, "Recorded runs").
        """)

    @Argument(help: "Scenario file (YAML), e.g. Scenarios/quickstart.yaml.")
    var scenario: String

    @Option(help: "Output folder (default: ./spikebar-out/<scenario name>/).")
    var out: String?

    @Option(help: "Override the scenario's timing: exact or grid.")
    var timing: SimulationSpec.Timing?

    @OptionGroup var overrides: ScenarioOverrides

    @Option(help: "Record the input spikes and every layer's spikes of every inference to this .sbt trace.")
    var record: String?

    @Option(help: MemoryBudgetOption.help)
    var memoryBudget: String?

    @Flag(help: "Print report.json to standard output instead of the table (no progress).")
    var json = false

    @Flag(help: "Print nothing but errors (no progress, no table).")
    var quiet = false

    func run() throws {
        do {
            var loaded = try ScenarioLoader.load(path: scenario)
            if let timing { loaded.scenario.simulation.timing = timing }
            try overrides.apply(to: &loaded)
            try MemoryBudgetOption.check(loaded: loaded, option: memoryBudget, threads: loaded.scenario.simulation.threads)
            if loaded.scenario.mif != nil {
                if record != nil { throw ValidationError("--record is not supported for MIF scenarios") }
                try MIFCommands.run(loaded, out: out, json: json, quiet: quiet)
                return
            }
            let started = Date()
            if loaded.scenario.weights.source == .generated && loaded.scenario.weights.targetRate > 0 {
                note("calibrating the DPI gains to \(loaded.scenario.weights.targetRate) Hz hidden / \(loaded.scenario.weights.targetOutputRate) Hz output…", quiet: quiet || json)
            }
            let sim = try Simulation(loaded: loaded)
            let n = sim.inputs.count
            let progress = ProgressLine(total: n, label: "inferences", enabled: !quiet && !json)
            let threads = loaded.scenario.simulation.threads
            if let record {
                // The trace may go to a folder that does not exist yet (like --out).
                let parent = (record as NSString).deletingLastPathComponent
                if !parent.isEmpty { try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true) }
            }
            let activities = try record.map { try sim.record(to: $0, threads: threads) { done in progress.update(done) } }
                ?? sim.runAll(threads: threads) { done in progress.update(done) }
            progress.finish()
            let report = sim.report(activities)
            let dir = out ?? "spikebar-out/\(loaded.scenario.name)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let jsonData = try ReportRenderer.json(report)
            try jsonData.write(to: URL(fileURLWithPath: dir + "/report.json"), options: .atomic)
            try Data(ReportRenderer.markdown(report).utf8).write(to: URL(fileURLWithPath: dir + "/report.md"), options: .atomic)
            let html = HTMLReport.render(report, context: .init(commandLine: commandLineText(),
                                                                scenarioText: try? String(contentsOfFile: scenario, encoding: .utf8)))
            try Data(html.utf8).write(to: URL(fileURLWithPath: dir + "/report.html"), options: .atomic)
            if json {
                FileHandle.standardOutput.write(jsonData)
                print()
            } else if !quiet {
                print("\(loaded.scenario.name): \(report.populations.map { "\($0.size)" }.joined(separator: "-")) on \(report.tiles) tiles, \(report.timing), \(n) inferences of \(Units.format(seconds: report.window)), seed \(report.seed)")
                print(report.weightSource.hasPrefix("generated") ? "weights: \(report.weightSource); DPI gains \(report.gainSource)\n" : "weights: \(report.weightSource)\n")
                print(ReportRenderer.table(report))
                print("wrote \(dir)/report.md, report.json and report.html\(record.map { " and the trace \($0)" } ?? "") (\(Units.fixed(Date().timeIntervalSince(started), significant: 3)) s)")
            }
        } catch let e as SpikebarError {
            fail(e)
        } catch let e as TraceError {
            fail(e)
        }
    }
}

extension SimulationSpec.Timing: ExpressibleByArgument {}
