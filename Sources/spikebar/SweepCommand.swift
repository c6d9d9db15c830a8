import ArgumentParser
import Foundation
import SpikebarChip
import SpikebarCore
import SpikebarDevices
import SpikebarPipeline
import SpikebarScenario

struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Accuracy and energy per inference of the programmed chip against a device parameter, N chip samples per point.",
        discussion: """
        Programs N chip samples per value of the swept parameter (time since programming, bit error rate, \
        levels, read noise), runs the scenario's inputs through the event kernel with read noise on and \
        writes <out>/sweep-<param>.csv, .json and .html (charts). Deterministic for a seed whatever --threads; a failing \
        point is reported and the sweep goes on. Times accept units: 0,5s,1h,1d.
        """)

    @Argument(help: "Scenario file.") var scenario: String
    @Option(help: "time_since_programming | bit_error_rate | levels | read_noise") var param: String?
    @Option(help: "Comma-separated values (times may carry units: 5s, 1h, 1d).") var values: String?
    @Option(help: "Instead of a parameter sweep: program the trained weights onto N chips and report per test point the fraction of transfers that classify it correctly (Docs/passive-arrays.md).") var transfers: Int?
    @Option(help: "Chip samples per point.") var chips: Int = 4
    @Option(help: "Use only the first N inputs of the scenario.") var samples: Int?
    @Option(help: "Instead of the scenario's inputs, the first N test samples of its training data set (official MNIST test split), grid mode at the twin's step.") var testSamples: Int?
    @Option(help: "Output folder (default: ./spikebar-out/<scenario name>/).") var out: String?
    @Option(help: "Worker threads (0 = all cores). Results do not depend on it.") var threads: Int?
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
            let loaded = try ScenarioLoader.load(path: scenario)
            let show = !quiet && !json
            let progress = ProgressLine(total: list.count * chips, label: "chips", enabled: show)
            let workers = threads ?? loaded.scenario.simulation.threads
            let sweep: DeviceSweep
            if let testSamples {
                guard testSamples >= 1 else { throw ValidationError("--test-samples must be ≥ 1") }
                let setup = try TrainingSetup(loaded: loaded)
                let path = loaded.weightsFile ?? "spikebar-out/\(loaded.scenario.name)/weights.json"
                let w = try WeightFile.load(path: path, network: loaded.scenario.network)
                sweep = DeviceSweep.run(setup: setup, weights: w.weights, gains: w.gains, parameter: parameter, values: list, chips: chips,
                                        samples: testSamples, threads: workers, progress: { done, _ in progress.update(done) })
            } else {
                let sim = try Simulation(loaded: loaded)
                sweep = try DeviceSweep.run(simulation: sim, parameter: parameter, values: list, chips: chips, samples: samples,
                                            threads: workers, progress: { done, _ in progress.update(done) })
            }
            progress.finish()
            let dir = out ?? "spikebar-out/\(loaded.scenario.name)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let enc = JSONEncoder(); enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            let data = try enc.encode(sweep)
            try data.write(to: URL(fileURLWithPath: "\(dir)/sweep-\(parameter.rawValue).json"), options: .atomic)
            try Data(sweep.csv().utf8).write(to: URL(fileURLWithPath: "\(dir)/sweep-\(parameter.rawValue).csv"), options: .atomic)
            let html = SweepReport.html(sweep, commandLine: commandLineText(), scenarioText: try? String(contentsOfFile: scenario, encoding: .utf8),
                                        scenarioFile: loaded.path, digest: loaded.digest)
            try Data(html.utf8).write(to: URL(fileURLWithPath: "\(dir)/sweep-\(parameter.rawValue).html"), options: .atomic)
            if json { FileHandle.standardOutput.write(data); print(); return }
            guard show else { return }
            print("\(sweep.scenario): \(parameter.rawValue), \(chips) chips × \(sweep.samples) inputs per point, seed \(sweep.seed)")
            print(String(repeating: "-", count: 86))
            print("value".padding(toLength: 14, withPad: " ", startingAt: 0) + "accuracy (mean ± std, worst)".padding(toLength: 34, withPad: " ", startingAt: 0) + "energy/inference   write pulses/chip")
            for p in sweep.points {
                let v = "\(p.value)".padding(toLength: 14, withPad: " ", startingAt: 0)
                if let e = p.error { print(v + "FAILED: \(e)"); continue }
                let a = "\(Units.fixed(100 * (p.meanAccuracy ?? 0), significant: 4)) ± \(Units.fixed(100 * (p.stdAccuracy ?? 0), significant: 2)) %, \(Units.fixed(100 * (p.worstAccuracy ?? 0), significant: 4)) %"
                print(v + a.padding(toLength: 34, withPad: " ", startingAt: 0) + Units.format(p.meanEnergy ?? 0, "J").padding(toLength: 19, withPad: " ", startingAt: 0) + "\(Int(p.programmingPulses ?? 0))")
            }
            print("wrote \(dir)/sweep-\(parameter.rawValue).csv, .json and .html (\(Units.fixed(sweep.seconds, significant: 3)) s)")
        } catch let e as SpikebarError {
            fail(e)
        }
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
