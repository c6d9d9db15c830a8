import Foundation
import SpikebarChip
import SpikebarCore
import SpikebarPipeline
import SpikebarScenario
import SpikebarTwin

/// `spikebar train / evaluate / run` for scenarios with `neurons: { model: mif }` (Docs/mif-neurons.md).
/// The subcommands hand over to these functions as soon as the scenario is loaded.
enum MIFCommands {
    /// Trains the MIF twin by BPTT (no surrogate) and writes `<out>/weights.json` and `<out>/mif-training.json`.
    /// `resume`: start from the weights in `<out>/weights.json` (a fresh optimizer and schedule) and append
    /// to the history.
    static func train(_ loaded: LoadedScenario, out: String?, threads: Int?, quiet: Bool, resume: Bool) throws {
        let setup = try MIFSetup(loaded: loaded)
        let spec = setup.spec, s = setup.scenario
        let dir = out ?? "spikebar-out/\(s.name)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var previous: [MIFEpochRecord] = []
        var initial = setup.initialWeights()
        if resume {
            initial = try WeightFile.load(path: dir + "/weights.json", network: s.network).weights.map { $0.values.map(Double.init) }
            if let d = FileManager.default.contents(atPath: dir + "/mif-training.json") {
                do {
                    previous = try JSONDecoder().decode([MIFEpochRecord].self, from: d)
                } catch {
                    // Resuming without the history would renumber the epochs and lose the record.
                    throw SpikebarError.corruptFile(
                        path: dir + "/mif-training.json", offset: 0,
                        "not a MIF training history (\(error)); move it away to resume without it")
                }
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
                "\(s.name): MIF \(setup.sizes.map(String.init).joined(separator: "-")), T = \(setup.steps) × \(Units.format(seconds: setup.dt)), MNIST \(nTrain) train / \(nVal) validation, \(spec.epochs) epochs of batch \(spec.batch), lr \(spec.lr) (\(spec.schedule.rawValue)); BPTT through the MIF dynamics, no surrogate"
            )
        }
        let started = Date()
        var last = Date.distantPast
        let offset = previous.count
        // The project's one trainer (`Trainer`, Adam, the scenario's schedule); `--resume` continues from the
        // weights of the last run with a fresh optimiser and schedule over the new epochs, and the file
        // written is the last epoch's weights (`mif-training.json` keeps every epoch's validation figure).
        let trainer = Trainer(
            problem: MIFTraining(network: net, image: image, labels: Array(data.labels[..<nTrain]), validation: validation, threads: config.threads),
            config: config)
        let (final, _) = try trainer.train(
            from: trainer.start(weights: net.weights),
            progress: { p in
                guard !quiet, Date().timeIntervalSince(last) > 10 || p.batch == p.batches else { return }
                last = Date()
                let rate = Double(p.epoch * p.batches + p.batch) * Double(spec.batch) / max(Date().timeIntervalSince(started), 1e-9)
                FileHandle.standardError.write(
                    Data(
                        "epoch \(p.epoch + 1)/\(spec.epochs) batch \(p.batch)/\(p.batches) loss \(Units.fixed(p.loss, significant: 4)) \(Units.fixed(rate, significant: 3)) ex/s\n"
                            .utf8))
            },
            epochDone: { e, ck in
                if !quiet {
                    print(
                        "epoch \(e.epoch + offset): loss \(Units.fixed(e.trainLoss, significant: 4)), train accuracy \(Units.fixed(100 * e.trainAccuracy, significant: 4)) %\(e.validationAccuracy.map { ", validation \(Units.fixed(100 * $0, significant: 4)) %" } ?? ""), \(Units.fixed(e.seconds, significant: 3)) s"
                    )
                }
                // Weights after every epoch: a long run that is stopped keeps its last epoch.
                do {
                    try DurableFile.write(JSONEncoder.spikebar().encode(setup.weightFile(ck.weights)), to: dir + "/weights.json")
                } catch {
                    // Training goes on (its final write is checked), but the user learns the checkpoint is missing.
                    FileHandle.standardError.write(Data("warning: epoch \(e.epoch + offset) weights not saved: \(error)\n".utf8))
                }
                fflush(stdout)
            })
        let history =
            previous
            + final.history.map { e -> MIFEpochRecord in
                var e = MIFEpochRecord(e); e.epoch += offset; return e
            }
        let enc = JSONEncoder.spikebar()
        try DurableFile.write(enc.encode(setup.weightFile(final.weights)), to: dir + "/weights.json")
        let pretty = JSONEncoder.spikebar(pretty: true)
        try DurableFile.write(pretty.encode(history), to: dir + "/mif-training.json")
        if !quiet {
            print("done in \(Units.fixed(Date().timeIntervalSince(started), significant: 3)) s. Wrote \(dir)/weights.json, \(dir)/mif-training.json")
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
