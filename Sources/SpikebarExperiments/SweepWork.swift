import Foundation
import SpikebarChip
import SpikebarCore
import SpikebarData
import SpikebarKernel
import SpikebarPipeline
import SpikebarReport
import SpikebarScenario

/// The result of one unit of a sweep: chip sample `chip` programmed at point `point` and run on every
/// input. Unit `unit = point × chips + chip`. One line of the sweep's results log (`SweepLog`);
/// `DeviceSweep.aggregate` turns the units into points. Every number is the exact `Double` the kernel
/// and cost models produced (JSON round-trips doubles exactly), so a sweep rebuilt from the log equals
/// one computed in a single run, bit for bit.
public struct SweepUnit: Codable, Sendable, Equatable {
    public var unit: Int
    public var point: Int
    public var chip: Int
    /// Fraction of inputs classified correctly (nil for unlabelled inputs).
    public var accuracy: Double?
    /// Mean RRAM-SNN energy per inference (J) (the first architecture's `energy`).
    public var energy: Double?
    /// Energy, latency, area, power and EDP per inference on every architecture (`DesignMetrics`).
    public var architectures: [DesignMetrics]?
    /// Write pulses and programming energy (J) of this chip, fraction of stuck cells, cells left outside
    /// the write-verify tolerance.
    public var pulses: Int?, programmingEnergy: Double?, stuckFraction: Double?, failures: Int?
    /// Why the unit failed (a chip that could not be built); nil when it ran.
    public var error: String?

    public init(
        unit: Int, point: Int, chip: Int, accuracy: Double? = nil, energy: Double? = nil, architectures: [DesignMetrics]? = nil,
        pulses: Int? = nil, programmingEnergy: Double? = nil, stuckFraction: Double? = nil, failures: Int? = nil, error: String? = nil
    ) {
        self.unit = unit; self.point = point; self.chip = chip; self.accuracy = accuracy; self.energy = energy
        self.architectures = architectures; self.pulses = pulses; self.programmingEnergy = programmingEnergy
        self.stuckFraction = stuckFraction; self.failures = failures; self.error = error
    }
}

/// The inputs one or more points run on: spikes, random-stream keys and labels (nil: unlabelled).
public struct SweepInputs: Sendable {
    public var spikes: [SpikeList]
    public var keys: [Int]
    public var labels: [Int]?
    public init(spikes: [SpikeList], keys: [Int], labels: [Int]?) { self.spikes = spikes; self.keys = keys; self.labels = labels }
}

/// One point of a sweep, ready to program: its scenario (the base with the point's settings), the
/// weights and DPI gains it programs, its timing and which input set it runs.
public struct SweepPoint: Sendable {
    public var settings: [ScenarioSetting]
    public var scenario: Scenario
    public var weights: [WeightMatrix]
    public var gains: [Double]
    /// Where the gains come from (weights file, scenario, or calibrated for this point).
    public var gainSource: String
    public var timing: Timing
    /// Index into `SweepWork.inputSets`.
    public var inputSet: Int
    /// The graph and scenario of an NIR point (`network.nir`): its units run `NIRSimulation`.
    public var nir: NIRSweepPoint? = nil
}

/// Everything one sweep computes on: per point the scenario, weights, gains and timing, the inputs and
/// chips per point. Built — and so every point validated — before any unit runs. `unit(t)` depends on
/// `t` alone — the property that lets units run in any order, on any thread, in any process
/// (`--resume`, `--shard`).
public struct SweepWork: Sendable {
    public var spec: SweepSpec
    public var points: [SweepPoint]
    public var inputSets: [SweepInputs]
    public var chips: Int

    public init(spec: SweepSpec, points: [SweepPoint], inputSets: [SweepInputs], chips: Int) {
        self.spec = spec; self.points = points; self.inputSets = inputSets; self.chips = chips
    }

    /// Keys whose values age or damage a programmed chip rather than design it: the DPI gains are tuned
    /// once, on the chip as designed, and do not follow them.
    static let agingKeys = ["device.time_since_programming", "device.faults", "device.read_noise", "architectures"]

    static func isAging(_ key: String) -> Bool { agingKeys.contains { key == $0 || key.hasPrefix($0 + ".") } }

    /// Refuses settings the scenario would silently override: a device table (`device.physics.table`)
    /// replaces the levels, the conductance window and the programming errors.
    static func checkNotOverridden(_ settings: [ScenarioSetting], _ s: Scenario) throws {
        guard s.device.physics?.table != nil else { return }
        let fixed = ["device.levels", "device.g_min", "device.g_max", "device.programming_error"]
        if let bad = settings.first(where: { fixed.contains($0.keyPath) }) {
            throw SpikebarError.invalidInput(
                SourceLocation(file: "--set \(bad)", keyPath: bad.keyPath),
                "the device table (device.physics.table) fixes the levels, conductance window and programming errors; sweep device.physics.table instead"
            )
        }
    }

    /// The sweep of `spec` over the scenario's own inputs (`input:`, as `spikebar run`), the first
    /// `samples` of each point. Every point's scenario is loaded (a bad key or value, or a combination
    /// the scenario rules refuse, throws naming the setting), its weights loaded or generated and, for
    /// generated weights with a target rate, its DPI gains calibrated as `spikebar run` would — on the
    /// point's scenario with the aging keys (`agingKeys`) at the base values, once per distinct design.
    public init(path: String, spec: SweepSpec, chips: Int, samples: Int?, threads: Int = 0) throws {
        let base = try ScenarioLoader.load(path: path)
        var points: [SweepPoint] = [], sets: [SweepInputs] = []
        var inputKeys: [String] = [], calibrated: [String: [Double]] = [:]
        for p in spec.points.indices {
            let settings = spec.settings(p)
            let loaded = try ScenarioLoader.load(path: path, settings: settings)
            let s = loaded.scenario
            try SweepWork.checkNotOverridden(settings, s)
            // Inputs: shared by the points whose input-defining settings agree.
            let inputKey = settings.filter {
                $0.keyPath.hasPrefix("input") || $0.keyPath == "seed" || $0.keyPath.hasPrefix("network.input") || $0.keyPath.hasPrefix("training")
            }
            .map(\.description).joined(separator: "|")
            let setIndex: Int
            if let k = inputKeys.firstIndex(of: inputKey) {
                setIndex = k
            } else {
                let inputs = try InputSet(loaded: loaded)
                let encoder = s.inputEncoder
                let n = min(samples ?? inputs.count, inputs.count)
                let spikes = ParallelMap.map(count: n, threads: threads) { inputs.spikes($0, encoder: encoder) }
                sets.append(SweepInputs(spikes: spikes, keys: Array(inputs.sampleIDs[0..<n]), labels: inputs.labels.map { Array($0[0..<n]) }))
                inputKeys.append(inputKey)
                setIndex = sets.count - 1
            }
            let timing: Timing = s.simulation.timing == .exact ? .exact : .grid(dt: s.simulation.dt)
            var (gains, gainSource) = s.synapseGains(file: nil)
            let weights: [WeightMatrix]
            if s.weights.source == .file, let file = loaded.weightsFile {
                let w = try WeightFile.load(path: file, network: s.network)
                weights = w.weights
                (gains, gainSource) = s.synapseGains(file: w.gains)
            } else {
                weights = try DeviceSweep.weights(for: loaded)
                if s.weights.synapseGains == nil && s.weights.targetRate > 0 {
                    let design = settings.filter { !SweepWork.isAging($0.keyPath) }.map(\.description).joined(separator: "|")
                    if let g = calibrated[design] {
                        gains = g
                    } else {
                        var c = s
                        c.device.timeSinceProgramming = base.scenario.device.timeSinceProgramming
                        c.device.faults = base.scenario.device.faults
                        c.device.readNoise = base.scenario.device.readNoise
                        let inputs = try InputSet(loaded: loaded)
                        let encoder = s.inputEncoder
                        gains = try Simulation.calibrateGains(
                            scenario: c, weights: weights, initial: gains, timing: timing, inputs: inputs, encoder: encoder)
                        calibrated[design] = gains
                    }
                    gainSource = "calibrated for this point to \(s.weights.targetRate) Hz hidden / \(s.weights.targetOutputRate) Hz output"
                }
            }
            points.append(
                SweepPoint(
                    settings: settings, scenario: s, weights: weights, gains: gains, gainSource: gainSource,
                    timing: timing, inputSet: setIndex))
        }
        self.init(spec: spec, points: points, inputSets: sets, chips: chips)
    }

    /// The sweep of `spec` on the first `samples` test samples of the scenario's training data set, grid
    /// mode at the twin's step (the inputs and timing of `spikebar evaluate`), with the trained weights.
    /// A setting may not change what the weights were trained for (the network, the training section).
    public init(
        setup: TrainingSetup, path: String, spec: SweepSpec, weights: [WeightMatrix], gains: [Double]?, chips: Int,
        samples: Int, threads: Int = 0
    ) throws {
        let n = min(samples, setup.testLabels.count)
        let inputs = SweepInputs(
            spikes: ParallelMap.map(count: n, threads: threads) { setup.testSpikes($0) },
            keys: (0..<n).map(TrainingSetup.testKey), labels: Array(setup.testLabels[0..<n]))
        var points: [SweepPoint] = []
        for p in spec.points.indices {
            let settings = spec.settings(p)
            if let bad = settings.first(where: {
                $0.keyPath.hasPrefix("network") || $0.keyPath.hasPrefix("training") || $0.keyPath.hasPrefix("weights")
            }) {
                throw SpikebarError.invalidInput(
                    SourceLocation(file: "--set \(bad)"),
                    "--test-samples runs the trained weights of the scenario's network; a sweep of \(bad.keyPath) needs its own training")
            }
            var s = try ScenarioLoader.load(path: path, settings: settings, requireWeightsFile: false).scenario
            try SweepWork.checkNotOverridden(settings, s)
            s.input.window = Double(setup.steps) * setup.dt
            points.append(
                SweepPoint(
                    settings: settings, scenario: s, weights: weights, gains: gains ?? setup.gains,
                    gainSource: gains == nil ? "training.gains" : "weights file", timing: .grid(dt: setup.dt), inputSet: 0))
        }
        self.init(spec: spec, points: points, inputSets: [inputs], chips: chips)
    }

    /// Number of units: points × chips.
    public var unitCount: Int { points.count * chips }

    /// Inputs per chip (of the first input set).
    public var samples: Int { points.first?.nir.map { $0.loaded.scenario.input.samples } ?? inputSets.first?.spikes.count ?? 0 }

    /// Runs unit `t` (point `t / chips`, chip sample `t % chips`). A chip that cannot be built is a unit
    /// with `error` set, not a thrown error: the sweep goes on.
    public func unit(_ t: Int) -> SweepUnit {
        let p = t / chips, c = t % chips
        let point = points[p], inputs = inputSets[point.inputSet]
        var u = SweepUnit(unit: t, point: p, chip: c)
        do {
            if let nir = point.nir {
                try nirUnit(&u, nir, chip: c)
                return u
            }
            let m = try KernelAccuracy.measureDesign(
                scenario: point.scenario, weights: point.weights, gains: point.gains, chipSample: c,
                timing: point.timing, inputs: inputs.spikes, keys: inputs.keys, labels: inputs.labels,
                threads: 1)
            u.accuracy = m.accuracy; u.architectures = m.metrics; u.energy = m.metrics.first?.energy
            u.pulses = m.chip.programming.pulses; u.programmingEnergy = m.chip.programming.energy
            u.stuckFraction = m.chip.stuckFraction; u.failures = m.chip.programming.failures
        } catch let e as SpikebarError {
            u.error = e.description
        } catch {
            u.error = "\(error)"
        }
        return u
    }

    /// A fingerprint of what the units depend on besides the scenario text: the swept keys and values,
    /// chips, every point's seed, timing, weights and gains, the inputs' spikes, keys and labels.
    /// FNV-1a 64 (hex); a change in any of them changes it, so a resumed or merged sweep never mixes
    /// units of two different sweeps.
    public func fingerprint(scenarioDigest: String) -> String {
        var h = FNV1a64()
        h.add(scenarioDigest); h.add(spec.mode)
        for k in spec.keys { h.add(k) }
        for p in spec.points { for v in p { h.add(v) } }
        h.add(UInt64(chips)); h.add(UInt64(points.count))
        for point in points {
            h.add(point.scenario.seed); h.add("\(point.timing)"); h.add(UInt64(point.inputSet))
            if let nir = point.nir { h.add(nir.graphDigest); h.add(UInt64(nir.loaded.scenario.input.samples)) }
            h.add(point.weights)
            for g in point.gains { h.add(g.bitPattern) }
        }
        for set in inputSets {
            h.add(UInt64(set.spikes.count))
            for (k, input) in set.spikes.enumerated() {
                h.add(UInt64(bitPattern: Int64(set.keys[k]))); h.add(UInt64(bitPattern: Int64(set.labels?[k] ?? -1))); h.add(UInt64(input.count))
                for (t, c) in zip(input.times, input.channels) { h.add(UInt64(bitPattern: t)); h.add(UInt64(UInt32(bitPattern: c))) }
            }
        }
        return h.hex
    }
}

/// The sweep digest's FNV-1a (`FNV1a64`): a string is its bytes then an 8-byte 0xFF terminator.
extension FNV1a64 {
    mutating func add(_ s: String) {
        add(bytesOf: s)
        add(UInt64(0xFF))
    }
}
