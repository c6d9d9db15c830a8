import Foundation

/// One finished epoch.
public struct EpochRecord: Sendable, Codable, Equatable {
    public var epoch: Int
    public var trainLoss: Double, trainAccuracy: Double
    public var validationAccuracy: Double?
    public var lr: Double
    public var seconds: Double
}

/// What the progress callback sees after every batch.
public struct TrainingProgress: Sendable {
    public var epoch: Int, epochs: Int
    public var batch: Int, batches: Int
    /// Mean loss and accuracy over the epoch so far.
    public var loss: Double, accuracy: Double
    public var examplesPerSecond: Double
    public var lr: Double
    /// Samples done in this epoch so far, of `samplesPerEpoch`.
    public var samples: Int, samplesPerEpoch: Int
}

/// Why `train` returned.
public enum TrainingEnd: String, Sendable, Codable { case completed, earlyStopped = "early_stopped", interrupted }
