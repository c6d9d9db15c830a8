import Foundation
import SpikebarCore

/// `evaluate` on the experiment log (issue #17, point 7): the kernel runs of the test samples — the
/// expensive part — are made in blocks, each block a unit of `evaluate.partial.jsonl`; a killed evaluation
/// resumed with `--resume` runs only the blocks the log lacks, and gives the same figures.
extension TwinEvaluation {
    /// One block of test samples' kernel results, in sample order (a line of the results log).
    public struct Unit: Codable, Sendable, Equatable {
        public var unit: Int
        /// Class predicted by the programmed chip in grid and (when run) exact mode, read noise on; −1:
        /// silent output layer (no class).
        public var grid: [Int] = [], exact: [Int] = []
        /// Output spikes (step, neuron) the kernel's grid mode (read noise off) and the chip's twin share, and
        /// the larger of their two counts; whether they predict the same class.
        public var identical: [Int] = [], total: [Int] = []
        public var same: [Bool] = []
        /// Energy (J) and latency (s) of each sample on each architecture (the run's cost models, in order),
        /// priced from the exact-mode activity (grid mode's with `--no-exact`).
        public var energy: [[Double]] = [], latency: [[Double]] = []
        public init(unit: Int) { self.unit = unit }
    }

    /// Where an evaluation keeps its results log.
    public struct Log: Sendable {
        public var path: String, resume: Bool, scenarioDigest: String
        public init(path: String, resume: Bool, scenarioDigest: String) {
            self.path = path; self.resume = resume; self.scenarioDigest = scenarioDigest
        }
        /// The log of an evaluation writing into folder `dir`: `<dir>/evaluate.partial.jsonl`
        /// (`ExperimentLogPlace.inFolder`).
        public static func inFolder(_ dir: String, resume: Bool, scenarioDigest: String) -> Log {
            Log(
                path: ExperimentLogPlace.inFolder(dir, stem: "evaluate", shard: nil, resume: resume).path, resume: resume,
                scenarioDigest: scenarioDigest)
        }
    }

    /// Test samples per unit: a function of the sample count only (so a resumed run with another thread
    /// count finds the same units), ≥ 16 units for ≥ 16 samples, at most 32 samples per line.
    public static func blockSize(samples n: Int) -> Int { max(1, min(32, n / 16)) }
}

/// The header of an evaluation's results log: one line per block of test samples follows.
public struct TwinEvaluationLogHeader: ExperimentLogHeader {
    public typealias Unit = TwinEvaluation.Unit
    public static let logFormat = "spikebar-evaluate-log"
    public static let logVersion = 1
    public static let kind = "evaluation"
    public var format = TwinEvaluationLogHeader.logFormat
    public var version = TwinEvaluationLogHeader.logVersion
    public var digest: String
    public var scenario: String
    public var samples: Int, block: Int
    public var exact: Bool
    /// Output neurons (classes) and the architectures each sample is priced on.
    public var classes: Int
    public var architectures: [String]
    public var seed: UInt64
    public var shard: SweepShard? = nil

    public init(
        digest: String, scenario: String, samples: Int, block: Int, exact: Bool, classes: Int, architectures: [String], seed: UInt64
    ) {
        self.digest = digest; self.scenario = scenario; self.samples = samples; self.block = block; self.exact = exact
        self.classes = classes; self.architectures = architectures; self.seed = seed
    }

    /// ⌈samples / block⌉ without overflow (a header read back may hold any integers; −1: invalid).
    public var unitCount: Int { block > 0 && samples >= 0 ? samples / block + (samples % block == 0 ? 0 : 1) : -1 }
    public var summary: String { "evaluate of \(scenario): \(samples) test samples\(exact ? "" : " (no exact mode)"), seed \(seed)" }
    public var sameExperimentHint: String {
        "Resume with the same scenario, weights, --samples, --stuck-fraction, --no-exact and seed, or start again without --resume"
    }
    public var headerProblem: String? { classes < 0 ? "negative count of classes (\(classes))" : nil }
    public static func index(of u: Unit) -> Int { u.unit }
    public func describe(unit t: Int) -> String {
        let (start, overflow) = t.multipliedReportingOverflow(by: block)
        return overflow ? "block \(t)" : "block \(t) (test samples \(start)…\(start + min(samples - start, block) - 1))"
    }
    public func problem(_ u: Unit) -> String? {
        // u.unit < unitCount, so u.unit·block < samples: no overflow; the block's end is clamped to samples.
        let start = u.unit * block
        let count = min(samples - start, block)
        guard u.grid.count == count, u.identical.count == count, u.total.count == count, u.same.count == count,
            u.energy.count == count, u.latency.count == count, u.exact.count == (exact ? count : 0)
        else { return "its results are not those of \(count) test samples" }
        guard classes >= 0, (u.grid + u.exact).allSatisfy({ $0 >= -1 && $0 < classes }) else {
            return "a class outside −1 … \(classes - 1)"
        }
        guard zip(u.identical, u.total).allSatisfy({ $0 >= 0 && $0 <= $1 }) else { return "more identical output spikes than spikes" }
        guard (u.energy + u.latency).allSatisfy({ $0.count == architectures.count && $0.allSatisfy { $0.isFinite && $0 >= 0 } }) else {
            return "an energy or latency that is negative, not finite, or not one per architecture"
        }
        return nil
    }
}
