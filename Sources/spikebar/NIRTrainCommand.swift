import ArgumentParser
import Foundation
import SpikebarCore
import SpikebarNIR
import SpikebarNIRMapping
import SpikebarPipeline
import SpikebarScenario
import SpikebarTwin

/// `spikebar nir train SCENARIO --out F.nir`: an NIR scenario's graph trained further by BPTT on the
/// N-MNIST training recordings (`NIRTraining`), optionally on the scenario's device (hardware-aware).
struct NIRTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract:
            "Train (or fine-tune) an NIR scenario's graph by BPTT on N-MNIST recordings or rate-coded MNIST digits — convolutions included; --hardware-aware runs every batch on a freshly programmed chip of the scenario's device.",
        discussion: """
            The scenario must take its network from a graph (network: { nir: … }; a fresh one from `spikebar nir new`, \
            passed with --set network.nir=F.nir); its network.dt, reset and threshold rules step the graph, its \
            simulation.dt is the frame width. The training data follow the scenario's input: source: nmnist trains on \
            the recordings of --labels in nmnist-subset/ (input.file, $SPIKEBAR_DATA or ../shared/data); source: mnist \
            on the official training split in <--data>/mnist/ ($SPIKEBAR_DATA or ../shared/data), rate-coded by the scenario's encoder (input.max_rate, \
            window, seed) and framed per simulation.dt over the window, as `run` presents the test digits. Writes the trained graph to --out after every epoch (the graph's \
            nodes and metadata, trained weights); run it with `spikebar run SCENARIO --set network.nir=/absolute/F.nir` or `nir evaluate F.nir --device SCENARIO`. Docs/nir.md, "Training".
            """)

    @Argument(help: "An NIR scenario (network: { nir: … }).") var scenario: String
    @Option(help: "The trained graph to write (.nir).") var out: String
    @Option(help: "Epochs over the training recordings.") var epochs: Int = 1
    @Option(help: "Recordings per batch.") var batch: Int = 16
    @Option(help: "Adam learning rate.") var lr: Double = 1e-4
    @Option(help: "Training samples, from the top of the list (default: 900 N-MNIST recordings, 10000 MNIST digits).") var samples: Int?
    @Option(help: "Label list in nmnist-subset/ (N-MNIST scenarios).") var labels: String = "train1K.txt"
    @Option(help: "Folder holding mnist/ with the official training split (MNIST scenarios; default $SPIKEBAR_DATA, else ../shared/data).")
    var data: String?
    @Option(
        name: .customLong("set"),
        help: "key.path=value: set one scenario key before decoding (repeatable), e.g. --set network.nir=fresh.nir.")
    var sets: [String] = []
    @Option(help: "Logit per output spike (softmax cross-entropy of scale · spike count).") var readoutScale: Double = 0.1
    @Option(help: "Surrogate slope of the spike derivative, 1/(1 + slope·|v − θ|)².") var surrogateSlope: Double = 5
    @Flag(help: "Run every batch on a freshly programmed chip of the scenario's device (straight-through gradients).") var hardwareAware = false
    @Flag(help: "Keep every bias as the graph has it (zero for `nir new` graphs: bias-free, as crossbar rows are, and runnable in exact timing).")
    var freezeBiases = false
    @Option(help: "Worker threads (0 = all cores). Results do not depend on it.") var threads: Int = 0
    @Option(help: "Seed of the batch order.") var seed: UInt64 = 1
    @Option(help: "Learning-rate schedule: constant, cosine (to 0 over the run) or step (×0.5 every 5 epochs).") var schedule: String = "constant"
    @Option(help: "Fraction of the samples (the last ones) held out to score every epoch; with it the best epoch's graph is written.")
    var validation: Double = 0
    @Option(help: "Stop after this many epochs without a better validation accuracy (0: never; needs --validation).") var patience: Int = 0
    @Flag(help: "Print the epochs as JSON.") var json = false
    @Flag(help: "Print nothing but errors.") var quiet = false
    @Flag(help: "Replace an existing --out.") var force = false
    @Flag(
        help:
            "Continue from <out>.checkpoint.json (written at every epoch end, every --checkpoint-every seconds and on Ctrl-C; refused if it belongs to another training)."
    )
    var resume = false
    @Option(help: "Also checkpoint inside an epoch when this many seconds have passed since the last save (0: only at epoch ends).")
    var checkpointEvery: Double = 300

    func run() throws {
        do {
            guard epochs >= 1, batch >= 1, (samples ?? 1) >= 1, lr > 0, lr.isFinite, readoutScale > 0, readoutScale.isFinite, surrogateSlope > 0,
                surrogateSlope.isFinite
            else {
                throw ValidationError("--epochs, --batch, --samples, --lr, --readout-scale and --surrogate-slope must be positive and finite")
            }
            guard let lrSchedule = LearningRateSchedule(rawValue: schedule) else {
                throw ValidationError(
                    "--schedule must be one of \(LearningRateSchedule.allCases.map(\.rawValue).joined(separator: ", ")), not '\(schedule)'")
            }
            guard (0..<1).contains(validation), patience >= 0, patience == 0 || validation > 0 else {
                throw ValidationError("--validation must be in [0, 1) and --patience ≥ 0; --patience needs --validation")
            }
            let settings = try sets.map { try ScenarioSetting(parsing: $0) }
            let loaded = try ScenarioLoader.load(path: scenario, settings: settings)
            guard let spec = loaded.scenario.nir, let graphPath = loaded.nirGraph else {
                throw ValidationError("\(scenario): nir train takes a scenario whose network is an NIR graph (network: { nir: … })")
            }
            if loaded.scenario.device.ideal && hardwareAware {
                throw ValidationError("--hardware-aware: the scenario's device is ideal (device.ideal: true): there is nothing to be aware of")
            }
            guard checkpointEvery >= 0, checkpointEvery.isFinite else { throw ValidationError("--checkpoint-every must be ≥ 0 s") }
            try OutputPath.checkFile(out, what: "--out", inputs: [scenario, graphPath])
            if !force, !resume, FileManager.default.fileExists(atPath: out) {
                throw ValidationError("\(out) exists; pass --force to replace it (or --resume to continue its training)")
            }
            let ckPath = out + ".checkpoint.json"
            try OutputPath.checkFile(ckPath, what: "the checkpoint (--out + .checkpoint.json)", inputs: [scenario, graphPath])
            if resume, !FileManager.default.fileExists(atPath: ckPath) {
                throw SpikebarError.missingFile(path: ckPath, referencedFrom: nil, hint: "no checkpoint to resume; run without --resume")
            }
            let graph = try readNIRGraphIsolated(path: graphPath)
            let s = loaded.scenario
            let training: NIRTraining.Samples
            switch s.input.source {
            case .nmnist:
                training = try .nmnist(
                    directory: loaded.nmnistData ?? DataLocation.resolve(explicit: s.input.file, scenarioPath: loaded.path), labelFile: labels,
                    limit: samples ?? 900, bin: s.simulation.dt)
            case .mnist:
                training = try .mnist(
                    directory: DataLocation.resolve(
                        explicit: self.data.map { URL(fileURLWithPath: $0).standardizedFileURL.path }, scenarioPath: loaded.path),
                    limit: samples ?? 10_000,
                    encoder: s.inputEncoder,
                    bin: s.simulation.dt, steps: s.gridFrames)
            default:
                throw ValidationError(
                    "\(scenario): nir train learns from the scenario's data, input.source nmnist or mnist; this one is \(s.input.source.rawValue)")
            }
            let run = try NIRTraining.Run(
                graph: graph, runOptions: spec.runOptions(for: graph, frame: s.simulation.dt), samples: training, device: s.device,
                tiles: s.tiles, seed: s.seed,
                options: .init(
                    epochs: epochs, batch: batch, lr: lr, scale: readoutScale, slope: surrogateSlope, threads: threads,
                    hardwareAware: hardwareAware, freezeBiases: freezeBiases, seed: seed, schedule: lrSchedule, validation: validation,
                    patience: patience),
                file: graphPath)
            // What the weights depend on (not --epochs: resuming to train longer is the point of a checkpoint).
            let graphDigest = FNV1a64.hex(of: try InputFile.read(graphPath, hint: "the NIR graph of network.nir"))
            let digest = ResultFolder.key(
                [
                    loaded.digest, graphDigest, training.description, "\(training.count)", "\(batch)", "\(lr)", "\(readoutScale)",
                    "\(surrogateSlope)", "\(hardwareAware)", "\(freezeBiases)", "\(seed)", schedule, "\(validation)", "\(patience)",
                ])
            let file = CheckpointFile(
                path: ckPath, digest: digest,
                covers:
                    "this scenario, graph, samples, --batch, --lr, --readout-scale, --surrogate-slope, --hardware-aware, --freeze-biases, --seed, --schedule, --validation and --patience"
            )
            var checkpoint = resume ? try file.resume(shapes: run.shapes) : run.start()
            checkpoint.digest = digest
            run.trainer.checkpointInterval = checkpointEvery
            let progress = ProgressLine(total: training.count * epochs, label: "training samples", enabled: !quiet && !json)
            let (final, end) = try withInterruptibleTraining { shouldStop in
                try run.train(
                    from: checkpoint, progress: { e, done, total in progress.update((e - 1) * total + done) }, shouldStop: shouldStop,
                    save: file.save, epochDone: { graph, _ in try graph.write(path: out, compress: true) })
            }
            progress.finish()
            if end == .interrupted { try stopInterrupted(final, checkpoint: ckPath, show: !quiet) }
            // With a validation split the file ends as the best epoch's graph (each epoch's was written as it ended).
            if validation > 0, final.bestEpoch > 0 { try run.bestGraph(final).write(path: out, compress: true) }
            let history = final.history.map(NIRTraining.Epoch.init)
            if json { try printJSON(history); return }
            if quiet { return }
            for e in history {
                print(
                    "epoch \(e.epoch): loss \(Units.fixed(e.loss, significant: 4)), train accuracy \(Units.fixed(100 * e.trainAccuracy, significant: 4)) %\(e.validationAccuracy.map { ", validation \(Units.fixed(100 * $0, significant: 4)) %" } ?? "") (\(Units.fixed(e.seconds, significant: 3)) s)"
                )
            }
            if validation > 0 {
                print(
                    "\(end == .earlyStopped ? "early stopped; " : "")best epoch \(final.bestEpoch) (validation \(Units.fixed(100 * final.bestValidation, significant: 4)) % on \(NIRTraining.Epoch.validationBasis)): its graph is in \(out)"
                )
            }
            let absolute = URL(fileURLWithPath: out).standardizedFileURL.path
            print(
                "wrote \(out)\(hardwareAware ? " (trained on programmed chips of \(scenario)'s device)" : ""); run it with: spikebar run \(scenario) --set network.nir=\(absolute)"
            )
        } catch let e as NIRError {
            fail(e.spikebarError)
        } catch let e as SpikebarError {
            fail(e)
        }
    }
}
