import Foundation
import SpikebarCore
import SpikebarDevices
import SpikebarNeurons

/// Labelled samples the twin trains on; `encode(k, presentation)` gives sample k's input spikes for
/// one presentation (a fresh rate-code draw per epoch, keyed so that a resumed run sees the same spikes).
public struct TwinDataset: Sendable {
    public var labels: [Int]
    public var encode: @Sendable (_ index: Int, _ presentation: Int) -> StepSpikes
    public init(labels: [Int], encode: @escaping @Sendable (Int, Int) -> StepSpikes) {
        self.labels = labels; self.encode = encode
    }
    public var count: Int { labels.count }
}

/// The LIF twin as a `TrainingProblem`: surrogate-gradient BPTT (`TwinNetwork.gradient`) with the
/// hardware calibration applied to the weights of every batch (`WeightCalibration`: levels, programming
/// noise, stuck cells masked), optionally per-batch neuron parameters and trainable time constants.
public struct TwinTraining: TrainingProblem {
    public private(set) var twin: TwinNetwork
    public let calibration: WeightCalibration
    /// Per-batch neuron parameters (time constants resampled per batch); nil keeps the twin's.
    public let neuronsForBatch: (@Sendable (Int) -> [[NeuronParameters]])?
    /// Trainable time constants: the neurons whose τ are trained (their other parameters stay) and the
    /// realisable range; nil keeps the twin's τ fixed.
    public let trainableTimeConstants: (base: [[NeuronParameters]], bounds: TimeConstantBounds)?
    public var device: RRAMDevice { calibration.device }
    /// Samples of the epoch and of validation (set by `Trainer.train(_:validation:from:)`).
    public var training = TwinDataset(labels: [], encode: { _, _ in StepSpikes(steps: 0, offsets: [0], channels: []) })
    public var validation: TwinDataset?
    /// Worker threads (0: all cores); results do not depend on it.
    public var threads: Int
    /// The keyed stream of the sample order (`TrainingOrder.keyed`).
    public var orderStream: UInt64 = 1 << 40

    public init(
        twin: TwinNetwork, calibration: WeightCalibration, neuronsForBatch: (@Sendable (Int) -> [[NeuronParameters]])? = nil,
        trainableTimeConstants: (base: [[NeuronParameters]], bounds: TimeConstantBounds)? = nil, threads: Int = 0
    ) {
        self.twin = twin; self.calibration = calibration; self.neuronsForBatch = neuronsForBatch
        self.trainableTimeConstants = trainableTimeConstants; self.threads = threads
    }

    public var parameterShapes: [Int] { twin.weights.map(\.count) }
    public var sampleCount: Int { training.count }
    /// A pair cannot hold more than one full cell of difference (projected gradient).
    public var parameterRange: ClosedRange<Double> { -1...1 }

    /// The neurons of a checkpoint's trained time constants (best epoch's when `best`); nil when fixed.
    public func trainedNeurons(_ ck: TrainingCheckpoint, best: Bool = true) -> [[NeuronParameters]]? {
        guard let t = trainableTimeConstants, let lt = best ? (ck.bestLogTau ?? ck.logTau) : ck.logTau else { return nil }
        return TimeConstantBounds.neurons(t.base, logTau: lt)
    }

    public mutating func gradient(of idx: [Int], epoch: Int, step global: Int, at ck: TrainingCheckpoint) throws -> TrainingBatch {
        let data = training
        let inputs = parallelMap(count: idx.count, threads: threads) { data.encode(idx[$0], epoch) }
        let labels = idx.map { data.labels[$0] }
        if let neuronsForBatch { twin.setNeurons(neuronsForBatch(global), device: device) }
        let tuned = trainableTimeConstants != nil && ck.logTau != nil && ck.tauAdam != nil
        if tuned, let n = trainedNeurons(ck, best: false) { twin.setNeurons(n, device: device) }
        let (eff, mask) = calibration.isActive ? calibration.effective(ck.weights, batch: global) : (ck.weights, nil)
        let g = twin.gradient(inputs, labels: labels, effective: eff, threads: threads, timeConstants: tuned)
        let secondary = tuned ? g.tauMem.flatMap { gm in g.tauSyn.map { gm + $0 } } : nil
        return TrainingBatch(lossSum: g.loss * Double(idx.count), correct: g.correct, gradients: g.gradients, mask: mask, secondary: secondary)
    }

    /// The time constants' Adam step: ∂L/∂ln τ = τ · ∂L/∂τ, then back onto the realisable range.
    public func updateSecondary(_ ck: inout TrainingCheckpoint, with batch: TrainingBatch, lr: Double) {
        guard let t = trainableTimeConstants, var lt = ck.logTau, var adam = ck.tauAdam, let g = batch.secondary else { return }
        let grads = zip(g, lt).map { g, l in zip(g, l).map { $0 * exp($1) } }
        adam.update(&lt, grads: grads, lr: lr, clip: -.greatestFiniteMagnitude...Double.greatestFiniteMagnitude)
        t.bounds.project(&lt)
        ck.logTau = lt; ck.tauAdam = adam
    }

    public mutating func finishEpoch(_ epoch: Int, checkpoint ck: TrainingCheckpoint) {
        if let neuronsForBatch { twin.setNeurons(neuronsForBatch(-1 - epoch), device: device) }
        if let n = trainedNeurons(ck, best: false) { twin.setNeurons(n, device: device) }
    }

    public func validationAccuracy(_ ck: TrainingCheckpoint) -> Double? {
        validation.map { accuracy(validationWeights(ck.weights), on: $0) }
    }

    /// Weights used to score validation: on the chip's levels when quantisation is calibrated, no noise.
    public func validationWeights(_ w: [[Double]]) -> [[Double]] {
        calibration.spec.quantize ? calibration.quantized(w) : w
    }

    /// Accuracy of weights `w` on `data` (presentation 0), with the twin's decision rule.
    public func accuracy(_ w: [[Double]], on data: TwinDataset) -> Double {
        guard data.count > 0 else { return 0 }
        let inputs = parallelMap(count: data.count, threads: threads) { data.encode($0, 0) }
        let results = twin.infer(inputs, effective: w, threads: threads)
        var correct = 0
        for (r, label) in zip(results, data.labels) where decision(r) == label { correct += 1 }
        return Double(correct) / Double(data.count)
    }

    public func order(epoch: Int, seed: UInt64) -> [Int] { TrainingOrder.keyed(sampleCount, epoch: epoch, seed: seed, stream: orderStream) }

    func decision(_ r: TwinResult) -> Int? { twin.readout == .spikeCount ? r.predictedClass : r.logitClass }
}

/// The LIF twin's trainer: `Trainer` over `TwinTraining`, with the calls `spikebar train`, `retrain`
/// and the benchmarks make.
public typealias TwinTrainer = Trainer<TwinTraining>

extension Trainer where Problem == TwinTraining {
    public convenience init(
        twin: TwinNetwork, config: TrainerConfig, calibration: WeightCalibration,
        neuronsForBatch: (@Sendable (Int) -> [[NeuronParameters]])? = nil,
        trainableTimeConstants: (base: [[NeuronParameters]], bounds: TimeConstantBounds)? = nil
    ) {
        self.init(
            problem: TwinTraining(
                twin: twin, calibration: calibration, neuronsForBatch: neuronsForBatch,
                trainableTimeConstants: trainableTimeConstants, threads: config.threads),
            config: config)
    }

    public var twin: TwinNetwork { problem.twin }
    public var calibration: WeightCalibration { problem.calibration }

    /// A fresh checkpoint: the twin's current weights, Adam at rest, the time constants' ln τ when trained.
    public func start() -> TrainingCheckpoint {
        var ck = start(weights: twin.weights)
        if let t = problem.trainableTimeConstants {
            let lt = t.bounds.logTau(t.base)
            ck.logTau = lt; ck.bestLogTau = lt; ck.tauAdam = Adam(shapes: lt.map(\.count))
        }
        return ck
    }

    public func trainedNeurons(_ ck: TrainingCheckpoint, best: Bool = true) -> [[NeuronParameters]]? { problem.trainedNeurons(ck, best: best) }
    public func validationWeights(_ w: [[Double]]) -> [[Double]] { problem.validationWeights(w) }
    public func accuracy(_ w: [[Double]], on data: TwinDataset) -> Double { problem.accuracy(w, on: data) }

    /// Trains on `train`, scoring `validation` after every epoch (`Trainer.train(from:…)`).
    public func train(
        _ train: TwinDataset, validation: TwinDataset?, from checkpoint: TrainingCheckpoint,
        progress: (TrainingProgress) -> Void = { _ in }, shouldStop: () -> Bool = { false },
        save: (TrainingCheckpoint) throws -> Void = { _ in }
    ) throws -> (TrainingCheckpoint, TrainingEnd) {
        problem.training = train; problem.validation = validation
        return try self.train(from: checkpoint, progress: progress, shouldStop: shouldStop, save: save)
    }
}
