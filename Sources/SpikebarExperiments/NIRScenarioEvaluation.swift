import Foundation
import SpikebarCore
import SpikebarNIR
import SpikebarNIRMapping
import SpikebarPipeline
import SpikebarScenario

/// `spikebar evaluate` on an NIR scenario (`network: { nir: … }`): the accuracy of the imported network
/// on the scenario's labelled inputs (for N-MNIST, the test recordings), first with the graph's own
/// weights (the ideal device: does the import reproduce the framework?), then as programmed on the
/// scenario's device, in grid timing and — for graphs without leak or delay — exact timing; with
/// `chips`, over that many programmed chip samples (the chip Monte-Carlo of `evaluate --chips`, with
/// the same ≥ 95 % rule, `RobustnessRule`). Energy and latency per inference from the programmed chip's
/// run in the scenario's timing.
public struct NIRScenarioEvaluation: Codable, Sendable {
    public struct Row: Codable, Sendable, Equatable {
        /// `ideal device` or `chip sample K`.
        public var weights: String
        /// `grid(dt)` or `exact`.
        public var timing: String
        public var correct: Int
        public var samples: Int
        public var accuracy: Double
    }
    public struct Cost: Codable, Sendable, Equatable {
        public var architecture: String
        public var meanEnergy: Joules, meanLatency: Seconds, meanComputeLatency: Seconds
        public var feasible: Bool
    }
    public struct MonteCarlo: Codable, Sendable, Equatable {
        public var chips: Int
        /// Accuracy of each chip sample 0…chips−1.
        public var accuracies: [Double]
        public var meanAccuracy: Double, worstAccuracy: Double
        /// Fraction of inputs right on ≥ 95 % of the chips.
        public var robustFraction: Double
    }
    public var scenario: String
    public var scenarioFile: String
    public var scenarioDigest: String
    public var graph: String
    public var samples: Int
    public var rows: [Row]
    public var costs: [Cost]
    public var monteCarlo: MonteCarlo?
    /// What the figures assume (the run report's NIR lines).
    public var assumptions: [String]
    public var seconds: Double

    /// `makeSimulation(loaded, chipSample)` builds the simulation (the CLI reads the graph in a child
    /// process); `phase(what, total)` is called on this thread as each pass starts and returns its
    /// progress callback (called from the workers with the inferences done).
    /// With `log`, each row and each chip of the Monte-Carlo is a unit of the results log
    /// (`NIRScenarioEvaluation.Unit`): `--resume` runs only the units a killed evaluation did not log.
    public static func run(
        loaded: LoadedScenario, exact: Bool, chips: Int?, threads: Int, log: ExperimentLogPlace? = nil,
        makeSimulation: (LoadedScenario, Int) throws -> NIRSimulation,
        phase: ((_ what: String, _ total: Int) -> (@Sendable (Int) -> Void)?)? = nil
    ) throws -> NIRScenarioEvaluation {
        let started = Date()
        let s = loaded.scenario
        var settings: [(ideal: Bool, timing: SimulationSpec.Timing)] = [(true, s.simulation.timing)]
        if !s.device.ideal { settings.append((false, s.simulation.timing)) }
        let base = try makeSimulation(loaded, 0)
        guard base.inputs.labels != nil else {
            throw SpikebarError.invalidInput(
                SourceLocation(file: loaded.path, keyPath: "input.source"),
                "evaluate needs labelled inputs (nmnist, mnist with labels, synthetic, or a trace with labels); \(s.input.source.rawValue) has none")
        }
        let other: SimulationSpec.Timing = s.simulation.timing == .grid ? .exact : .grid
        var skipped: String?
        if exact, other == .grid || base.exactTimingIsExact {
            settings += settings.map { ($0.ideal, other) }
        } else if exact, let refusal = NIREvaluation.exactModeRefusal(base.program) {
            skipped = "Exact timing not evaluated: node '\(refusal.node)': \(refusal.reason)."
        }
        let chipCount = chips.map { $0 >= 1 && !s.device.ideal ? $0 : 0 } ?? 0
        let costSetting = settings.firstIndex { $0.ideal == s.device.ideal && $0.timing == s.simulation.timing }
        // Unit t < settings.count: one row of the table; then chip t − settings.count of the Monte-Carlo.
        func unit(_ t: Int, _ make: (LoadedScenario, Int) throws -> NIRSimulation) throws -> Unit {
            var u = Unit(unit: t)
            if t < settings.count {
                let setting = settings[t]
                var l = loaded
                l.scenario.device.ideal = setting.ideal
                l.scenario.simulation.timing = setting.timing
                let sim = try make(l, 0)
                let label = setting.ideal ? "ideal device" : "chip sample 0"
                let timing = setting.timing == .exact ? "exact" : "grid(\(Units.format(seconds: s.simulation.dt)))"
                let results = try sim.runAll(threads: threads, progress: phase?("\(label), \(timing)", sim.inputs.count))
                let labels = sim.inputs.labels ?? []
                let correct = zip(results, labels).filter { $0.0.run.predictedClass == $0.1 }.count
                u.row = Row(
                    weights: label, timing: timing, correct: correct, samples: results.count,
                    accuracy: Double(correct) / Double(max(1, results.count)))
                if t == costSetting {
                    let report = sim.report(results)
                    u.costs = report.architectures.map {
                        Cost(
                            architecture: $0.architecture, meanEnergy: $0.energy.mean, meanLatency: $0.latency.mean,
                            meanComputeLatency: $0.computeLatency.mean, feasible: $0.meanBreakdown.feasible)
                    }
                    u.assumptions = sim.assumptions
                }
            } else {
                let chip = t - settings.count
                let sim = try make(loaded, chip)
                let results = try sim.runAll(threads: threads, progress: phase?("chip \(chip + 1) of \(chipCount)", sim.inputs.count))
                let labels = sim.inputs.labels ?? []
                u.correct = String(zip(results, labels).map { $0.0.run.predictedClass == $0.1 ? "1" : "0" })
            }
            return u
        }
        let count = settings.count + chipCount
        let units: [Unit] = try {
            guard let log else { return try (0..<count).map { try unit($0, makeSimulation) } }
            var h = FNV1a64()
            h.add(bytesOf: loaded.digest)
            if let graph = loaded.nirGraph, let bytes = try? InputFile.read(graph, hint: "an NIR graph") { h.add(bytesOf: FNV1a64.hex(of: bytes)) }
            h.add(exact ? 1 : 0); h.add(UInt64(chipCount)); h.add(UInt64(base.inputs.count)); h.add(UInt64(settings.count))
            let header = NIRScenarioEvaluationLogHeader(
                digest: h.hex, scenario: s.name, rows: settings.count, chips: chipCount, samples: base.inputs.count)
            // One unit at a time, each on every thread (a row or a chip is itself parallel over inputs).
            return try ExperimentLog<NIRScenarioEvaluationLogHeader>.runInOrder(header: header, at: log) { t in try unit(t, makeSimulation) }.units
        }()
        var rows: [Row] = []
        var costs: [Cost] = []
        var assumptions: [String] = base.assumptions
        for u in units where u.unit < settings.count {
            if let row = u.row { rows.append(row) }
            if let c = u.costs { costs = c; assumptions = u.assumptions ?? assumptions }
        }
        var mc: MonteCarlo?
        if chipCount > 0 {
            var correctPerInput = Array(repeating: 0, count: base.inputs.count)
            var accuracies: [Double] = []
            for u in units where u.unit >= settings.count {
                let bits = Array(u.correct ?? "")
                var right = 0
                for (i, b) in bits.enumerated() where b == "1" && i < correctPerInput.count { correctPerInput[i] += 1; right += 1 }
                accuracies.append(Double(right) / Double(max(1, bits.count)))
            }
            mc = MonteCarlo(
                chips: chipCount, accuracies: accuracies, meanAccuracy: accuracies.reduce(0, +) / Double(chipCount),
                worstAccuracy: accuracies.min() ?? 0, robustFraction: RobustnessRule.fraction(95, correct: correctPerInput, of: chipCount))
        }
        if let skipped { assumptions.append(skipped) }
        return NIRScenarioEvaluation(
            scenario: s.name, scenarioFile: loaded.path, scenarioDigest: loaded.digest, graph: loaded.nirGraph ?? "",
            samples: base.inputs.count, rows: rows, costs: costs, monteCarlo: mc, assumptions: assumptions,
            seconds: Date().timeIntervalSince(started))
    }

    /// `evaluate.md`.
    public var markdown: String {
        var s = "# Spikebar evaluation: \(scenario) (NIR graph)\n\n"
        s += "- scenario file: `\(scenarioFile)` (digest `\(scenarioDigest)`)\n- graph: `\(graph)`\n- labelled inputs: \(samples)\n\n"
        s += "What the figures assume:\n\n" + assumptions.map { "- \($0)\n" }.joined() + "\n"
        s += "| weights | timing | correct | accuracy |\n|---|---|---:|---:|\n"
        for r in rows { s += "| \(r.weights) | \(r.timing) | \(r.correct) / \(r.samples) | \(Units.fixed(100 * r.accuracy, significant: 4)) % |\n" }
        if let mc = monteCarlo {
            s +=
                "\nOver \(mc.chips) programmed chip samples (the scenario's timing): mean accuracy \(Units.fixed(100 * mc.meanAccuracy, significant: 4)) %, worst \(Units.fixed(100 * mc.worstAccuracy, significant: 4)) %; \(Units.fixed(100 * mc.robustFraction, significant: 4)) % of inputs right on ≥ 95 % of the chips.\n"
        }
        if !costs.isEmpty {
            s +=
                "\nPer inference (the scenario's device and timing):\n\n| architecture | energy | latency (streaming) | latency (compute) |\n|---|---:|---:|---:|\n"
            for c in costs {
                s +=
                    "| \(c.architecture)\(c.feasible ? "" : " (INFEASIBLE as priced)") | \(Units.format(c.meanEnergy, "J")) | \(Units.format(c.meanLatency, "s")) | \(Units.format(c.meanComputeLatency, "s")) |\n"
            }
        }
        return s
    }
}

extension NIRScenarioEvaluation {
    /// One unit of an NIR evaluation's results log: a row of the accuracy table (with the costs and
    /// assumptions when it is the scenario's own device and timing), or one chip of the Monte-Carlo (which
    /// inputs it classifies right, as a string of 0 and 1).
    public struct Unit: Codable, Sendable, Equatable {
        public var unit: Int
        public var row: Row?
        public var costs: [Cost]?
        public var assumptions: [String]?
        public var correct: String?
        public init(unit: Int) { self.unit = unit }
    }
}

/// The header of an NIR evaluation's results log (`evaluate.partial.jsonl` of an NIR scenario).
public struct NIRScenarioEvaluationLogHeader: ExperimentLogHeader {
    public typealias Unit = NIRScenarioEvaluation.Unit
    public static let logFormat = "spikebar-nir-evaluate-log"
    public static let logVersion = 1
    public static let kind = "NIR evaluation"
    public var format = NIRScenarioEvaluationLogHeader.logFormat
    public var version = NIRScenarioEvaluationLogHeader.logVersion
    public var digest: String
    public var scenario: String
    public var rows: Int, chips: Int, samples: Int
    public var shard: SweepShard? = nil

    public init(digest: String, scenario: String, rows: Int, chips: Int, samples: Int) {
        self.digest = digest; self.scenario = scenario; self.rows = rows; self.chips = chips; self.samples = samples
    }

    /// rows + chips; −1 (invalid) for negative or overflowing counts read back from a damaged header.
    public var unitCount: Int {
        let (sum, overflow) = rows.addingReportingOverflow(chips)
        return rows >= 0 && chips >= 0 && !overflow ? sum : -1
    }
    public var summary: String { "evaluate of \(scenario) (NIR): \(rows) rows, \(chips) chips, \(samples) inputs" }
    public var sameExperimentHint: String {
        "Resume with the same scenario, graph, --samples, --chips and --no-exact, or start again without --resume"
    }
    public var headerProblem: String? { samples < 0 ? "negative count of inputs (\(samples))" : nil }
    public static func index(of u: Unit) -> Int { u.unit }
    public func describe(unit t: Int) -> String { t < rows ? "row \(t)" : "chip \(t - rows)" }
    public func problem(_ u: Unit) -> String? {
        if u.unit < rows {
            guard let r = u.row, u.correct == nil else { return "a row unit without its row" }
            guard r.samples == samples, r.correct >= 0, r.correct <= samples, r.accuracy.isFinite, (0...1).contains(r.accuracy) else {
                return "a row whose counts do not fit \(samples) inputs"
            }
            guard (u.costs ?? []).allSatisfy({ [$0.meanEnergy, $0.meanLatency, $0.meanComputeLatency].allSatisfy { $0.isFinite && $0 >= 0 } }) else {
                return "a cost that is negative or not finite"
            }
            return nil
        }
        guard let c = u.correct, u.row == nil, c.count == samples, c.allSatisfy({ $0 == "0" || $0 == "1" }) else {
            return "a chip unit whose results are not \(samples) characters 0 or 1"
        }
        return nil
    }
}
