import ArgumentParser
import Foundation
import SpikebarChip
import SpikebarCore
import SpikebarPipeline
import SpikebarScenario
import SpikebarTwin
#if canImport(Glibc)
import Glibc
#endif

/// Set by the SIGINT handler; the trainer polls it between batches.
nonisolated(unsafe) var interruptRequested: sig_atomic_t = 0

/// Runs a training with Ctrl-C turned into a request to stop after the current batch (`shouldStop`,
/// the trainer then saves its checkpoint), and the default action restored afterwards. A parent may have
/// blocked SIGINT (test runners do) and children inherit the mask: it is unblocked here. `spikebar train`
/// (twin and MIF) and `nir train` share it.
func withInterruptibleTraining<T>(_ body: (_ shouldStop: @escaping () -> Bool) throws -> T) rethrows -> T {
    interruptRequested = 0
    signal(SIGINT) { _ in interruptRequested = 1 }
    var set = sigset_t()
    sigemptyset(&set); sigaddset(&set, SIGINT)
    sigprocmask(SIG_UNBLOCK, &set, nil)
    defer { signal(SIGINT, SIG_DFL) }
    return try body { interruptRequested != 0 }
}

/// After a training stopped by Ctrl-C: says where its checkpoint is and exits 130 (128 + SIGINT).
func stopInterrupted(_ ck: TrainingCheckpoint, checkpoint path: String, show: Bool) throws -> Never {
    if show { print("interrupted: checkpoint written to \(path) (epoch \(ck.epoch + 1), batch \(ck.batchInEpoch)); continue with --resume") }
    throw ExitCode(130)
}

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train the twin of a scenario's network (surrogate-gradient BPTT, hardware-calibrated).",
        discussion: """
            Reads the scenario's training: section (Docs/twin.md), trains with Adam on mini-batches with the \
            learning-rate schedule and early stopping on the validation split, and writes to --out \
            (default ./spikebar-out/<scenario>/): weights.json (the weights-file format `weights: {file:}` reads, \
            with the DPI gains), calibration.json (the calibration used and the epoch history) and \
            checkpoint.json (at every epoch end and every --checkpoint-every seconds, written to a temporary file, \
            fsync'd and renamed). Ctrl-C stops after the current batch with a checkpoint; after Ctrl-C or a kill, \
            --resume continues from it to the same weights as an uninterrupted run (Docs/scaling.md). A MIF \
            scenario writes weights.json, mif-training.json and checkpoint.json; its --resume continues an \
            interrupted run, or after a finished one starts a new stage from weights.json (Docs/mif-neurons.md).
            """)

    @Argument(help: "Scenario file with a training: section, e.g. Scenarios/nhc-mnist.yaml.") var scenario: String
    @Option(help: "Override training.epochs.") var epochs: Int?
    @Option(help: "Override the scenario's seed (initial weights, chip sample draws, read noise; a Randman task keeps training.randman.seed).")
    var seed: UInt64?
    @Option(help: "Override training.batch.") var batch: Int?
    @Option(help: "Override training.lr.") var lr: Double?
    @Option(help: "Override training.train_samples (a subset, for quick runs).") var trainSamples: Int?
    @Option(help: "Output folder (default: ./spikebar-out/<scenario name>/).") var out: String?
    @Flag(help: "Continue from <out>/checkpoint.json.") var resume = false
    @Option(help: "Worker threads (0 = all cores). Results do not depend on it.") var threads: Int?
    @Option(help: "Also write checkpoint.json inside an epoch every this many seconds (0: only at epoch ends); a kill loses at most this much work.")
    var checkpointEvery: Double = 300
    @Option(help: MemoryBudgetOption.help) var memoryBudget: String?
    @Flag(help: "Print nothing but errors.") var quiet = false
    @Flag(help: "Print the calibration record (JSON) to standard output at the end.") var json = false

    func run() throws {
        do {
            var loaded = try ScenarioLoader.load(path: scenario, requireWeightsFile: false)
            guard loaded.scenario.training != nil else {
                throw SpikebarError.invalidInput(
                    SourceLocation(file: scenario, keyPath: "training"), "this scenario has no training: section (see Docs/twin.md)")
            }
            if let seed { loaded.scenario.seed = seed }
            if let epochs { guard epochs >= 1 else { throw ValidationError("--epochs must be ≥ 1") }; loaded.scenario.training?.epochs = epochs }
            if let batch { guard batch >= 1 else { throw ValidationError("--batch must be ≥ 1") }; loaded.scenario.training?.batch = batch }
            if let lr { guard lr > 0, lr.isFinite else { throw ValidationError("--lr must be > 0") }; loaded.scenario.training?.lr = lr }
            if let trainSamples {
                guard trainSamples >= 1 else { throw ValidationError("--train-samples must be ≥ 1") };
                loaded.scenario.training?.trainSamples = trainSamples
            }
            try MemoryBudgetOption.check(loaded: loaded, option: memoryBudget, training: true, threads: threads ?? loaded.scenario.simulation.threads)
            if loaded.scenario.mif != nil {
                guard checkpointEvery >= 0, checkpointEvery.isFinite else { throw ValidationError("--checkpoint-every must be ≥ 0 s") }
                try MIFCommands.train(loaded, out: out, threads: threads, quiet: quiet || json, resume: resume, checkpointEvery: checkpointEvery)
                return
            }
            // Training starts from the chip's own τ, not from a previous run's trained ones.
            loaded.scenario.tunedTimeConstants = nil
            let setup = try TrainingSetup(loaded: loaded)
            let spec = setup.spec, s = setup.scenario
            let dir = out ?? "spikebar-out/\(s.name)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let ckPath = dir + "/checkpoint.json"
            let neurons = setup.trainingNeurons()
            let twin = try setup.twin(neurons: neurons, weights: setup.initialWeights())
            let config = TrainerConfig(
                epochs: spec.epochs, batch: spec.batch, lr: spec.lr, schedule: spec.schedule,
                lrDecayEvery: spec.lrDecayEvery, lrDecayFactor: spec.lrDecayFactor, patience: spec.patience,
                threads: threads ?? s.simulation.threads, seed: s.seed)
            let trainer = Trainer(
                twin: twin, config: config, calibration: setup.calibration(), neuronsForBatch: setup.neuronsForBatch,
                trainableTimeConstants: setup.trainableTimeConstants(neurons))
            guard checkpointEvery >= 0, checkpointEvery.isFinite else { throw ValidationError("--checkpoint-every must be ≥ 0 s") }
            trainer.checkpointInterval = checkpointEvery
            // What the weights depend on (not --epochs: resuming to train longer is the point of a checkpoint).
            let file = CheckpointFile(
                path: ckPath, digest: ResultFolder.key([loaded.digest, "\(spec.batch)", "\(spec.lr)", "\(spec.trainSamples)", "\(s.seed)"]),
                covers: "this scenario text, --batch, --lr, --train-samples and seed")
            var checkpoint = resume ? try file.resume(shapes: trainer.start().shapes) : trainer.start()
            checkpoint.digest = file.digest
            let show = !quiet && !json
            if show {
                let sizes =
                    [s.network.input] + s.network.layers.map { "\($0.size)\($0.recurrent ? "(rec)" : "")" }.map { $0 as CustomStringConvertible }
                print(
                    "\(s.name): \(sizes.map(\.description).joined(separator: "-")), T = \(setup.steps) × \(Units.format(seconds: setup.dt)), \(spec.dataset.rawValue) \(setup.train.count) train / \(setup.validation?.count ?? 0) validation, \(spec.epochs) epochs of batch \(spec.batch), lr \(spec.lr) (\(spec.schedule.rawValue))"
                )
                let c = spec.calibration
                print(
                    "calibration: time constants \(c.timeConstants.rawValue), quantise \(c.quantize ? "\(s.device.levels) levels" : "off"), programming noise \(c.programmingNoise ? "on" : "off"), stuck cells \(c.stuckFraction); gains \(setup.gains)\(resume ? "; resuming at epoch \(checkpoint.epoch + 1), batch \(checkpoint.batchInEpoch + 1)" : "")"
                )
            }
            let line = TrainProgressLine(enabled: show)
            let (final, end) = try withInterruptibleTraining { shouldStop in
                try trainer.train(
                    setup.train, validation: setup.validation, from: checkpoint,
                    progress: { line.update($0) }, shouldStop: shouldStop, save: file.save)
            }
            if end == .interrupted { try stopInterrupted(final, checkpoint: ckPath, show: show) }
            let best = final.bestEpoch > 0 ? final.bestWeights : final.weights
            let shapes = trainer.twin.plan
            let matrices = zip(shapes, best).map { WeightMatrix(inputs: $0.inputs, outputs: $0.outputs, values: $1.map { Float($0) }) }
            let enc = JSONEncoder.spikebar()
            let trained = trainer.trainedNeurons(final)
            try DurableFile.write(try enc.encode(setup.weightFile(matrices, trainedNeurons: trained)), to: dir + "/weights.json")
            let record = CalibrationRecord(setup: setup, neurons: trained ?? neurons, checkpoint: final, end: end)
            let pretty = JSONEncoder.spikebar(pretty: true)
            let recordData = try pretty.encode(record)
            try DurableFile.write(recordData, to: dir + "/calibration.json")
            if json { FileHandle.standardOutput.write(recordData); print() }
            if show {
                for e in final.history {
                    print(
                        "epoch \(e.epoch): loss \(Units.fixed(e.trainLoss, significant: 4)), train accuracy \(Units.fixed(100 * e.trainAccuracy, significant: 4)) %\(e.validationAccuracy.map { ", validation \(Units.fixed(100 * $0, significant: 4)) %" } ?? ""), \(Units.fixed(e.seconds, significant: 3)) s"
                    )
                }
                print(
                    "\(end == .earlyStopped ? "early stopped" : "done"); best epoch \(final.bestEpoch). Wrote \(dir)/weights.json, \(dir)/calibration.json"
                )
                print("next: spikebar evaluate \(scenario) --weights \(dir)/weights.json")
            }
        } catch let e as SpikebarError {
            fail(e)
        }
    }
}

/// Training progress on standard error: epoch, batch bar, running loss and accuracy, examples/s, and
/// the time left to the last epoch (early stopping may end sooner), measured from this process's first
/// batch so that loading the data set does not enter the rate.
final class TrainProgressLine {
    let enabled: Bool
    var last = Date.distantPast
    var first: (at: Date, done: Int)?
    let tty = isatty(2) != 0
    init(enabled: Bool) { self.enabled = enabled }

    func update(_ p: TrainingProgress) {
        guard enabled else { return }
        let now = Date()
        if first == nil { first = (now, p.epoch * p.batches + p.batch) }
        guard now.timeIntervalSince(last) > (tty ? 0.2 : 10) || p.batch == p.batches else { return }
        last = now
        let width = 24, filled = width * p.batch / max(1, p.batches)
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let done = p.epoch * p.batches + p.batch, total = p.epochs * p.batches
        let eta = ProgressLine.eta(done: done, total: total, now: now, first: &first)
        let text =
            "epoch \(p.epoch + 1)/\(p.epochs) \(bar) \(p.batch)/\(p.batches)  loss \(Units.fixed(p.loss, significant: 4))  acc \(Units.fixed(100 * p.accuracy, significant: 3)) %  \(Units.fixed(p.examplesPerSecond, significant: 3)) ex/s  lr \(Units.fixed(p.lr, significant: 3))  ETA \(eta) (all epochs)"
        FileHandle.standardError.write(Data((tty ? "\r\(text)\u{1B}[K" : "\(text)\n").utf8))
        if tty && p.batch == p.batches { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
