import Foundation
import SpikebarCore
import SpikebarDevices
import SpikebarNeurons

/// Labelled samples the trainer draws from; `encode(k, presentation)` gives sample k's input spikes for
/// one presentation (a fresh rate-code draw per epoch, keyed so that a resumed run sees the same spikes).
public struct TwinDataset: Sendable {
    public var labels: [Int]
    public var encode: @Sendable (_ index: Int, _ presentation: Int) -> StepSpikes
    public init(labels: [Int], encode: @escaping @Sendable (Int, Int) -> StepSpikes) {
        self.labels = labels; self.encode = encode
    }
    public var count: Int { labels.count }
}

/// Optimisation settings of one training run (from the scenario's `training:` section and the CLI).
public struct TrainerConfig: Sendable, Codable, Equatable {
    public var epochs: Int, batch: Int, lr: Double
    public var schedule: LearningRateSchedule
    public var lrDecayEvery: Int, lrDecayFactor: Double
    public var patience: Int
    public var threads: Int
    public var seed: UInt64
    public init(
        epochs: Int, batch: Int, lr: Double, schedule: LearningRateSchedule, lrDecayEvery: Int = 5,
        lrDecayFactor: Double = 0.5, patience: Int = 0, threads: Int = 0, seed: UInt64 = 1
    ) {
        self.epochs = epochs; self.batch = batch; self.lr = lr; self.schedule = schedule
        self.lrDecayEvery = lrDecayEvery; self.lrDecayFactor = lrDecayFactor; self.patience = patience
        self.threads = threads; self.seed = seed
    }

    /// Learning rate at batch `t` of `total` (epoch `epoch`): constant, cosine annealing to 0
    /// (Loshchilov & Hutter, SGDR, ICLR 2017), or step decay.
    public func learningRate(batch t: Int, of total: Int, epoch: Int) -> Double {
        switch schedule {
        case .constant: return lr
        case .cosine: return lr * 0.5 * (1 + cos(Double.pi * Double(t) / Double(max(total, 1))))
        case .step: return lr * pow(lrDecayFactor, Double(epoch / lrDecayEvery))
        }
    }
}

/// One finished epoch.
public struct EpochRecord: Sendable, Codable, Equatable {
    public var epoch: Int
    public var trainLoss: Double, trainAccuracy: Double
    public var validationAccuracy: Double?
    public var lr: Double
    public var seconds: Double
}

/// Everything needed to continue a run where it stopped (`spikebar train --resume`).
public struct TrainingCheckpoint: Sendable, Codable {
    public var format = "spikebar-twin-checkpoint"
    public var version = 1
    /// Shapes of the weight matrices (checked on resume).
    public var shapes: [Int]
    public var weights: [[Double]]
    public var adam: Adam
    /// Next epoch to run and next batch in it.
    public var epoch: Int, batchInEpoch: Int
    public var bestWeights: [[Double]]
    public var bestValidation: Double
    public var bestEpoch: Int
    public var staleEpochs: Int
    public var history: [EpochRecord]
    /// Running sums of the epoch in progress.
    public var epochLoss: Double, epochCorrect: Int, epochSeen: Int
    public var finished: Bool
    /// Trainable time constants: ln τ_mem per layer, then ln τ_syn per layer (current and best epoch's),
    /// and their Adam state; nil when the time constants are fixed.
    public var logTau: [[Double]]? = nil, bestLogTau: [[Double]]? = nil
    public var tauAdam: Adam? = nil

    /// Digest of everything the training depends on (scenario text, batch, learning rate, training
    /// samples, seed; `spikebar train` sets it): `--resume` refuses a checkpoint of another training
    /// (issue #22, class 7), as `sweep --resume` refuses another sweep's log.
    public var digest: String?

    /// Why the checkpoint cannot be resumed on a network of weight-matrix sizes `shapes`, or nil: every
    /// field read back is checked like user input (shapes of weights, best weights and Adam's moments,
    /// finite values, non-negative counters).
    public func validationProblem(shapes expected: [Int]) -> String? {
        if format != "spikebar-twin-checkpoint" { return "format is '\(format)', not a twin training checkpoint" }
        if version != 1 { return "version \(version) (this spikebar reads 1)" }
        if shapes != expected { return "weight shapes \(shapes), the network needs \(expected)" }
        for (name, list) in [("weights", weights), ("bestWeights", bestWeights), ("adam.m", adam.m), ("adam.v", adam.v)] {
            guard list.map(\.count) == expected else { return "\(name) has rows of \(list.map(\.count)) values, the network needs \(expected)" }
            if let k = list.firstIndex(where: { !$0.allSatisfy(\.isFinite) }) { return "\(name)[\(k)] holds a value that is not finite" }
        }
        if epoch < 0 || batchInEpoch < 0 || staleEpochs < 0 || adam.step < 0 || epochSeen < 0 || !(0...max(0, epochSeen)).contains(epochCorrect) {
            return
                "negative or inconsistent counters (epoch \(epoch), batch \(batchInEpoch), stale epochs \(staleEpochs), Adam step \(adam.step), seen \(epochSeen), correct \(epochCorrect))"
        }
        if !epochLoss.isFinite || !bestValidation.isFinite { return "epochLoss or bestValidation is not finite" }
        return nil
    }
}

/// What the progress callback sees after every batch.
public struct TrainingProgress: Sendable {
    public var epoch: Int, epochs: Int
    public var batch: Int, batches: Int
    /// Mean loss and accuracy over the epoch so far.
    public var loss: Double, accuracy: Double
    public var examplesPerSecond: Double
    public var lr: Double
}

/// Why `train` returned.
public enum TrainingEnd: String, Sendable, Codable { case completed, earlyStopped = "early_stopped", interrupted }

/// Surrogate-gradient BPTT training of the twin with Adam, mini-batches, a learning-rate schedule,
/// early stopping on a validation split and checkpoints, with the hardware calibration applied to the
/// weights of every batch (`WeightCalibration`) and, optionally, per-batch neuron parameters.
public final class Trainer {
    public private(set) var twin: TwinNetwork
    public let config: TrainerConfig
    public let calibration: WeightCalibration
    /// Per-batch neuron parameters (time constants resampled per batch); nil keeps the twin's.
    public let neuronsForBatch: (@Sendable (Int) -> [[NeuronParameters]])?
    public let device: RRAMDevice
    /// Also checkpoint inside an epoch when this many seconds (wall clock) have passed since the last
    /// save; 0: only at epoch ends. A killed run then loses at most this much work. The checkpoint
    /// holds the epoch's running sums and the next batch, and every batch is keyed by (seed, epoch,
    /// batch), so resuming mid-epoch gives the same weights as an uninterrupted run.
    public var checkpointInterval: TimeInterval = 0

    /// Trainable time constants: the neurons whose τ are trained (their other parameters stay) and the
    /// realisable range; nil keeps the twin's τ fixed.
    public let trainableTimeConstants: (base: [[NeuronParameters]], bounds: TimeConstantBounds)?

    public init(
        twin: TwinNetwork, config: TrainerConfig, calibration: WeightCalibration,
        neuronsForBatch: (@Sendable (Int) -> [[NeuronParameters]])? = nil,
        trainableTimeConstants: (base: [[NeuronParameters]], bounds: TimeConstantBounds)? = nil
    ) {
        self.twin = twin; self.config = config; self.calibration = calibration
        self.neuronsForBatch = neuronsForBatch; self.device = calibration.device
        self.trainableTimeConstants = trainableTimeConstants
    }

    /// The neurons of a checkpoint's trained time constants (best epoch's when `best`); nil when fixed.
    public func trainedNeurons(_ ck: TrainingCheckpoint, best: Bool = true) -> [[NeuronParameters]]? {
        guard let t = trainableTimeConstants, let lt = best ? (ck.bestLogTau ?? ck.logTau) : ck.logTau else { return nil }
        return TimeConstantBounds.neurons(t.base, logTau: lt)
    }

    /// A fresh checkpoint: the twin's current weights, Adam at rest.
    public func start() -> TrainingCheckpoint {
        let shapes = twin.weights.map(\.count)
        var ck = TrainingCheckpoint(
            shapes: shapes, weights: twin.weights, adam: Adam(shapes: shapes), epoch: 0, batchInEpoch: 0,
            bestWeights: twin.weights, bestValidation: -1, bestEpoch: -1, staleEpochs: 0, history: [],
            epochLoss: 0, epochCorrect: 0, epochSeen: 0, finished: false)
        if let t = trainableTimeConstants {
            let lt = t.bounds.logTau(t.base)
            ck.logTau = lt; ck.bestLogTau = lt; ck.tauAdam = Adam(shapes: lt.map(\.count))
        }
        return ck
    }

    /// Weights used to score validation: on the chip's levels when quantisation is calibrated, no noise.
    public func validationWeights(_ w: [[Double]]) -> [[Double]] {
        calibration.spec.quantize ? calibration.quantized(w) : w
    }

    /// Accuracy of weights `w` on `data` (presentation 0), with the twin's decision rule.
    public func accuracy(_ w: [[Double]], on data: TwinDataset) -> Double {
        guard data.count > 0 else { return 0 }
        let inputs = parallelMap(count: data.count, threads: config.threads) { data.encode($0, 0) }
        let results = twin.infer(inputs, effective: w, threads: config.threads)
        var correct = 0
        for (r, label) in zip(results, data.labels) where decision(r) == label { correct += 1 }
        return Double(correct) / Double(data.count)
    }

    func decision(_ r: TwinResult) -> Int? { twin.readout == .spikeCount ? r.predictedClass : r.logitClass }

    /// Runs (or continues) training from `checkpoint`. Calls `progress` after every batch, `save` at the
    /// end of every epoch and when stopping; returns when the epochs are done, early stopping triggers, or
    /// `shouldStop()` turns true (Ctrl-C). Throws when the loss is not finite (diverged training).
    public func train(
        _ train: TwinDataset, validation: TwinDataset?, from checkpoint: TrainingCheckpoint,
        progress: (TrainingProgress) -> Void = { _ in }, shouldStop: () -> Bool = { false },
        save: (TrainingCheckpoint) throws -> Void = { _ in }
    ) throws -> (TrainingCheckpoint, TrainingEnd) {
        var ck = checkpoint
        guard ck.shapes == twin.weights.map(\.count) else {
            throw SpikebarError.mismatch(
                "checkpoint weights have shapes \(ck.shapes), the network needs \(twin.weights.map(\.count)); start without --resume")
        }
        if ck.finished { return (ck, .completed) }
        let n = train.count, B = config.batch
        let batches = max(1, (n + B - 1) / B)
        let total = batches * config.epochs
        var lastSave = Date()
        while ck.epoch < config.epochs {
            let epoch = ck.epoch
            let order = shuffled(n, epoch: epoch)
            let epochStart = Date()
            var seenSince = 0
            var windowStart = Date()
            while ck.batchInEpoch < batches {
                if shouldStop() {
                    try save(ck)
                    return (ck, .interrupted)
                }
                let b = ck.batchInEpoch
                let global = epoch * batches + b
                let idx = Array(order[(b * B)..<min(n, (b + 1) * B)])
                let inputs = parallelMap(count: idx.count, threads: config.threads) { train.encode(idx[$0], epoch) }
                let labels = idx.map { train.labels[$0] }
                if let neuronsForBatch { twin.setNeurons(neuronsForBatch(global), device: device) }
                let tuned = trainableTimeConstants != nil && ck.logTau != nil && ck.tauAdam != nil
                if tuned, let n = trainedNeurons(ck, best: false) { twin.setNeurons(n, device: device) }
                let (eff, mask) = calibration.isActive ? calibration.effective(ck.weights, batch: global) : (ck.weights, nil)
                let g = twin.gradient(inputs, labels: labels, effective: eff, threads: config.threads, timeConstants: tuned)
                guard g.loss.isFinite else {
                    try save(ck)
                    throw SpikebarError.resourceLimit(
                        "training diverged: the loss is \(g.loss) at epoch \(epoch + 1), batch \(b + 1); lower the learning rate (--lr) or the gains and start again (the checkpoint holds the weights before this batch)"
                    )
                }
                let lr = config.learningRate(batch: global, of: total, epoch: epoch)
                ck.adam.update(&ck.weights, grads: g.gradients, lr: lr, mask: mask)
                if tuned, let t = trainableTimeConstants, var lt = ck.logTau, var adam = ck.tauAdam, let gm = g.tauMem, let gs = g.tauSyn {
                    // ∂L/∂ln τ = τ · ∂L/∂τ; then back onto the realisable range.
                    let grads = zip(gm + gs, lt).map { g, l in zip(g, l).map { $0 * exp($1) } }
                    adam.update(&lt, grads: grads, lr: lr, clip: -.greatestFiniteMagnitude...Double.greatestFiniteMagnitude)
                    t.bounds.project(&lt)
                    ck.logTau = lt; ck.tauAdam = adam
                }
                ck.epochLoss += g.loss * Double(idx.count)
                ck.epochCorrect += g.correct
                ck.epochSeen += idx.count
                ck.batchInEpoch += 1
                seenSince += idx.count
                let elapsed = Date().timeIntervalSince(windowStart)
                progress(
                    TrainingProgress(
                        epoch: epoch, epochs: config.epochs, batch: ck.batchInEpoch, batches: batches,
                        loss: ck.epochLoss / Double(max(1, ck.epochSeen)),
                        accuracy: Double(ck.epochCorrect) / Double(max(1, ck.epochSeen)),
                        examplesPerSecond: elapsed > 0 ? Double(seenSince) / elapsed : 0, lr: lr))
                if elapsed > 10 { windowStart = Date(); seenSince = 0 }
                if checkpointInterval > 0, ck.batchInEpoch < batches, Date().timeIntervalSince(lastSave) >= checkpointInterval {
                    try save(ck)
                    lastSave = Date()
                }
            }
            if neuronsForBatch != nil { twin.setNeurons(neuronsForBatch!(-1 - epoch), device: device) }
            if let n = trainedNeurons(ck, best: false) { twin.setNeurons(n, device: device) }
            let val = validation.map { accuracy(validationWeights(ck.weights), on: $0) }
            let record = EpochRecord(
                epoch: epoch + 1, trainLoss: ck.epochLoss / Double(max(1, ck.epochSeen)),
                trainAccuracy: Double(ck.epochCorrect) / Double(max(1, ck.epochSeen)),
                validationAccuracy: val,
                lr: config.learningRate(batch: (epoch + 1) * batches - 1, of: total, epoch: epoch),
                seconds: Date().timeIntervalSince(epochStart))
            ck.history.append(record)
            let score = val ?? record.trainAccuracy
            // Ties go to the later epoch (trained longer at the same score); only a better score resets patience.
            if score >= ck.bestValidation {
                ck.staleEpochs = score > ck.bestValidation ? 0 : ck.staleEpochs + 1
                ck.bestValidation = score; ck.bestWeights = ck.weights; ck.bestEpoch = epoch + 1
                ck.bestLogTau = ck.logTau
            } else {
                ck.staleEpochs += 1
            }
            ck.epoch += 1; ck.batchInEpoch = 0
            ck.epochLoss = 0; ck.epochCorrect = 0; ck.epochSeen = 0
            if config.patience > 0, validation != nil, ck.staleEpochs >= config.patience {
                ck.finished = true
                try save(ck)
                return (ck, .earlyStopped)
            }
            try save(ck)
            lastSave = Date()
        }
        ck.finished = true
        try save(ck)
        return (ck, .completed)
    }

    /// Sample order of epoch `epoch`: a Fisher–Yates shuffle from the keyed stream (seed, training, epoch).
    func shuffled(_ n: Int, epoch: Int) -> [Int] {
        var order = Array(0..<n)
        var rng = RandomStream(seed: config.seed, purpose: .training, index: 1 << 40, sample: UInt64(epoch))
        if n > 1 {
            for i in stride(from: n - 1, to: 0, by: -1) {
                let j = Int(rng.next() % UInt64(i + 1))
                order.swapAt(i, j)
            }
        }
        return order
    }
}

/// Deterministic parallel map: result k at index k whatever the number of threads (0: all cores);
/// `ParallelMap.withWorkspaces` without a workspace.
func parallelMap<R>(count: Int, threads: Int, _ body: @escaping (Int) -> R) -> [R] {
    ParallelMap.withWorkspaces(count: count, threads: threads, workspace: {}) { _, k in body(k) }
}
