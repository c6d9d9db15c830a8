import ArgumentParser
import Foundation
import SpikebarChip
import SpikebarCore
import SpikebarNIR
import SpikebarPipeline
import SpikebarNIRMapping
import SpikebarScenario

/// `spikebar export nir SCENARIO --out FILE.nir`: the chip sample's effective weights and per-neuron
/// parameters as an NIR graph (`NIRExport`; conventions in `Docs/nir.md`, "Export").
struct ExportNIRCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nir",
        abstract: "Export a LIF (+DPI) scenario's network as programmed to an NIR file (HDF5, nir 1.0.x layout).",
        discussion: """
            Programs the chip as `spikebar run` does (weights from the scenario's weights file or --weights; \
            generated, untrained weights with calibrated DPI gains otherwise), then writes each connection as an \
            NIR Linear node of effective weights (G⁺ − G⁻)/(G_max − G_min) of chip sample --chip-sample, and each \
            layer as a CubaLIF node with every neuron's own τ_mem, τ_syn, R, θ, V_reset and w_in = gain·Q₁/dt \
            (dt = the scenario's simulation.dt). Device, tiles, refractory period and the ≥ threshold rule go to \
            node metadata. Read it back with `spikebar nir inspect` or Python's `nir.read`; run it with \
            `spikebar nir evaluate --dt <simulation.dt> --threshold '>='`.
            """)

    @Argument(help: "Scenario file (YAML) with LIF (+DPI) neurons.")
    var scenario: String

    @Option(help: "Weights file (default: the scenario's weights file; generated weights when it has none).")
    var weights: String?

    @Option(help: "Chip sample to program (Monte-Carlo index of programming errors and heterogeneity).")
    var chipSample: Int = 0

    @Option(help: "Output .nir file.")
    var out: String

    @OptionGroup var overrides: ScenarioOverrides

    @Flag(help: "Write the arrays uncompressed (default: gzip, as Python's nir.write).")
    var uncompressed = false

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    func run() throws {
        do {
            // The neuron model first: a MIF scenario is refused for what it is, not for a missing weights file.
            var loaded = try overrides.load(path: scenario, requireWeightsFile: false)
            try loaded.scenario.requireNeuronModel([.lifDPI, .nir], for: "export nir")
            if loaded.scenario.nir != nil {
                try exportImported(loaded)
                return
            }
            if weights == nil && loaded.scenario.weights.source == .file { loaded = try overrides.load(path: scenario) }
            try overrides.apply(to: &loaded)
            guard chipSample >= 0 else { throw ValidationError("--chip-sample must be ≥ 0") }
            if let weights {
                loaded.weightsFile = weights
                loaded.scenario.weights.source = .file
                loaded.scenario.tunedTimeConstants = try TunedTimeConstants.read(weightsFile: weights, network: loaded.scenario.network)
            }
            // The output is checked before any work (issue #22): never an input, in a writable folder.
            let inputs = [
                scenario, loaded.inputImages, loaded.inputLabels, loaded.weightsFile, loaded.inputTrace,
                loaded.scenario.device.physics?.tableFile,
            ].compactMap { $0 }
            try OutputPath.checkFile(out, what: "--out", inputs: inputs)
            let sim = try Simulation(loaded: loaded, chipSample: chipSample)
            let s = loaded.scenario
            let graph = try NIRExport.graph(chip: sim.chip, dt: s.simulation.dt, scenarioName: s.name, weightSource: sim.weightSource)
            try graph.write(path: out, compress: !uncompressed)
            if !quiet {
                let sizes = sim.chip.populations.map { "\($0.size)" }.joined(separator: "-")
                print("\(s.name): \(sizes), chip sample \(chipSample), weights \(sim.weightSource); DPI gains \(sim.gainSource)")
                print(
                    "wrote \(out): \(graph.nodes.count) nodes, \(graph.edges.count) edges, \(graph.nodes.values.reduce(0) { $0 + $1.parameterCount }) parameters; run it with dt = \(s.simulation.dt) s"
                )
            }
        } catch let e as SpikebarError {
            fail(e)
        } catch let e as NIRError {
            fail(
                SpikebarError.invalidInput(
                    SourceLocation(file: e.file, keyPath: [e.node, e.key].filter { !$0.isEmpty }.joined(separator: ": ")), e.reason))
        }
    }

    /// An NIR scenario's graph as programmed on chip sample `--chip-sample` (`NIRExport.graph(programmed:…)`).
    func exportImported(_ given: LoadedScenario) throws {
        if weights != nil { throw ValidationError("--weights: an NIR scenario's weights are the graph's (network.nir)") }
        guard chipSample >= 0 else { throw ValidationError("--chip-sample must be ≥ 0") }
        var loaded = given
        try overrides.apply(to: &loaded)
        let inputs = [scenario, loaded.nirGraph, loaded.scenario.device.physics?.tableFile].compactMap { $0 }
        try OutputPath.checkFile(out, what: "--out", inputs: inputs)
        let sim = try nirSimulation(loaded, chipSample: chipSample)
        let s = loaded.scenario
        let graph = NIRExport.graph(
            programmed: sim.programmedGraph, device: s.device, tiles: s.tiles, mapping: sim.spec.mapping, chipSample: chipSample,
            scenarioName: s.name, weightSource: sim.weightSource)
        try graph.write(path: out, compress: !uncompressed)
        if !quiet {
            print("\(s.name): \(sim.weightSource)")
            print(
                "wrote \(out): \(graph.nodes.count) nodes, \(graph.edges.count) edges, \(graph.nodes.values.reduce(0) { $0 + $1.parameterCount }) parameters; run it with dt = \(sim.program.options.dt) (the graph's time unit), reset \(sim.program.options.reset.rawValue), threshold \(sim.program.options.comparison.rawValue)"
            )
        }
    }
}
