import ArgumentParser
import Foundation
import SpikebarCore
import SpikebarNIR
import SpikebarNIRMapping
import SpikebarChip
import SpikebarCost
import SpikebarDevices
import SpikebarScenario

/// `spikebar nir …`: NIR graphs (Docs/nir.md).
struct NIRCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nir",
        abstract: "NIR graphs (.nir, HDF5) exported by snnTorch, Norse, Sinabs, Rockpool…: inspect, evaluate, price, import, create, train.",
        discussion: "How each NIR node is read and run: Docs/nir.md.",
        subcommands: [
            NIRInspectCommand.self, NIREvaluateCommand.self, NIRPriceCommand.self, NIRImportCommand.self, NIRNewCommand.self, NIRTrainCommand.self,
            NIRReadCheckCommand.self,
        ])
}

/// Options shared by the commands that run a graph.
struct NIRRunArguments: ParsableArguments {
    @Option(
        help:
            "Time step in the unit of the file's time constants (default: 1 for graphs without time constants or delays — Sinabs counts time in frames —, else 1e-4 s, snnTorch's braille export)."
    )
    var dt: Double?
    @Option(help: "Discretisation: euler (forward Euler, the NIR paper's simulators) or exact (exponential, input held over the step).")
    var discretisation: String = NIRRunOptions.Discretisation.forwardEuler.rawValue
    @Option(help: "Reset after a spike: zero (v ← v_reset, NIR spec; v_reset = 0 when absent) or subtract (v ← v − v_threshold).")
    var reset: String = NIRRunOptions.Reset.toResetPotential.rawValue
    @Option(help: "Spike condition: '>' (NIR spec) or '>=' (Sinabs).")
    var threshold: String = NIRRunOptions.Comparison.greater.rawValue

    func options(for graph: NIRGraph) throws -> NIRRunOptions {
        guard let d = NIRRunOptions.Discretisation(rawValue: discretisation) else {
            throw ValidationError("--discretisation must be one of \(NIRRunOptions.Discretisation.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let r = NIRRunOptions.Reset(rawValue: reset) else {
            throw ValidationError("--reset must be one of \(NIRRunOptions.Reset.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let c = NIRRunOptions.Comparison(rawValue: threshold) else { throw ValidationError("--threshold must be '>' or '>='") }
        let step = dt ?? NIRRunOptions.defaultStep(for: graph)
        guard step > 0, step.isFinite else { throw ValidationError("--dt must be > 0") }
        return NIRRunOptions(dt: step, discretisation: d, reset: r, comparison: c)
    }
}

/// The data folder: --data, else $SPIKEBAR_DATA, else ../shared/data (as the other N-MNIST commands).
func nirDataDirectory(_ given: String?) -> String {
    given ?? ProcessInfo.processInfo.environment["SPIKEBAR_DATA"] ?? "../shared/data"
}

/// `--device SCENARIO`: the graph on a real device (`NIRDeviceProgramming`).
struct NIRDeviceArguments: ParsableArguments {
    @Option(
        help:
            "Program the graph's weights on the device of this scenario (levels, programming error, drift, faults; its tiles, price lists and seed too; its network is not used). Default: the graph's weights exactly (ideal device)."
    )
    var device: String?
    @Option(help: "Chip sample with --device (Monte-Carlo index of the programming error and the stuck cells).")
    var chipSample: Int = 0

    /// The graph as programmed (or as read), the device, tiles and price lists to price it with, and the
    /// programming report (nil on the ideal device).
    func apply(
        to graph: NIRGraph
    ) throws -> (
        graph: NIRGraph, device: RRAMDevice, tiles: TileSpec?, prices: PriceLists,
        report: NIRDeviceProgramming.Report?
    ) {
        guard chipSample >= 0 else { throw ValidationError("--chip-sample must be ≥ 0") }
        guard let path = device else {
            guard chipSample == 0 else { throw ValidationError("--chip-sample needs --device (the ideal device has one sample)") }
            return (graph, .default, nil, .default, nil)
        }
        let s = try ScenarioLoader.load(path: path, requireWeightsFile: false).scenario
        let (programmed, report) = NIRDeviceProgramming.program(graph, device: s.device, tiles: s.tiles, seed: s.seed, chipSample: chipSample)
        return (programmed, s.device, s.tiles, s.architectures, report)
    }
}
