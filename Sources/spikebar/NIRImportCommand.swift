import ArgumentParser
import Foundation
import SpikebarChip
import SpikebarCore
import SpikebarNIR
import SpikebarNIRMapping
import SpikebarScenario

/// `spikebar nir import GRAPH --like S.yaml --out NEW.yaml`: a graph of dense CubaLIF layers as a
/// scenario of the chip's own kind (`NIRLayering`), so that the event kernel, the twin and every
/// command run it.
struct NIRImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract:
            "Turn an NIR graph of dense CubaLIF layers into a scenario of LIF + DPI layers and a weights file (the event kernel, the twin and every command then run it).",
        discussion: """
            Writes NEW.yaml — the --like scenario with its network, neurons, weights and heterogeneity replaced and \
            its training section removed — and NEW.weights.json next to it (weights scaled into [−1, 1], one DPI gain \
            per layer, every neuron's time constants). The graph must be a chain of Affine/Linear → CubaLIF layers \
            (optionally recurrent), without bias, v_leak 0, one r, θ, v_reset and w_in per layer, reset to v_reset; \
            anything else is refused naming the node. Graphs with convolutions run as NIR scenarios \
            (network: { nir: … }). Docs/nir.md, "Into the event kernel".
            """)

    @Argument(help: "The .nir file.") var file: String
    @Option(help: "The scenario whose device, tiles, input, timing and price lists the new one takes (an NIR scenario also gives its network.dt).")
    var like: String
    @Option(help: "The scenario to write (its weights go to the same name with .weights.json).") var out: String
    @Option(
        help:
            "The graph's step in its time unit (default: the --like NIR scenario's network.dt, else 1 for graphs without time constants, else the --like scenario's simulation.dt)."
    )
    var dt: Double?
    @Option(help: "The new scenario's name (default: the output file's name).") var name: String?
    @Flag(help: "Replace existing output files.") var force = false
    @Flag(help: "Print nothing but errors.") var quiet = false
    @Flag(help: "Print what was written as JSON (scenario, weights, network, DPI gains, notes).") var json = false

    func run() throws {
        do {
            guard out.hasSuffix(".yaml") || out.hasSuffix(".yml") else { throw ValidationError("--out must name a .yaml file") }
            if let dt { guard dt > 0, dt.isFinite else { throw ValidationError("--dt must be > 0") } }
            let base = try ScenarioLoader.load(path: like, requireWeightsFile: false)
            if base.scenario.device.ideal {
                throw ValidationError("--like: an ideal device (device.ideal: true) cannot program layers; take a scenario with a real device")
            }
            let weightsPath = (out as NSString).deletingPathExtension + ".weights.json"
            let inputs = [file, like]
            for path in [out, weightsPath] {
                try OutputPath.checkFile(path, what: "--out", inputs: inputs)
                if !force, FileManager.default.fileExists(atPath: path) {
                    throw ValidationError("\(path) exists; pass --force to replace it")
                }
            }
            let graph = try readNIRGraphIsolated(path: file)
            let step = dt ?? base.scenario.nir?.dt ?? (NIRRunOptions.defaultStep(for: graph) == 1 ? 1 : base.scenario.simulation.dt)
            let reset = base.scenario.nir?.reset ?? .toResetPotential
            let layered = try NIRLayering(graph: graph, dt: step, reset: reset, device: base.scenario.device, file: file)
            // The weights file, then the scenario naming it.
            let names = ["input"] + layered.network.layers.map(\.name)
            var wf = WeightFile(
                chipPopulations: names, plan: Chip.connectionPlan(network: layered.network), weights: layered.weights, gains: layered.gains)
            wf.timeConstants = layered.timeConstants
            let scenarioName = name ?? ((out as NSString).lastPathComponent as NSString).deletingPathExtension
            let n = layered.neurons
            let layers = layered.network.layers.map { "{ name: \($0.name), size: \($0.size)\($0.recurrent ? ", recurrent: true" : "") }" }
            let text = try String(contentsOfFile: like, encoding: .utf8)
            // The files the base scenario names, absolute: the new scenario lives elsewhere.
            let b = base.scenario
            var files: [ScenarioSetting] = []
            if let f = base.inputImages ?? base.inputTrace { files.append(ScenarioSetting(keyPath: "input.file", value: f)) }
            if b.input.source == .nmnist, b.input.file != nil, let d = base.nmnistData {
                files.append(ScenarioSetting(keyPath: "input.file", value: d))
            }
            if let f = base.inputLabels { files.append(ScenarioSetting(keyPath: "input.labels", value: f)) }
            if let f = b.device.physics?.tableFile {
                let abs =
                    f.hasPrefix("/") ? f : URL(fileURLWithPath: like).deletingLastPathComponent().appendingPathComponent(f).standardizedFileURL.path
                files.append(ScenarioSetting(keyPath: "device.physics.table", value: abs))
            }
            if let f = b.device.passive?.data {
                let abs =
                    f.hasPrefix("/") ? f : URL(fileURLWithPath: like).deletingLastPathComponent().appendingPathComponent(f).standardizedFileURL.path
                files.append(ScenarioSetting(keyPath: "device.passive.data", value: abs))
            }
            var yaml = try ScenarioText.replacing(
                [
                    ("name", "\"\(scenarioName)\""),
                    ("network", "{ input: \(layered.network.input), layers: [\(layers.joined(separator: ", "))] }"),
                    (
                        "neurons",
                        "{ tau_mem: \(n.tauMem), tau_syn: \(n.tauSyn), threshold: \(n.threshold), reset: \(n.reset), refractory: \(n.refractory), membrane_resistance: \(n.resistance), synapse_gain: \(n.synapseGain) }"
                    ),
                    ("heterogeneity", "{ tau_cv: 0 }"),
                    ("weights", "{ source: file, file: \((weightsPath as NSString).lastPathComponent) }"),
                    ("training", nil),
                ], settings: files, in: text, path: like)
            let header =
                "# Imported from \(file) by `spikebar nir import` (Docs/nir.md, \"Into the event kernel\"), step dt = \(step) in the graph's time unit,\n# device, tiles, input, timing and prices from \(like). Every neuron's own τ is in the weights file (heterogeneity 0: the graph's).\n"
                + layered.notes.map { "#   \($0)\n" }.joined()
            yaml = header + yaml
            // Checked as a scenario before anything is written.
            _ = try ScenarioLoader.load(text: yaml, path: out, requireWeightsFile: false)
            try wf.write(to: weightsPath)
            try DurableFile.write(yaml, to: out)
            if json {
                struct Written: Encodable {
                    var scenario: String, weights: String, dt: Double, network: NetworkSpec, gains: [Double], notes: [String]
                }
                try printJSON(
                    Written(scenario: out, weights: weightsPath, dt: step, network: layered.network, gains: layered.gains, notes: layered.notes))
            } else if !quiet {
                print(
                    "\(file): \(layered.network.input)-\(layered.network.layers.map { "\($0.size)\($0.recurrent ? "r" : "")" }.joined(separator: "-")) CubaLIF layers, dt = \(step)"
                )
                for line in layered.notes { print("  " + line) }
                print("wrote \(out) and \(weightsPath); run it with: spikebar run \(out)")
            }
        } catch let e as NIRError {
            fail(e.spikebarError)
        } catch let e as SpikebarError {
            fail(e)
        }
    }
}
