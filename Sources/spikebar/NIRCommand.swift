import ArgumentParser
import Foundation
import SpikebarCore
import SpikebarNIR
import SpikebarPipeline

/// `spikebar nir …`: NIR graphs (Docs/nir.md).
struct NIRCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nir",
        abstract: "NIR graphs (.nir, HDF5) exported by snnTorch, Norse, Sinabs, Rockpool…: inspect, evaluate, price.",
        discussion: "How each NIR node is read and run: Docs/nir.md.",
        subcommands: [NIRInspectCommand.self, NIREvaluateCommand.self, NIRPriceCommand.self])
}

/// Options shared by the commands that run a graph.
struct NIRRunArguments: ParsableArguments {
    @Option(help: "Time step in the unit of the file's time constants (default: 1 for graphs without time constants or delays — Sinabs counts time in frames —, else 1e-4 s, snnTorch's braille export).")
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
