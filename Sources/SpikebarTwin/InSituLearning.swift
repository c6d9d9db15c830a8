import Foundation
import SpikebarCore
import SpikebarDevices
import SpikebarNeurons

/// Settings of in-situ learning: weight changes become programming pulses on nonlinear, asymmetric
/// devices (`NonlinearUpdateModel`).
///
/// Each synapse is one device against a fixed reference column at `G_ref = (G_max + G_min)/2`; its
/// weight in window units is `w = 2 (G − G_ref) / (G_max − G_min)` ∈ [−1, 1]. After the gradient of a
/// mini-batch, the wanted change `Δw = −lr · ∂L/∂w` becomes (default `rule: .ternary`; `InSituRule` has the
/// mixed-precision and differential rules) a **ternary** update with **stochastic
/// rounding**: one potentiation pulse with probability `min(1, Δw / s_P)` when `Δw > 0`, one depression
/// pulse with probability `min(1, −Δw / s_D)` when `Δw < 0`, none otherwise — so the expected number of
/// pulses is `Δw / s` (unbiased while `|Δw| < s`). `s_P`, `s_D` are the weight changes of one pulse of each
/// kind: separate (asymmetric, `deviceScales`) or equal (symmetric). The device responds with its own
/// nonlinear step (`potentiate(from:)`, `depress(from:)`), device-to-device variation `variation` (cv of
/// every model parameter, per cell). Pulses and write energy are counted per epoch.
public struct InSituConfig: Sendable, Equatable {
    public var device: NonlinearUpdateModel
    public var variation: Double
    public var scaleP: Double, scaleD: Double
    public var lr: Double
    public var batch: Int
    /// Energy of one programming pulse (J): an **assumption** (1 pJ) unless set.
    public var pulseEnergy: Joules
    public var threads: Int
    public var seed: UInt64
    /// How a weight change becomes pulses (`InSituRule`); `.ternary` (the original rule) by default.
    public var rule: InSituRule
    /// Most pulses one synapse (one device) receives per mini-batch under `.mixed` and `.differential`.
    public var maxPulsesPerBatch: Int
    /// `.differential`: refresh a pair when its larger device is above `G_min + refreshHigh·ΔG` and its
    /// smaller one above `G_min + refreshLow·ΔG` (so a refresh frees at least `refreshLow` of the window).
    public var refreshHigh: Double, refreshLow: Double

    public init(
        device: NonlinearUpdateModel = .moTiOx, variation: Double = 0, scaleP: Double, scaleD: Double, lr: Double,
        batch: Int, pulseEnergy: Joules = 1e-12, threads: Int = 0, seed: UInt64 = 1, rule: InSituRule = .ternary,
        maxPulsesPerBatch: Int = 16, refreshHigh: Double = 0.6, refreshLow: Double = 0.1
    ) {
        self.device = device; self.variation = variation; self.scaleP = scaleP; self.scaleD = scaleD; self.lr = lr
        self.batch = batch; self.pulseEnergy = pulseEnergy; self.threads = threads; self.seed = seed
        self.rule = rule; self.maxPulsesPerBatch = maxPulsesPerBatch; self.refreshHigh = refreshHigh; self.refreshLow = refreshLow
    }

    /// The weight change of one potentiation and one depression pulse of `device` at mid-window
    /// (`G = G_ref`), in window units `2·|ΔG| / (G_max − G_min)`: the asymmetric scaling factors. For the
    /// Mo/TiOₓ device: s_P ≈ 0.030, s_D ≈ 0.30. (`pulses` is kept for API stability and unused.)
    public static func deviceScales(_ device: NonlinearUpdateModel, pulses: Int = 94) -> (p: Double, d: Double) {
        let span = device.gMax - device.gMin, ref = (device.gMax + device.gMin) / 2
        return (2 * (device.potentiate(from: ref) - ref) / span, 2 * (ref - device.depress(from: ref)) / span)
    }
}

/// One in-situ epoch: loss and accuracy over the epoch, pulses applied and their energy.
public struct InSituEpoch: Sendable, Codable, Equatable {
    public var epoch: Int
    public var trainLoss: Double, trainAccuracy: Double
    public var potentiationPulses: Int, depressionPulses: Int
    public var writeEnergy: Joules
    public var seconds: Double
    /// `.differential` only: refreshes of a device pair and the pulses they cost (reset by depression,
    /// reprogramming by potentiation); included in `writeEnergy`, not in the two counts above.
    public var refreshes: Int = 0
    public var refreshPotentiationPulses: Int = 0, refreshDepressionPulses: Int = 0
}

/// In-situ training of the twin (`InSituConfig` documents the rule): the devices' conductances are the
/// state, the twin computes gradients through its surrogate BPTT on the weights they hold.
public final class InSituTrainer {
    public private(set) var twin: TwinNetwork
    public let config: InSituConfig
    /// Device conductance (S) of every synapse, per connection, `twin.plan` order.
    public internal(set) var conductance: [[Double]]
    /// Per-cell models when `variation > 0` (nil: every cell is `config.device`).
    let cells: [[NonlinearUpdateModel]]?
    /// `.differential`: the second device G⁻ of every pair (S), and its per-cell models.
    public internal(set) var conductanceMinus: [[Double]] = []
    var cellsMinus: [[NonlinearUpdateModel]]? = nil
    /// `.mixed`, `.differential`: the digital accumulator χ of every synapse (window units).
    public internal(set) var accumulator: [[Double]] = []
    /// Refresh counts since the last `trainEpoch` started (refreshes, potentiation, depression pulses).
    public internal(set) var refreshCount = (n: 0, p: 0, d: 0)
    /// Update pulses since the last `trainEpoch` started (potentiation, depression).
    public internal(set) var pulseCount = (p: 0, d: 0)

    /// Programs the devices to hold `twin.weights` (clipped to [−1, 1]).
    public init(twin: TwinNetwork, config: InSituConfig) {
        self.twin = twin; self.config = config
        let d = config.device
        let ref = (d.gMax + d.gMin) / 2, half = (d.gMax - d.gMin) / 2
        conductance = twin.weights.map { $0.map { ref + Swift.max(-1, Swift.min(1, $0)) * half } }
        if config.variation > 0 {
            cells = twin.weights.enumerated().map { c, w in
                var rng = RandomStream(seed: config.seed, purpose: .programming, index: UInt64(c) | 1 << 40)
                return w.indices.map { _ in d.sampled(cv: config.variation, using: &rng) }
            }
        } else {
            cells = nil
        }
        if config.rule != .ternary { accumulator = twin.weights.map { [Double](repeating: 0, count: $0.count) } }
        if config.rule == .differential { setUpDifferentialPairs() }
    }

    /// The weights the devices hold (window units).
    public var weights: [[Double]] {
        if config.rule == .differential { return differentialWeights }
        let d = config.device
        let ref = (d.gMax + d.gMin) / 2, half = (d.gMax - d.gMin) / 2
        return conductance.map { $0.map { Swift.max(-1, Swift.min(1, ($0 - ref) / half)) } }
    }

    /// Applies one mini-batch's gradient as ternary pulses; returns (potentiation, depression) pulses.
    /// Draws keyed by (seed, training, connection, batch), so the result does not depend on threads.
    public func applyGradient(_ gradients: [[Double]], batch: Int) -> (p: Int, d: Int) {
        switch config.rule {
        case .ternary: break
        case .mixed: return applyMixed(gradients)
        case .differential: return applyDifferential(gradients)
        }
        var p = 0, d = 0
        let lr = config.lr
        for c in conductance.indices {
            var rng = RandomStream(seed: config.seed, purpose: .training, index: UInt64(c) | 1 << 41, sample: UInt64(batch))
            for k in conductance[c].indices {
                let dw = -lr * gradients[c][k]
                let u = rng.nextUniform()
                if dw > 0, u < Swift.min(1, dw / config.scaleP) {
                    let m = cells?[c][k] ?? config.device
                    conductance[c][k] = m.potentiate(from: conductance[c][k]); p += 1
                } else if dw < 0, u < Swift.min(1, -dw / config.scaleD) {
                    let m = cells?[c][k] ?? config.device
                    conductance[c][k] = m.depress(from: conductance[c][k]); d += 1
                }
            }
        }
        return (p, d)
    }

    /// One epoch over `data` (shuffled by the keyed stream (seed, training, 2⁴², epoch)): the project's one
    /// `Trainer` with this trainer as its update rule (the LIF twin's BPTT gradient at the weights the devices
    /// hold, `config.lr` constant). Throws when the loss is not finite.
    public func trainEpoch(_ data: TwinDataset, epoch: Int) throws -> InSituEpoch {
        let start = Date()
        pulseCount = (0, 0)
        refreshCount = (0, 0, 0)
        var problem = TwinTraining(
            twin: twin, calibration: WeightCalibration(spec: .none, device: .default, seed: config.seed), threads: config.threads)
        problem.orderStream = 1 << 42
        problem.training = data
        let trainer = Trainer(
            problem: problem,
            config: TrainerConfig(
                epochs: epoch + 1, batch: max(1, config.batch), lr: config.lr, schedule: .constant, threads: config.threads, seed: config.seed),
            rule: self)
        var ck = trainer.start(weights: weights)
        ck.epoch = epoch
        let (done, _) = try trainer.train(from: ck)
        let e = done.history[done.history.count - 1]
        let all = pulseCount.p + pulseCount.d + refreshCount.p + refreshCount.d
        return InSituEpoch(
            epoch: epoch + 1, trainLoss: e.trainLoss, trainAccuracy: e.trainAccuracy,
            potentiationPulses: pulseCount.p, depressionPulses: pulseCount.d,
            writeEnergy: Double(all) * config.pulseEnergy, seconds: Date().timeIntervalSince(start),
            refreshes: refreshCount.n, refreshPotentiationPulses: refreshCount.p, refreshDepressionPulses: refreshCount.d)
    }
}

/// In-situ learning as an update rule of the one trainer: the gradient becomes programming pulses
/// (`applyGradient`, keyed by the batch's step), and the weights become what the devices now hold.
extension InSituTrainer: UpdateRule {
    public func apply(_ batch: TrainingBatch, to checkpoint: inout TrainingCheckpoint, lr: Double, step: Int, range: ClosedRange<Double>) {
        let (p, d) = applyGradient(batch.gradients, batch: step)
        pulseCount.p += p; pulseCount.d += d
        checkpoint.weights = weights
    }
}
