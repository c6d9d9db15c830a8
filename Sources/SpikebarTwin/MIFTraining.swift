import Foundation
import SpikebarCore

/// The MIF twin as a `TrainingProblem`: exact BPTT through the MIF dynamics (`MIFNetwork.gradient`, no
/// surrogate), weights in window units projected onto [−1, 1], validation by the logit argmax.
/// Samples come through a closure so that a caller can keep 60,000 digits as bytes.
public struct MIFTraining: TrainingProblem {
    public private(set) var network: MIFNetwork
    /// Training sample k as pixel intensities in [0, 1], and the labels of `0..<labels.count`.
    public let image: @Sendable (Int) -> [Double]
    public let labels: [Int]
    public let validation: (images: [[Double]], labels: [Int])?
    /// Worker threads (0: all cores); results do not depend on it.
    public let threads: Int

    public init(
        network: MIFNetwork, image: @escaping @Sendable (Int) -> [Double], labels: [Int],
        validation: (images: [[Double]], labels: [Int])?, threads: Int
    ) {
        self.network = network; self.image = image; self.labels = labels; self.validation = validation; self.threads = threads
    }

    public var parameterShapes: [Int] { network.weights.map(\.count) }
    public var sampleCount: Int { labels.count }
    public var parameterRange: ClosedRange<Double> { -1...1 }

    public mutating func gradient(of idx: [Int], epoch: Int, step: Int, at ck: TrainingCheckpoint) throws -> TrainingBatch {
        network.weights = ck.weights
        let g = network.gradient(idx.map { image($0) }, labels: idx.map { labels[$0] }, threads: threads)
        return TrainingBatch(lossSum: g.loss * Double(idx.count), correct: g.correct, gradients: g.gradients)
    }

    public func validationAccuracy(_ ck: TrainingCheckpoint) -> Double? {
        guard let v = validation, !v.images.isEmpty else { return nil }
        var net = network
        net.weights = ck.weights
        let r = net.infer(v.images, threads: threads)
        return Double(zip(r, v.labels).filter { $0.predictedClass == $1 }.count) / Double(v.images.count)
    }

    /// The order the MIF trainer has always drawn (`TrainingOrder.keyedShuffle`).
    public func order(epoch: Int, seed: UInt64) -> [Int] { TrainingOrder.keyedShuffle(sampleCount, epoch: epoch, seed: seed) }
}

/// One epoch of a MIF training run, as `mif-training.json` lists it.
public struct MIFEpochRecord: Sendable, Codable {
    public var epoch: Int
    public var loss: Double, trainAccuracy: Double
    /// Accuracy on the validation samples (nil when none).
    public var validationAccuracy: Double?
    public var seconds: Double

    public init(_ e: EpochRecord) {
        epoch = e.epoch; loss = e.trainLoss; trainAccuracy = e.trainAccuracy; validationAccuracy = e.validationAccuracy; seconds = e.seconds
    }
}
