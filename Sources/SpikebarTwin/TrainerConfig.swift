import Foundation

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
