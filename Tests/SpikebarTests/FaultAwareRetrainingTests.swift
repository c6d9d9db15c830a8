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

/// Issue #8: fault-aware retraining of a programmed chip (`spikebar retrain`).
@Suite struct FaultAwareRetrainingTests {
    /// Retraining with a chip's stuck map leaves the stuck synapses' weights alone (masked gradients),
    /// moves the others, and reports the kernel accuracy of the same chip before and after.
    @Test func retrainingMasksStuckSynapses() throws {
        var l = try ScenarioLoader.load(
            path: packageRoot().appendingPathComponent("Scenarios/two-moons-hardware-aware.yaml").path,
            requireWeightsFile: false)
        l.scenario.training?.trainSamples = 200
        l.scenario.training?.testSamples = 40
        let setup = try TrainingSetup(loaded: l)
        let w = setup.initialWeights()
        let (r, retrained) = try FaultAwareRetraining.run(
            setup: setup, weights: w, gains: nil,
            faults: DeviceFaults(bitErrorRate: 0.2, highFraction: 0.5),
            epochs: 1, trainSamples: 100, lr: 1e-2, testSamples: 40, threads: 2)
        #expect(r.stuckFraction > 0.1 && r.stuckFraction < 0.3)
        #expect((0...1).contains(r.accuracyBefore) && (0...1).contains(r.accuracyAfter))
        var s = setup.scenario
        s.device.faults.bitErrorRate = 0.2
        let chip = try Chip(scenario: s, weights: w)
        var moved = 0
        for c in w.indices {
            for k in w[c].values.indices {
                if chip.stuckMap[c][k] != 0 {
                    #expect(retrained[c].values[k] == w[c].values[k])
                } else if retrained[c].values[k] != w[c].values[k] {
                    moved += 1
                }
            }
        }
        #expect(moved > 0)
    }
}

extension FaultAwareRetrainingTests {
    /// With `tiles.parasitics` and `training.calibration.parasitics`, retraining reads every cell through
    /// the parasitics as `train` does: its effective weights are the attenuated ones (|w_eff| < |w| for
    /// the non-zero weights of a connection), and without the block they are the weights themselves.
    @Test func retrainingKeepsTheTileParasitics() throws {
        var l = try ScenarioLoader.load(
            path: packageRoot().appendingPathComponent("Scenarios/two-moons-hardware-aware.yaml").path,
            requireWeightsFile: false)
        l.scenario.training?.trainSamples = 50
        l.scenario.training?.testSamples = 10
        l.scenario.training?.calibration = CalibrationSpec.none
        let ideal = try TrainingSetup(loaded: l)
        l.scenario.tiles.parasitics = CrossbarParasitics(sourceResistance: 2_000, neuronResistance: 2_000, wireResistance: 5)
        l.scenario.training?.calibration.parasitics = true
        let setup = try TrainingSetup(loaded: l)
        let w = setup.initialWeights()
        let stuck = w.map { [UInt8](repeating: 0, count: $0.values.count) }
        let cal = FaultAwareRetraining.calibration(setup: setup, device: setup.scenario.device, stuckMap: stuck)
        #expect(cal.parasitics != nil)
        let weights = w.map { $0.values.map(Double.init) }
        let attenuated = cal.effective(weights, batch: 0).weights
        var smaller = 0, larger = 0
        for (a, b) in zip(attenuated.joined(), weights.joined()) where b != 0 {
            if abs(a) < abs(b) { smaller += 1 } else if abs(a) > abs(b) + 1e-12 { larger += 1 }
        }
        #expect(smaller > 0 && larger == 0)
        let plain = FaultAwareRetraining.calibration(setup: ideal, device: ideal.scenario.device, stuckMap: stuck)
        #expect(plain.parasitics == nil)
        #expect(plain.effective(weights, batch: 0).weights == weights)
    }
}
