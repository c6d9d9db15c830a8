import Foundation
import SpikebarChip
import SpikebarCore
import SpikebarData
import SpikebarDevices
import SpikebarKernel
import SpikebarPipeline
import SpikebarScenario
import SpikebarTwin

/// `spikebar sweep SCENARIO --transfers N`: robustness of an ex-situ transfer (Drolet et al. 2023, §4).
/// The trained weights are programmed onto N independent chips (chip samples 0 … N−1: each draws its own
/// programming — on a passive array the V/3 disturbance, tuning error and failures — and its own neuron
/// time constants); every test point is classified on every chip by the twin of that programmed chip
/// (the replay contract: the kernel's grid mode with read noise off gives the same classes, checked
/// here on a subset). Reported per test point: the fraction of transfers classifying it correctly;
/// overall: the fraction of test points correct in ≥ 95 % and ≥ 90 % of transfers, and the accuracy
/// over transfers (mean, std, worst, best). Deterministic for a seed whatever the thread count.
public struct TransferSweep: Codable, Sendable {
    public struct Point: Codable, Sendable, Equatable {
        public var index: Int
        /// The point's coordinates (two moons only).
        public var x: Double?, y: Double?
        public var label: Int
        /// Fraction of transfers that classify it correctly.
        public var fractionCorrect: Double
    }
    public struct KernelCheck: Codable, Sendable, Equatable {
        public var chips: Int, samples: Int
        /// Fraction of (chip, point) pairs where the event kernel (grid mode, read noise off) and the twin
        /// predict the same class.
        public var agreement: Double
    }
    public var scenario: String
    public var weights: String
    public var seed: UInt64
    public var array: String
    public var model: String
    public var transfers: Int
    public var samples: Int
    /// Fraction of test points classified correctly by ≥ 95 % / ≥ 90 % of the transfers.
    public var fraction95: Double, fraction90: Double
    public var meanAccuracy: Double, stdAccuracy: Double, worstAccuracy: Double, bestAccuracy: Double
    public var kernelCheck: KernelCheck?
    /// Failure statistics of the database's dead-crossbar maps (when loaded), for comparison with the
    /// failure ratios the model uses.
    public var deadMaps: TiO2Database.DeadMapSummary?
    public var points: [Point]
    public var seconds: Double

    /// Runs `transfers` programmings of `weights` (on the results log `log` when given: resumable);
    /// `kernelChips × kernelSamples` pairs are replayed in the event kernel as a cross-check (0 skips it).
    public static func run(
        setup: TrainingSetup, weights: [WeightMatrix], gains: [Double]?, weightsName: String, transfers: Int,
        samples: Int? = nil, kernelChips: Int = 4, kernelSamples: Int = 50, threads: Int = 0, log: ChipTransfers.Log? = nil,
        progress: (@Sendable (Int, Int) -> Void)? = nil
    ) throws -> TransferSweep {
        let start = Date()
        guard transfers >= 1 else { throw SpikebarError.invalidInput(SourceLocation(file: setup.loaded.path), "--transfers must be ≥ 1") }
        var s = setup.scenario
        let n = min(samples ?? setup.testLabels.count, setup.testLabels.count)
        guard n >= 1 else {
            throw SpikebarError.invalidInput(SourceLocation(file: setup.loaded.path, keyPath: "training.test_samples"), "no test samples")
        }
        s.input.window = Double(setup.steps) * setup.dt
        let labels = Array(setup.testLabels[0..<n])
        let scenario = s
        let experiment = try Self.experiment(setup: setup, weights: weights, gains: gains, samples: samples, threads: threads)
        let stats = ChipTransfers.Statistics(units: try experiment.run(chips: transfers, log: log, threads: threads, progress: progress), points: n)
        let correct = stats.correct, mean = stats.mean
        let f95 = stats.robust(95), f90 = stats.robust(90)
        var coords: [(Double, Double)]? = nil
        if setup.spec.dataset == .twoMoons {
            let te = TwoMoons(count: setup.spec.testSamples, noise: setup.spec.moonsNoise, seed: s.seed, offset: 10_000_000)
            coords = te.points.map { ($0.x, $0.y) }
        }
        let points = (0..<n).map { k in
            Point(
                index: k, x: coords.map { $0[k].0 }, y: coords.map { $0[k].1 }, label: labels[k],
                fractionCorrect: Double(correct[k]) / Double(transfers))
        }
        // Cross-check: the event kernel on the programmed chip (grid mode at the twin's step, read noise
        // off) against the twin, on the first chips and points.
        var check: KernelCheck? = nil
        let kc = min(kernelChips, transfers), ks = min(kernelSamples, n)
        if kc > 0 && ks > 0 {
            let agree: [Int] = try ParallelMap.map(count: kc, threads: threads) { c -> Result<Int, Error> in
                Result {
                    let chip = try experiment.chip(c)
                    let twin = try TwinNetwork(chip: chip, network: scenario.network, dt: experiment.dt, steps: experiment.steps)
                    let out = twin.infer(Array(experiment.inputs[0..<ks]), threads: 1)
                    let kernel = EventKernel(chip: chip, timing: .grid(dt: experiment.dt), readNoise: false)
                    var same = 0
                    for k in 0..<ks {
                        let opts = RunOptions(
                            window: scenario.input.window, sample: TrainingSetup.testKey(k), seed: scenario.seed,
                            recordSpikes: false, reportingStep: experiment.dt)
                        if kernel.run(input: setup.testSpikes(k), options: opts).activity.predictedClass == out[k].predictedClass { same += 1 }
                    }
                    return same
                }
            }.map { try $0.get() }
            check = KernelCheck(chips: kc, samples: ks, agreement: Double(agree.reduce(0, +)) / Double(kc * ks))
        }
        let model =
            s.device.array == .passive
            ? (s.device.passive ?? PassiveArraySpec()).sourceNote
            : "active 1T1R levels, programming error per level"
        return TransferSweep(
            scenario: s.name, weights: weightsName, seed: s.seed, array: s.device.array.rawValue, model: model,
            transfers: transfers, samples: n, fraction95: f95, fraction90: f90, meanAccuracy: mean,
            stdAccuracy: stats.std, worstAccuracy: stats.worst, bestAccuracy: stats.best,
            kernelCheck: check, deadMaps: s.device.passive?.database?.deadMapSummary(), points: points, seconds: Date().timeIntervalSince(start))
    }

    /// The transfers as a `ChipTransfers` experiment: the trained weights on chip samples 0, 1, …, no extra
    /// stuck cells, the scenario's window set to the twin's steps (what `run` and a `--shard` slice compute).
    public static func experiment(
        setup: TrainingSetup, weights: [WeightMatrix], gains: [Double]?, samples: Int?, threads: Int
    ) throws -> ChipTransfers {
        var s = setup.scenario
        let n = min(samples ?? setup.testLabels.count, setup.testLabels.count)
        guard n >= 1 else {
            throw SpikebarError.invalidInput(SourceLocation(file: setup.loaded.path, keyPath: "training.test_samples"), "no test samples")
        }
        s.input.window = Double(setup.steps) * setup.dt
        return ChipTransfers(setup: setup, scenario: s, weights: weights, gains: gains, samples: n, stuckFraction: nil, threads: threads)
    }

    /// One row per test point: `index,x,y,label,fraction_correct`.
    public func csv() -> String {
        var out = "index,x,y,label,fraction_correct\n"
        for p in points {
            out += "\(p.index),\(p.x.map { "\($0)" } ?? ""),\(p.y.map { "\($0)" } ?? ""),\(p.label),\(p.fractionCorrect)\n"
        }
        return out
    }
}
