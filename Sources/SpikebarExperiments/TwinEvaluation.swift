import Foundation
import SpikebarActivity
import SpikebarChip
import SpikebarCore
import SpikebarCost
import SpikebarData
import SpikebarDevices
import SpikebarKernel
import SpikebarPipeline
import SpikebarScenario
import SpikebarTwin

/// `spikebar evaluate`: test accuracy of trained weights along the transfer chain — the float twin, the
/// twin on the chip's levels, the programmed chip replayed in the event kernel (grid and exact modes,
/// read noise on) — the replay contract (kernel grid mode vs the twin of the same programmed chip, read
/// noise off), and energy / latency per inference from the cost models (exact-mode activity).
public struct TwinEvaluation: Codable, Sendable {
    public struct Accuracy: Codable, Sendable {
        public var name: String
        public var accuracy: Double
        public var note: String
    }
    public struct Replay: Codable, Sendable {
        /// Output spikes identical in (step, neuron) over the larger of the two spike counts.
        public var identicalOutputSpikes: Double
        /// Samples with the same predicted class (most output spikes; silent = no class).
        public var sameClass: Double
        public var outputSpikes: Int
    }
    public struct Cost: Codable, Sendable {
        public var architecture: String
        public var meanEnergy: Double, meanLatency: Double
    }
    public var scenario: String
    public var weights: String
    public var samples: Int
    public var chipSample: Int
    public var accuracies: [Accuracy]
    public var replay: Replay
    public var costs: [Cost]
    public var seconds: Double

    /// Evaluates `weights` (a weights file's matrices and gains) on the first `samples` test samples.
    public static func run(
        setup: TrainingSetup, weights: [WeightMatrix], gains: [Double]?, weightsName: String,
        samples: Int? = nil, exact: Bool = true, threads: Int = 0, chipSample: Int = 0,
        stuckFraction: Double? = nil, log: Log? = nil,
        progress: (@Sendable (Int, Int) -> Void)? = nil
    ) throws -> TwinEvaluation {
        let stuck = stuckFraction ?? setup.spec.calibration.stuckFraction
        let start = Date()
        var s = setup.scenario
        let n = min(samples ?? setup.testLabels.count, setup.testLabels.count)
        guard n >= 1 else {
            throw SpikebarError.invalidInput(SourceLocation(file: setup.loaded.path, keyPath: "training.test_samples"), "no test samples")
        }
        let g = gains ?? setup.gains
        s.input.window = Double(setup.steps) * setup.dt
        let labels = Array(setup.testLabels[0..<n])
        let lists = ParallelMap.map(count: n, threads: threads) { setup.testSpikes($0) }
        let steps = setup.steps, dt = setup.dt, channels = s.network.input
        let binned = lists.map { StepSpikes($0, dt: dt, steps: steps, channels: channels) }
        let models = Simulation.costModels(for: s)
        let block = Self.blockSize(samples: n)
        // The results log's header, and a resumed log of another evaluation refused before any work.
        let header: TwinEvaluationLogHeader? = log.map { log in
            var h = FNV1a64()
            h.add(bytesOf: log.scenarioDigest)
            h.add(weights)
            for x in g { h.add(x.bitPattern) }
            h.add(UInt64(chipSample)); h.add(stuck.bitPattern); h.add(exact ? 1 : 0); h.add(s.seed); h.add(UInt64(steps)); h.add(dt.bitPattern)
            h.add(UInt64(n)); h.add(UInt64(block))
            for (label, list) in zip(labels, lists) {
                h.add(UInt64(bitPattern: Int64(label))); h.add(UInt64(list.count))
                for t in list.times { h.add(UInt64(bitPattern: t)) }
                for c in list.channels { h.add(UInt64(UInt32(bitPattern: c))) }
            }
            return TwinEvaluationLogHeader(
                digest: h.hex, scenario: s.name, samples: n, block: block, exact: exact, classes: s.network.layers.last?.size ?? 0,
                architectures: models.map(\.architecture), seed: s.seed)
        }
        if let log, let header {
            try ExperimentLog<TwinEvaluationLogHeader>.checkResumable(header, at: ExperimentLogPlace(path: log.path, resume: log.resume))
        }
        // Float and quantised twins on the neurons of the chip they will be programmed into.
        let neurons = Chip.sampleNeurons(scenario: s, gains: g, chipSample: chipSample)
        let twin = try setup.twin(neurons: neurons, weights: weights)
        let readout = twin.readout
        func accuracy(_ results: [TwinResult]) -> Double {
            var ok = 0
            for (r, l) in zip(results, labels) where (readout == .spikeCount ? r.predictedClass : r.logitClass) == l { ok += 1 }
            return Double(ok) / Double(n)
        }
        let floatAcc = accuracy(twin.infer(binned, threads: threads))
        let ideal = try setup.twin(neurons: setup.homogeneousNeurons(gains: g), weights: weights)
        let idealAcc = accuracy(ideal.infer(binned, threads: threads))
        let cal = WeightCalibration(spec: setup.spec.calibration, device: s.device, seed: s.seed)
        let quantAcc = accuracy(twin.infer(binned, effective: cal.quantized(twin.weights), threads: threads))
        // Seed 000 Table I's "Hom. SNN, 3/4 bits": the levels without the chip's time constants.
        let idealQuantAcc = accuracy(ideal.infer(binned, effective: cal.quantized(ideal.weights), threads: threads))
        // The programmed chip: levels + programming error (+ stuck cells), sampled from the seed.
        var chip = try Chip(scenario: s, weights: weights, gains: g, chipSample: chipSample)
        chip.injectStuckCells(fraction: stuck, seed: s.seed)
        let chipTwin = try TwinNetwork(chip: chip, network: s.network, dt: dt, steps: steps)
        let chipTwinOut = chipTwin.infer(binned, record: true, threads: threads)
        let gridQuiet = EventKernel(chip: chip, timing: .grid(dt: dt), readNoise: false)
        let grid = EventKernel(chip: chip, timing: .grid(dt: dt), readNoise: true)
        let exactKernel = EventKernel(chip: chip, timing: .exact, readNoise: true)
        let window = s.input.window, seed = s.seed, L = s.network.layers.count
        let dtPs = Int64((dt * 1e12).rounded())
        // The kernel runs, the expensive part, in blocks of test samples: each block a unit of the
        // results log when there is one (`--resume` runs only the blocks a killed run did not log).
        let blocks = (n + block - 1) / block
        let counter = Counter()
        let runBlock: @Sendable (Int) throws -> Unit = { b in
            var u = Unit(unit: b)
            for k in (b * block)..<min(n, (b + 1) * block) {
                let opts = RunOptions(window: window, sample: TrainingSetup.testKey(k), seed: seed, recordSpikes: false, reportingStep: dt)
                var quiet = opts; quiet.recordSpikes = true
                let rq = gridQuiet.run(input: lists[k], options: quiet)
                let kernelSpikes = Set(zip(rq.spikes[L].times, rq.spikes[L].channels).map { Int($0 / dtPs) &* 1_000_003 &+ Int($1) })
                let twinSpikes = Set(chipTwinOut[k].spikes[L].map { $0.step &* 1_000_003 &+ $0.neuron })
                let rg = grid.run(input: lists[k], options: opts)
                let re = exact ? exactKernel.run(input: lists[k], options: opts) : rg
                u.grid.append(rg.activity.predictedClass ?? -1)
                if exact { u.exact.append(re.activity.predictedClass ?? -1) }
                u.identical.append(kernelSpikes.intersection(twinSpikes).count)
                u.total.append(max(kernelSpikes.count, twinSpikes.count))
                u.same.append(rq.activity.predictedClass == chipTwinOut[k].predictedClass)
                let est = models.map { $0.price(re.activity) }
                for (m, e) in est.enumerated() where !e.totalEnergy.isFinite || !e.totalLatency.isFinite {
                    throw SpikebarError.mismatch(
                        "test sample \(k): the \(models[m].architecture) cost model priced it at energy \(e.totalEnergy) J, latency \(e.totalLatency) s (not finite): check the scenario's architectures: constants"
                    )
                }
                u.energy.append(est.map(\.totalEnergy)); u.latency.append(est.map(\.totalLatency))
                progress?(counter.add(1), n)
            }
            return u
        }
        let units: [Unit]
        if let log, let header {
            units = try ExperimentLog<TwinEvaluationLogHeader>.run(
                header: header, path: log.path, resume: log.resume, threads: threads, unit: runBlock
            ).units
        } else {
            units = try ParallelMap.map(count: blocks, threads: threads) { b in Result { try runBlock(b) } }.map { try $0.get() }
        }
        var gridOK = 0, exactOK = 0, identical = 0, total = 0, same = 0
        var energy = [Double](repeating: 0, count: models.count), latency = energy
        var k = 0
        for u in units {
            for j in u.grid.indices {
                if u.grid[j] == labels[k] { gridOK += 1 }
                if exact && u.exact[j] == labels[k] { exactOK += 1 }
                identical += u.identical[j]; total += u.total[j]
                if u.same[j] { same += 1 }
                for m in models.indices { energy[m] += u.energy[j][m]; latency[m] += u.latency[j][m] }
                k += 1
            }
        }
        var accs = [
            Accuracy(name: "ideal twin", accuracy: idealAcc, note: "float weights, homogeneous time constants (no chip)"),
            Accuracy(name: "float twin", accuracy: floatAcc, note: "trained weights, chip sample \(chipSample)'s time constants"),
            Accuracy(name: "quantised twin", accuracy: quantAcc, note: "weights on the \(s.device.levels) levels, no programming error"),
            Accuracy(
                name: "programmed chip, kernel grid(\(Units.format(seconds: dt)))", accuracy: Double(gridOK) / Double(n),
                note: "programming error\(stuck > 0 ? ", \(stuck) stuck cells" : ""), read noise \(s.device.readNoise)"),
        ]
        if s.tiles.parasitics != nil {
            // Tile parasitics: the twin of the programmed chip reads through them too (Docs/circuits.md §6).
            var ok = 0
            for (r, l) in zip(chipTwinOut, labels) where (readout == .spikeCount ? r.predictedClass : r.logitClass) == l { ok += 1 }
            accs.append(
                Accuracy(
                    name: "programmed chip, twin with parasitics", accuracy: Double(ok) / Double(n),
                    note: "single-row read attenuation of every cell (fast model), no read noise"))
        }
        if exact {
            accs.append(
                Accuracy(
                    name: "programmed chip, kernel exact", accuracy: Double(exactOK) / Double(n),
                    note: "continuous time, read noise \(s.device.readNoise)"))
        }
        accs.append(
            Accuracy(
                name: "quantised ideal twin", accuracy: idealQuantAcc,
                note: "weights on the \(s.device.levels) levels, homogeneous time constants (no chip)"))
        let costs = models.indices.map { m in
            Cost(architecture: models[m].architecture, meanEnergy: energy[m] / Double(n), meanLatency: latency[m] / Double(n))
        }
        return TwinEvaluation(
            scenario: s.name, weights: weightsName, samples: n, chipSample: chipSample, accuracies: accs,
            replay: Replay(
                identicalOutputSpikes: total > 0 ? Double(identical) / Double(total) : 1,
                sameClass: Double(same) / Double(n), outputSpikes: total),
            costs: costs, seconds: Date().timeIntervalSince(start))
    }
}

/// A thread-safe counter for progress callbacks.
final class Counter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()
    func increment() -> Int { add(1) }
    func add(_ n: Int) -> Int { lock.lock(); defer { lock.unlock() }; value += n; return value }
}

/// Transfer robustness over many programmed chips (`evaluate --chips`): the summary of a `ChipTransfers`
/// run with the scenario's (or `--stuck-fraction`'s) stuck cells on every chip.
public struct ChipMonteCarlo: Codable, Sendable {
    public var chips: Int
    public var samples: Int
    /// Mean and worst accuracy over the chips.
    public var meanAccuracy: Double, worstAccuracy: Double
    /// Fraction of test points classified correctly by at least 95 % of the chips.
    public var robustFraction: Double

    public static func run(
        setup: TrainingSetup, weights: [WeightMatrix], gains: [Double]?, chips: Int, samples: Int? = nil,
        threads: Int = 0, stuckFraction: Double? = nil, log: ChipTransfers.Log? = nil,
        progress: (@Sendable (Int, Int) -> Void)? = nil
    ) throws -> ChipMonteCarlo {
        let experiment = Self.experiment(setup: setup, weights: weights, gains: gains, samples: samples, stuckFraction: stuckFraction)
        return ChipMonteCarlo(experiment: experiment, units: try experiment.run(chips: chips, log: log, threads: threads, progress: progress))
    }

    /// The Monte-Carlo as a `ChipTransfers` experiment: the scenario's (or `stuckFraction`'s) stuck cells on
    /// every chip (what `run` and an `evaluate --chips --shard` slice compute).
    public static func experiment(
        setup: TrainingSetup, weights: [WeightMatrix], gains: [Double]?, samples: Int?, stuckFraction: Double?
    ) -> ChipTransfers {
        ChipTransfers(
            setup: setup, scenario: setup.scenario, weights: weights, gains: gains, samples: samples,
            stuckFraction: stuckFraction ?? setup.spec.calibration.stuckFraction, threads: 1)
    }

    /// The summary of a finished `ChipTransfers` run.
    public init(experiment: ChipTransfers, units: [ChipTransfers.Unit]) {
        let stats = ChipTransfers.Statistics(units: units, points: experiment.labels.count)
        chips = units.count; samples = experiment.labels.count
        meanAccuracy = stats.mean; worstAccuracy = stats.worst; robustFraction = stats.robust(95)
    }
}
