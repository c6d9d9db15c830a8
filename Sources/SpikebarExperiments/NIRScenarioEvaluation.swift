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
    public static func run(
        loaded: LoadedScenario, exact: Bool, chips: Int?, threads: Int,
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
        var rows: [Row] = []
        var costs: [Cost] = []
        var assumptions: [String] = base.assumptions
        for setting in settings {
            var l = loaded
            l.scenario.device.ideal = setting.ideal
            l.scenario.simulation.timing = setting.timing
            let sim = try makeSimulation(l, 0)
            let label = setting.ideal ? "ideal device" : "chip sample 0"
            let timing = setting.timing == .exact ? "exact" : "grid(\(Units.format(seconds: s.simulation.dt)))"
            let results = try sim.runAll(threads: threads, progress: phase?("\(label), \(timing)", sim.inputs.count))
            let labels = sim.inputs.labels ?? []
            let correct = zip(results, labels).filter { $0.0.run.predictedClass == $0.1 }.count
            rows.append(
                Row(
                    weights: label, timing: timing, correct: correct, samples: results.count,
                    accuracy: Double(correct) / Double(max(1, results.count))))
            if setting.ideal == s.device.ideal, setting.timing == s.simulation.timing, costs.isEmpty {
                let report = sim.report(results)
                costs = report.architectures.map {
                    Cost(
                        architecture: $0.architecture, meanEnergy: $0.energy.mean, meanLatency: $0.latency.mean,
                        meanComputeLatency: $0.computeLatency.mean, feasible: $0.meanBreakdown.feasible)
                }
                assumptions = sim.assumptions
            }
        }
        var mc: MonteCarlo?
        if let chips, chips >= 1, !s.device.ideal {
            var correctPerInput = Array(repeating: 0, count: base.inputs.count)
            var accuracies: [Double] = []
            for chip in 0..<chips {
                let sim = try makeSimulation(loaded, chip)
                let results = try sim.runAll(threads: threads, progress: phase?("chip \(chip + 1) of \(chips)", sim.inputs.count))
                let labels = sim.inputs.labels ?? []
                var right = 0
                for (i, (r, y)) in zip(results, labels).enumerated() where r.run.predictedClass == y { correctPerInput[i] += 1; right += 1 }
                accuracies.append(Double(right) / Double(max(1, results.count)))
            }
            mc = MonteCarlo(
                chips: chips, accuracies: accuracies, meanAccuracy: accuracies.reduce(0, +) / Double(chips),
                worstAccuracy: accuracies.min() ?? 0, robustFraction: RobustnessRule.fraction(95, correct: correctPerInput, of: chips))
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
