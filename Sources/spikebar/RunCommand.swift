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

    @Flag(help: "Replace another run's results in --out (and another recording at --record) instead of refusing.")
    var force = false

    func run() throws {
        do {
            var loaded = try overrides.load(path: scenario)
            if let timing { loaded.scenario.simulation.timing = timing }
            try overrides.apply(to: &loaded)
            if loaded.scenario.nir == nil {
                try MemoryBudgetOption.check(loaded: loaded, option: memoryBudget, threads: loaded.scenario.simulation.threads)
            } else if memoryBudget != nil {
                throw ValidationError(
                    "--memory-budget: the memory estimate covers networks of layers; an NIR scenario's run holds one graph and one inference's frames per thread"
                )
            }
            // Every output is checked before any work (issue #22): a long run is never lost to an output
            // that cannot be written, and never replaces an input or another run's results.
            let inputs = [
                scenario, loaded.inputImages, loaded.inputLabels, loaded.weightsFile, loaded.inputTrace,
                loaded.scenario.device.physics?.tableFile, loaded.nirGraph,
            ].compactMap { $0 }
            let dir = out ?? "spikebar-out/\(loaded.scenario.name)"
            let s = loaded.scenario
            let runKey = ResultFolder.key([loaded.digest, "\(s.input.samples)", "\(s.input.samplesGiven)", "\(s.seed)", s.simulation.timing.rawValue])
            let files = s.mif != nil ? ["evaluate.json", "evaluate.md"] : ["report.json", "report.md", "report.html"]
            let folder = try ResultFolder(path: dir, command: "run", runKey: runKey, files: files, inputs: inputs, force: force)
            if let record {
                try OutputPath.checkFile(record, what: "--record", inputs: inputs + files.map { (dir as NSString).appendingPathComponent($0) })
                try RunCommand.checkRecording(at: record, digest: loaded.digest, inferences: s.input.samples, force: force)
            }
            if loaded.scenario.mif != nil {
                if record != nil { throw ValidationError("--record is not supported for MIF scenarios") }
                try MIFCommands.run(loaded, out: dir, json: json, quiet: quiet)
                try folder.claim()
                return
            }
            let started = Date()
            let n: Int
            let report: RunReport
            if loaded.scenario.nir != nil {
                let sim = try nirSimulation(loaded)
                n = sim.inputs.count
                let progress = ProgressLine(total: n, label: "inferences", enabled: !quiet && !json)
                let threads = loaded.scenario.simulation.threads
                let results =
                    try record.map { try sim.record(to: $0, threads: threads) { done in progress.update(done) } }
                    ?? sim.runAll(threads: threads) { done in progress.update(done) }
                progress.finish()
                report = sim.report(results)
            } else {
                if loaded.scenario.weights.source == .generated && loaded.scenario.weights.targetRate > 0 {
                    note(
                        "calibrating the DPI gains to \(loaded.scenario.weights.targetRate) Hz hidden / \(loaded.scenario.weights.targetOutputRate) Hz output…",
                        quiet: quiet || json)
                }
                let sim = try Simulation(loaded: loaded) { layer, layers in
                    if layers > 1 { note("  calibrating layer \(layer) of \(layers)", quiet: quiet || json) }
                }
                n = sim.inputs.count
                let progress = ProgressLine(total: n, label: "inferences", enabled: !quiet && !json)
                let threads = loaded.scenario.simulation.threads
                // Inference 0's spikes are kept from its run for the report's charts (no second run).
                let (activities, firstSpikes) =
                    try record.map { (try sim.record(to: $0, threads: threads) { done in progress.update(done) }, nil) }
                    ?? sim.runAllKeepingFirstSpikes(threads: threads) { done in progress.update(done) }
                progress.finish()
                try sim.checkRunaway(activities)
                report = sim.report(activities, firstSpikes: firstSpikes)
            }
            // The readable reports first (they show what went non-finite), then the JSON, refused if a
            // quantity is inf or NaN (issue #22): report.json never carries "inf"/"nan" as results.
            try DurableFile.write(ReportRenderer.markdown(report), to: dir + "/report.md")
            let html = HTMLReport.render(
                report,
                context: .init(
                    commandLine: commandLineText(),
                    scenarioText: try? String(contentsOfFile: scenario, encoding: .utf8)))
            try DurableFile.write(html, to: dir + "/report.html")
            try folder.claim()
            try FiniteResults.check(
                report, what: "\(scenario): the run's results (\(dir)/report.md and report.html written; report.json not)",
                cause: "Usually a scenario or price-list value at the edge of its range; see Docs/scenario-reference.md, \"Physical ranges\"")
            let jsonData = try ReportRenderer.json(report)
            try DurableFile.write(jsonData, to: dir + "/report.json")
            if json {
                FileHandle.standardOutput.write(jsonData)
                print()
            } else if !quiet {
                print(
                    "\(loaded.scenario.name): \(report.populations.map { "\($0.size)" }.joined(separator: "-")) on \(report.tiles) tiles, \(report.timing), \(n) inferences of \(Units.format(seconds: report.window)), seed \(report.seed)"
                )
                print(
                    report.weightSource.hasPrefix("generated")
                        ? "weights: \(report.weightSource); DPI gains \(report.gainSource)\n" : "weights: \(report.weightSource)\n")
                print(ReportRenderer.table(report))
                print(
                    "wrote \(dir)/report.md, report.json and report.html\(record.map { " and the trace \($0)" } ?? "") (\(Units.fixed(Date().timeIntervalSince(started), significant: 3)) s)"
                )
            }
        } catch let e as SpikebarError {
            fail(e)
        } catch let e as TraceError {
            fail(e)
        }
    }
}

extension RunCommand {
    /// Refuses to record over a file that is not a trace of this run (another scenario's, another sample
    /// count's, or not a trace at all) unless `force`: `--record` replaces only its own recording.
    static func checkRecording(at path: String, digest: String, inferences: Int, force: Bool) throws {
        guard !force, FileManager.default.fileExists(atPath: path) else { return }
        guard let reader = try? TraceReader(path: path) else {
            throw SpikebarError.invalidInput(
                SourceLocation(file: path),
                "--record: the file exists and is not a trace; refusing to replace it (pass --force, or choose another path)")
        }
        let recorded = RecordedRun.decode(metadata: reader.header.metadata)
        guard reader.header.scenarioDigest == digest, recorded?.inferences.count == inferences else {
            throw SpikebarError.invalidInput(
                SourceLocation(file: path),
                "--record: the file holds another recording (\(recorded.map { "\($0.inferences.count) inferences of \($0.scenarioName)" } ?? "not a recorded run"), scenario digest \(reader.header.scenarioDigest)); refusing to replace it (pass --force, or choose another path)"
            )
        }
    }
}

extension SimulationSpec.Timing: ExpressibleByArgument {}
