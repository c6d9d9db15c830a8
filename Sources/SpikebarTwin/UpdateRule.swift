/// How one mini-batch's gradient changes the parameters `Trainer` holds in its checkpoint (issue #17,
/// point 5: the optimiser and the in-situ programming rules are update rules of the one trainer).
public protocol UpdateRule {
    /// Applies `batch`'s gradient at learning rate `lr`; `step` is the batch's index since the run
    /// began (what a rule keys its random draws by), `range` the problem's parameter range.
    mutating func apply(_ batch: TrainingBatch, to checkpoint: inout TrainingCheckpoint, lr: Double, step: Int, range: ClosedRange<Double>)
}

/// Adam (`Adam`, its moments in the checkpoint) on the weights, projected onto `range`, entries the
/// batch's mask marks (stuck devices) held: the rule of every offline training.
public struct AdamUpdate: UpdateRule {
    public init() {}
    public func apply(_ batch: TrainingBatch, to checkpoint: inout TrainingCheckpoint, lr: Double, step: Int, range: ClosedRange<Double>) {
        checkpoint.adam.update(&checkpoint.weights, grads: batch.gradients, lr: lr, mask: batch.mask, clip: range)
    }
}
