import Foundation
import SpikebarActivity
import SpikebarChip
import SpikebarCore
import SpikebarCost
import SpikebarDevices
import SpikebarKernel
import SpikebarPipeline
import SpikebarReport
import SpikebarScenario

/// Accuracy and energy of the programmed chip in the event kernel (read noise on) on a set of labelled
/// inputs: what `spikebar sweep` measures per chip sample, and fault-aware retraining before/after.
public enum KernelAccuracy {
    /// Programs chip sample `chipSample` of `scenario` with `weights`, runs every input (keyed by
    /// `keys[k]`, so the same inputs and read-noise streams whatever the chip or thread count) and
    /// returns the accuracy, the mean RRAM-SNN energy per inference (J) and the chip (programming stats,
    /// stuck fraction).
    public static func measure(
        scenario s: Scenario, weights: [WeightMatrix], gains: [Double], chipSample: Int,
        timing: Timing, inputs: [SpikeList], keys: [Int], labels: [Int],
        threads: Int = 1
    ) throws -> (accuracy: Double, energy: Joules, chip: Chip) {
        let m = try measureDesign(
            scenario: s, weights: weights, gains: gains, chipSample: chipSample, timing: timing,
            inputs: inputs, keys: keys, labels: labels, threads: threads)
        return (m.accuracy ?? 0, m.metrics.first?.energy ?? 0, m.chip)
    }

    /// `measure` on every architecture: the accuracy (nil without labels) and the `DesignMetrics`
    /// (energy, latency, area, power, EDP per inference, means over the inputs) of each cost model.
    public static func measureDesign(
        scenario s: Scenario, weights: [WeightMatrix], gains: [Double], chipSample: Int,
        timing: Timing, inputs: [SpikeList], keys: [Int], labels: [Int]?,
        threads: Int = 1
    ) throws -> (accuracy: Double?, metrics: [DesignMetrics], chip: Chip) {
        let chip = try Chip(scenario: s, weights: weights, gains: gains, chipSample: chipSample)
        let kernel = EventKernel(chip: chip, timing: timing, readNoise: true)
        let models = Simulation.costModels(for: s)
        let window = s.input.window, seed = s.seed, dt = s.simulation.dt
        let per: [(Int?, [CostEstimate])] = ParallelMap.map(count: inputs.count, threads: threads) { k in
            let r = kernel.run(
                input: inputs[k],
                options: RunOptions(
                    window: window, sample: keys[k], seed: seed,
                    recordSpikes: false, reportingStep: dt))
            return (r.activity.predictedClass, models.map { $0.price(r.activity) })
        }
        let n = Double(max(1, inputs.count))
        let accuracy = labels.map { l in Double(per.indices.filter { per[$0].0 == l[$0] }.count) / n }
        return (accuracy, DesignMetrics.mean(per.map(\.1), window: window), chip)
    }
}

/// `spikebar sweep`: accuracy (programmed chip, event kernel) and energy, latency, area, power and EDP
/// per inference on every architecture, against any scenario keys (`SweepSpec`), `chips` chip samples
/// per point. Every (point, chip) is an independent task on the deterministic `ParallelMap`: the same
/// seed gives bit-identical results whatever the thread count. A point whose chip cannot be built is
/// reported with its error and the sweep goes on; invalid values are refused before anything runs.
public struct DeviceSweep: Codable, Sendable {
    /// The four device parameters of the original `--param` option, now names for scenario keys.
    public enum Parameter: String, Codable, Sendable, CaseIterable {
        /// `device.time_since_programming` (s).
        case timeSinceProgramming = "time_since_programming"
        /// `device.faults.bit_error_rate`.
        case bitErrorRate = "bit_error_rate"
        /// `device.levels`.
        case levels
        /// `device.read_noise` (relative std, white).
        case readNoise = "read_noise"

        /// The scenario key path the name stands for.
        public var keyPath: String {
            switch self {
            case .timeSinceProgramming: return "device.time_since_programming"
            case .bitErrorRate: return "device.faults.bit_error_rate"
            case .levels: return "device.levels"
            case .readNoise: return "device.read_noise"
            }
        }
    }

    public struct Point: Codable, Sendable {
        /// The value of each swept key (text as given).
        public var values: [String]
        /// The first key's value as a number (for charts), nil when it is not one.
        public var value: Double?
        /// Accuracy of each chip sample (empty when the point failed or the inputs are unlabelled).
        public var accuracies: [Double]
        public var meanAccuracy: Double?, stdAccuracy: Double?, worstAccuracy: Double?
        /// Mean RRAM-SNN energy per inference over chips and inputs (J).
        public var meanEnergy: Double?
        /// Every architecture's metrics, means over chips and inputs.
        public var architectures: [DesignMetrics]
        /// Mean write pulses and programming energy (J) per chip, mean fraction of stuck cells.
        public var programmingPulses: Double?, programmingEnergy: Double?, stuckFraction: Double?
        /// Mean cells per chip left outside the write-verify tolerance.
        public var programmingFailures: Double? = nil
        /// Why the point failed (nil when it ran).
        public var error: String?
    }

    /// The Pareto fronts of one architecture: indices of the points on them.
    public struct Front: Codable, Sendable, Equatable {
        public var architecture: String
        /// Lowest energy for a given accuracy (empty without labels).
        public var energyAccuracy: [Int]
        /// Lowest energy for a given latency.
        public var energyLatency: [Int]
    }

    public var scenario: String
    /// The swept keys and their values per point.
    public var keys: [String]
    public var mode: String
    public var chips: Int
    public var samples: Int
    public var seed: UInt64
    public var points: [Point]
    public var pareto: [Front]
    /// Wall time of this process's share of the work (s). Not in the JSON: the results file must not
    /// depend on when, in how many pieces or on how many machines the sweep ran (resume, shards).
    public var seconds: Double = 0

    enum CodingKeys: String, CodingKey { case scenario, keys, mode, chips, samples, seed, points, pareto }

    /// File stem of the outputs (`SweepSpec.stem`).
    public var stem: String { SweepSpec(keys: keys, points: [], mode: mode).stem }

    /// Runs every unit of `work` in this process, then `aggregate`.
    public static func run(
        work: SweepWork, scenario: String, seed: UInt64, threads: Int = 0,
        progress: (@Sendable (Int, Int) -> Void)? = nil
    ) -> DeviceSweep {
        let start = Date()
        let counter = Counter()
        let units: [SweepUnit] = ParallelMap.map(count: work.unitCount, threads: threads) { t in
            defer { progress?(counter.increment(), work.unitCount) }
            return work.unit(t)
        }
        var sweep = aggregate(scenario: scenario, spec: work.spec, chips: work.chips, samples: work.samples, seed: seed, units: units)
        sweep.seconds = Date().timeIntervalSince(start)
        return sweep
    }

    /// The sweep from its finished units (any order; one per (point, chip), as `SweepWork.unit` makes
    /// them): per point the chips' accuracies in chip order, their mean, std and worst, each
    /// architecture's metrics averaged over the chips, the programming figures; a point with a failed
    /// chip reports the first chip's error; then each architecture's Pareto fronts. The result depends
    /// only on the units, so a resumed or merged sweep equals an uninterrupted one.
    public static func aggregate(
        scenario: String, spec: SweepSpec, chips: Int, samples: Int, seed: UInt64,
        units: [SweepUnit]
    ) -> DeviceSweep {
        let byIndex = Dictionary(units.map { ($0.unit, $0) }, uniquingKeysWith: { a, _ in a })
        var points: [Point] = []
        for (p, values) in spec.points.enumerated() {
            let number = values.first.flatMap(SweepSpec.number)
            let mine = (0..<chips).compactMap { byIndex[p * chips + $0] }
            if let error = mine.first(where: { $0.error != nil })?.error ?? (mine.count < chips ? "missing chip results" : nil) {
                points.append(Point(values: values, value: number, accuracies: [], architectures: [], error: error))
                continue
            }
            let n = Double(mine.count)
            let accs = mine.compactMap(\.accuracy)
            let labelled = accs.count == mine.count && !accs.isEmpty
            let mean = labelled ? accs.reduce(0, +) / n : nil
            let std =
                labelled && mine.count > 1 ? (accs.map { ($0 - mean!) * ($0 - mean!) }.reduce(0, +) / (n - 1)).squareRoot() : (labelled ? 0 : nil)
            let energy: Double = mine.map { $0.energy ?? 0 }.reduce(0, +) / n
            let pulses: Double = Double(mine.map { $0.pulses ?? 0 }.reduce(0, +)) / n
            let programmingEnergy: Double = mine.map { $0.programmingEnergy ?? 0 }.reduce(0, +) / n
            let stuck: Double = mine.map { $0.stuckFraction ?? 0 }.reduce(0, +) / n
            let failures: Double = Double(mine.map { $0.failures ?? 0 }.reduce(0, +)) / n
            let archCount = mine.map { $0.architectures?.count ?? 0 }.min() ?? 0
            let archs = (0..<archCount).compactMap { m in DesignMetrics.mean(mine.compactMap { $0.architectures?[m] }) }
            points.append(
                Point(
                    values: values, value: number, accuracies: labelled ? accs : [], meanAccuracy: mean, stdAccuracy: std,
                    worstAccuracy: labelled ? accs.min() : nil, meanEnergy: energy, architectures: archs,
                    programmingPulses: pulses, programmingEnergy: programmingEnergy,
                    stuckFraction: stuck, programmingFailures: failures, error: nil))
        }
        return DeviceSweep(
            scenario: scenario, keys: spec.keys, mode: spec.mode, chips: chips, samples: samples, seed: seed,
            points: points, pareto: fronts(points))
    }

    /// Each architecture's Pareto fronts over the points that ran.
    static func fronts(_ points: [Point]) -> [Front] {
        let names = points.first { !$0.architectures.isEmpty }?.architectures.map(\.architecture) ?? []
        return names.enumerated().map { m, name in
            let ok = points.indices.filter { points[$0].error == nil && m < points[$0].architectures.count }
            let ea = ok.filter { points[$0].meanAccuracy != nil }
            let energyAccuracy = ParetoFront.indices(
                ea.map { (points[$0].architectures[m].energy, points[$0].meanAccuracy ?? 0) },
                x: .minimize, y: .maximize
            ).map { ea[$0] }
            let energyLatency = ParetoFront.indices(
                ok.map { (points[$0].architectures[m].energy, points[$0].architectures[m].latency) },
                x: .minimize, y: .minimize
            ).map { ok[$0] }
            return Front(architecture: name, energyAccuracy: energyAccuracy, energyLatency: energyLatency)
        }
    }

    /// One CSV row per point and architecture: the swept values, accuracy (mean, std, worst), the
    /// architecture's energy, latency, area, power and EDP, whether the point is on its Pareto fronts,
    /// programming figures, error.
    public func csv() -> String {
        func q(_ text: String) -> String {
            text.contains(where: { ",\"\n".contains($0) }) ? "\"" + text.replacingOccurrences(of: "\"", with: "'") + "\"" : text
        }
        var s =
            keys.map(q).joined(separator: ",")
            + ",architecture,chips,samples,mean_accuracy,std_accuracy,worst_accuracy,energy_per_inference_J,latency_streaming_s,latency_compute_s,area_m2,power_W,edp_Js,pareto_energy_accuracy,pareto_energy_latency,programming_pulses,programming_energy_J,programming_failures,stuck_fraction,error\n"
        func f(_ x: Double?) -> String { x.map { "\($0)" } ?? "" }
        for (k, p) in points.enumerated() {
            let head = p.values.map(q).joined(separator: ",")
            let err = (p.error ?? "").replacingOccurrences(of: "\"", with: "'")
            let tail =
                "\(f(p.programmingPulses)),\(f(p.programmingEnergy)),\(f(p.programmingFailures)),\(f(p.stuckFraction)),\(err.isEmpty ? "" : "\"\(err)\"")\n"
            let acc =
                "\(p.accuracies.count > 0 ? p.accuracies.count : (p.error == nil ? chips : 0)),\(samples),\(f(p.meanAccuracy)),\(f(p.stdAccuracy)),\(f(p.worstAccuracy))"
            if p.architectures.isEmpty {
                s += "\(head),,\(acc),,,,,,,,,\(tail)"
            }
            for a in p.architectures {
                let front = pareto.first { $0.architecture == a.architecture }
                s += "\(head),\(a.architecture),\(acc),\(a.energy),\(a.latency),\(a.computeLatency),\(a.area),\(a.power),\(a.edp),"
                s += "\(front?.energyAccuracy.contains(k) == true ? 1 : 0),\(front?.energyLatency.contains(k) == true ? 1 : 0),\(tail)"
            }
        }
        return s
    }
}

extension DeviceSweep {
    /// The scenario's weights as `Simulation` programs them (the weights file, or the generated matrices).
    public static func weights(for loaded: LoadedScenario) throws -> [WeightMatrix] {
        let s = loaded.scenario
        if s.weights.source == .file, let path = loaded.weightsFile {
            return try WeightFile.load(path: path, network: s.network).weights
        }
        let sizes = [s.network.input] + s.network.layers.map(\.size)
        return Chip.connectionPlan(network: s.network).enumerated().map { k, p in
            WeightMatrix.generated(
                inputs: sizes[p.from], outputs: sizes[p.to], mean: s.weights.mean,
                std: s.weights.std, seed: s.seed, connection: k)
        }
    }
}
