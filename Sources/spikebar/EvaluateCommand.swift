import ArgumentParser
import Foundation
import SpikebarChip
import SpikebarCore
import SpikebarExperiments
import SpikebarPipeline
import SpikebarReport
import SpikebarScenario

struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Test accuracy of trained weights: float twin, quantised twin, programmed chip (grid, exact); replay contract; cost.",
        discussion: """
            Loads the weights (default: <out>/weights.json of `spikebar train`), programs chip sample 0 (levels, \
            programming error and stuck cells drawn from the seed) and runs the scenario's test samples through \
            the twin and the event kernel. Prints the accuracy table, the grid-vs-twin replay agreement (identical \
            output spikes, same class; read noise off) and energy / latency per inference from the cost models. \
            Writes evaluate.md, evaluate.json and evaluate.html (charts) to --out (default ./spikebar-out/<scenario>/).
            """)

    @Argument(help: "Scenario file with a training: section.") var scenario: String
    @Option(help: "Weights file (default: ./spikebar-out/<scenario>/weights.json).") var weights: String?
    @Option(help: "Evaluate only the first N test samples.") var samples: Int?
    @Option(help: "Override the scenario's seed (initial weights, chip sample draws, read noise; a Randman task keeps training.randman.seed).")
    var seed: UInt64?
    @Flag(help: "Skip the exact-mode kernel run (faster; no exact accuracy, costs from grid mode).") var noExact = false
    @Option(help: "Worker threads (0 = all cores). Results do not depend on it.") var threads: Int?
    @Option(help: "Fraction of stuck cells on the programmed chips (default: training.calibration.stuck_fraction).") var stuckFraction: Double?
    @Option(help: "Also program N chip samples and report the fraction of test points right on ≥ 95 % of them.") var chips: Int?
    @Option(help: "Output folder for evaluate.md/.json/.html (default: ./spikebar-out/<scenario name>/).") var out: String?
    @Option(
        name: .customLong("set"),
        help: "key.path=value: set one scenario key before decoding (repeatable), e.g. --set network.nir=trained.nir.")
    var sets: [String] = []
    @Flag(
        help:
            "Continue a killed evaluation from <out>/evaluate.partial.jsonl (a LIF network: the kernel runs, in blocks of test samples; an NIR scenario: its rows and chips) and, with --chips, <out>/chips.partial.jsonl: only what the logs lack runs; refused if a log is of another run."
    )
    var resume = false
    @Option(
        help:
            "With --chips: program only chips c with c mod N = k (k/N, 0-based) into <out>/chips.shard-k-of-N.jsonl, nothing else; an evaluate --chips M --resume in a folder holding the shard logs takes their chips."
    )
    var shard: String?
    @Flag(help: "Print the evaluation as JSON.") var json = false
    @Flag(help: "Print nothing but errors.") var quiet = false

    func run() throws {
        do {
            let settings = try sets.map { try ScenarioSetting(parsing: $0) }
            if let chips { try CLIConventions.checkChips(chips) }  // before any work
            var loaded = try ScenarioLoader.load(path: scenario, settings: settings, requireWeightsFile: false)
            if let seed { loaded.scenario.seed = seed }
            // Refused before any work: only the chip Monte-Carlo of a LIF network is logged.
            let slice = try shard.map { try SweepShard(parsing: $0) }
            if slice != nil {
                guard chips != nil else { throw ValidationError("--shard splits a --chips run; give --chips N") }
                guard loaded.scenario.mif == nil, loaded.scenario.nir == nil else {
                    throw ValidationError("--shard: only the chip Monte-Carlo of a LIF network splits into shards; run without it")
                }
            }
            if resume, loaded.scenario.mif != nil {
                throw ValidationError("--resume: the evaluation of a MIF network keeps no results log; run without it")
            }
            if loaded.scenario.mif != nil {
                if let samples { guard samples >= 1 else { throw ValidationError("--samples must be ≥ 1") } }
                try MIFCommands.evaluate(loaded, weights: weights, samples: samples, threads: threads, out: out, json: json, quiet: quiet)
                return
            }
            if loaded.scenario.nir != nil {
                try evaluateNIR(loaded)
                return
            }
            let path = weights ?? loaded.weightsFile ?? "spikebar-out/\(loaded.scenario.name)/weights.json"
            if weights != nil {
                loaded.scenario.tunedTimeConstants = try TunedTimeConstants.read(weightsFile: path, network: loaded.scenario.network)
            }
            let setup = try TrainingSetup(loaded: loaded)
            let w = try loaded.scenario.loadWeights(path: path)
            try OutputPath.checkFolder(out ?? "spikebar-out/\(loaded.scenario.name)", what: "--out")  // before any work (issue #22)
            if let samples { guard samples >= 1 else { throw ValidationError("--samples must be ≥ 1") } }
            if let stuckFraction { guard (0...0.5).contains(stuckFraction) else { throw ValidationError("--stuck-fraction must be in 0 … 0.5") } }
            let show = !quiet && !json
            let dir = out ?? "spikebar-out/\(loaded.scenario.name)"
            let workers = threads ?? loaded.scenario.simulation.threads
            if let slice, let chips {
                // One slice of the chip Monte-Carlo, nothing else: its log is what the combining run reads.
                try CLIConventions.checkChips(chips)
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                let log = ChipTransfers.Log.inFolder(
                    dir, stem: "chips", shard: slice, resume: resume, scenarioDigest: loaded.digest, what: "evaluate --chips")
                let logPath = log.path
                let p = ProgressLine(total: (0..<chips).filter { slice.contains($0) }.count, label: "chips", enabled: show)
                let experiment = ChipMonteCarlo.experiment(
                    setup: setup, weights: w.weights, gains: w.gains, samples: samples, stuckFraction: stuckFraction)
                let units = try experiment.run(
                    chips: chips,
                    log: log,
                    threads: workers, progress: { d, _ in p.update(d) })
                p.finish()
                if show {
                    print("shard \(slice): \(units.count) of \(chips) chips in \(logPath)")
                    print(
                        "next, when every shard is done: copy the shard logs into one folder and run spikebar evaluate \(scenario) --chips \(chips) --resume --out FOLDER (it programs only the chips no log holds)"
                    )
                }
                return
            }
            let n = min(samples ?? setup.testLabels.count, setup.testLabels.count)
            let progress = ProgressLine(total: n, label: "test samples", enabled: show)
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let r = try TwinEvaluation.run(
                setup: setup, weights: w.weights, gains: w.gains, weightsName: path, samples: samples,
                exact: !noExact, threads: threads ?? loaded.scenario.simulation.threads, stuckFraction: stuckFraction,
                // One line per block of test samples, fsync'd: --resume runs only the blocks the log lacks.
                log: .inFolder(dir, resume: resume, scenarioDigest: loaded.digest),
                progress: { done, _ in progress.update(done) })
            progress.finish()
            var mc: ChipMonteCarlo?
            if let chips {
                try CLIConventions.checkChips(chips)
                let p = ProgressLine(total: chips, label: "chips", enabled: show)
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                mc = try ChipMonteCarlo.run(
                    setup: setup, weights: w.weights, gains: w.gains, chips: chips, samples: samples,
                    threads: workers, stuckFraction: stuckFraction,
                    // One line per chip, fsync'd: --resume programs only the chips no log in the folder holds.
                    log: .inFolder(dir, stem: "chips", shard: nil, resume: resume, scenarioDigest: loaded.digest, what: "evaluate --chips"),
                    progress: { d, _ in p.update(d) })
                p.finish()
            }
            struct Output: Encodable { var evaluation: TwinEvaluation; var monteCarlo: ChipMonteCarlo? }
            let enc = JSONEncoder.spikebar(pretty: true)
            enc.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
            let jsonData = try enc.encode(Output(evaluation: r, monteCarlo: mc))
            do {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                try DurableFile.write(jsonData, to: dir + "/evaluate.json")
                try DurableFile.write(EvaluationReport.markdown(r, monteCarlo: mc), to: dir + "/evaluate.md")
                let html = EvaluationReport.html(
                    r, monteCarlo: mc, commandLine: commandLineText(),
                    scenarioText: try? String(contentsOfFile: scenario, encoding: .utf8),
                    scenarioFile: loaded.path, digest: loaded.digest)
                try DurableFile.write(html, to: dir + "/evaluate.html")
            } catch {
                throw SpikebarError.invalidInput(SourceLocation(file: dir), "cannot write the evaluation files: \(error.localizedDescription)")
            }
            if json {
                FileHandle.standardOutput.write(jsonData); print()
                return
            }
            if quiet { return }
            print("\(r.scenario): \(r.samples) test samples, weights \(r.weights), chip sample \(r.chipSample)\n")
            print("| model | test accuracy | note |")
            print("|---|---:|---|")
            for a in r.accuracies { print("| \(a.name) | \(Units.fixed(100 * a.accuracy, significant: 4)) % | \(a.note) |") }
            print(
                "\nreplay contract (kernel grid vs twin, same programmed chip, read noise off): \(Units.fixed(100 * r.replay.identicalOutputSpikes, significant: 5)) % of \(r.replay.outputSpikes) output spikes identical (≥ 99.5 % required), same class on \(Units.fixed(100 * r.replay.sameClass, significant: 5)) % of samples (≥ 99.9 %)"
            )
            print("\nper inference (\(noExact ? "grid" : "exact")-mode activity):")
            for c in r.costs {
                print(
                    "  \(c.architecture.padding(toLength: 9, withPad: " ", startingAt: 0)) energy \(Units.format(c.meanEnergy, "J")), latency \(Units.format(c.meanLatency, "s"))"
                )
            }
            if let mc {
                print(
                    "\nover \(mc.chips) programmed chips (programming error, stuck cells, time constants drawn per chip): mean accuracy \(Units.fixed(100 * mc.meanAccuracy, significant: 4)) %, worst \(Units.fixed(100 * mc.worstAccuracy, significant: 4)) %; \(Units.fixed(100 * mc.robustFraction, significant: 4)) % of test points right on ≥ 95 % of the chips"
                )
            }
            print("wrote \(dir)/evaluate.md, evaluate.json and evaluate.html (\(Units.fixed(r.seconds, significant: 3)) s)")
        } catch let e as SpikebarError {
            fail(e)
        }
    }
}

extension EvaluateCommand {
    /// `evaluate` on an NIR scenario (`NIRScenarioEvaluation`): the graph's weights, then as programmed;
    /// grid and (for graphs without leak or delay) exact timing; `--chips` over chip samples.
    func evaluateNIR(_ given: LoadedScenario) throws {
        // Refused before any work: what only a trained network of layers has.
        if weights != nil { throw ValidationError("--weights: an NIR scenario's weights are the graph's (network.nir)") }
        if stuckFraction != nil { throw ValidationError("--stuck-fraction: an NIR scenario's stuck cells are device.faults") }
        var loaded = given
        if let samples {
            guard samples >= 1 else { throw ValidationError("--samples must be ≥ 1") }
            loaded.scenario.input.samples = samples
        }
        if let chips { try CLIConventions.checkChips(chips) }
        if chips != nil, loaded.scenario.device.ideal { throw ValidationError("--chips: an ideal device (device.ideal: true) has one chip") }
        let dir = out ?? "spikebar-out/\(loaded.scenario.name)"
        try OutputPath.checkFolder(dir, what: "--out")  // before any work (issue #22)
        let show = !quiet && !json
        var line: ProgressLine?
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let r = try NIRScenarioEvaluation.run(
            loaded: loaded, exact: !noExact, chips: chips, threads: threads ?? loaded.scenario.simulation.threads,
            // One line per row and per chip, fsync'd: --resume runs only what the log lacks.
            log: .inFolder(dir, stem: "evaluate", shard: nil, resume: resume),
            makeSimulation: { try nirSimulation($0, chipSample: $1) },
            phase: { what, total in
                line?.finish()
                let p = ProgressLine(total: total, label: what, enabled: show)
                line = p
                return { p.update($0) }
            })
        line?.finish()
        let enc = JSONEncoder.spikebar(pretty: true)
        let jsonData = try enc.encode(r)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try DurableFile.write(jsonData, to: dir + "/evaluate.json")
        try DurableFile.write(r.markdown, to: dir + "/evaluate.md")
        if json {
            FileHandle.standardOutput.write(jsonData); print()
        } else if !quiet {
            print(r.markdown)
            print("wrote \(dir)/evaluate.md and evaluate.json (\(Units.fixed(r.seconds, significant: 3)) s)")
        }
    }
}
