import SpikebarCore

/// What `Trainer` optimises: a differentiable network with its training samples (issue #17, point 5).
///
/// The trainer owns everything that is the same for every model — sample order, mini-batches, the
/// learning-rate schedule, Adam, projection onto `parameterRange`, divergence check, checkpoints and
/// resume, early stopping on validation accuracy, progress — and a problem owns what is its own: how a
/// batch's loss and gradient are computed (the LIF twin `TwinTraining`, the MIF twin `MIFTraining`, an
/// NIR graph `NIRTraining` in SpikebarNIRMapping), and how its accuracy is scored.
///
/// Parameters are the checkpoint's `weights`: a list of tensors, flat, in the problem's own layout.
/// Adding a model is one conforming type; the loop is not touched.
public protocol TrainingProblem {
    /// Length of every trainable tensor (the checkpoint's `shapes`, checked on resume).
    var parameterShapes: [Int] { get }
    /// Training samples in one epoch; batches are drawn from `0..<sampleCount`.
    var sampleCount: Int { get }
    /// Every parameter is projected onto this range after each update (window units [−1, 1] for
    /// crossbar weights; unbounded for an NIR graph's float weights).
    var parameterRange: ClosedRange<Double> { get }

    /// Loss and gradient of training samples `batch` at the checkpoint's parameters. `epoch` keys the
    /// samples' encoding (a fresh rate-code draw per epoch), `step` (batches since the run began) keys
    /// what is drawn per batch (a chip sample, per-batch time constants, programming noise).
    mutating func gradient(of batch: [Int], epoch: Int, step: Int, at checkpoint: TrainingCheckpoint) throws -> TrainingBatch

    /// After the weights' Adam step: update any further parameters the problem carries in the
    /// checkpoint (the twin's trainable time constants). Default: none.
    func updateSecondary(_ checkpoint: inout TrainingCheckpoint, with batch: TrainingBatch, lr: Double)

    /// Called after the last batch of epoch `epoch`, before validation (the twin puts its neurons back
    /// to the epoch's own). Default: nothing.
    mutating func finishEpoch(_ epoch: Int, checkpoint: TrainingCheckpoint)

    /// Accuracy of the checkpoint's parameters on the problem's validation samples; nil without any.
    func validationAccuracy(_ checkpoint: TrainingCheckpoint) -> Double?

    /// The order of the training samples in epoch `epoch` (a permutation of `0..<sampleCount`), a pure
    /// function of (seed, epoch) so that a resumed run draws the same batches. Default:
    /// `TrainingOrder.keyed`.
    func order(epoch: Int, seed: UInt64) -> [Int]
}

extension TrainingProblem {
    public func updateSecondary(_ checkpoint: inout TrainingCheckpoint, with batch: TrainingBatch, lr: Double) {}
    public mutating func finishEpoch(_ epoch: Int, checkpoint: TrainingCheckpoint) {}
    public func validationAccuracy(_ checkpoint: TrainingCheckpoint) -> Double? { nil }
    public func order(epoch: Int, seed: UInt64) -> [Int] { TrainingOrder.keyed(sampleCount, epoch: epoch, seed: seed) }
}

/// One mini-batch's result, as a problem hands it to the trainer.
public struct TrainingBatch: Sendable {
    /// Sum of the samples' losses (the epoch's mean loss is the sum over batches ÷ samples).
    public var lossSum: Double
    /// Samples the network classified right (before this batch's update).
    public var correct: Int
    /// ∂loss/∂parameter, one tensor per `parameterShapes` entry (the batch's mean).
    public var gradients: [[Double]]
    /// Per tensor, 0 marks an entry that must not move (a stuck device); nil: all move.
    public var mask: [[UInt8]]?
    /// Gradients of the problem's further parameters (`updateSecondary`), if any.
    public var secondary: [[Double]]?

    public init(lossSum: Double, correct: Int, gradients: [[Double]], mask: [[UInt8]]? = nil, secondary: [[Double]]? = nil) {
        self.lossSum = lossSum; self.correct = correct; self.gradients = gradients; self.mask = mask; self.secondary = secondary
    }
}

/// Sample orders of an epoch. One rule, `keyed`, for every new model; the two others are the orders
/// the MIF and NIR trainers drew before they ran on `Trainer`, kept so that the trained weights quoted in
/// Docs/results.md reproduce bit for bit.
public enum TrainingOrder {
    /// Fisher–Yates from the keyed stream (seed, training, `stream`, epoch): the LIF twin's order (stream
    /// 2⁴⁰; in-situ learning draws from stream 2⁴²).
    public static func keyed(_ n: Int, epoch: Int, seed: UInt64, stream: UInt64 = 1 << 40) -> [Int] {
        var order = Array(0..<n)
        var rng = RandomStream(seed: seed, purpose: .training, index: stream, sample: UInt64(epoch))
        if n > 1 {
            for i in stride(from: n - 1, to: 0, by: -1) {
                let j = Int(rng.next() % UInt64(i + 1))
                order.swapAt(i, j)
            }
        }
        return order
    }

    /// The standard library's shuffle from the keyed stream (seed, training, epoch, "MIF"): the MIF twin's order.
    public static func keyedShuffle(_ n: Int, epoch: Int, seed: UInt64) -> [Int] {
        var order = Array(0..<n)
        var rng = RandomStream(seed: seed, purpose: .training, index: UInt64(epoch), sample: 0x4D4946)
        order.shuffle(using: &rng)
        return order
    }

    /// Fisher–Yates of every epoch from one SplitMix64 stream seeded once, epochs 0…`epoch` replayed
    /// (a pure function of the epoch, so a resumed run gets the same order): the NIR trainer's order.
    public static func splitMix(_ n: Int, epoch: Int, seed: UInt64) -> [Int] {
        var rng = SplitMix64(state: seed)
        var order: [Int] = []
        for _ in 0...max(0, epoch) {
            order = Array(0..<n)
            for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
        }
        return order
    }
}
