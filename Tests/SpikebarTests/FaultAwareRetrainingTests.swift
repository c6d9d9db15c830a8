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
import SpikebarTestSupport

/// Issue #8: fault-aware retraining of a programmed chip (`spikebar retrain`).
@Suite struct FaultAwareRetrainingTests {
    /// Retraining with a chip's stuck map leaves the stuck synapses' weights alone (masked gradients),
    /// moves the others, and reports the kernel accuracy of the same chip before and after.
    @Test func retrainingMasksStuckSynapses() throws {
        let l = try twoMoonsHardwareAware(train: 200, test: 40)
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
        var l = try twoMoonsHardwareAware(train: 50, test: 10)
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

extension FaultAwareRetrainingTests {
    /// `retrain --chips N` (issue #17, point 7): every chip's unit is the single-chip retraining of that
    /// chip sample; a log cut inside the third line resumes to the same units with only the missing chips
    /// retrained; a retrained weights file that is not the one the log names is refused, naming it.
    @Test func retrainingOverChipsResumesFromItsLog() throws {
        let l = try twoMoonsHardwareAware(train: 120, test: 30)
        let setup = try TrainingSetup(loaded: l)
        let w = setup.initialWeights()
        let faults = DeviceFaults(bitErrorRate: 0.15, highFraction: 0.5)
        let experiment = ChipRetraining(
            setup: setup, weights: w, gains: nil, faults: faults, epochs: 1, trainSamples: 60, lr: 1e-2, testSamples: 30)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("retrain-chips-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let units = try experiment.run(chips: 3, dir: dir, scenarioDigest: "test", resume: false, shard: nil, threads: 2)
        #expect(units.map(\.unit) == [0, 1, 2])
        let (one, retrained) = try FaultAwareRetraining.run(
            setup: setup, weights: w, gains: nil, faults: faults, chipSample: 1, epochs: 1, trainSamples: 60, lr: 1e-2,
            testSamples: 30, threads: 1)
        #expect(units[1].accuracyBefore == one.accuracyBefore && units[1].accuracyAfter == one.accuracyAfter)
        #expect(units[1].stuckFraction == one.stuckFraction && units[1].accuracyFaultFree == one.accuracyFaultFree)
        let written = try JSONEncoder.spikebar().encode(setup.weightFile(retrained))
        #expect(try Data(contentsOf: URL(fileURLWithPath: ChipRetraining.weightsPath(dir, chip: 1))) == written)
        #expect(Set(units.map(\.stuckFraction)).count > 1)  // each chip its own stuck map
        // A kill inside chip 2's line: resume keeps chips 0 and 1 and retrains chip 2 only.
        let log = (dir as NSString).appendingPathComponent("retrain.partial.jsonl")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: log))
        let lineStarts = bytes.indices.filter { bytes[$0] == UInt8(ascii: "\n") }
        try bytes.prefix(lineStarts[2] + 20).write(to: URL(fileURLWithPath: log))
        let chip2 = ChipRetraining.weightsPath(dir, chip: 2)
        try FileManager.default.removeItem(atPath: chip2)
        let retrainedNow = RetrainedChips()
        let resumed = try experiment.run(
            chips: 3, dir: dir, scenarioDigest: "test", resume: true, shard: nil, threads: 1, progress: { _, todo in retrainedNow.note(todo) })
        #expect(resumed == units)
        #expect(retrainedNow.todo == [1])
        #expect(FileManager.default.fileExists(atPath: chip2))
        // A weights file changed after its chip was logged is refused by name.
        try Data("{}".utf8).write(to: URL(fileURLWithPath: ChipRetraining.weightsPath(dir, chip: 0)))
        #expect {
            try experiment.run(chips: 3, dir: dir, scenarioDigest: "test", resume: true, shard: nil, threads: 1)
        } throws: { "\($0)".contains("chip-0.json") }
        // Another experiment's log is refused.
        #expect(throws: SpikebarError.self) {
            try experiment.run(chips: 3, dir: dir, scenarioDigest: "other", resume: true, shard: nil, threads: 1)
        }
    }
}

/// What a resumed retraining had left to do (its progress callbacks' totals).
private final class RetrainedChips: @unchecked Sendable {
    private let lock = NSLock()
    private var seen: [Int] = []
    var todo: [Int] { lock.lock(); defer { lock.unlock() }; return seen }
    func note(_ n: Int) { lock.lock(); seen.append(n); lock.unlock() }
}
