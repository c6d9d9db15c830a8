import Foundation

/// Everything needed to continue a training run where it stopped (`Trainer`, `spikebar train --resume`):
/// the same checkpoint for every `TrainingProblem` (`logTau`/`tauAdam` hold the LIF twin's trainable time
/// constants, nil for every other model).
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
