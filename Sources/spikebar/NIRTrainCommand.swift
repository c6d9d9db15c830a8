import ArgumentParser
import Foundation
import SpikebarCore
import SpikebarNIR
import SpikebarNIRMapping
import SpikebarScenario

/// `spikebar nir train SCENARIO --out F.nir`: an NIR scenario's graph trained further by BPTT on the
/// N-MNIST training recordings (`NIRTraining`), optionally on the scenario's device (hardware-aware).
struct NIRTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train (fine-tune) an NIR scenario's graph by BPTT on N-MNIST training recordings — convolutions included; --hardware-aware runs every batch on a freshly programmed chip of the scenario's device.",
        discussion: """
            The scenario must take its network from a graph (network: { nir: … }); its network.dt, reset and threshold \
            rules step the graph, its simulation.dt is the frame width, its input.file (or $SPIKEBAR_DATA, or \
            ../shared/data) holds nmnist-subset/. Writes the trained graph to --out after every epoch (the graph's \
            nodes and metadata, trained weights); run it with `spikebar run SCENARIO --set network.nir=/absolute/F.nir` or `nir evaluate F.nir --device SCENARIO`. Docs/nir.md, "Training".
            """)

    @Argument(help: "An NIR scenario (network: { nir: … }).") var scenario: String
    @Option(help: "The trained graph to write (.nir).") var out: String
    @Option(help: "Epochs over the training recordings.") var epochs: Int = 1
    @Option(help: "Recordings per batch.") var batch: Int = 16
    @Option(help: "Adam learning rate.") var lr: Double = 1e-4
    @Option(help: "Training recordings (from the top of --labels).") var samples: Int = 900
    @Option(help: "Label list in nmnist-subset/.") var labels: String = "train1K.txt"
    @Option(help: "Logit per output spike (softmax cross-entropy of scale · spike count).") var readoutScale: Double = 0.1
    @Option(help: "Surrogate slope of the spike derivative, 1/(1 + slope·|v − θ|)².") var surrogateSlope: Double = 5
    @Flag(help: "Run every batch on a freshly programmed chip of the scenario's device (straight-through gradients).") var hardwareAware = false
    @Option(help: "Worker threads (0 = all cores). Results do not depend on it.") var threads: Int = 0
    @Option(help: "Seed of the batch order.") var seed: UInt64 = 1
    @Flag(help: "Print the epochs as JSON.") var json = false
    @Flag(help: "Print nothing but errors.") var quiet = false
    @Flag(help: "Replace an existing --out.") var force = false

    func run() throws {
        do {
            guard epochs >= 1, batch >= 1, samples >= 1, lr > 0, lr.isFinite, readoutScale > 0, readoutScale.isFinite, surrogateSlope > 0, surrogateSlope.isFinite else {
                throw ValidationError("--epochs, --batch, --samples, --lr, --readout-scale and --surrogate-slope must be positive and finite")
            }
            let loaded = try ScenarioLoader.load(path: scenario)
            guard let spec = loaded.scenario.nir, let graphPath = loaded.nirGraph else {
                throw ValidationError("\(scenario): nir train takes a scenario whose network is an NIR graph (network: { nir: … })")
            }
            if loaded.scenario.device.ideal && hardwareAware {
                throw ValidationError("--hardware-aware: the scenario's device is ideal (device.ideal: true): there is nothing to be aware of")
            }
            try OutputPath.checkFile(out, what: "--out", inputs: [scenario, graphPath])
            if !force, FileManager.default.fileExists(atPath: out) { throw ValidationError("\(out) exists; pass --force to replace it") }
            let graph = try readNIRGraphIsolated(path: graphPath)
            let s = loaded.scenario
            let data = loaded.nmnistData ?? DataLocation.resolve(explicit: s.input.file, scenarioPath: loaded.path)
            let progress = ProgressLine(total: samples * epochs, label: "training recordings", enabled: !quiet && !json)
            let (trained, history) = try NIRTraining.train(
                graph: graph, runOptions: spec.runOptions(for: graph, frame: s.simulation.dt), dataDirectory: data, device: s.device,
                tiles: s.tiles, seed: s.seed,
                options: .init(
                    epochs: epochs, batch: batch, lr: lr, scale: readoutScale, slope: surrogateSlope, samples: samples, labelFile: labels,
                    bin: s.simulation.dt, threads: threads, hardwareAware: hardwareAware, seed: seed),
                file: graphPath, progress: { e, done, total in progress.update((e - 1) * total + done) },
                epochDone: { graph, _ in try graph.write(path: out, compress: true) })
            progress.finish()
            _ = trained  // written after its last epoch
            if json { try printJSON(history); return }
            if quiet { return }
            for e in history {
                print("epoch \(e.epoch): loss \(Units.fixed(e.loss, significant: 4)), train accuracy \(Units.fixed(100 * e.trainAccuracy, significant: 4)) % (\(Units.fixed(e.seconds, significant: 3)) s)")
            }
            let absolute = URL(fileURLWithPath: out).standardizedFileURL.path
            print("wrote \(out)\(hardwareAware ? " (trained on programmed chips of \(scenario)'s device)" : ""); run it with: spikebar run \(scenario) --set network.nir=\(absolute)")
        } catch let e as NIRError {
            fail(e.spikebarError)
        } catch let e as SpikebarError {
            fail(e)
        }
    }
}
