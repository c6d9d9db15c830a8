import ArgumentParser
import Foundation
import SpikebarChip
import SpikebarCore
import SpikebarDevices
import SpikebarPipeline
import SpikebarScenario

/// `spikebar sweep`: runs a sweep (default subcommand `run`, so `spikebar sweep SCENARIO …` works) or
/// merges the shards of one (`spikebar sweep merge DIR…`). Docs/scaling.md.
struct SweepGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Accuracy and energy per inference of the programmed chip against a device parameter (run, or merge shards).",
        discussion: "spikebar sweep SCENARIO --param P --values V… runs a sweep (the `run` subcommand); spikebar sweep merge DIR… combines shards. Docs/scaling.md.",
        subcommands: [SweepCommand.self, SweepMergeCommand.self],
        defaultSubcommand: SweepCommand.self)
}

struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Accuracy and energy per inference of the programmed chip against a device parameter, N chip samples per point.",
        discussion: """
        Programs N chip samples per value of the swept parameter (time since programming, bit error rate, \
        levels, read noise), runs the scenario's inputs through the event kernel with read noise on and \
        writes <out>/sweep-<param>.csv, .json and .html (charts). Deterministic for a seed whatever --threads; a failing \
        point is reported and the sweep goes on. Times accept units: 0,5s,1h,1d.

        Crash-safe: every finished (point, chip) unit is appended to <out>/sweep-<param>.partial.jsonl \
        (fsync'd) and the outputs are renamed into place; after a kill, --resume runs only the missing \
        units and writes the same CSV and JSON bytes as an uninterrupted run. --shard k/N (0-based) runs \
        units t with t mod N = k into <out>/sweep-<param>.shard-k-of-N.jsonl; `spikebar sweep merge` \
        combines the shards. Docs/scaling.md.
        """)

    @Argument(help: "Scenario file.") var scenario: String
    @Option(help: "time_since_programming | bit_error_rate | levels | read_noise") var param: String?
    @Option(help: "Comma-separated values (times may carry units: 5s, 1h, 1d).") var values: String?
    @Option(help: "Instead of a parameter sweep: program the trained weights onto N chips and report per test point the fraction of transfers that classify it correctly (Docs/passive-arrays.md).") var transfers: Int?
    @Option(help: "Chip samples per point.") var chips: Int = 4
    @Option(help: "Override the scenario's seed (initial weights, chip sample draws, read noise; a Randman task keeps training.randman.seed).") var seed: UInt64?
    @Option(help: "With --test-samples: weights file (default: the scenario's weights.file).") var weights: String?
    @Option(help: "Use only the first N inputs of the scenario.") var samples: Int?
    @Option(help: "Instead of the scenario's inputs, the first N test samples of its training data set (official MNIST test split), grid mode at the twin's step.") var testSamples: Int?
    @Option(help: "Output folder (default: ./spikebar-out/<scenario name>/).") var out: String?
    @Option(help: "Worker threads (0 = all cores). Results do not depend on it.") var threads: Int?
    @Flag(help: "Continue from <out>'s results log: run only the units not in it (refused if the log is of another sweep).") var resume = false
    @Option(help: "Run only slice k/N of the units (0-based k: units t with t mod N = k); merge with `spikebar sweep merge`.") var shard: String?
    @Option(help: MemoryBudgetOption.help) var memoryBudget: String?
    @Flag(help: "Print the sweep as JSON.") var json = false
    @Flag(help: "Print nothing but errors.") var quiet = false

    func run() throws {
        do {
            if let transfers { return try runTransfers(transfers) }
            guard let param, let values else { throw ValidationError("--param and --values are required (or --transfers N)") }
            guard let parameter = DeviceSweep.Parameter(rawValue: param) else {
                throw ValidationError("--param must be one of \(DeviceSweep.Parameter.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard chips >= 1 else { throw ValidationError("--chips must be ≥ 1") }
            let list = try values.split(separator: ",").map { text -> Double in
                let t = String(text).trimmingCharacters(in: .whitespaces)
                if parameter == .timeSinceProgramming, let d = parseDuration(t) { return d }
                guard let x = Double(t) else { throw ValidationError("--values: '\(t)' is not a number") }
                return x
            }
            guard !list.isEmpty else { throw ValidationError("--values is empty") }
            let slice = try shard.map { try SweepShard(parsing: $0) }
            var loaded = try ScenarioLoader.load(path: scenario, requireWeightsFile: weights == nil)
            if let seed { loaded.scenario.seed = seed }
            if weights != nil, testSamples == nil { throw ValidationError("--weights needs --test-samples (the scenario's own inputs run its weights.file)") }
            if let weights { loaded.scenario.tunedTimeConstants = try TunedTimeConstants.read(weightsFile: weights, network: loaded.scenario.network) }
            let show = !quiet && !json
            let workers = threads ?? loaded.scenario.simulation.threads
            // One programmed chip per worker is alive at once.
            let units = (0..<(list.count * chips)).filter { slice?.contains($0) ?? true }.count
            let cores = workers > 0 ? workers : ProcessInfo.processInfo.activeProcessorCount
            try MemoryBudgetOption.check(loaded: loaded, option: memoryBudget, threads: workers, chips: max(1, min(units, cores)))
            let start = Date()
            let work: SweepWork
            if let testSamples {
                guard testSamples >= 1 else { throw ValidationError("--test-samples must be ≥ 1") }
                let setup = try TrainingSetup(loaded: loaded)
                let path = weights ?? loaded.weightsFile ?? "spikebar-out/\(loaded.scenario.name)/weights.json"
                let w = try WeightFile.load(path: path, network: loaded.scenario.network)
                work = SweepWork(setup: setup, weights: w.weights, gains: w.gains, parameter: parameter, values: list, chips: chips,
                                 samples: testSamples, threads: workers)
            } else {
                let sim = try Simulation(loaded: loaded)
                work = try SweepWork(simulation: sim, parameter: parameter, values: list, chips: chips, samples: samples)
            }
            let dir = out ?? "spikebar-out/\(loaded.scenario.name)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let header = SweepLogHeader(digest: work.fingerprint(scenarioDigest: loaded.digest), scenario: loaded.scenario.name,
                                        scenarioFile: loaded.path, scenarioDigest: loaded.digest, parameter: parameter, values: list,
                                        chips: chips, samples: work.inputs.count, inputs: testSamples == nil ? "scenario" : "test",
                                        seed: loaded.scenario.seed, shard: slice)
            let logPath = "\(dir)/\(SweepLog.fileName(parameter, shard: slice))"
            let progress = ProgressLine(total: header.units.count, label: "chips", enabled: show)
            let outcome = try SweepLog.run(work: work, header: header, path: logPath, resume: resume, threads: workers,
                                           progress: { done, _ in progress.update(done) })
            progress.finish()
            if let slice {
                if json {
                    let enc = JSONEncoder(); enc.outputFormatting = [.prettyPrinted, .sortedKeys]
                    FileHandle.standardOutput.write(try enc.encode(outcome.units)); print()
                } else if show {
                    print("shard \(slice): \(outcome.units.count) of \(header.unitCount) units (\(outcome.reused) from the log, \(outcome.computed) computed) in \(logPath) (\(Units.fixed(Date().timeIntervalSince(start), significant: 3)) s)")
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
            print("wrote \(dir)/sweep-\(parameter.rawValue).csv, .json and .html (\(Units.fixed(sweep.seconds, significant: 3)) s)")
        } catch let e as SpikebarError {
            fail(e)
        }
    }
}

/// `spikebar sweep merge DIR…`: the final outputs of a sweep run in shards.
struct SweepMergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Combine the shards of a sweep (--shard k/N runs) into sweep-<param>.csv, .json and .html.",
        discussion: """
        Reads every sweep-*.jsonl results log in the given folders (or the given .jsonl files), checks that \
        they belong to the same sweep (digest of scenario, weights, inputs, --param, --values, --chips, \
        --samples, seed), that no unit has two different results and that no unit is missing (naming the \
        incomplete shards), and writes the same CSV and JSON bytes as a single-machine run. Docs/scaling.md.
        """)

    @Argument(help: "Folders the shards wrote (their --out), or their .jsonl logs.") var paths: [String]
    @Option(help: "Merge only the logs of this parameter (when a folder holds several sweeps).") var param: String?
    @Option(help: "Output folder (default: the first folder given).") var out: String?
    @Flag(help: "Print the sweep as JSON.") var json = false
    @Flag(help: "Print nothing but errors.") var quiet = false

    func run() throws {
        do {
            guard !paths.isEmpty else { throw ValidationError("give at least one folder or .jsonl log") }
            let parameter = try param.map { p -> DeviceSweep.Parameter in
                guard let x = DeviceSweep.Parameter(rawValue: p) else {
                    throw ValidationError("--param must be one of \(DeviceSweep.Parameter.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return x
            }
            let start = Date()
            let merged = try SweepLog.merge(paths: paths, parameter: parameter)
            var sweep = DeviceSweep.aggregate(header: merged.header, units: merged.units)
            sweep.seconds = Date().timeIntervalSince(start)
            var isDir: ObjCBool = false
            let firstDir = FileManager.default.fileExists(atPath: paths[0], isDirectory: &isDir) && isDir.boolValue
                ? paths[0] : (paths[0] as NSString).deletingLastPathComponent
            let dir = out ?? (firstDir.isEmpty ? "." : firstDir)
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let data = try SweepOutput.write(sweep, dir: dir, commandLine: commandLineText(), scenarioFile: merged.header.scenarioFile,
                                             digest: merged.header.scenarioDigest)
            if json { FileHandle.standardOutput.write(data); print(); return }
            guard !quiet else { return }
            print("merged \(merged.files.count) logs, \(merged.units.count) units\(merged.duplicates > 0 ? " (\(merged.duplicates) duplicates, identical, ignored)" : "")")
            SweepOutput.printTable(sweep)
            print("wrote \(dir)/sweep-\(sweep.parameter.rawValue).csv, .json and .html")
        } catch let e as SpikebarError {
            fail(e)
        }
    }
}

/// The final files of a sweep and its table on standard output, shared by `run` and `merge`.
enum SweepOutput {
    /// Writes sweep-<param>.json, .csv and .html durably (temporary file, fsync, rename); returns the JSON.
    static func write(_ sweep: DeviceSweep, dir: String, commandLine: String, scenarioFile: String, digest: String) throws -> Data {
        let name = "\(dir)/sweep-\(sweep.parameter.rawValue)"
        let enc = JSONEncoder(); enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try enc.encode(sweep)
        try DurableFile.write(data, to: name + ".json")
        try DurableFile.write(sweep.csv(), to: name + ".csv")
        let html = SweepReport.html(sweep, commandLine: commandLine, scenarioText: try? String(contentsOfFile: scenarioFile, encoding: .utf8),
                                    scenarioFile: scenarioFile, digest: digest)
        try DurableFile.write(html, to: name + ".html")
        return data
    }

    static func printTable(_ sweep: DeviceSweep) {
        print("\(sweep.scenario): \(sweep.parameter.rawValue), \(sweep.chips) chips × \(sweep.samples) inputs per point, seed \(sweep.seed)")
        print(String(repeating: "-", count: 86))
        print("value".padding(toLength: 14, withPad: " ", startingAt: 0) + "accuracy (mean ± std, worst)".padding(toLength: 34, withPad: " ", startingAt: 0) + "energy/inference   write pulses/chip")
        for p in sweep.points {
            let v = column("\(p.value)", 14)
            if let e = p.error { print(v + "FAILED: \(e)"); continue }
            let a = "\(Units.fixed(100 * (p.meanAccuracy ?? 0), significant: 4)) ± \(Units.fixed(100 * (p.stdAccuracy ?? 0), significant: 2)) %, \(Units.fixed(100 * (p.worstAccuracy ?? 0), significant: 4)) %"
            print(v + column(a, 34) + column(Units.format(p.meanEnergy ?? 0, "J"), 19) + "\(Int(p.programmingPulses ?? 0))")
        }
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
        chip and measures again. Writes <out>/retrained-weights.json.
        """)

    @Argument(help: "Scenario file with a training: section.") var scenario: String
    @Option(help: "Weights file (default: the scenario's weights.file).") var weights: String?
    @Option(help: "Bit error rate (fraction of stuck cells).") var bitErrorRate: Double?
    @Option(help: "Fraction of stuck cells stuck high (LRS).") var highFraction: Double?
    @Option(help: "Chip sample.") var chip: Int = 0
    @Option(help: "Retraining epochs.") var epochs: Int = 2
    @Option(help: "Training samples per epoch.") var trainSamples: Int = 10_000
    @Option(help: "Learning rate.") var lr: Double = 1e-3
    @Option(help: "Test samples.") var samples: Int = 1000
    @Option(help: "Output folder (default: ./spikebar-out/<scenario name>/).") var out: String?
    @Option(help: "Worker threads (0 = all cores).") var threads: Int?
    @Flag(help: "Print the result as JSON.") var json = false

    func run() throws {
        do {
            guard epochs >= 1, trainSamples >= 1, samples >= 1, lr > 0 else { throw ValidationError("--epochs, --train-samples, --samples and --lr must be positive") }
            let loaded = try ScenarioLoader.load(path: scenario, requireWeightsFile: false)
            let setup = try TrainingSetup(loaded: loaded)
            let path = weights ?? loaded.weightsFile ?? "spikebar-out/\(loaded.scenario.name)/weights.json"
            let w = try WeightFile.load(path: path, network: loaded.scenario.network)
            var faults = loaded.scenario.device.faults
            if let bitErrorRate { guard (0...1).contains(bitErrorRate) else { throw ValidationError("--bit-error-rate must be in 0 … 1") }; faults.bitErrorRate = bitErrorRate }
            if let highFraction { guard (0...1).contains(highFraction) else { throw ValidationError("--high-fraction must be in 0 … 1") }; faults.highFraction = highFraction }
            let (r, retrained) = try FaultAwareRetraining.run(setup: setup, weights: w.weights, gains: w.gains, faults: faults, chipSample: chip,
                                                              epochs: epochs, trainSamples: trainSamples, lr: lr, testSamples: samples,
                                                              threads: threads ?? loaded.scenario.simulation.threads)
            let dir = out ?? "spikebar-out/\(loaded.scenario.name)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let enc = JSONEncoder(); enc.outputFormatting = [.sortedKeys]
            try enc.encode(setup.weightFile(retrained)).write(to: URL(fileURLWithPath: dir + "/retrained-weights.json"), options: .atomic)
            let pretty = JSONEncoder(); pretty.outputFormatting = [.prettyPrinted, .sortedKeys]
            let data = try pretty.encode(r)
            if json { FileHandle.standardOutput.write(data); print(); return }
            print("chip \(r.chipSample): bit error rate \(r.bitErrorRate) (\(Units.fixed(100 * r.stuckFraction, significant: 3)) % of cells stuck, \(Units.fixed(100 * r.highFraction, significant: 3)) % high), \(r.testSamples) test samples")
            print("  no faults:                 \(Units.fixed(100 * r.accuracyFaultFree, significant: 4)) %")
            print("  faults, original weights:  \(Units.fixed(100 * r.accuracyBefore, significant: 4)) %")
            print("  faults, retrained \(r.epochs) ep:   \(Units.fixed(100 * r.accuracyAfter, significant: 4)) % (\(r.trainSamples) training samples per epoch)")
            print("wrote \(dir)/retrained-weights.json (\(Units.fixed(r.seconds, significant: 3)) s)")
        } catch let e as SpikebarError {
            fail(e)
        }
    }
}
