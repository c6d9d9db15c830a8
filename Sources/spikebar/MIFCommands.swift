import ArgumentParser
import Foundation
import SpikebarChip
import SpikebarCore
import SpikebarExperiments
import SpikebarPipeline
import SpikebarScenario
import SpikebarTwin

/// `spikebar train / evaluate / run` for scenarios with `neurons: { model: mif }` (Docs/mif-neurons.md).
/// The subcommands hand over to these functions as soon as the scenario is loaded.
enum MIFCommands {
    /// Trains the MIF twin by BPTT (no surrogate) and writes `<out>/weights.json` and `<out>/mif-training.json`
    /// (after every epoch) and `<out>/checkpoint.json` (at epoch ends, every `checkpointEvery` seconds and on
    /// Ctrl-C). `resume`: continue an interrupted run from its checkpoint when the checkpoint is unfinished and
    /// belongs to this training (same scenario text, epochs, batch, lr, samples, seed) — the weights then
    /// equal an uninterrupted run's; otherwise start a new stage from the weights in `<out>/weights.json`
    /// (a fresh optimizer and schedule: the staged recipe of Docs/results.md) and append to the history.
    static func train(
        _ loaded: LoadedScenario, out: String?, threads: Int?, quiet: Bool, resume: Bool, checkpointEvery: Double = 300
    ) throws {
        let setup = try MIFSetup(loaded: loaded)
        let spec = setup.spec, s = setup.scenario
        let dir = out ?? "spikebar-out/\(s.name)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let ckPath = dir + "/checkpoint.json", historyPath = dir + "/mif-training.json"
        // What the weights of one stage depend on.
        let file = CheckpointFile(
            path: ckPath,
            digest: ResultFolder.key([loaded.digest, "mif", "\(spec.epochs)", "\(spec.batch)", "\(spec.lr)", "\(spec.trainSamples)", "\(s.seed)"]),
            covers: "this scenario text, --epochs, --batch, --lr, --train-samples and seed")
        var previous: [MIFEpochRecord] = []
        var initial = setup.initialWeights()
        var continued: TrainingCheckpoint?
        if resume {
            if FileManager.default.fileExists(atPath: historyPath) {
                let d = try InputFile.read(historyPath, hint: "the MIF training history")
                do {
                    previous = try JSONDecoder().decode([MIFEpochRecord].self, from: d)
                } catch {
                    // Resuming without the history would renumber the epochs and lose the record.
                    throw SpikebarError.corruptFile(
                        path: historyPath, offset: 0,
                        "not a MIF training history (\(error)); move it away to resume without it")
                }
            }
            // An unfinished checkpoint of this training continues; anything else starts a new stage.
            if let ck = try file.read(), !ck.finished, ck.digest == file.digest {
                try file.check(ck, shapes: zip(setup.sizes, setup.sizes.dropFirst()).map { $0 * $1 })
                // The history file holds the earlier stages and this stage's finished epochs (written after each).
                guard previous.count >= ck.history.count else {
                    throw SpikebarError.invalidInput(
                        SourceLocation(file: historyPath), "holds \(previous.count) epochs, the checkpoint \(ck.history.count); move one of them away"
                    )
                }
                previous = Array(previous.prefix(previous.count - ck.history.count))
                continued = ck
            } else {
                initial = try WeightFile.load(path: dir + "/weights.json", network: s.network).weights.map { $0.values.map(Double.init) }
            }
        }
        let data = try setup.trainingSet()
        // Validation: the last `validation` fraction of the training samples (never the test split).
        let split = spec.split(count: data.labels.count)
        let nTrain = split.train.count, nVal = split.validation.count
        let pixels = data.pixels
        let image: @Sendable (Int) -> [Double] = { pixels[$0].map { Double($0) / 255 } }
        let validation = nVal > 0 ? ((nTrain..<data.labels.count).map(image), Array(data.labels[nTrain...])) : nil
        let net = try setup.network(weights: initial)
        let config = TrainerConfig(
            epochs: spec.epochs, batch: spec.batch, lr: spec.lr, schedule: spec.schedule, threads: threads ?? s.simulation.threads, seed: s.seed)
        if !quiet {
            print(
                "\(s.name): MIF \(setup.sizes.map(String.init).joined(separator: "-")), T = \(setup.steps) × \(Units.format(seconds: setup.dt)), MNIST \(nTrain) train / \(nVal) validation, \(spec.epochs) epochs of batch \(spec.batch), lr \(spec.lr) (\(spec.schedule.rawValue)); BPTT through the MIF dynamics, no surrogate\(continued.map { "; continuing the interrupted run at epoch \($0.epoch + 1), batch \($0.batchInEpoch + 1)" } ?? (resume ? "; a new stage from \(dir)/weights.json" : ""))"
            )
        }
        let started = Date()
        var last = Date.distantPast
        let offset = previous.count
        // The project's one trainer (`Trainer`, Adam, the scenario's schedule); the weights written are the
        // last epoch's (`mif-training.json` keeps every epoch's validation figure).
        let trainer = Trainer(
            problem: MIFTraining(
                network: net, image: image, labels: Array(data.labels[..<nTrain]), validation: validation, threads: config.threads),
            config: config)
        trainer.checkpointInterval = checkpointEvery
        var checkpoint = continued ?? trainer.start(weights: net.weights)
        checkpoint.digest = file.digest
        let history = { (ck: TrainingCheckpoint) in
            previous
                + ck.history.map { e -> MIFEpochRecord in
                    var e = MIFEpochRecord(e)
                    e.epoch += offset
                    return e
                }
        }
        let (final, end) = try withInterruptibleTraining { shouldStop in
            try trainer.train(
                from: checkpoint,
                progress: { p in
                    guard !quiet, Date().timeIntervalSince(last) > 10 || p.batch == p.batches else { return }
                    last = Date()
                    let rate = Double(p.samples) / max(Date().timeIntervalSince(started), 1e-9)
                    FileHandle.standardError.write(
                        Data(
                            "epoch \(p.epoch + 1)/\(spec.epochs) batch \(p.batch)/\(p.batches) loss \(Units.fixed(p.loss, significant: 4)) \(Units.fixed(rate, significant: 3)) ex/s\n"
                                .utf8))
                },
                shouldStop: shouldStop,
                save: file.save,
                epochDone: { e, ck in
                    if !quiet {
                        print(
                            "epoch \(e.epoch + offset): loss \(Units.fixed(e.trainLoss, significant: 4)), train accuracy \(Units.fixed(100 * e.trainAccuracy, significant: 4)) %\(e.validationAccuracy.map { ", validation \(Units.fixed(100 * $0, significant: 4)) %" } ?? ""), \(Units.fixed(e.seconds, significant: 3)) s"
                        )
                    }
                    // Weights and history after every epoch: a long run that is stopped keeps its last epoch.
                    try DurableFile.write(JSONEncoder.spikebar().encode(setup.weightFile(ck.weights)), to: dir + "/weights.json")
                    try DurableFile.write(JSONEncoder.spikebar(pretty: true).encode(history(ck)), to: historyPath)
                    fflush(stdout)
                })
        }
        if end == .interrupted { try stopInterrupted(final, checkpoint: ckPath, show: !quiet) }
        try DurableFile.write(JSONEncoder.spikebar().encode(setup.weightFile(final.weights)), to: dir + "/weights.json")
        try DurableFile.write(JSONEncoder.spikebar(pretty: true).encode(history(final)), to: historyPath)
        if !quiet {
            print("done in \(Units.fixed(Date().timeIntervalSince(started), significant: 3)) s. Wrote \(dir)/weights.json, \(historyPath), \(ckPath)")
            print("next: spikebar evaluate \(loaded.path) --weights \(dir)/weights.json")
        }
    }

    /// Accuracy of twin, programmed-chip twin and kernel; kernel-vs-twin agreement; energy/latency/area.
    static func evaluate(_ loaded: LoadedScenario, weights: String?, samples: Int?, threads: Int?, out: String?, json: Bool, quiet: Bool) throws {
        let setup = try MIFSetup(loaded: loaded)
        let path = weights ?? loaded.weightsFile ?? "spikebar-out/\(loaded.scenario.name)/weights.json"
        let w = try WeightFile.load(path: path, network: loaded.scenario.network)
        let n = min(samples ?? setup.spec.testSamples, 10_000)
        let show = !quiet && !json
        let progress = ProgressLine(total: n, label: "test samples (kernel)", enabled: show)
        let r = try MIFEvaluation.run(
            setup: setup, weights: w.weights, weightsName: path, samples: samples,
            threads: threads ?? loaded.scenario.simulation.threads, progress: { progress.update($0) })
        progress.finish()
        let dir = out ?? "spikebar-out/\(loaded.scenario.name)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let pretty = JSONEncoder.spikebar(pretty: true)
        // The readable result first, then the JSON, refused naming the quantities that went non-finite
        // (issue #22: a NaN used to fail inside the encoder after the run, writing nothing).
        try DurableFile.write(r.markdown, to: dir + "/evaluate.md")
        try FiniteResults.check(
            r, what: "\(loaded.path): the MIF evaluation (\(dir)/evaluate.md written; evaluate.json not)",
            cause: "The MIF dynamics diverged: check simulation.dt and the neurons' time constants (Docs/mif-neurons.md)")
        let data = try pretty.encode(r)
        try DurableFile.write(data, to: dir + "/evaluate.json")
        if json { FileHandle.standardOutput.write(data); print() } else if !quiet { print(r.markdown) }
    }

    /// `spikebar run`: programs the chip with the scenario's weights file, runs `input.samples` test digits
    /// through the kernel and prints the architecture comparison per inference.
    static func run(_ loaded: LoadedScenario, out: String?, json: Bool, quiet: Bool) throws {
        guard loaded.weightsFile != nil else {
            throw SpikebarError.invalidInput(
                SourceLocation(file: loaded.path, keyPath: "weights.file"),
                "a MIF scenario runs trained weights: set weights: { file: … } (write one with `spikebar train`)")
        }
        try evaluate(
            loaded, weights: loaded.weightsFile, samples: loaded.scenario.input.samples,
            threads: loaded.scenario.simulation.threads, out: out, json: json, quiet: quiet)
    }
}
