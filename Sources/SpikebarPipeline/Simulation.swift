import Foundation
import SpikebarActivity
import SpikebarChip
import SpikebarCore
import SpikebarCost
import SpikebarData
import SpikebarKernel
import SpikebarReport
import SpikebarScenario

/// One scenario, ready to run: the programmed chip, the kernel, the encoded inputs and the cost
/// models — the data flow of DESIGN §1 wired together. The CLI only parses arguments and calls this.
public struct Simulation: Sendable {
    public let loaded: LoadedScenario
    public let chip: Chip
    public let kernel: EventKernel
    public let inputs: InputSet
    public let encoder: PoissonEncoder
    public let costModels: [any CostModel]
    public let weightSource: String
    public let gainSource: String
    public let gains: [Double]

    public var scenario: Scenario { loaded.scenario }

    /// Programs the chip. Generated weights get their DPI gains calibrated to the scenario's target
    /// rates (so that architecture comparisons see realistic activity) unless `target_rate` is 0.
    /// `calibrationProgress(layer, layers)` is called as the DPI-gain calibration starts each layer.
    /// `chipSample` picks the Monte-Carlo chip programmed (programming errors, heterogeneity); the DPI
    /// gains are calibrated as for any sample, so sample K differs from sample 0 only by its draws.
    public init(
        loaded: LoadedScenario, timing: Timing? = nil, readNoise: Bool = true, chipSample: Int = 0,
        calibrationProgress: ((_ layer: Int, _ layers: Int) -> Void)? = nil
    ) throws {
        self.loaded = loaded
        let s = loaded.scenario
        let plan = Chip.connectionPlan(network: s.network)
        let sizes = [s.network.input] + s.network.layers.map(\.size)
        var weights: [WeightMatrix]
        var fileGains: [Double]? = nil
        if s.weights.source == .file, let path = loaded.weightsFile {
            let w = try WeightFile.load(path: path, network: s.network)
            weights = w.weights
            fileGains = w.gains
            weightSource = "file \(path)"
        } else {
            weights = plan.enumerated().map { k, p in
                WeightMatrix.generated(
                    inputs: sizes[p.from], outputs: sizes[p.to], mean: s.weights.mean,
                    std: s.weights.std, seed: s.seed, connection: k)
            }
            weightSource = "generated N(\(s.weights.mean), \(s.weights.std)) clipped to [−1, 1], untrained"
        }
        let timing = timing ?? (s.simulation.timing == .exact ? .exact : .grid(dt: s.simulation.dt))
        inputs = try InputSet(loaded: loaded)
        encoder = s.inputEncoder
        var (gains, gainSource) = s.synapseGains(file: fileGains)
        if s.weights.synapseGains == nil && s.weights.source == .generated && s.weights.targetRate > 0 {
            gains = try Simulation.calibrateGains(
                scenario: s, weights: weights, initial: gains, timing: timing,
                inputs: inputs, encoder: encoder, progress: calibrationProgress)
            gainSource = "calibrated to \(s.weights.targetRate) Hz hidden / \(s.weights.targetOutputRate) Hz output"
        }
        self.gains = gains
        self.gainSource = gainSource
        chip = try Chip(scenario: s, weights: weights, gains: gains, chipSample: chipSample)
        kernel = EventKernel(chip: chip, timing: timing, readNoise: readNoise)
        costModels = Simulation.costModels(for: s)
    }

    /// The cost models (`PriceLists.models`) with the scenario's price lists, read conditions and levels.
    public static func costModels(for s: Scenario) -> [any CostModel] {
        let read = ReadConditions(readVoltage: s.device.readVoltage, readPulse: s.device.readPulse)
        return s.architectures.models(read: read, cellLevels: s.device.levels)
    }

    /// Spikes of inference `k` (0-based within the run).
    public func inputSpikes(_ k: Int) -> SpikeList {
        inputs.spikes(k, encoder: encoder)
    }

    public func runOptions(_ k: Int, recordSpikes: Bool = false) -> RunOptions {
        var o = RunOptions(
            window: scenario.input.window, sample: inputs.sampleIDs[k], seed: scenario.seed,
            recordSpikes: recordSpikes, reportingStep: scenario.simulation.dt)
        o.deliveryThreads = RunOptions.threadsPerCore(scenario.simulation.inferenceThreads)
        return o
    }

    /// Runs inference `k`.
    public func infer(_ k: Int, recordSpikes: Bool = false) -> KernelResult {
        kernel.run(input: inputSpikes(k), options: runOptions(k, recordSpikes: recordSpikes))
    }

    /// Runs every inference on `threads` workers (0 = all cores). Results are in sample order and do
    /// not depend on the thread count: each inference has its own random streams.
    public func runAll(threads: Int = 0, progress: (@Sendable (Int) -> Void)? = nil) -> [Activity] {
        let n = inputs.count
        return ParallelMap.map(count: n, threads: threads, progress: progress) { k in infer(k).activity }
    }

    /// `runAll` that also keeps inference 0's spikes, recorded during its one run, for the charts of
    /// `report.html` (`report(_:detail:firstSpikes:)`): the report then runs nothing again when inference
    /// 0 is the one it shows (the usual case). Recording spikes does not change the dynamics.
    public func runAllKeepingFirstSpikes(
        threads: Int = 0, progress: (@Sendable (Int) -> Void)? = nil
    )
        -> (activities: [Activity], firstSpikes: [SpikeList]?)
    {
        let runs = ParallelMap.map(count: inputs.count, threads: threads, progress: progress) { k -> (Activity, [SpikeList]?) in
            guard k == 0 else { return (infer(k).activity, nil) }
            let r = infer(k, recordSpikes: true)
            return (r.activity, r.spikes)
        }
        return (runs.map(\.0), runs.first?.1)
    }

    /// Throws when the kernel's runaway guard stopped an inference (issue #22, class 4), naming the
    /// population and the scenario keys that cause it; the activities of such a run are not results.
    public func checkRunaway(_ activities: [Activity]) throws {
        guard let k = activities.firstIndex(where: { $0.runaway != nil }), let name = activities[k].runaway else { return }
        let layer = activities[k].layers.first { $0.name == name }
        let limit = RunOptions(window: scenario.input.window).maxRatePerNeuron
        throw SpikebarError.invalidInput(
            SourceLocation(file: loaded.path, keyPath: "neurons.refractory"),
            "inference \(k) (sample \(inputs.sampleIDs[k])): population '\(name)' fired more than \(Units.format(limit, "Hz")) per neuron (\(layer?.spikes ?? 0) spikes from \(layer?.size ?? 0) neurons) and the kernel stopped it: the network runs away, typically neurons.refractory 0 with a large neurons.synapse_gain. Raise neurons.refractory (real neurons: ≥ 1 ms) or lower the synapse gain"
        )
    }

    /// Prices activities and assembles the report. With `detail` (the default) it also re-runs the first
    /// inference with its spikes recorded for the charts of `report.html` (`detail(_:)`).
    public func report(_ activities: [Activity], detail withDetail: Bool = true, firstSpikes: [SpikeList]? = nil) -> RunReport {
        let s = scenario
        let estimates: [[CostEstimate]] = activities.map { a in costModels.map { $0.price(a) } }
        let summary = RunSummary(
            activities: activities, estimates: estimates, architectures: costModels.map(\.architecture), labels: inputs.labels,
            sampleIDs: inputs.sampleIDs, window: s.input.window)
        let archs = summary.architectures, meanRRAM = summary.meanRRAMEnergy
        let timingText: String
        switch kernel.timing {
        case .exact: timingText = "exact"
        case let .grid(dt): timingText = "grid(\(Units.format(seconds: dt)))"
        }
        let prog = chip.programming
        let programming =
            prog.cells > 0
            ? ProgrammingSummary(
                cells: prog.cells, pulses: prog.pulses, energy: prog.energy, failures: prog.failures,
                breakEvenInferences: meanRRAM > 0 ? prog.energy / meanRRAM : nil)
            : nil
        var report = RunReport(
            scenario: s.name, scenarioFile: loaded.path, scenarioDigest: loaded.digest, seed: s.seed,
            timing: timingText, window: s.input.window, dt: s.simulation.dt,
            populations: chip.populations.map { PopulationSummary(name: $0.name, size: $0.size) },
            tiles: chip.tiles.count, synapseGains: gains, gainSource: gainSource, weightSource: weightSource,
            inferences: summary.inferences, meanActivity: ActivitySummary.mean(summary.inferences.map(\.activity)),
            accuracy: summary.accuracy,
            architectures: archs,
            detail: withDetail ? detail(activities, inference: Simulation.shownInference(activities), firstSpikes: firstSpikes) : nil)
        report.programming = programming
        report.assumptions = ComparisonAssumptions.lines(
            scenario: s, weightSource: weightSource, architectures: archs,
            accuracy: report.accuracy)
        return report
    }

    /// The inference whose spikes `report.html` shows: the first one whose output layer spiked (a raster
    /// with a silent output says little), else the first.
    public static func shownInference(_ activities: [Activity]) -> Int {
        activities.firstIndex { ($0.layers.last?.spikes ?? 0) > 0 } ?? 0
    }
}
