import Foundation
import SpikebarCore

/// Mini-batch training of any `TrainingProblem` — the LIF twin (`TwinTraining`), the MIF twin
/// (`MIFTraining`), an NIR graph (`NIRTraining`) — with Adam, a learning-rate schedule, early stopping
/// on a validation split and checkpoints (issue #17, point 5: one trainer for every differentiable model).
///
/// Per batch, in this order: the problem's gradient at the checkpoint's parameters, a divergence check
/// (a non-finite loss stops the run with the checkpoint of the batch before), the update rule (Adam,
/// projected onto `parameterRange`, stuck entries masked; or in-situ device pulses), the problem's further parameters
/// (`updateSecondary`). Every batch is keyed by (seed, epoch, batch), so a run resumed from any
/// checkpoint gives the same parameters as an uninterrupted one, and the thread count changes nothing.
public final class Trainer<Problem: TrainingProblem> {
    /// The model and its samples; the trainer changes only what its hooks change.
    public internal(set) var problem: Problem
    public let config: TrainerConfig
    /// Also checkpoint inside an epoch when this many seconds (wall clock) have passed since the last
    /// save; 0: only at epoch ends. A killed run then loses at most this much work. The checkpoint
    /// holds the epoch's running sums and the next batch.
    public var checkpointInterval: TimeInterval = 0

    /// How a batch's gradient moves the parameters: Adam (`AdamUpdate`) unless another rule is given
    /// (in-situ learning's device pulses, `InSituTrainer`).
    public private(set) var rule: any UpdateRule

    public init(problem: Problem, config: TrainerConfig, rule: any UpdateRule = AdamUpdate()) {
        self.problem = problem; self.config = config; self.rule = rule
    }

    /// A fresh checkpoint at parameters `weights` (one tensor per `parameterShapes` entry), Adam at rest.
    public func start(weights: [[Double]]) -> TrainingCheckpoint {
        let shapes = problem.parameterShapes
        return TrainingCheckpoint(
            shapes: shapes, weights: weights, adam: Adam(shapes: shapes), epoch: 0, batchInEpoch: 0,
            bestWeights: weights, bestValidation: -1, bestEpoch: -1, staleEpochs: 0, history: [],
            epochLoss: 0, epochCorrect: 0, epochSeen: 0, finished: false)
    }

    /// Runs (or continues) training from `checkpoint`. Calls `progress` after every batch, `epochDone`
    /// after every epoch's record, `save` at the end of every epoch and when stopping; returns when the
    /// epochs are done, early stopping triggers, or `shouldStop()` turns true (Ctrl-C). Throws when the
    /// loss is not finite (diverged training) or the problem's gradient throws.
    public func train(
        from checkpoint: TrainingCheckpoint,
        progress: (TrainingProgress) -> Void = { _ in }, shouldStop: () -> Bool = { false },
        save: (TrainingCheckpoint) throws -> Void = { _ in },
        epochDone: (EpochRecord, TrainingCheckpoint) throws -> Void = { _, _ in }
    ) throws -> (TrainingCheckpoint, TrainingEnd) {
        var ck = checkpoint
        guard ck.shapes == problem.parameterShapes, ck.weights.map(\.count) == problem.parameterShapes else {
            throw SpikebarError.mismatch(
                "checkpoint weights have shapes \(ck.shapes), the network needs \(problem.parameterShapes); start without --resume")
        }
        if ck.finished { return (ck, .completed) }
        let n = problem.sampleCount, B = config.batch
        let batches = max(1, (n + B - 1) / B)
        let total = batches * config.epochs
        var lastSave = Date()
        while ck.epoch < config.epochs {
            let epoch = ck.epoch
            let order = problem.order(epoch: epoch, seed: config.seed)
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
                let g = try problem.gradient(of: idx, epoch: epoch, step: global, at: ck)
                guard g.lossSum.isFinite else {
                    try save(ck)
                    throw SpikebarError.resourceLimit(
                        "training diverged: the loss is \(g.lossSum / Double(max(1, idx.count))) at epoch \(epoch + 1), batch \(b + 1); lower the learning rate (--lr) or the gains and start again (the checkpoint holds the weights before this batch)"
                    )
                }
                let lr = config.learningRate(batch: global, of: total, epoch: epoch)
                rule.apply(g, to: &ck, lr: lr, step: global, range: problem.parameterRange)
                problem.updateSecondary(&ck, with: g, lr: lr)
                ck.epochLoss += g.lossSum
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
                        examplesPerSecond: elapsed > 0 ? Double(seenSince) / elapsed : 0, lr: lr,
                        samples: ck.epochSeen, samplesPerEpoch: n))
                if elapsed > 10 { windowStart = Date(); seenSince = 0 }
                if checkpointInterval > 0, ck.batchInEpoch < batches, Date().timeIntervalSince(lastSave) >= checkpointInterval {
                    try save(ck)
                    lastSave = Date()
                }
            }
            problem.finishEpoch(epoch, checkpoint: ck)
            let val = problem.validationAccuracy(ck)
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
            try epochDone(record, ck)
            if config.patience > 0, val != nil, ck.staleEpochs >= config.patience {
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
}

/// Deterministic parallel map: result k at index k whatever the number of threads (0: all cores);
/// `ParallelMap.withWorkspaces` without a workspace.
func parallelMap<R>(count: Int, threads: Int, _ body: @escaping (Int) -> R) -> [R] {
    ParallelMap.withWorkspaces(count: count, threads: threads, workspace: {}) { _, k in body(k) }
}
