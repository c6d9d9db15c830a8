import Foundation
import SpikebarChip
import SpikebarCore
import SpikebarKernel
import SpikebarScenario

/// The result of one unit of a device sweep: chip sample `chip` programmed at point `point` (parameter
/// value `value`) and run on every input. Unit `unit = point × chips + chip`. One line of the sweep's
/// results log (`SweepLog`); `DeviceSweep.aggregate` turns the units into points. Every number is the
/// exact `Double` the kernel produced (JSON round-trips doubles exactly), so a sweep rebuilt from the log
/// equals one computed in a single run, bit for bit.
public struct SweepUnit: Codable, Sendable, Equatable {
    public var unit: Int
    public var point: Int
    public var chip: Int
    public var value: Double
    /// Fraction of inputs classified correctly.
    public var accuracy: Double?
    /// Mean RRAM-SNN energy per inference (J).
    public var energy: Double?
    /// Write pulses and programming energy (J) of this chip, fraction of stuck cells, cells left outside
    /// the write-verify tolerance.
    public var pulses: Int?, programmingEnergy: Double?, stuckFraction: Double?, failures: Int?
    /// Why the unit failed (an invalid parameter value); nil when it ran.
    public var error: String?

    public init(unit: Int, point: Int, chip: Int, value: Double, accuracy: Double? = nil, energy: Double? = nil, pulses: Int? = nil,
                programmingEnergy: Double? = nil, stuckFraction: Double? = nil, failures: Int? = nil, error: String? = nil) {
        self.unit = unit; self.point = point; self.chip = chip; self.value = value; self.accuracy = accuracy; self.energy = energy
        self.pulses = pulses; self.programmingEnergy = programmingEnergy; self.stuckFraction = stuckFraction
        self.failures = failures; self.error = error
    }
}

/// Everything one sweep computes on: the scenario, weights, timing, the swept values, chips per point and
/// the labelled inputs with their random-stream keys. `unit(t)` depends on `t` alone — the property that
/// lets units run in any order, on any thread, in any process (`--resume`, `--shard`).
public struct SweepWork: Sendable {
    public var scenario: Scenario
    public var weights: [WeightMatrix]
    public var gains: [Double]
    public var timing: Timing
    public var parameter: DeviceSweep.Parameter
    public var values: [Double]
    public var chips: Int
    public var inputs: [SpikeList]
    public var keys: [Int]
    public var labels: [Int]

    public init(scenario: Scenario, weights: [WeightMatrix], gains: [Double], timing: Timing, parameter: DeviceSweep.Parameter,
                values: [Double], chips: Int, inputs: [SpikeList], keys: [Int], labels: [Int]) {
        self.scenario = scenario; self.weights = weights; self.gains = gains; self.timing = timing; self.parameter = parameter
        self.values = values; self.chips = chips; self.inputs = inputs; self.keys = keys; self.labels = labels
    }

    /// The scenario's own inputs (`input:`, as `spikebar run`), the first `samples`.
    public init(simulation sim: Simulation, parameter: DeviceSweep.Parameter, values: [Double], chips: Int, samples: Int? = nil) throws {
        guard let labels = sim.inputs.labels else {
            throw SpikebarError.invalidInput(SourceLocation(file: sim.loaded.path, keyPath: "input"), "the sweep needs labelled inputs (accuracy)")
        }
        let n = min(samples ?? sim.inputs.count, sim.inputs.count)
        self.init(scenario: sim.scenario, weights: try DeviceSweep.weights(for: sim.loaded), gains: sim.gains, timing: sim.kernel.timing,
                  parameter: parameter, values: values, chips: chips, inputs: (0..<n).map { sim.inputSpikes($0) },
                  keys: (0..<n).map { sim.inputs.sampleIDs[$0] }, labels: Array(labels[0..<n]))
    }

    /// The first `samples` test samples of the scenario's training data set, grid mode at the twin's
    /// step (the inputs and timing of `spikebar evaluate`).
    public init(setup: TrainingSetup, weights: [WeightMatrix], gains: [Double]?, parameter: DeviceSweep.Parameter, values: [Double],
                chips: Int, samples: Int, threads: Int = 0) {
        var s = setup.scenario
        s.input.window = Double(setup.steps) * setup.dt
        let n = min(samples, setup.testLabels.count)
        self.init(scenario: s, weights: weights, gains: gains ?? setup.gains, timing: .grid(dt: setup.dt), parameter: parameter,
                  values: values, chips: chips, inputs: ParallelMap.map(count: n, threads: threads) { setup.testSpikes($0) },
                  keys: (0..<n).map(TrainingSetup.testKey), labels: Array(setup.testLabels[0..<n]))
    }

    /// Number of units: points × chips.
    public var unitCount: Int { values.count * chips }

    /// Runs unit `t` (point `t / chips`, chip sample `t % chips`). An invalid value or a failing chip is
    /// a unit with `error` set, not a thrown error: the sweep goes on.
    public func unit(_ t: Int) -> SweepUnit {
        let p = t / chips, c = t % chips
        var u = SweepUnit(unit: t, point: p, chip: c, value: values[p])
        do {
            var s = scenario
            try DeviceSweep.apply(parameter, value: values[p], to: &s)
            let m = try KernelAccuracy.measure(scenario: s, weights: weights, gains: gains, chipSample: c, timing: timing,
                                               inputs: inputs, keys: keys, labels: labels, threads: 1)
            u.accuracy = m.accuracy; u.energy = m.energy
            u.pulses = m.chip.programming.pulses; u.programmingEnergy = m.chip.programming.energy
            u.stuckFraction = m.chip.stuckFraction; u.failures = m.chip.programming.failures
        } catch let e as SpikebarError {
            u.error = e.description
        } catch {
            u.error = "\(error)"
        }
        return u
    }

    /// A fingerprint of what the units depend on besides the scenario text: parameter, values (bit
    /// patterns), chips, seed, the weights and gains, the inputs' spikes, keys and labels, the timing.
    /// FNV-1a 64 (hex); a change in any of them changes it, so a resumed or merged sweep never mixes
    /// units of two different sweeps.
    public func fingerprint(scenarioDigest: String) -> String {
        var h = FNV64()
        h.add(scenarioDigest); h.add(parameter.rawValue); h.add("\(timing)")
        h.add(UInt64(chips)); h.add(scenario.seed); h.add(UInt64(values.count))
        for v in values { h.add(v.bitPattern) }
        for w in weights { h.add(UInt64(w.inputs)); h.add(UInt64(w.outputs)); for x in w.values { h.add(UInt64(x.bitPattern)) } }
        for g in gains { h.add(g.bitPattern) }
        h.add(UInt64(inputs.count))
        for (k, input) in inputs.enumerated() {
            h.add(UInt64(bitPattern: Int64(keys[k]))); h.add(UInt64(bitPattern: Int64(labels[k]))); h.add(UInt64(input.count))
            for (t, c) in zip(input.times, input.channels) { h.add(UInt64(bitPattern: t)); h.add(UInt64(UInt32(bitPattern: c))) }
        }
        return String(h.value, radix: 16)
    }
}

/// FNV-1a 64-bit hash (not cryptographic: it detects accidental mismatches, which is all a sweep
/// digest is for).
struct FNV64 {
    var value: UInt64 = 0xcbf2_9ce4_8422_2325
    mutating func add(_ x: UInt64) {
        var v = x
        for _ in 0..<8 { value = (value ^ (v & 0xFF)) &* 0x100_0000_01b3; v >>= 8 }
    }
    mutating func add(_ s: String) {
        for b in s.utf8 { value = (value ^ UInt64(b)) &* 0x100_0000_01b3 }
        add(UInt64(0xFF))
    }
}
