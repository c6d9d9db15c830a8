import ArgumentParser
import Foundation
import SpikebarChip
import SpikebarCore
import SpikebarNIR
import SpikebarDevices
import SpikebarExperiments
import SpikebarPipeline
import SpikebarScenario

/// `spikebar sweep`: runs a sweep (default subcommand `run`, so `spikebar sweep SCENARIO …` works) or
/// merges the shards of one (`spikebar sweep merge DIR…`). Docs/scaling.md, Docs/design-space.md.
struct SweepGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract:
            "Design-space sweep: accuracy, energy, latency, area, power and EDP of the programmed chip against any scenario keys (run, or merge shards).",
        discussion:
            "spikebar sweep SCENARIO --set key.path=v1,v2… runs a sweep (the `run` subcommand); spikebar sweep merge DIR… combines shards. Docs/design-space.md, Docs/scaling.md.",
        subcommands: [SweepCommand.self, SweepMergeCommand.self],
        defaultSubcommand: SweepCommand.self)
}

struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract:
            "Accuracy, energy, latency, area, power and EDP per inference of the programmed chip against any scenario keys, N chip samples per point.",
        discussion: """
            --set key.path=v1,v2,… sweeps a scenario key (tiles.rows=64,128, device.g_max=50uS,100uS, \
            architectures.adc_cim.columns_per_adc=4,8, network.layers[0].size=64,128); several --set make a grid \
            (every combination), --zip pairs them. Values take units where the key has one (100ns, 0.1V, 1y). \
            Every point is loaded and checked like a scenario file before anything runs: a bad key or value, or a \
            combination the scenario rules refuse, stops the sweep with exit status 2 naming the setting. \
            --param P --values V,… is the older spelling of --set for P = time_since_programming, bit_error_rate, \
            levels, read_noise.

            Programs N chip samples per point, runs the scenario's inputs through the event kernel with read noise \
            on and prices every inference on every architecture; writes <out>/<stem>.csv (one row per point and \
            architecture), .json and .html (Pareto charts of energy against accuracy and latency, fronts marked; \
            stem: sweep-<keys>). Deterministic for a seed whatever --threads. Generated weights with a target \
            rate get their DPI gains calibrated per design point (not per aging or fault setting). Docs/design-space.md.

            Crash-safe: every finished (point, chip) unit is appended to <out>/<stem>.partial.jsonl (fsync'd) and \
            the outputs are renamed into place; after a kill, --resume runs only the missing units and writes the \
            same CSV and JSON bytes as an uninterrupted run. --shard k/N (0-based) runs units t with t mod N = k \
            into <out>/<stem>.shard-k-of-N.jsonl; `spikebar sweep merge` combines the shards. Docs/scaling.md.

            Also: spikebar sweep merge DIR… (spikebar help sweep merge).
            """)

    @Argument(help: "Scenario file.") var scenario: String
    @Option(name: .customLong("set"), help: "key.path=v1,v2,… : a scenario key and its values (repeat for a grid).") var sets: [String] = []
    @Flag(help: "Pair the --set lists (k-th value of each; a key with one value is held fixed) instead of taking every combination.") var zip = false
    @Option(help: "time_since_programming | bit_error_rate | levels | read_noise (older spelling of --set device.…).") var param: String?
    @Option(help: "Comma-separated values of --param (times may carry units: 5s, 1h, 1d, 1y).") var values: String?
    @Option(
        help:
            "Instead of a parameter sweep: program the trained weights onto N chips and report per test point the fraction of transfers that classify it correctly (Docs/passive-arrays.md)."
    ) var transfers: Int?
    @Option(help: "Chip samples per point.") var chips: Int = 4
    @Option(help: "Override the scenario's seed (initial weights, chip sample draws, read noise; a Randman task keeps training.randman.seed).")
    var seed: UInt64?
    @Option(help: "With --test-samples: weights file (default: the scenario's weights.file).") var weights: String?
    @Option(help: "Use only the first N inputs of the scenario.") var samples: Int?
    @Option(
        help:
            "Instead of the scenario's inputs, the first N test samples of its training data set (official MNIST test split), grid mode at the twin's step."
    ) var testSamples: Int?
    @Option(help: "Output folder (default: ./spikebar-out/<scenario name>/).") var out: String?
    @Option(help: "Worker threads (0 = all cores). Results do not depend on it.") var threads: Int?
    @Flag(help: "Continue from <out>'s results log: run only the units not in it (refused if the log is of another sweep).") var resume = false
    @Option(
        help:
            "Run only slice k/N of the units (0-based k: units t with t mod N = k); merge with `spikebar sweep merge`. With --transfers: the chips c with c mod N = k; a --transfers N --resume run in a folder holding the shard logs combines them."
    )
    var shard: String?
    @Option(help: MemoryBudgetOption.help) var memoryBudget: String?
    @Flag(help: "Print the sweep as JSON.") var json = false
    @Flag(help: "Print nothing but errors.") var quiet = false

    /// The `--set` texts, with `--param/--values` translated.
    func settingTexts() throws -> [String] {
        var all = sets
        if param != nil || values != nil {
            guard let param, let values else { throw ValidationError("--param and --values go together") }
            guard let parameter = DeviceSweep.Parameter(rawValue: param) else {
                throw ValidationError(
                    "--param must be one of \(DeviceSweep.Parameter.allCases.map(\.rawValue).joined(separator: ", ")) (or use --set key.path=values)")
            }
            all.append("\(parameter.keyPath)=\(values)")
        }
        guard !all.isEmpty else { throw ValidationError("give --set key.path=v1,v2,… (or --param P --values V,…, or --transfers N)") }
        return all
    }

    func run() throws {
        do {
            if let transfers { return try runTransfers(transfers) }
            let spec = try SweepSpec(sets: try settingTexts(), zip: zip)
            try CLIConventions.checkChips(chips)
            if let samples, samples < 1 { throw ValidationError("--samples must be ≥ 1") }
            let slice = try shard.map { try SweepShard(parsing: $0) }
            var loaded = try ScenarioLoader.load(path: scenario, requireWeightsFile: weights == nil)
            try loaded.scenario.requireNeuronModel([.lifDPI, .nir], for: "spikebar sweep")
            if let seed { loaded.scenario.seed = seed }
            let isGraph = loaded.scenario.nir != nil
            if isGraph, memoryBudget != nil {
                throw ValidationError("--memory-budget: the memory estimate covers networks of layers, not NIR graphs")
            }
            if isGraph, testSamples != nil || weights != nil {
                throw ValidationError(
                    "--test-samples/--weights run trained weights of a network of layers; an NIR scenario sweeps its own inputs with the graph's weights"
                )
            }
            if weights != nil, testSamples == nil {
                throw ValidationError("--weights needs --test-samples (the scenario's own inputs run its weights.file)")
            }
            if let weights {
                loaded.scenario.tunedTimeConstants = try TunedTimeConstants.read(weightsFile: weights, network: loaded.scenario.network)
            }
            let show = !quiet && !json
            let workers = threads ?? loaded.scenario.simulation.threads
            // One programmed chip per worker is alive at once.
            // Counted, not enumerated: `--chips 10⁸` must not allocate an array of units to count them (issue #22).
            let (all, overflow) = spec.points.count.multipliedReportingOverflow(by: chips)
            guard !overflow else { throw ValidationError("points × --chips overflows") }
            let units = slice.map { s in all > s.index ? (all - s.index + s.count - 1) / s.count : 0 } ?? all
            let cores = workers > 0 ? workers : ProcessInfo.processInfo.activeProcessorCount
            // Every point against the memory budget (a point may grow the network or the tiles).
            if !isGraph {
                try MemoryBudgetOption.check(loaded: loaded, option: memoryBudget, threads: workers, chips: max(1, min(units, cores)), units: units)
            }
            for p in spec.points.indices where !isGraph {
                let point = try ScenarioLoader.load(path: scenario, settings: spec.settings(p), requireWeightsFile: testSamples == nil)
                do {
                    try MemoryBudgetOption.check(
                        loaded: point, option: memoryBudget, threads: workers, chips: max(1, min(units, cores)), units: units)
                } catch let SpikebarError.resourceLimit(message) {
                    throw SpikebarError.resourceLimit("point \(spec.label(p)): \(message)")
                }
            }
            try OutputPath.checkFolder(out ?? "spikebar-out/\(loaded.scenario.name)", what: "--out")  // before any work (issue #22)
            let start = Date()
            note("checking \(spec.points.count) points (\(spec.keys.joined(separator: " × ")))…", quiet: !show)
            let work: SweepWork
            if let testSamples {
                guard testSamples >= 1 else { throw ValidationError("--test-samples must be ≥ 1") }
                let setup = try TrainingSetup(loaded: loaded)
                let path = weights ?? loaded.weightsFile ?? "spikebar-out/\(loaded.scenario.name)/weights.json"
                let w = try loaded.scenario.loadWeights(path: path)
                work = try SweepWork(
                    setup: setup, path: scenario, spec: spec, weights: w.weights, gains: w.gains, chips: chips,
                    samples: testSamples, threads: workers)
            } else if isGraph {
                work = try SweepWork(nirPath: scenario, spec: spec, chips: chips, samples: samples) { path in
                    do { return try readNIRGraphIsolated(path: path) } catch let e as NIRError { throw e.spikebarError }
                }
            } else {
                work = try SweepWork(path: scenario, spec: spec, chips: chips, samples: samples, threads: workers)
            }
            let dir = out ?? "spikebar-out/\(loaded.scenario.name)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let header = SweepLogHeader(
                digest: work.fingerprint(scenarioDigest: loaded.digest), scenario: loaded.scenario.name,
                scenarioFile: loaded.path, scenarioDigest: loaded.digest, sweep: spec,
                chips: chips, samples: work.samples, inputs: testSamples == nil ? "scenario" : "test",
                seed: loaded.scenario.seed, shard: slice)
            let logPath = "\(dir)/\(SweepLog.fileName(spec.stem, shard: slice))"
            let progress = ProgressLine(total: header.units.count, label: "chips", enabled: show)
            let outcome = try SweepLog.run(
                work: work, header: header, path: logPath, resume: resume, threads: workers,
                progress: { done, _ in progress.update(done) })
            progress.finish()
            if let slice {
                if json {
                    let enc = JSONEncoder.spikebar(pretty: true)
                    FileHandle.standardOutput.write(try enc.encode(outcome.units)); print()
                } else if show {
                    print(
                        "shard \(slice): \(outcome.units.count) of \(header.unitCount) units (\(outcome.reused) from the log, \(outcome.computed) computed) in \(logPath) (\(Units.fixed(Date().timeIntervalSince(start), significant: 3)) s)"
                    )
                    print("next, when every shard is done: spikebar sweep merge \(dir) [other shard folders…]")
                }
                return
            }
            var sweep = DeviceSweep.aggregate(header: header, units: outcome.units)
            sweep.seconds = Date().timeIntervalSince(start)
            let data = try SweepOutput.write(sweep, dir: dir, commandLine: commandLineText(), scenarioFile: loaded.path, digest: loaded.digest)
            if json { FileHandle.standardOutput.write(data); print(); return }
            guard show else { return }
            if resume { print("resumed: \(outcome.reused) units from \(logPath), \(outcome.computed) computed") }
            SweepOutput.printTable(sweep)
            print("wrote \(dir)/\(sweep.stem).csv, .json and .html (\(Units.fixed(sweep.seconds, significant: 3)) s)")
        } catch let e as SpikebarError {
            fail(e)
        }
    }
}

/// `spikebar sweep merge DIR…`: the final outputs of a sweep run in shards.
struct SweepMergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Combine the shards of a sweep (--shard k/N runs) into <stem>.csv, .json and .html.",
        discussion: """
            Reads every sweep-*.jsonl results log in the given folders (or the given .jsonl files), checks that \
            they belong to the same sweep (digest of scenario, weights, inputs, --set values, --chips, \
            --samples, seed), that no unit has two different results and that no unit is missing (naming the \
            incomplete shards), and writes the same CSV and JSON bytes as a single-machine run. Docs/scaling.md.
            """)

    @Argument(help: "Folders the shards wrote (their --out), or their .jsonl logs.") var paths: [String]
    @Option(help: "Merge only the logs of this sweep (output stem, e.g. sweep-rows or sweep-time_since_programming) when a folder holds several.")
    var stem: String?
    @Option(help: "Older spelling of --stem for the four device parameters (time_since_programming …).") var param: String?
    @Option(help: "Output folder (default: the first folder given).") var out: String?
    @Flag(help: "Print the sweep as JSON.") var json = false
    @Flag(help: "Print nothing but errors.") var quiet = false

    func run() throws {
        do {
            guard !paths.isEmpty else { throw ValidationError("give at least one folder or .jsonl log") }
            let pick =
                try stem
                ?? param.map { p -> String in
                    guard DeviceSweep.Parameter(rawValue: p) != nil else {
                        throw ValidationError("--param must be one of \(DeviceSweep.Parameter.allCases.map(\.rawValue).joined(separator: ", "))")
                    }
                    return "sweep-\(p)"
                }
            let start = Date()
            let merged = try SweepLog.merge(paths: paths, stem: pick)
            var sweep = DeviceSweep.aggregate(header: merged.header, units: merged.units)
            sweep.seconds = Date().timeIntervalSince(start)
            var isDir: ObjCBool = false
            let firstDir =
                FileManager.default.fileExists(atPath: paths[0], isDirectory: &isDir) && isDir.boolValue
                ? paths[0] : (paths[0] as NSString).deletingLastPathComponent
            let dir = out ?? (firstDir.isEmpty ? "." : firstDir)
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let data = try SweepOutput.write(
                sweep, dir: dir, commandLine: commandLineText(), scenarioFile: merged.header.scenarioFile,
                digest: merged.header.scenarioDigest)
            if json { FileHandle.standardOutput.write(data); print(); return }
            guard !quiet else { return }
            print(
                "merged \(merged.files.count) logs, \(merged.units.count) units\(merged.duplicates > 0 ? " (\(merged.duplicates) duplicates, identical, ignored)" : "")"
            )
            SweepOutput.printTable(sweep)
            print("wrote \(dir)/\(sweep.stem).csv, .json and .html")
        } catch let e as SpikebarError {
            fail(e)
        }
    }
}

/// The final files of a sweep and its table on standard output, shared by `run` and `merge`.
enum SweepOutput {
    /// Writes <stem>.json, .csv and .html durably (temporary file, fsync, rename); returns the JSON.
    static func write(_ sweep: DeviceSweep, dir: String, commandLine: String, scenarioFile: String, digest: String) throws -> Data {
        let name = "\(dir)/\(sweep.stem)"
        let enc = JSONEncoder.spikebar(pretty: true)
        let data = try enc.encode(sweep)
        try DurableFile.write(data, to: name + ".json")
        try DurableFile.write(sweep.csv(), to: name + ".csv")
        let html = SweepReport.html(
            sweep, commandLine: commandLine, scenarioText: try? String(contentsOfFile: scenarioFile, encoding: .utf8),
            scenarioFile: scenarioFile, digest: digest)
        try DurableFile.write(html, to: name + ".html")
        return data
    }

    static func printTable(_ sweep: DeviceSweep) {
        print(
            "\(sweep.scenario): \(sweep.keys.joined(separator: " × ")), \(sweep.chips) chips × \(sweep.samples) inputs per point, seed \(sweep.seed)")
        let short = SweepSpec(keys: sweep.keys, points: [], mode: sweep.mode).shortKeys
        let widths = short.indices.map { k in max(short[k].count, sweep.points.map { $0.values[k].count }.max() ?? 0) + 2 }
        let archs = sweep.pareto.map(\.architecture)
        var head = zip(short, widths).map { column($0, $1) }.joined() + column("accuracy (mean ± std, worst)", 34)
        for a in archs { head += column("\(a) energy / latency", 28) }
        print(String(repeating: "-", count: head.count))
        print(head)
        for (k, p) in sweep.points.enumerated() {
            let v = p.values.indices.map { column(p.values[$0], widths[$0]) }.joined()
            if let e = p.error { print(v + "FAILED: \(e)"); continue }
            let a =
                p.meanAccuracy.map {
                    "\(Units.fixed(100 * $0, significant: 4)) ± \(Units.fixed(100 * (p.stdAccuracy ?? 0), significant: 2)) %, \(Units.fixed(100 * (p.worstAccuracy ?? 0), significant: 4)) %"
                } ?? "— (unlabelled)"
            var line = v + column(a, 34)
            for (m, x) in p.architectures.enumerated() {
                let front = m < sweep.pareto.count && (sweep.pareto[m].energyAccuracy.contains(k) || sweep.pareto[m].energyLatency.contains(k))
                line += column("\(Units.format(x.energy, "J")) / \(Units.format(x.latency, "s"))\(front ? " *" : "")", 28)
            }
            print(line)
        }
        print("(* on a Pareto front of that architecture: energy–accuracy or energy–latency)")
    }

    /// Pads to `width`, or keeps the whole text plus one space when it is longer (`padding(toLength:)`
    /// truncates, which ran a long accuracy into the energy column).
    private static func column(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text.padding(toLength: width, withPad: " ", startingAt: 0)
    }
}

struct RetrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retrain",
        abstract: "Fault-aware retraining: retrain the twin with a chip sample's known stuck map, program the same chip, compare.",
        discussion: """
            Programs chip sample --chip with stuck cells at --bit-error-rate (default: device.faults), measures its \
            accuracy in the event kernel (grid mode, read noise on), retrains the twin for --epochs epochs with \
            that stuck map fixed and the stuck synapses' gradients masked, programs the new weights onto the same \
            chip and measures again. Writes <out>/retrained-weights.json. With --chips N: chip samples 0…N−1, \
            each retrained for its own stuck map, on a results log (<out>/retrain.partial.jsonl; --resume continues \
            a killed run, --shard k/N runs one slice); writes <out>/retrained/chip-<c>.json per chip and \
            <out>/retrain.md and retrain.json (every chip, mean and worst before / after).
            """)

    @Argument(help: "Scenario file with a training: section.") var scenario: String
    @Option(help: "Weights file (default: the scenario's weights.file).") var weights: String?
    @Option(help: "Bit error rate (fraction of stuck cells).") var bitErrorRate: Double?
    @Option(help: "Fraction of stuck cells stuck high (LRS).") var highFraction: Double?
    @Option(help: "Chip sample (default 0).") var chip: Int?
    @Option(help: "Retrain chip samples 0…N−1, each for its own stuck map (a results log; see --resume, --shard).") var chips: Int?
    @Flag(
        help: "With --chips: continue from <out>/retrain.partial.jsonl, retraining only the chips not in it (refused if the log is of another run).")
    var resume = false
    @Option(
        help:
            "With --chips: retrain only chips c with c mod N = k (k/N, 0-based) into <out>/retrain.shard-k-of-N.jsonl; a retrain --chips M --resume in a folder holding the shard logs (and their retrained/ weights) takes their chips."
    )
    var shard: String?
    @Option(help: "Retraining epochs.") var epochs: Int = 2
    @Option(help: "Training samples per epoch.") var trainSamples: Int = 10_000
    @Option(help: "Learning rate.") var lr: Double = 1e-3
    @Option(help: "Test samples.") var samples: Int = 1000
    @Option(help: "Output folder (default: ./spikebar-out/<scenario name>/).") var out: String?
    @Option(help: "Worker threads (0 = all cores).") var threads: Int?
    @Flag(help: "Print the result as JSON.") var json = false

    func run() throws {
        do {
            guard epochs >= 1, trainSamples >= 1, samples >= 1, lr > 0 else {
                throw ValidationError("--epochs, --train-samples, --samples and --lr must be positive")
            }
            let slice = try shard.map { try SweepShard(parsing: $0) }
            if let chips {
                try CLIConventions.checkChips(chips)
                guard chip == nil else { throw ValidationError("--chip and --chips exclude each other (--chips N retrains chips 0…N−1)") }
            } else if resume || slice != nil {
                throw ValidationError("\(slice != nil ? "--shard" : "--resume") continues or splits a --chips run; give --chips N")
            }
            let loaded = try ScenarioLoader.load(path: scenario, requireWeightsFile: false)
            try loaded.scenario.requireNeuronModel([.lifDPI], for: "spikebar retrain")
            let setup = try TrainingSetup(loaded: loaded)
            let path = weights ?? loaded.weightsFile ?? "spikebar-out/\(loaded.scenario.name)/weights.json"
            let outDir = out ?? "spikebar-out/\(loaded.scenario.name)"
            try OutputPath.checkFolder(outDir, what: "--out")  // before any work (issue #22)
            // The weights read must not be a file this run writes (it would be replaced by a retraining).
            let written =
                chips.map { n in (0..<n).map { ChipRetraining.weightsPath(outDir, chip: $0) } } ?? [outDir + "/retrained-weights.json"]
            if let clash = written.first(where: { $0 == path || OutputPath.sameFile($0, path) }) {
                throw ValidationError("--weights \(path) is \(clash), which this run writes; copy it elsewhere or choose another --out")
            }
            let w = try loaded.scenario.loadWeights(path: path)
            var faults = loaded.scenario.device.faults
            if let bitErrorRate {
                guard (0...1).contains(bitErrorRate) else { throw ValidationError("--bit-error-rate must be in 0 … 1") };
                faults.bitErrorRate = bitErrorRate
            }
            if let highFraction {
                guard (0...1).contains(highFraction) else { throw ValidationError("--high-fraction must be in 0 … 1") };
                faults.highFraction = highFraction
            }
            let workers = threads ?? loaded.scenario.simulation.threads
            if let chips {
                try retrainChips(
                    chips, slice: slice, loaded: loaded,
                    ChipRetraining(
                        setup: setup, weights: w.weights, gains: w.gains, faults: faults, epochs: epochs, trainSamples: trainSamples,
                        lr: lr, testSamples: samples), threads: workers)
                return
            }
            let (r, retrained) = try FaultAwareRetraining.run(
                setup: setup, weights: w.weights, gains: w.gains, faults: faults, chipSample: chip ?? 0,
                epochs: epochs, trainSamples: trainSamples, lr: lr, testSamples: samples,
                threads: workers)
            let dir = out ?? "spikebar-out/\(loaded.scenario.name)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let enc = JSONEncoder.spikebar()
            try DurableFile.write(enc.encode(setup.weightFile(retrained)), to: dir + "/retrained-weights.json")
            let pretty = JSONEncoder.spikebar(pretty: true)
            let data = try pretty.encode(r)
            if json { FileHandle.standardOutput.write(data); print(); return }
            print(
                "chip \(r.chipSample): bit error rate \(r.bitErrorRate) (\(Units.fixed(100 * r.stuckFraction, significant: 3)) % of cells stuck, \(Units.fixed(100 * r.highFraction, significant: 3)) % high), \(r.testSamples) test samples"
            )
            print("  no faults:                 \(Units.fixed(100 * r.accuracyFaultFree, significant: 4)) %")
            print("  faults, original weights:  \(Units.fixed(100 * r.accuracyBefore, significant: 4)) %")
            print(
                "  faults, retrained \(r.epochs) ep:   \(Units.fixed(100 * r.accuracyAfter, significant: 4)) % (\(r.trainSamples) training samples per epoch)"
            )
            print("wrote \(dir)/retrained-weights.json (\(Units.fixed(r.seconds, significant: 3)) s)")
        } catch let e as SpikebarError {
            fail(e)
        }
    }

    /// `--chips N`: every chip sample retrained for its own stuck map, on the results log.
    private func retrainChips(_ chips: Int, slice: SweepShard?, loaded: LoadedScenario, _ experiment: ChipRetraining, threads: Int) throws {
        let start = Date()
        let dir = out ?? "spikebar-out/\(loaded.scenario.name)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let show = !json
        let total = slice.map { s in (0..<chips).filter { s.contains($0) }.count } ?? chips
        let progress = ProgressLine(total: total, label: "chips retrained", enabled: show)
        let units = try experiment.run(
            chips: chips, dir: dir, scenarioDigest: loaded.digest, resume: resume, shard: slice, threads: threads,
            progress: { done, _ in progress.update(done) })
        progress.finish()
        if let slice {
            print(
                "shard \(slice): \(units.count) of \(chips) chips in \(dir)/\(SweepLog.fileName(ChipRetraining.logStem, shard: slice)) and \(dir)/retrained/"
            )
            print(
                "next, when every shard is done: copy the shard logs and retrained/ folders into one folder and run spikebar retrain \(scenario) --chips \(chips) --resume --out FOLDER (with the same options; it retrains only the chips no log holds)"
            )
            return
        }
        let r = experiment.report(units, seconds: Date().timeIntervalSince(start))
        let data = try JSONEncoder.spikebar(pretty: true).encode(r)
        let markdown = ChipRetraining.markdown(r)
        try DurableFile.write(data, to: "\(dir)/retrain.json")
        try DurableFile.write(markdown, to: "\(dir)/retrain.md")
        if json { FileHandle.standardOutput.write(data); print(); return }
        print(markdown)
        print("wrote \(dir)/retrain.md, retrain.json and \(dir)/retrained/chip-<c>.json (\(Units.fixed(r.seconds, significant: 3)) s)")
    }
}
