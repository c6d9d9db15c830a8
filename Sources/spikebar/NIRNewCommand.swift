import ArgumentParser
import Foundation
import SpikebarCore
import SpikebarNIR

/// `spikebar nir new ARCHITECTURE --out F.nir`: a randomly initialised spiking CNN or FCN in seed 003's
/// layer notation (`NIRGraph.architecture`), to be trained by `spikebar nir train`.
struct NIRNewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new",
        abstract:
            "Write a fresh (randomly initialised) spiking CNN or FCN as an NIR graph, in seed 003's layer notation, e.g. 28x28x1-16c5-2s-32c5-2s-128o-10o.",
        discussion: """
            HxWxC is the input (or a channel count N); Nc K a convolution of N channels with a K×K kernel (stride 1, \
            "same" padding, K odd) and IF neurons; Ks a K×K sum pooling of stride K; No a dense (Affine) layer of N IF \
            neurons, the last one the output. IF neurons: threshold 1, no time constant (exact timing runs them too). \
            Weights uniform in ±gain·√(3/fan_in), biases 0. Train it with `spikebar nir train SCENARIO --set \
            network.nir=F.nir --out T.nir`. Docs/nir.md, "Training".
            """)

    @Argument(help: "The architecture, e.g. 28x28x1-16c5-2s-32c5-2s-128o-10o.") var architecture: String
    @Option(help: "The graph to write (.nir).") var out: String
    @Option(help: "Seed of the initial weights.") var seed: UInt64 = 1
    @Option(help: "Initial weight scale: uniform in ±gain·√(3/fan_in) (√2: He initialisation).") var gain: Double = 2.0.squareRoot()
    @Flag(help: "Replace an existing --out.") var force = false
    @Flag(help: "Print what was written as JSON (file, architecture, nodes, parameters, seed, gain).") var json = false
    @Flag(help: "Print nothing but errors.") var quiet = false

    /// What `--json` prints.
    struct Written: Encodable {
        var file: String, architecture: String, nodes: Int, parameters: Int, seed: UInt64, gain: Double
    }

    func run() throws {
        do {
            try OutputPath.checkFile(out, what: "--out", inputs: [])
            if !force, FileManager.default.fileExists(atPath: out) { throw ValidationError("\(out) exists; pass --force to replace it") }
            let graph = try NIRGraph.architecture(architecture, seed: seed, gain: gain)
            try graph.write(path: out, compress: true)
            let weights = graph.nodes.values.reduce(0) { $0 + $1.parameterCount }
            if json {
                try printJSON(Written(file: out, architecture: architecture, nodes: graph.nodes.count, parameters: weights, seed: seed, gain: gain))
                return
            }
            if quiet { return }
            print(
                "wrote \(out): \(architecture), \(graph.nodes.count) nodes, \(weights) parameters (seed \(seed), gain \(Units.fixed(gain, significant: 4)))"
            )
        } catch let e as NIRError {
            fail(e.spikebarError)
        } catch let e as SpikebarError {
            fail(e)
        }
    }
}
