import Foundation
import SpikebarChip
import SpikebarCore
import SpikebarDevices
import SpikebarKernel
import SpikebarPipeline
import SpikebarScenario
import SpikebarTwin

/// Fault-aware retraining: a chip sample's stuck cells are known after programming (a verify read finds
/// them); the twin is retrained for a few epochs with that stuck map fixed in every batch and the stuck
/// synapses' gradients masked (`WeightCalibration.stuckMap`), the new weights are programmed onto **the
/// same chip** (same chip sample: the same cells are stuck) and its accuracy in the event kernel is
/// measured before and after.
public struct FaultAwareRetraining: Codable, Sendable {
    public var bitErrorRate: Double, highFraction: Double
    public var chipSample: Int
    public var epochs: Int, trainSamples: Int, testSamples: Int
    /// Fraction of cells stuck on this chip.
    public var stuckFraction: Double
    /// Kernel accuracy of the programmed chip with the original and the retrained weights.
    public var accuracyBefore: Double, accuracyAfter: Double
    /// The chip without faults (same chip sample), for reference.
    public var accuracyFaultFree: Double
    public var seconds: Double

    /// The hardware effects applied while retraining: `train`'s calibration (`training.calibration`:
    /// quantisation, programming error and, when `parasitics` is on, every cell's read through the
    /// tiles' parasitics) on the faulty chip's device, with the chip's stuck map fixed in every batch.
    /// Retraining used to leave the parasitics out, so a chip with `tiles.parasitics` was retrained
    /// for ideal reads and then measured with attenuated ones. Not `train`'s passive-array transfer:
    /// its sampled programming replaces the stuck map in `WeightCalibration.effective`, and the map of
    /// the programmed chip is what retraining is for.
    public static func calibration(setup: TrainingSetup, device: RRAMDevice, stuckMap: [[UInt8]]) -> WeightCalibration {
        var cal = WeightCalibration(spec: setup.spec.calibration, device: device, seed: setup.scenario.seed)
        cal.parasitics = setup.calibration().parasitics
        cal.stuckMap = stuckMap
        return cal
    }

    /// Retrains `weights` for `epochs` epochs on the first `trainSamples` training samples, at learning
    /// rate `lr`, against chip sample `chipSample` of the scenario with `device.faults` as given.
    public static func run(
        setup: TrainingSetup, weights: [WeightMatrix], gains: [Double]?, faults: DeviceFaults,
        chipSample: Int = 0, epochs: Int = 2, trainSamples: Int = 10_000, lr: Double = 1e-3,
        testSamples: Int? = nil, threads: Int = 0
    ) throws -> (FaultAwareRetraining, [WeightMatrix]) {
        let start = Date()
        var s = setup.scenario
        s.device.faults = faults
        s.input.window = Double(setup.steps) * setup.dt
        let g = gains ?? setup.gains
        let n = min(testSamples ?? setup.testLabels.count, setup.testLabels.count)
        let inputs = ParallelMap.map(count: n, threads: threads) { setup.testSpikes($0) }
        let keys = (0..<n).map(TrainingSetup.testKey)
        let labels = Array(setup.testLabels[0..<n])
        let timing: Timing = .grid(dt: setup.dt)
        var clean = s
        clean.device.faults.bitErrorRate = 0
        let fault0 = try KernelAccuracy.measure(
            scenario: clean, weights: weights, gains: g, chipSample: chipSample, timing: timing,
            inputs: inputs, keys: keys, labels: labels, threads: threads)
        let before = try KernelAccuracy.measure(
            scenario: s, weights: weights, gains: g, chipSample: chipSample, timing: timing,
            inputs: inputs, keys: keys, labels: labels, threads: threads)
        // Retrain with the chip's own stuck map and time constants.
        let neurons = Chip.sampleNeurons(scenario: s, gains: g, chipSample: chipSample)
        let twin = try setup.twin(neurons: neurons, weights: weights)
        let cal = calibration(setup: setup, device: s.device, stuckMap: before.chip.stuckMap)
        let spec = setup.spec
        let config = TrainerConfig(
            epochs: epochs, batch: spec.batch, lr: lr, schedule: .cosine, patience: 0,
            threads: threads, seed: s.seed &+ 0x5EED)
        let trainer = Trainer(twin: twin, config: config, calibration: cal)
        let m = min(trainSamples, setup.train.count)
        let full = setup.train
        let subset = TwinDataset(labels: Array(full.labels[0..<m]), encode: full.encode)
        let (ck, _) = try trainer.train(subset, validation: nil, from: trainer.start())
        let retrained = zip(trainer.twin.plan, ck.weights).map { WeightMatrix(inputs: $0.inputs, outputs: $0.outputs, values: $1.map { Float($0) }) }
        let after = try KernelAccuracy.measure(
            scenario: s, weights: retrained, gains: g, chipSample: chipSample, timing: timing,
            inputs: inputs, keys: keys, labels: labels, threads: threads)
        return (
            FaultAwareRetraining(
                bitErrorRate: faults.bitErrorRate, highFraction: faults.highFraction, chipSample: chipSample,
                epochs: epochs, trainSamples: m, testSamples: n, stuckFraction: before.chip.stuckFraction,
                accuracyBefore: before.accuracy, accuracyAfter: after.accuracy,
                accuracyFaultFree: fault0.accuracy, seconds: Date().timeIntervalSince(start)), retrained
        )
    }
}
