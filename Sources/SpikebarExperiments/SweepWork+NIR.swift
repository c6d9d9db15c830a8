import Foundation
import SpikebarCore
import SpikebarNIR
import SpikebarPipeline
import SpikebarReport
import SpikebarScenario

/// A sweep point whose network is an NIR graph (`network: { nir: … }`): the point's scenario and the
/// graph it programs; each unit programs chip sample `c` of it (`NIRSimulation`) and runs the point's
/// inputs — what "what does my device do to this imported network's accuracy and energy" needs.
public struct NIRSweepPoint: Sendable {
    public var loaded: LoadedScenario
    public var graph: NIRGraph
    /// FNV-1a 64 of the graph file's bytes (part of the sweep's fingerprint).
    public var graphDigest: String
}

extension SweepWork {
    /// The sweep of `spec` over an NIR scenario's own inputs, the first `samples` of them: every point's
    /// scenario is loaded and its chip sample 0 programmed before any unit runs (a bad setting is refused
    /// naming it). A setting of `network.nir` sweeps graphs (each file read once).
    /// `readGraph` reads a file (the CLI reads it in a child process first).
    public init(
        nirPath path: String, spec: SweepSpec, chips: Int, samples: Int?,
        readGraph: (String) throws -> NIRGraph
    ) throws {
        var points: [SweepPoint] = []
        var graphs: [String: (NIRGraph, String)] = [:]
        for p in spec.points.indices {
            let settings = spec.settings(p)
            var loaded = try ScenarioLoader.load(path: path, settings: settings)
            guard let file = loaded.nirGraph else {
                throw SpikebarError.invalidInput(SourceLocation(file: path, keyPath: "network"), "a sweep point lost network.nir")
            }
            if let samples { loaded.scenario.input.samples = min(samples, loaded.scenario.input.samples) }
            if graphs[file] == nil {
                let data = try InputFile.read(file, hint: "the NIR graph of network.nir")
                graphs[file] = (try readGraph(file), FNV1a64.hex(of: data))
            }
            guard let (graph, digest) = graphs[file] else { continue }
            // Built once here so that every point is checked (input, exact timing) before any unit runs.
            let check = try NIRSimulation(loaded: loaded, graph: graph)
            let s = loaded.scenario
            points.append(
                SweepPoint(
                    settings: settings, scenario: s, weights: [], gains: [], gainSource: "none (NIR graph)",
                    timing: s.simulation.timing == .exact ? .exact : .grid(dt: s.simulation.dt), inputSet: 0,
                    nir: NIRSweepPoint(loaded: loaded, graph: graph, graphDigest: digest)))
            _ = check
        }
        self.init(spec: spec, points: points, inputSets: [SweepInputs(spikes: [], keys: [], labels: nil)], chips: chips)
    }

    /// Unit `t` of an NIR point: chip sample `c` programmed and run on the point's inputs.
    func nirUnit(_ u: inout SweepUnit, _ nir: NIRSweepPoint, chip c: Int) throws {
        let sim = try NIRSimulation(loaded: nir.loaded, graph: nir.graph, chipSample: c)
        let results = try sim.runAll(threads: 1)
        if let labels = sim.inputs.labels {
            u.accuracy = Double(zip(results, labels).filter { $0.0.run.predictedClass == $0.1 }.count) / Double(max(1, results.count))
        }
        let metrics = DesignMetrics.mean(results.map(\.estimates), window: nir.loaded.scenario.input.window)
        u.architectures = metrics
        u.energy = metrics.first?.energy
        if let p = sim.programming {
            u.pulses = p.pulses; u.failures = p.failures
            u.stuckFraction = p.cells > 0 ? Double(p.stuckCells) / Double(p.cells) : 0
        }
    }
}
