import ArgumentParser
import Foundation
import SpikebarCore
import SpikebarExperiments
import SpikebarPipeline
import SpikebarReport
import SpikebarScenario
import SpikebarTrace

/// `spikebar compare A.yaml B.yaml …`: the same input through several chips, side by side.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Run the same input through several scenarios (tile sizes, levels, devices…) and compare them side by side.",
        discussion: """
            Every scenario must see the same input and seed (input source, files, window, rate, samples, \
            number of input channels); anything else — network sizes, weights, tiles, device, neurons, timing, \
            price lists — may differ, and compare.md/json/html open with the list of resolved-scenario keys that \
            differ (and recalibrated DPI gains). Otherwise the command stops with an error naming what differs. Each scenario is run like `spikebar run` (its report.md/json/html go to \
            --out/<k>-<name>/), then compare.md, compare.json and compare.html go to --out (default \
            ./spikebar-out/compare/). Ratios are to the same architecture in the first scenario. \
            Example: spikebar compare Scenarios/quickstart.yaml Scenarios/quickstart-64x64-tiles.yaml
            """)

    @Argument(help: "Two or more scenario files (YAML); the first is the reference of the ratios.")
    var scenarios: [String]

    @Option(help: "Output folder (default: ./spikebar-out/compare/).")
    var out: String?

    @OptionGroup var overrides: ScenarioOverrides

    @Flag(help: "Print compare.json to standard output instead of the table (no progress).")
    var json = false

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    /// Sub-folder of scenario `k`'s own report: `<k+1>-<name>`, the name reduced to safe file-name characters.
    static func folder(_ k: Int, _ l: LoadedScenario) -> String {
        let safe = String(l.scenario.name.map { $0.isLetter || $0.isNumber || "-_.".contains($0) ? $0 : "_" })
        return "\(k + 1)-\(safe.isEmpty ? "scenario" : safe)"
    }

    func run() throws {
        do {
            var loaded: [LoadedScenario] = []
            for path in scenarios {
                var l = try overrides.load(path: path)
                try l.scenario.requireNeuronModel([.lifDPI, .nir], for: "spikebar compare")
                try overrides.apply(to: &l)
                loaded.append(l)
            }
            // NIR scenarios are programmed first: their input population is the graph's Input.
            var nirSims: [Int: NIRSimulation] = [:]
            for (k, l) in loaded.enumerated() where l.scenario.nir != nil { nirSims[k] = try nirSimulation(l) }
            try Comparison.checkCompatible(loaded, inputChannels: loaded.indices.map { nirSims[$0]?.program.inputCount })
            try OutputPath.checkFolder(out ?? "spikebar-out/compare", what: "--out")  // before any work (issue #22)
            let started = Date()
            let dir = out ?? "spikebar-out/compare"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let total = loaded.reduce(0) { $0 + $1.scenario.input.samples }
            let progress = ProgressLine(total: total, label: "inferences", enabled: !quiet && !json)
            var reports: [RunReport] = []
            var done = 0
            for (k, l) in loaded.enumerated() {
                note("[\(k + 1)/\(loaded.count)] \(l.scenario.name): programming the chip…", quiet: quiet || json)
                let base = done
                let report: RunReport
                if let sim = nirSims[k] {
                    let results = try sim.runAll(threads: l.scenario.simulation.threads) { d in progress.update(base + d) }
                    done += sim.inputs.count
                    report = sim.report(results)
                } else {
                    let sim = try Simulation(loaded: l)
                    let (activities, firstSpikes) = sim.runAllKeepingFirstSpikes(threads: l.scenario.simulation.threads) { d in
                        progress.update(base + d)
                    }
                    done += sim.inputs.count
                    report = sim.report(activities, firstSpikes: firstSpikes)
                }
                let sub = "\(dir)/\(CompareCommand.folder(k, l))"
                try FileManager.default.createDirectory(atPath: sub, withIntermediateDirectories: true)
                try DurableFile.write(ReportRenderer.json(report), to: sub + "/report.json")
                try DurableFile.write(ReportRenderer.markdown(report), to: sub + "/report.md")
                let html = HTMLReport.render(
                    report,
                    context: .init(
                        commandLine: commandLineText(),
                        scenarioText: try? String(contentsOfFile: l.path, encoding: .utf8)))
                try DurableFile.write(html, to: sub + "/report.html")
                reports.append(report)
            }
            progress.finish()
            var cmp = CompareReport(reports: reports, chips: loaded.map { Comparison.chipSettings($0.scenario) })
            cmp.differences = Comparison.differences(loaded, reports: reports)
            let data = try CompareRenderer.json(cmp)
            try DurableFile.write(data, to: dir + "/compare.json")
            try DurableFile.write(CompareRenderer.markdown(cmp), to: dir + "/compare.md")
            try DurableFile.write(
                CompareRenderer.html(
                    cmp, commandLine: commandLineText(), reports: loaded.enumerated().map { "\(CompareCommand.folder($0, $1))/report.html" }),
                to: dir + "/compare.html")
            if json {
                FileHandle.standardOutput.write(data)
                print()
            } else if !quiet {
                print("what differs:")
                print(CompareRenderer.differencesText(cmp))
                print(CompareRenderer.table(cmp))
                print(
                    "wrote \(dir)/compare.md, compare.json and compare.html, and each scenario's report in \(dir)/<k>-<name>/ (\(Units.fixed(Date().timeIntervalSince(started), significant: 3)) s)"
                )
            }
        } catch let e as SpikebarError {
            fail(e)
        } catch let e as TraceError {
            fail(e)
        }
    }
}
