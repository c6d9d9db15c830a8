import Foundation
import Testing
import SpikebarDevices
import SpikebarPipeline
import SpikebarScenario
@testable import SpikebarTwin

/// Issue #8 point 4: the mixed-precision and differential (potentiation-only) in-situ update rules.
@Suite struct InSituRuleTests {
    func setup() throws -> TrainingSetup { try smallTwoMoonsTrainingSetup() }

    func trainer(_ s: TrainingSetup, _ config: InSituConfig) throws -> InSituTrainer {
        InSituTrainer(twin: try s.twin(neurons: s.trainingNeurons(), weights: s.initialWeights()), config: config)
    }

    /// Whole pulses come out of the accumulator: ⌊χ/s⌋ of them, the remainder kept for the next batch,
    /// capped per batch.
    @Test func mixedPulsesAreFloorOfAccumulated() throws {
        let s = try setup()
        let (sp, sd) = InSituConfig.deviceScales(.moTiOx)
        let t = try trainer(s, InSituConfig(scaleP: sp, scaleD: sd, lr: 1, batch: 8, rule: .mixed, maxPulsesPerBatch: 16))
        let sizes = t.weights.map(\.count), n = sizes.reduce(0, +)
        func grad(_ dw: Double) -> [[Double]] { sizes.map { [Double](repeating: -dw, count: $0) } }  // Δw = −lr·g
        let g0 = t.conductance
        // χ = 2.5 s_P → 2 pulses each, χ = 0.5 s_P left.
        var r = t.applyGradient(grad(2.5 * sp), batch: 0)
        #expect(r.p == 2 * n && r.d == 0)
        #expect(t.accumulator.joined().allSatisfy { abs($0 - 0.5 * sp) < 1e-12 })
        let m = NonlinearUpdateModel.moTiOx
        #expect(zip(g0.joined(), t.conductance.joined()).allSatisfy { abs(m.potentiate(from: m.potentiate(from: $0)) - $1) < 1e-18 })
        // + 0.7 s_P → χ = 1.2 s_P → 1 pulse each.
        r = t.applyGradient(grad(0.7 * sp), batch: 1)
        #expect(r.p == n && r.d == 0)
        // −(0.2 s_P + 2.3 s_D) → χ = −2.3 s_D → 2 depression pulses each.
        r = t.applyGradient(grad(-(0.2 * sp + 2.3 * sd)), batch: 2)
        #expect(r.p == 0 && r.d == 2 * n)
        #expect(t.accumulator.joined().allSatisfy { abs($0 + 0.3 * sd) < 1e-9 })
        r = t.applyGradient(grad(0.3 * sd + 0.5 * sp), batch: 3)  // χ = 0.5 s_P: below one step, nothing
        #expect(r.p == 0 && r.d == 0)
        // The cap: 100 s_P wanted, 16 applied.
        let capped = try trainer(s, InSituConfig(scaleP: sp, scaleD: sd, lr: 1, batch: 8, rule: .mixed, maxPulsesPerBatch: 16))
        #expect(capped.applyGradient(grad(100 * sp), batch: 0).p == 16 * n)
    }

    /// The differential pair only ever potentiates outside a refresh; refreshes happen, cost depression
    /// pulses, and keep the weight the pair held (the residual goes back into the accumulator).
    @Test func differentialNeverDepressesOutsideRefresh() throws {
        let s = try setup()
        let (sp, _) = InSituConfig.deviceScales(.moTiOx)
        let t = try trainer(
            s,
            InSituConfig(
                variation: 0.05, scaleP: sp, scaleD: sp, lr: 1, batch: 8, rule: .differential,
                maxPulsesPerBatch: 16, refreshHigh: 0.3, refreshLow: 0.05))
        let sizes = t.weights.map(\.count)
        var depressions = 0, potentiations = 0
        var previous = (plus: t.conductance, minus: t.conductanceMinus)
        for b in 0..<40 {
            // Alternating pushes up and down: both devices of every pair climb, so refreshes must happen.
            let dw = (b % 2 == 0 ? 0.2 : -0.2) + 0.01 * Double(b % 5)
            let refreshesBefore = t.refreshCount.n
            let r = t.applyGradient(sizes.map { [Double](repeating: -dw, count: $0) }, batch: b)
            depressions += r.d; potentiations += r.p
            // Without a refresh in this batch no conductance goes down.
            if t.refreshCount.n == refreshesBefore {
                #expect(zip(previous.plus.joined(), t.conductance.joined()).allSatisfy { $1 >= $0 })
                #expect(zip(previous.minus.joined(), t.conductanceMinus.joined()).allSatisfy { $1 >= $0 })
            }
            previous = (t.conductance, t.conductanceMinus)
        }
        #expect(depressions == 0)
        #expect(potentiations > 0)
        #expect(t.refreshCount.n > 0)
        #expect(t.refreshCount.d > 0)
        #expect(t.weights.allSatisfy { $0.allSatisfy { abs($0) <= 1 } })
    }

    /// A refresh reprograms the weight the pair held to within one pulse step.
    @Test func refreshKeepsTheWeight() throws {
        let s = try setup()
        let (sp, _) = InSituConfig.deviceScales(.moTiOx)
        let t = try trainer(s, InSituConfig(scaleP: sp, scaleD: sp, lr: 1, batch: 8, rule: .differential))
        let m = NonlinearUpdateModel.moTiOx, span = m.gMax - m.gMin
        t.conductance[0][0] = m.gMin + 0.7 * span; t.conductanceMinus[0][0] = m.gMin + 0.4 * span
        let residual = t.refreshPair(0, 0)
        #expect(abs(t.weights[0][0] - 0.3) < 0.02)
        #expect(abs(residual - (0.3 - t.weights[0][0])) < 1e-12)
        #expect(t.conductanceMinus[0][0] - m.gMin < 0.011 * span)
        #expect(t.refreshCount.n == 1 && t.refreshCount.d > 0 && t.refreshCount.p > 0)
    }

    /// Same seed, any thread count: bit-identical devices after two epochs, for every rule.
    @Test(arguments: InSituRule.allCases) func deterministicAcrossThreads(rule: InSituRule) throws {
        let s = try setup()
        let (sp, sd) = InSituConfig.deviceScales(.moTiOx)
        func run(_ threads: Int) throws -> (InSituTrainer, [InSituEpoch]) {
            let t = try trainer(s, InSituConfig(variation: 0.05, scaleP: sp, scaleD: sd, lr: 0.2, batch: 32, threads: threads, rule: rule))
            return (t, try (0..<2).map { try t.trainEpoch(s.train, epoch: $0) })
        }
        let (a, ea) = try run(1), (b, eb) = try run(3)
        #expect(a.weights == b.weights)
        #expect(ea.map(\.potentiationPulses) == eb.map(\.potentiationPulses))
        #expect(ea.map(\.depressionPulses) == eb.map(\.depressionPulses))
        #expect(ea.map(\.refreshes) == eb.map(\.refreshes))
        #expect(ea.allSatisfy { $0.potentiationPulses > 0 })
        if rule == .differential { #expect(ea.allSatisfy { $0.depressionPulses == 0 }) }
        for e in ea {
            let all = e.potentiationPulses + e.depressionPulses + e.refreshPotentiationPulses + e.refreshDepressionPulses
            #expect(abs(e.writeEnergy - Double(all) * 1e-12) < 1e-20)
        }
    }
}
