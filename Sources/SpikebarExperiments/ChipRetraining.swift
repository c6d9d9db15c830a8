import Foundation
import SpikebarChip
import SpikebarCore
import SpikebarDevices
import SpikebarPipeline
import SpikebarScenario

/// Fault-aware retraining over chip samples (`spikebar retrain --chips N`): `FaultAwareRetraining` run on
/// chip samples 0…N−1, each with its own stuck map (the same bit error rate, different cells), each
/// retrained from the same trained weights and measured before and after on its own programmed chip.
/// A unit of work is one chip: its accuracies and its retrained weights (a die-specific weights file,
/// `retrained/chip-<c>.json`, written durably before the unit's line enters the results log). Runs on
/// the experiment log (`ExperimentLog`): `--resume` retrains only the chips the log lacks, `--shard k/N`
/// one slice of them (issue #17, point 7).
public struct ChipRetraining: Sendable {
    /// One chip's result (one line of the results log).
    public struct Unit: Codable, Sendable, Equatable {
        public var unit: Int
        /// Fraction of this chip's cells stuck.
        public var stuckFraction: Double
        /// Event-kernel accuracy (grid mode, read noise on) of this chip without faults, with its faults
        /// and the original weights, and with its faults and its retrained weights.
        public var accuracyFaultFree: Double, accuracyBefore: Double, accuracyAfter: Double
        /// FNV-1a 64 digest (hex) of the chip's retrained weights file as written.
        public var weightsDigest: String
        public init(
            unit: Int, stuckFraction: Double, accuracyFaultFree: Double, accuracyBefore: Double, accuracyAfter: Double,
            weightsDigest: String
        ) {
            self.unit = unit; self.stuckFraction = stuckFraction; self.accuracyFaultFree = accuracyFaultFree
            self.accuracyBefore = accuracyBefore; self.accuracyAfter = accuracyAfter; self.weightsDigest = weightsDigest
        }
        /// Accuracy regained by retraining (after − before).
        public var recovered: Double { accuracyAfter - accuracyBefore }
    }

    public let setup: TrainingSetup
    public let weights: [WeightMatrix]
    public let gains: [Double]?
    public let faults: DeviceFaults
    public let epochs: Int, trainSamples: Int, testSamples: Int
    public let lr: Double

    public init(
        setup: TrainingSetup, weights: [WeightMatrix], gains: [Double]?, faults: DeviceFaults, epochs: Int, trainSamples: Int,
        lr: Double, testSamples: Int
    ) {
        self.setup = setup; self.weights = weights; self.gains = gains; self.faults = faults
        self.epochs = epochs; self.trainSamples = trainSamples; self.lr = lr; self.testSamples = testSamples
    }

    /// Where chip `c`'s retrained weights go in output folder `dir`.
    public static func weightsPath(_ dir: String, chip c: Int) -> String {
        (dir as NSString).appendingPathComponent("retrained/chip-\(c).json")
    }

    /// Retrains chip `c` on `threads` workers, writes its weights file into `dir` and returns its unit.
    public func unit(_ c: Int, dir: String, threads: Int) throws -> Unit {
        let (r, retrained) = try FaultAwareRetraining.run(
            setup: setup, weights: weights, gains: gains, faults: faults, chipSample: c, epochs: epochs,
            trainSamples: trainSamples, lr: lr, testSamples: testSamples, threads: threads)
        let data = try JSONEncoder.spikebar().encode(setup.weightFile(retrained))
        let path = Self.weightsPath(dir, chip: c)
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try DurableFile.write(data, to: path)
        return Unit(
            unit: c, stuckFraction: r.stuckFraction, accuracyFaultFree: r.accuracyFaultFree, accuracyBefore: r.accuracyBefore,
            accuracyAfter: r.accuracyAfter, weightsDigest: FNV1a64.hex(of: data))
    }

    /// A fingerprint of everything the units depend on besides the scenario text: weights, gains, faults,
    /// epochs, training and test samples, learning rate, number of chips, seed. FNV-1a 64 (hex).
    public func fingerprint(scenarioDigest: String, chips: Int) -> String {
        var h = FNV1a64()
        h.add(bytesOf: scenarioDigest)
        h.add(setup.scenario.seed); h.add(UInt64(chips)); h.add(UInt64(epochs)); h.add(UInt64(trainSamples))
        h.add(UInt64(testSamples)); h.add(lr.bitPattern)
        h.add(faults.bitErrorRate.bitPattern); h.add(faults.highFraction.bitPattern)
        h.add(weights)
        for g in gains ?? [] { h.add(g.bitPattern) }
        return h.hex
    }

    /// Chips `0..<chips` (the slice `shard` when given) on the results log `<dir>/retrain.partial.jsonl`
    /// (or `retrain.shard-k-of-N.jsonl`); with `resume`, the chips a killed run logged — and, for the whole
    /// run, those of shard logs in `dir` — are taken and only the others retrained. Chips run one after
    /// another, each on all `threads` (a retraining is itself parallel); the units are the same whatever
    /// was resumed or sharded and whatever the thread count. Every logged chip's weights file must still be
    /// the one it wrote (digest), else the run is refused naming it.
    public func run(
        chips: Int, dir: String, scenarioDigest: String, resume: Bool, shard: SweepShard?, threads: Int,
        progress: (@Sendable (Int, Int) -> Void)? = nil
    ) throws -> [Unit] {
        let header = ChipRetrainingLogHeader(
            digest: fingerprint(scenarioDigest: scenarioDigest, chips: chips), scenario: setup.scenario.name, chips: chips,
            testSamples: min(testSamples, setup.testLabels.count), seed: setup.scenario.seed)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let place = ExperimentLogPlace.inFolder(dir, stem: Self.logStem, shard: shard, resume: resume)
        // One chip after another, each retraining on every thread.
        let units = try ExperimentLog<ChipRetrainingLogHeader>.runInOrder(header: header, at: place, progress: progress) {
            try unit($0, dir: dir, threads: threads)
        }.units
        for u in units {
            let file = Self.weightsPath(dir, chip: u.unit)
            let data = try? InputFile.read(file, hint: "a retrained weights file")
            guard let data, FNV1a64.hex(of: data) == u.weightsDigest else {
                throw SpikebarError.mismatch(
                    "\(file) is \(data == nil ? "missing" : "not the file chip \(u.unit)'s retraining wrote (digest \(FNV1a64.hex(of: data!)), logged \(u.weightsDigest))"); copy it from where the chip was retrained (a shard's folder), or run again without --resume"
                )
            }
        }
        return units
    }

    /// The results log's file stem (`retrain.partial.jsonl`, `retrain.shard-k-of-N.jsonl`).
    public static let logStem = "retrain"

    /// What the chips' units say together.
    public struct Statistics: Codable, Sendable, Equatable {
        public var chips: Int
        public var meanFaultFree: Double, meanBefore: Double, meanAfter: Double
        public var worstBefore: Double, worstAfter: Double
        /// Mean and smallest accuracy regained (after − before) over chips.
        public var meanRecovered: Double, leastRecovered: Double
        public init(_ units: [Unit]) {
            let n = Double(max(1, units.count))
            chips = units.count
            meanFaultFree = units.reduce(0) { $0 + $1.accuracyFaultFree } / n
            meanBefore = units.reduce(0) { $0 + $1.accuracyBefore } / n
            meanAfter = units.reduce(0) { $0 + $1.accuracyAfter } / n
            worstBefore = units.map(\.accuracyBefore).min() ?? 0
            worstAfter = units.map(\.accuracyAfter).min() ?? 0
            meanRecovered = units.reduce(0) { $0 + $1.recovered } / n
            leastRecovered = units.map(\.recovered).min() ?? 0
        }
    }
}

extension ChipRetraining {
    /// What `spikebar retrain --chips N` writes (`retrain.json`): the settings, every chip's unit and
    /// their statistics, with the basis the accuracies were measured on.
    public struct Report: Codable, Sendable {
        public var scenario: String
        public var seed: UInt64
        public var bitErrorRate: Double, highFraction: Double
        public var epochs: Int, trainSamples: Int, testSamples: Int
        public var lr: Double
        /// How the accuracies were measured (stated next to them wherever they are shown).
        public var basis: String
        public var units: [Unit]
        public var statistics: Statistics
        public var seconds: Double
    }

    /// The report of `units` (one per chip, in chip order).
    public func report(_ units: [Unit], seconds: Double) -> Report {
        Report(
            scenario: setup.scenario.name, seed: setup.scenario.seed, bitErrorRate: faults.bitErrorRate,
            highFraction: faults.highFraction, epochs: epochs, trainSamples: min(trainSamples, setup.train.count),
            testSamples: min(testSamples, setup.testLabels.count), lr: lr, basis: Self.basis(dt: setup.dt),
            units: units, statistics: Statistics(units), seconds: seconds)
    }

    /// `retrain.md`: the settings, the basis, one row per chip and the summary.
    public static func markdown(_ r: Report) -> String {
        func pct(_ x: Double) -> String { Units.fixed(100 * x, significant: 4) + " %" }
        func pp(_ x: Double) -> String { (x >= 0 ? "+" : "") + Units.fixed(100 * x, significant: 3) + " pp" }
        var s = "# Fault-aware retraining over chip samples: \(r.scenario)\n\n"
        s += "- bit error rate \(r.bitErrorRate) (\(Units.fixed(100 * r.highFraction, significant: 3)) % of stuck cells stuck high), seed \(r.seed)\n"
        s += "- retrained \(r.epochs) epoch(s) on \(r.trainSamples) training samples, learning rate \(r.lr); \(r.testSamples) test samples\n"
        s += "- accuracy basis: \(r.basis)\n\n"
        s += "| chip | stuck | no faults | faults, original weights | faults, retrained | recovered |\n|---:|---:|---:|---:|---:|---:|\n"
        for u in r.units {
            s +=
                "| \(u.unit) | \(Units.fixed(100 * u.stuckFraction, significant: 3)) % | \(pct(u.accuracyFaultFree)) | \(pct(u.accuracyBefore)) | \(pct(u.accuracyAfter)) | \(pp(u.recovered)) |\n"
        }
        let st = r.statistics
        s +=
            "| mean (worst) | | \(pct(st.meanFaultFree)) | \(pct(st.meanBefore)) (\(pct(st.worstBefore))) | \(pct(st.meanAfter)) (\(pct(st.worstAfter))) | \(pp(st.meanRecovered)) (least \(pp(st.leastRecovered))) |\n"
        return s
    }

    /// The measurement basis of every accuracy of a retraining run.
    public static func basis(dt: Seconds) -> String {
        "event kernel, grid mode (dt \(Units.format(seconds: dt))), read noise on; each chip sample's own stuck map, time constants and programming error; retrained weights of chip c in retrained/chip-c.json"
    }
}

/// The header of a `ChipRetraining` results log (`retrain.partial.jsonl`): one line per retrained chip.
public struct ChipRetrainingLogHeader: ExperimentLogHeader {
    public typealias Unit = ChipRetraining.Unit
    public static let logFormat = "spikebar-retrain-log"
    public static let logVersion = 1
    public static let kind = "retraining run"
    public var format = ChipRetrainingLogHeader.logFormat
    public var version = ChipRetrainingLogHeader.logVersion
    public var digest: String
    public var scenario: String
    public var chips: Int, testSamples: Int
    public var seed: UInt64
    public var shard: SweepShard? = nil

    public init(digest: String, scenario: String, chips: Int, testSamples: Int, seed: UInt64) {
        self.digest = digest; self.scenario = scenario; self.chips = chips; self.testSamples = testSamples; self.seed = seed
    }

    public var unitCount: Int { chips }
    public var summary: String { "retrain of \(scenario): \(chips) chips, \(testSamples) test samples, seed \(seed)" }
    public var sameExperimentHint: String {
        "Resume with the same scenario, weights, number of chips, --bit-error-rate, --high-fraction, --epochs, --train-samples, --lr, --samples and seed, or start again without --resume"
    }
    public var headerProblem: String? { chips < 0 || testSamples < 0 ? "negative count of chips (\(chips)) or test samples (\(testSamples))" : nil }
    public static func index(of u: Unit) -> Int { u.unit }
    public func describe(unit t: Int) -> String { "chip \(t)" }
    public func problem(_ u: Unit) -> String? {
        let values = [u.stuckFraction, u.accuracyFaultFree, u.accuracyBefore, u.accuracyAfter]
        guard values.allSatisfy({ $0.isFinite && (0...1).contains($0) }) else { return "a fraction outside 0 … 1" }
        guard !u.weightsDigest.isEmpty, u.weightsDigest.allSatisfy(\.isHexDigit) else { return "no weights digest" }
        return nil
    }
}
