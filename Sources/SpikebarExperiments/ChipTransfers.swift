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
