import Foundation
import SpikebarActivity
import SpikebarChip
import SpikebarCore
import SpikebarCost
import SpikebarData
import SpikebarDevices
import SpikebarNIR
import SpikebarNIRMapping
import SpikebarReport
import SpikebarScenario

/// A scenario whose network is an NIR graph (`network: { nir: graph.nir }`, Docs/nir.md, "Scenarios"):
/// the graph's weights programmed on the scenario's device (or held exactly on an ideal device), its
/// neurons' time constants spread by the scenario's heterogeneity, run by the time-stepped NIR
/// reference program (`NIRProgram`) on the scenario's input, and priced on the scenario's tiles with
/// its price lists — the same `Activity`, cost models and report as `Simulation`.
///
/// Timing: `grid` runs frames of event counts per `simulation.dt` over the input window (the NIR paper's
/// simulators ran the Sinabs CNN on 1 ms frames); `exact` runs one step per distinct input event time,
/// which is the event-driven execution for graphs whose state does not change between inputs (no leak,
/// no delay, no bias) and is refused, before any work, for the others. Neither runs in the event kernel, whose
/// routing covers dense and recurrent layers of LIF + DPI neurons (`Simulation`).
public struct NIRSimulation: Sendable {
    public let loaded: LoadedScenario
    public let spec: NIRNetworkSpec
    /// The graph as read from the file (before programming).
    public let graph: NIRGraph
    /// The graph as programmed on chip sample `chipSample` (weights the cells hold, time constants with
    /// the heterogeneity drawn): what `program` runs and `spikebar export nir` writes.
    public let programmedGraph: NIRGraph
    /// The program run.
    public let program: NIRProgram
    public let inputs: InputSet
    /// What programming did; nil on an ideal device.
    public let programming: NIRDeviceProgramming.Report?
    public let chipSample: Int
    public let costModels: [any CostModel]

    public var scenario: Scenario { loaded.scenario }

    /// Programs the graph and loads the input; refuses, before any inference, what it cannot run.
    /// `loadInputs: false` skips the scenario's input (a replay brings the recorded input spikes).
    public init(loaded: LoadedScenario, graph: NIRGraph, chipSample: Int = 0, loadInputs: Bool = true) throws {
        let s = loaded.scenario
        guard let spec = s.nir, let file = loaded.nirGraph else {
            throw SpikebarError.mismatch("\(loaded.path): the network is not an NIR graph (network.nir)")
        }
        var g = graph
        if s.device.ideal {
            programming = nil
        } else {
            let (programmed, report) = NIRDeviceProgramming.program(graph, device: s.device, tiles: s.tiles, seed: s.seed, chipSample: chipSample)
            g = programmed
            programming = report
        }
        g = NIRHeterogeneity.apply(g, tauCV: s.heterogeneity.tauCV, seed: s.seed, chipSample: chipSample)
        do {
            program = try NIRProgram(graph: g, options: spec.runOptions(for: graph, frame: s.simulation.dt), file: file)
        } catch let e as NIRError { throw e.spikebarError }
        if s.simulation.timing == .exact, let refusal = NIREvaluation.exactModeRefusal(program) {
            throw SpikebarError.invalidInput(
                SourceLocation(file: loaded.path, keyPath: "simulation.timing"), "node '\(refusal.node)': \(refusal.reason)")
        }
        self.loaded = loaded
        self.programmedGraph = g
        self.spec = spec
        self.graph = graph
        self.chipSample = chipSample
        inputs = loadInputs ? try InputSet(loaded: loaded, channels: program.inputCount) : InputSet(none: ())
        costModels = Simulation.costModels(for: s)
    }

    /// Whether exact timing runs this graph event-driven: one step per input event (no leak, no delay, no
    /// bias: no state changes between events), or in continuous time (`NIRProgram.runEventDriven`: dense
    /// layers of LIF, CubaLIF and IF neurons with leak or bias).
    public var exactTimingIsExact: Bool { NIREvaluation.exactModeRefusal(program) == nil }

    /// Runs inference `k` and prices it with every cost model.
    public func infer(_ k: Int) throws -> NIRPricing.Result {
        let s = scenario
        let spikes = inputSpikes(k)
        do {
            switch s.simulation.timing {
            case .grid:
                let steps = s.gridFrames
                return try NIRPricing.price(
                    program: program,
                    sparseFrames: NIREvaluation.sparseFrames(spikes, bin: s.simulation.dt, channels: program.inputCount, count: steps),
                    bin: s.simulation.dt, mapping: spec.mapping, tiles: s.tiles, device: s.device, prices: s.architectures)
            case .exact:
                return try NIRPricing.price(
                    program: program, events: spikes, bin: s.simulation.dt, mapping: spec.mapping, tiles: s.tiles, device: s.device,
                    prices: s.architectures, window: s.input.window)
            }
        } catch let e as NIRError { throw e.spikebarError }
    }

    /// Every inference on `threads` workers (0 = all cores), in sample order; results do not depend on
    /// the thread count.
    public func runAll(threads: Int = 0, progress: (@Sendable (Int) -> Void)? = nil) throws -> [NIRPricing.Result] {
        let runs = ParallelMap.map(count: inputs.count, threads: threads, progress: progress) { k in Result { try infer(k) } }
        return try runs.map { try $0.get() }
    }

    /// What the weights are, for reports.
    public var weightSource: String {
        let name = (spec.file as NSString).lastPathComponent
        guard let p = programming else { return "NIR graph \(name), ideal device (the graph's weights exactly)" }
        return
            "NIR graph \(name) programmed on chip sample \(p.chipSample): \(p.cells) cells, \(p.stuckCells) stuck, RMS weight error \(Units.fixed(100 * p.relativeRMSError, significant: 3)) % of each node's largest weight"
    }

    /// The data behind `report.html`'s charts for inference `k` (run again with its spikes recorded; the
    /// program is deterministic): raster, rates over time, the tiles' concurrency over every inference.
    /// Column currents are not sampled on this path (the histogram is empty, `samples` 0).
    public func detail(_ results: [NIRPricing.Result], inference k: Int) -> InferenceDetail? {
        guard k >= 0, k < inputs.count, let (_, spikes) = try? run(input: inputSpikes(k)) else { return nil }
        let pops = tracePopulations.map { (name: $0.name, size: $0.size) }
        let (raster, rates) = Simulation.spikeCharts(populations: pops, spikes: spikes, window: scenario.input.window)
        let activities = results.map(\.activity)
        let tiles = Simulation.tileConcurrency(activities, tiles: activities.first?.tiles.count ?? 0) { activities[0].tiles[$0].layer }
        var currents = ColumnCurrents(values: [], readVoltage: scenario.device.readVoltage)
        currents.samples = 0
        currents.notSampled = "not sampled on this path (the NIR reference program prices each read from its conductance sum, not column by column)."
        return InferenceDetail(sample: inputs.sampleIDs[k], raster: raster, rates: rates, tileConcurrency: tiles, columnCurrents: currents)
    }

    /// The run report, as `Simulation.report` assembles it, with the charts of the first inference whose
    /// output spiked.
    public func report(_ results: [NIRPricing.Result]) -> RunReport {
        let s = scenario
        let activities = results.map(\.activity)
        let summary = RunSummary(
            activities: activities, estimates: results.map(\.estimates), architectures: costModels.map(\.architecture),
            labels: inputs.labels, sampleIDs: inputs.sampleIDs, window: s.input.window)
        let first = activities.first
        var report = RunReport(
            scenario: s.name, scenarioFile: loaded.path, scenarioDigest: loaded.digest, seed: s.seed,
            timing: s.simulation.timing == .exact ? "exact" : "grid(\(Units.format(seconds: s.simulation.dt)))",
            window: s.input.window, dt: s.simulation.dt,
            populations: (first?.layers ?? []).map { PopulationSummary(name: $0.name, size: $0.size) },
            tiles: first?.tiles.count ?? 0, synapseGains: [], gainSource: "none (NIR graph)", weightSource: weightSource,
            inferences: summary.inferences, meanActivity: ActivitySummary.mean(summary.inferences.map(\.activity)),
            accuracy: summary.accuracy, architectures: summary.architectures,
            detail: detail(results, inference: Simulation.shownInference(activities)))
        report.assumptions =
            ComparisonAssumptions.lines(
                scenario: s, weightSource: weightSource, architectures: summary.architectures, accuracy: summary.accuracy)
            + assumptions
        return report
    }

    /// What an NIR scenario's figures assume beyond the comparison's common lines.
    public var assumptions: [String] {
        let s = scenario, o = program.options
        let convolutions = program.nodes.contains { if case .convolution = $0.operation { return true } else { return false } }
        var out = [
            "Network from the NIR graph \((spec.file as NSString).lastPathComponent), run by the time-stepped NIR reference program (\(s.simulation.timing == .exact ? (NIREvaluation.hasDynamics(program) ? "continuous time: the ODEs in closed form between events, threshold crossings found as they happen, a spike an impulse of area network.dt, cycle-closing edges delayed by it" : "one step per input event time") : "frames of event counts per \(Units.format(seconds: s.simulation.dt))"), not the event kernel): step dt = \(Units.fixed(o.dt, significant: 4)) in the graph's time unit, \(o.discretisation.rawValue) discretisation, reset \(o.reset.rawValue), spike when v \(o.comparison.rawValue) θ (network.dt, discretisation, reset, threshold; Docs/nir.md).",
            !convolutions
                ? "Dense layers (Affine, Linear): inputs on rows, outputs on differential column pairs, one row read per input spike and column tile (no convolution to map)."
                : "Convolutions \(spec.mapping == .unrolled ? "unrolled: every output position's weights stored (cells and area counted), one row read per input spike and column tile" : "kernel-stationary: the C_in·k·k × C_out kernel stored once, an input spike reads up to k² rows"); pooling and flatten are address remapping in the spike router (no array read) (network.mapping).",
        ]
        if s.device.ideal {
            out.append(
                "Ideal device (device.ideal: true): the graph's weights exactly, no levels, programming error, read noise, drift or faults; g_min, g_max and the read pulse set the read energies."
            )
        } else {
            out.append(
                "Weights programmed on the scenario's device (levels, programming error\(s.device.physics != nil ? ", write-verify and drift" : "")\(s.device.faults.bitErrorRate > 0 ? ", stuck cells" : "")), each node scaled so its largest weight sits on the top level; biases exact; read noise is not modelled on this path (device.read_noise ignored)."
            )
        }
        switch s.input.source {
        case .uniform, .synthetic:
            out.append(
                "Input: \(s.input.source == .uniform ? "every channel" : "a synthetic band pattern") as Poisson spikes at up to \(Units.format(s.input.maxRate, "Hz")) — not the data the graph was trained on: activity, energies and ratios are those of this input\(s.input.source == .uniform ? ", and there is no accuracy" : "")."
            )
        default: break
        }
        if s.tiles.parasitics != nil, !s.device.ideal {
            out.append(
                "Read-path parasitics (tiles.parasitics): every weight attenuated as a single-row read on its tile sees it (exact ladder); the extra drop of rows read together is NOT modelled on this path."
            )
        }
        if s.heterogeneity.tauCV > 0 {
            out.append(
                "Time constants of the graph's leaky neurons spread by a lognormal factor with CV \(Units.fixed(s.heterogeneity.tauCV, significant: 3)) (heterogeneity.tau_cv)."
            )
        }
        return out
    }
}

extension NIRError {
    /// The error as the CLI reports scenario and file errors: `file: node: key: reason`.
    public var spikebarError: SpikebarError {
        .invalidInput(SourceLocation(file: file, keyPath: [node, key].filter { !$0.isEmpty }.joined(separator: ": ")), reason)
    }
}
