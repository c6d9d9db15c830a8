import Foundation
import SpikebarChip
import SpikebarCore
import SpikebarPipeline
import SpikebarScenario
import SpikebarTwin

/// One experiment behind `evaluate --chips` (`ChipMonteCarlo`) and `sweep --transfers` (`TransferSweep`):
/// the trained weights programmed onto chip samples 0, 1, …, each drawing its own programming errors (on
/// a passive array the V/3 disturbance, tuning error and failures), its own neuron time constants and,
/// when asked, extra stuck cells; every test point classified on every chip by the twin of that
/// programmed chip (the replay contract: the kernel's grid mode with read noise off gives the same
/// classes). A unit of work is one chip: which test points it classifies right (`ChipTransfers.Unit`).
public struct ChipTransfers: Sendable {
    /// One programmed chip's result: test point k right or not, as a string of '1'/'0' (one line of the
    /// results log per chip).
    public struct Unit: Codable, Sendable, Equatable {
        public var unit: Int
        public var correct: String
        public init(unit: Int, correct: [Bool]) { self.unit = unit; self.correct = String(correct.map { $0 ? "1" : "0" }) }
        public var bits: [Bool] { correct.map { $0 == "1" } }
    }

    public let scenario: Scenario
    public let weights: [WeightMatrix]
    public let gains: [Double]
    /// Extra stuck cells per chip (`Chip.injectStuckCells`), nil: the device's own faults only.
    public let stuckFraction: Double?
    /// The test points' labels and input spikes binned to the twin's steps.
    public let labels: [Int]
    public let inputs: [StepSpikes]
    public let steps: Int, dt: Seconds

    /// The experiment on the first `samples` test points of `setup` (all when nil).
    public init(
        setup: TrainingSetup, scenario: Scenario, weights: [WeightMatrix], gains: [Double]?, samples: Int?, stuckFraction: Double?, threads: Int
    ) {
        let n = min(samples ?? setup.testLabels.count, setup.testLabels.count)
        let steps = setup.steps, dt = setup.dt, channels = scenario.network.input
        self.scenario = scenario; self.weights = weights; self.gains = gains ?? setup.gains; self.stuckFraction = stuckFraction
        labels = Array(setup.testLabels[0..<n])
        inputs = ParallelMap.map(count: n, threads: threads) { StepSpikes(setup.testSpikes($0), dt: dt, steps: steps, channels: channels) }
        self.steps = steps; self.dt = dt
    }

    /// Chip sample `c` programmed (with its stuck cells).
    public func chip(_ c: Int) throws -> Chip {
        var chip = try Chip(scenario: scenario, weights: weights, gains: gains, chipSample: c)
        if let stuckFraction { chip.injectStuckCells(fraction: stuckFraction, seed: scenario.seed) }
        return chip
    }

    /// Chip `c`'s classification of every test point.
    public func unit(_ c: Int) throws -> Unit {
        let twin = try TwinNetwork(chip: try chip(c), network: scenario.network, dt: dt, steps: steps)
        let out = twin.infer(inputs, threads: 1)
        return Unit(unit: c, correct: zip(out, labels).map { $0.predictedClass == $1 })
    }

    /// Chips `0..<chips`, in parallel over chips; result c at index c whatever the thread count.
    public func run(chips: Int, threads: Int, progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> [Unit] {
        let counter = Counter()
        return try ParallelMap.map(count: chips, threads: threads) { c -> Result<Unit, Error> in
            Result {
                let u = try unit(c)
                progress?(counter.increment(), chips)
                return u
            }
        }.map { try $0.get() }
    }

    /// What the chips' units say together.
    public struct Statistics: Sendable, Equatable {
        /// Accuracy of every chip, in chip order.
        public var accuracies: [Double]
        /// Chips that classify test point k right.
        public var correct: [Int]
        public var chips: Int { accuracies.count }
        public var mean: Double { accuracies.reduce(0, +) / Double(max(1, chips)) }
        /// Sample standard deviation over chips (n − 1).
        public var std: Double {
            let m = mean
            return (accuracies.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(max(1, chips - 1))).squareRoot()
        }
        public var worst: Double { accuracies.min() ?? 0 }
        public var best: Double { accuracies.max() ?? 0 }
        /// Fraction of test points right on ≥ `percent` % of the chips (`RobustnessRule`).
        public func robust(_ percent: Int) -> Double { RobustnessRule.fraction(percent, correct: correct, of: chips) }

        public init(units: [Unit], points n: Int) {
            var correct = [Int](repeating: 0, count: n)
            accuracies = units.map { u in
                var ok = 0
                for (k, right) in u.bits.enumerated() where right && k < n { correct[k] += 1; ok += 1 }
                return Double(ok) / Double(n)
            }
            self.correct = correct
        }
    }
}

extension ChipTransfers {
    /// A fingerprint of what the units depend on besides the scenario text: weights, gains, stuck
    /// fraction, seed, number of chips, the test points' labels and input spikes, the twin's steps.
    /// FNV-1a 64 (hex).
    public func fingerprint(scenarioDigest: String, chips: Int) -> String {
        var h = FNV1a64()
        h.add(scenarioDigest)
        h.add(scenario.seed); h.add(UInt64(steps)); h.add(dt.bitPattern)
        h.add((stuckFraction ?? -1).bitPattern); h.add(UInt64(chips))
        h.add(weights)
        for g in gains { h.add(g.bitPattern) }
        h.add(UInt64(labels.count))
        for (label, input) in zip(labels, inputs) {
            h.add(UInt64(bitPattern: Int64(label))); h.add(UInt64(input.steps))
            for o in input.offsets { h.add(UInt64(UInt32(bitPattern: o))) }
            for c in input.channels { h.add(UInt64(UInt32(bitPattern: c))) }
        }
        return h.hex
    }

    /// Where a run keeps its results log (`run(chips:log:…)`).
    public struct Log: Sendable {
        public var path: String, resume: Bool, scenarioDigest: String, what: String
        /// Run only this slice of the chips (`--shard k/N`); nil: all.
        public var shard: SweepShard?
        /// With `resume`: logs of other slices of the same run whose chips count as done (`ExperimentLog.run`).
        public var harvest: [String]
        public init(
            path: String, resume: Bool, scenarioDigest: String, what: String, shard: SweepShard? = nil, harvest: [String] = []
        ) {
            self.path = path; self.resume = resume; self.scenarioDigest = scenarioDigest; self.what = what
            self.shard = shard; self.harvest = harvest
        }

        /// The log of a run in output folder `dir` with file stem `stem` (`transfers`, `chips`):
        /// `ExperimentLogPlace.inFolder`.
        public static func inFolder(
            _ dir: String, stem: String, shard: SweepShard?, resume: Bool, scenarioDigest: String, what: String
        ) -> Log {
            let place = ExperimentLogPlace.inFolder(dir, stem: stem, shard: shard, resume: resume)
            return Log(
                path: place.path, resume: resume, scenarioDigest: scenarioDigest, what: what, shard: shard, harvest: place.harvest)
        }

        /// The log's place (`ExperimentLogPlace`).
        public var place: ExperimentLogPlace { ExperimentLogPlace(path: path, resume: resume, shard: shard, harvest: harvest) }
    }

    /// Chips `0..<chips`, on the results log `log` when given (else in memory only): with `log.resume`,
    /// the chips a killed run logged (and those of `log.harvest`) are read back and only the others run;
    /// the result is the same whatever was resumed or sharded and whatever the thread count.
    public func run(chips: Int, log: Log?, threads: Int, progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> [Unit] {
        guard let log else { return try run(chips: chips, threads: threads, progress: progress) }
        let header = ChipTransfersLogHeader(
            digest: fingerprint(scenarioDigest: log.scenarioDigest, chips: chips), scenario: scenario.name, what: log.what,
            chips: chips, samples: labels.count, seed: scenario.seed)
        let experiment = self
        return try ExperimentLog<ChipTransfersLogHeader>.run(header: header, at: log.place, threads: threads, progress: progress) {
            try experiment.unit($0)
        }.units
    }
}

/// The header of a `ChipTransfers` results log (`transfers.partial.jsonl` of `sweep --transfers`,
/// `chips.partial.jsonl` of `evaluate --chips`): one line per programmed chip follows.
public struct ChipTransfersLogHeader: ExperimentLogHeader {
    public typealias Unit = ChipTransfers.Unit
    public static let logFormat = "spikebar-chip-transfers-log"
    public static let logVersion = 1
    public static let kind = "chip transfer run"
    public var format = ChipTransfersLogHeader.logFormat
    public var version = ChipTransfersLogHeader.logVersion
    public var digest: String
    public var scenario: String
    /// Which command wrote it (`sweep --transfers`, `evaluate --chips`).
    public var what: String
    public var chips: Int, samples: Int
    public var seed: UInt64
    public var shard: SweepShard? = nil

    public init(digest: String, scenario: String, what: String, chips: Int, samples: Int, seed: UInt64) {
        self.digest = digest; self.scenario = scenario; self.what = what; self.chips = chips; self.samples = samples; self.seed = seed
    }

    public var unitCount: Int { chips }
    public var summary: String { "\(what) of \(scenario): \(chips) chips × \(samples) test points, seed \(seed)" }
    public var sameExperimentHint: String {
        "Resume with the same scenario, weights, number of chips, --samples, --stuck-fraction and seed, or start again without --resume"
    }
    public var headerProblem: String? { chips < 0 || samples < 0 ? "negative count of chips (\(chips)) or test points (\(samples))" : nil }
    public static func index(of u: Unit) -> Int { u.unit }
    public func describe(unit t: Int) -> String { "chip \(t)" }
    public func problem(_ u: Unit) -> String? {
        guard u.correct.count == samples else { return "\(u.correct.count) test points, the run has \(samples)" }
        guard u.correct.allSatisfy({ $0 == "0" || $0 == "1" }) else { return "its results are not a string of 0 and 1" }
        return nil
    }
}
