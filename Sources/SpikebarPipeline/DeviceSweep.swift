import Foundation
import SpikebarActivity
import SpikebarChip
import SpikebarCore
import SpikebarCost
import SpikebarDevices
import SpikebarKernel
import SpikebarScenario

/// Accuracy and energy of the programmed chip in the event kernel (read noise on) on a set of labelled
/// inputs: what `spikebar sweep` measures per chip sample, and fault-aware retraining before/after.
public enum KernelAccuracy {
    /// Programs chip sample `chipSample` of `scenario` with `weights`, runs every input (keyed by
    /// `keys[k]`, so the same inputs and read-noise streams whatever the chip or thread count) and
    /// returns the accuracy, the mean RRAM-SNN energy per inference (J) and the chip (programming stats,
    /// stuck fraction).
    public static func measure(scenario s: Scenario, weights: [WeightMatrix], gains: [Double], chipSample: Int,
                               timing: Timing, inputs: [SpikeList], keys: [Int], labels: [Int],
                               threads: Int = 1) throws -> (accuracy: Double, energy: Joules, chip: Chip) {
        let chip = try Chip(scenario: s, weights: weights, gains: gains, chipSample: chipSample)
        let kernel = EventKernel(chip: chip, timing: timing, readNoise: true)
        let model = Simulation.costModels(for: s)[0]
        let window = s.input.window, seed = s.seed, dt = s.simulation.dt
        let per: [(Bool, Double)] = ParallelMap.map(count: inputs.count, threads: threads) { k in
            let r = kernel.run(input: inputs[k], options: RunOptions(window: window, sample: keys[k], seed: seed,
                                                                     recordSpikes: false, reportingStep: dt))
            return (r.activity.predictedClass == labels[k], model.price(r.activity).totalEnergy)
        }
        let n = Double(max(1, inputs.count))
        return (Double(per.filter(\.0).count) / n, per.reduce(0) { $0 + $1.1 } / n, chip)
    }
}

/// `spikebar sweep`: accuracy (programmed chip, event kernel) and energy per inference against one device
/// parameter, `chips` chip samples per point. Every (point, chip) is an independent task on the
/// deterministic `ParallelMap`: the same seed gives bit-identical results whatever the thread count. A
/// point that fails (an invalid value) is reported with its error and the sweep goes on.
public struct DeviceSweep: Codable, Sendable {
    /// The swept scenario key.
    public enum Parameter: String, Codable, Sendable, CaseIterable {
        /// `device.time_since_programming` (s).
        case timeSinceProgramming = "time_since_programming"
        /// `device.faults.bit_error_rate`.
        case bitErrorRate = "bit_error_rate"
        /// `device.levels` (the window and per-level programming error are kept; a device table fixes it).
        case levels
        /// `device.read_noise` (relative std, white).
        case readNoise = "read_noise"
    }

    public struct Point: Codable, Sendable {
        public var value: Double
        /// Accuracy of each chip sample (empty when the point failed).
        public var accuracies: [Double]
        public var meanAccuracy: Double?, stdAccuracy: Double?, worstAccuracy: Double?
        /// Mean RRAM-SNN energy per inference over chips and inputs (J).
        public var meanEnergy: Double?
        /// Mean write pulses and programming energy (J) per chip, mean fraction of stuck cells.
        public var programmingPulses: Double?, programmingEnergy: Double?, stuckFraction: Double?
        /// Mean cells per chip left outside the write-verify tolerance.
        public var programmingFailures: Double? = nil
        /// Why the point failed (nil when it ran).
        public var error: String?
    }

    public var scenario: String
    public var parameter: Parameter
    public var chips: Int
    public var samples: Int
    public var seed: UInt64
    public var points: [Point]
    /// Wall time of this process's share of the work (s). Not in the JSON: the results file must not
    /// depend on when, in how many pieces or on how many machines the sweep ran (resume, shards).
    public var seconds: Double = 0

    enum CodingKeys: String, CodingKey { case scenario, parameter, chips, samples, seed, points }

    public init(scenario: String, parameter: Parameter, chips: Int, samples: Int, seed: UInt64, points: [Point], seconds: Double = 0) {
        self.scenario = scenario; self.parameter = parameter; self.chips = chips; self.samples = samples
        self.seed = seed; self.points = points; self.seconds = seconds
    }

    /// The scenario with `parameter` set to `value`; throws a user error for an invalid value.
    public static func apply(_ parameter: Parameter, value: Double, to s: inout Scenario) throws {
        func bad(_ m: String) -> SpikebarError { .invalidInput(SourceLocation(file: "--values", keyPath: parameter.rawValue), m) }
        guard value.isFinite else { throw bad("\(value) is not a finite number") }
        switch parameter {
        case .timeSinceProgramming:
            guard value >= 0 else { throw bad("a time must be ≥ 0 s, got \(value)") }
            guard s.device.physics != nil || value == 0 else { throw bad("needs device.physics (the relaxation and drift model)") }
            s.device.timeSinceProgramming = value
        case .bitErrorRate:
            guard (0...1).contains(value) else { throw bad("a bit error rate lies in [0, 1], got \(value)") }
            s.device.faults.bitErrorRate = value
        case .levels:
            guard value.rounded() == value, (2...1024).contains(value) else { throw bad("levels must be an integer in 2…1024, got \(value)") }
            guard s.device.physics?.table == nil else { throw bad("the device table fixes the levels") }
            let n = Int(value)
            let sigma = s.device.programmingError
            s.device.levels = n
            s.device.programmingError = (0..<n).map { k in sigma[min(sigma.count - 1, k * max(1, sigma.count - 1) / max(1, n - 1))] }
        case .readNoise:
            guard (0...1).contains(value) else { throw bad("read noise is a relative std in [0, 1], got \(value)") }
            s.device.readNoise = value
        }
    }

    /// Runs the sweep on `inputs` (with `keys` and `labels`): every unit of `SweepWork`, then `aggregate`.
    public static func run(scenario base: Scenario, weights: [WeightMatrix], gains: [Double], timing: Timing,
                           parameter: Parameter, values: [Double], chips: Int, inputs: [SpikeList], keys: [Int], labels: [Int],
                           threads: Int = 0, progress: (@Sendable (Int, Int) -> Void)? = nil) -> DeviceSweep {
        let start = Date()
        let work = SweepWork(scenario: base, weights: weights, gains: gains, timing: timing, parameter: parameter, values: values,
                             chips: chips, inputs: inputs, keys: keys, labels: labels)
        let counter = Counter()
        let units: [SweepUnit] = ParallelMap.map(count: work.unitCount, threads: threads) { t in
            defer { progress?(counter.increment(), work.unitCount) }
            return work.unit(t)
        }
        var sweep = aggregate(scenario: base.name, parameter: parameter, values: values, chips: chips, samples: inputs.count,
                              seed: base.seed, units: units)
        sweep.seconds = Date().timeIntervalSince(start)
        return sweep
    }

    /// The sweep from its finished units (any order; one per (point, chip), as `SweepWork.unit` makes
    /// them): per point the chips' accuracies in chip order, their mean, std and worst, and the means of
    /// energy and programming figures; a point with a failed chip reports the first chip's error. The
    /// result depends only on the units, so a resumed or merged sweep equals an uninterrupted one.
    public static func aggregate(scenario: String, parameter: Parameter, values: [Double], chips: Int, samples: Int, seed: UInt64,
                                 units: [SweepUnit]) -> DeviceSweep {
        let byIndex = Dictionary(units.map { ($0.unit, $0) }, uniquingKeysWith: { a, _ in a })
        var points: [Point] = []
        for (p, v) in values.enumerated() {
            let mine = (0..<chips).compactMap { byIndex[p * chips + $0] }
            if let error = mine.first(where: { $0.error != nil })?.error ?? (mine.count < chips ? "missing chip results" : nil) {
                points.append(Point(value: v, accuracies: [], error: error))
                continue
            }
            let accs = mine.map { $0.accuracy ?? 0 }, n = Double(mine.count)
            let mean = accs.reduce(0, +) / n
            let std = mine.count > 1 ? (accs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / (n - 1)).squareRoot() : 0
            let energy: Double = mine.map { $0.energy ?? 0 }.reduce(0, +) / n
            let pulses: Double = Double(mine.map { $0.pulses ?? 0 }.reduce(0, +)) / n
            let programmingEnergy: Double = mine.map { $0.programmingEnergy ?? 0 }.reduce(0, +) / n
            let stuck: Double = mine.map { $0.stuckFraction ?? 0 }.reduce(0, +) / n
            let failures: Double = Double(mine.map { $0.failures ?? 0 }.reduce(0, +)) / n
            points.append(Point(value: v, accuracies: accs, meanAccuracy: mean, stdAccuracy: std, worstAccuracy: accs.min(),
                                meanEnergy: energy, programmingPulses: pulses, programmingEnergy: programmingEnergy,
                                stuckFraction: stuck, programmingFailures: failures, error: nil))
        }
        return DeviceSweep(scenario: scenario, parameter: parameter, chips: chips, samples: samples, seed: seed, points: points)
    }

    /// One CSV row per point: value, mean/std/worst accuracy, energy, programming, stuck fraction, error.
    public func csv() -> String {
        var s = "\(parameter.rawValue),chips,samples,mean_accuracy,std_accuracy,worst_accuracy,energy_per_inference_J,programming_pulses,programming_energy_J,programming_failures,stuck_fraction,error\n"
        func f(_ x: Double?) -> String { x.map { "\($0)" } ?? "" }
        for p in points {
            let err = (p.error ?? "").replacingOccurrences(of: "\"", with: "'")
            s += "\(p.value),\(p.accuracies.count),\(samples),\(f(p.meanAccuracy)),\(f(p.stdAccuracy)),\(f(p.worstAccuracy)),\(f(p.meanEnergy)),\(f(p.programmingPulses)),\(f(p.programmingEnergy)),\(f(p.programmingFailures)),\(f(p.stuckFraction)),\(err.isEmpty ? "" : "\"\(err)\"")\n"
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
            WeightMatrix.generated(inputs: sizes[p.from], outputs: sizes[p.to], mean: s.weights.mean,
                                   std: s.weights.std, seed: s.seed, connection: k)
        }
    }

    /// Runs the sweep on the scenario's own inputs (`input:`, as `spikebar run`), the first `samples`.
    public static func run(simulation sim: Simulation, parameter: Parameter, values: [Double], chips: Int, samples: Int? = nil,
                           threads: Int = 0, progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> DeviceSweep {
        let w = try SweepWork(simulation: sim, parameter: parameter, values: values, chips: chips, samples: samples)
        return run(scenario: w.scenario, weights: w.weights, gains: w.gains, timing: w.timing, parameter: parameter,
                   values: values, chips: chips, inputs: w.inputs, keys: w.keys, labels: w.labels, threads: threads,
                   progress: progress)
    }
}

extension DeviceSweep {
    /// Runs the sweep on the first `samples` test samples of the scenario's training data set (the
    /// official MNIST test split for `dataset: mnist`), in the kernel's grid mode at the twin's step —
    /// the inputs and timing of `spikebar evaluate`.
    public static func run(setup: TrainingSetup, weights: [WeightMatrix], gains: [Double]?, parameter: Parameter, values: [Double],
                           chips: Int, samples: Int, threads: Int = 0,
                           progress: (@Sendable (Int, Int) -> Void)? = nil) -> DeviceSweep {
        let w = SweepWork(setup: setup, weights: weights, gains: gains, parameter: parameter, values: values, chips: chips,
                          samples: samples, threads: threads)
        return run(scenario: w.scenario, weights: w.weights, gains: w.gains, timing: w.timing, parameter: parameter,
                   values: values, chips: chips, inputs: w.inputs, keys: w.keys, labels: w.labels, threads: threads, progress: progress)
    }
}
