import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import SpikebarCost
import SpikebarChip
import SpikebarCore
import SpikebarDevices
import SpikebarExperiments
import SpikebarKernel
import SpikebarPipeline
import SpikebarScenario
import SpikebarTwin
import SpikebarNeurons

/// Issue #8: in-situ learning (`spikebar insitu`).
@Suite struct InSituLearningTests {
    func setup() throws -> TrainingSetup { try smallTwoMoonsTrainingSetup() }

    /// Stochastic rounding is unbiased: the pulse count matches Δw / s in expectation.
    @Test func ternaryUpdateIsUnbiased() throws {
        let s = try setup()
        let twin = try s.twin(neurons: s.trainingNeurons(), weights: s.initialWeights())
        let (sp, sd) = InSituConfig.deviceScales(.moTiOx, pulses: 94)
        #expect(sd > 5 * sp)  // the Mo/TiOₓ device depresses in far fewer, larger steps
        let t = InSituTrainer(twin: twin, config: InSituConfig(scaleP: sp, scaleD: sd, lr: 1, batch: 8))
        let sizes = twin.weights.map(\.count)
        let (p, d) = t.applyGradient(sizes.map { [Double](repeating: -0.25 * sp, count: $0) }, batch: 0)
        let n = Double(sizes.reduce(0, +))
        #expect(d == 0)
        #expect(abs(Double(p) - 0.25 * n) < 5 * (n * 0.25 * 0.75).squareRoot())
    }

    /// Epochs count pulses and energy; asymmetric and symmetric scaling differ; deterministic.
    @Test func epochsCountPulsesAndEnergy() throws {
        let s = try setup()
        let (sp, sd) = InSituConfig.deviceScales(.moTiOx, pulses: 94)
        func run(_ scaleD: Double) throws -> [InSituEpoch] {
            let twin = try s.twin(neurons: s.trainingNeurons(), weights: s.initialWeights())
            let t = InSituTrainer(twin: twin, config: InSituConfig(variation: 0.05, scaleP: sp, scaleD: scaleD, lr: 0.05, batch: 32, threads: 2))
            let e = try (0..<2).map { try t.trainEpoch(s.train, epoch: $0) }
            #expect(t.weights.allSatisfy { $0.allSatisfy { abs($0) <= 1 } })
            return e
        }
        let asym = try run(sd), sym = try run(sp)
        for e in asym + sym {
            #expect(e.potentiationPulses + e.depressionPulses > 0)
            #expect(abs(e.writeEnergy - Double(e.potentiationPulses + e.depressionPulses) * 1e-12) < 1e-20)
        }
        #expect(asym.map(\.depressionPulses) != sym.map(\.depressionPulses))
        #expect(try run(sd).map(\.potentiationPulses) == asym.map(\.potentiationPulses))
    }
}
