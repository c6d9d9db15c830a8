import ArgumentParser
import Foundation
import SpikebarCore
import SpikebarDevices
import SpikebarPipeline
import SpikebarScenario
import SpikebarTwin

struct InSituCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "insitu",
        abstract:
            "In-situ learning in the twin: ternary pulses on Mo/TiOx devices (stochastic rounding, P/D scaling); pulses and write energy per epoch.",
        discussion: """
            Trains the scenario's network from its initial weights with every weight change turned into \
            potentiation / depression pulses on the exponential Mo/TiOx device model (Docs/devices.md). \
            --symmetric uses the potentiation step for both scaling factors instead of each kind's own step. \
            --rule picks how a weight change becomes pulses: ternary (one stochastically rounded pulse per batch), \
            mixed (digital accumulator, whole pulses out of it), differential (G+ − G− pair, potentiation only, \
            refresh). Docs/insitu.md.
            """)

    @Argument(help: "Scenario file with a training: section.") var scenario: String
    @Option(help: "Epochs.") var epochs: Int = 1
    @Option(help: "Learning rate (window units per unit gradient).") var lr: Double = 0.05
    @Option(help: "Training samples per epoch (default: training.train_samples).") var trainSamples: Int?
    @Option(help: "Test samples for the final accuracy.") var samples: Int = 1000
    @Option(help: "Device-to-device variation (cv of every model parameter).") var variation: Double = 0
    @Flag(help: "Symmetric scaling factors (s_D = s_P).") var symmetric = false
    @Option(help: "Update rule: ternary, mixed or differential (Docs/insitu.md).") var rule: String = "ternary"
    @Option(help: "Most pulses per synapse and batch (mixed, differential).") var maxPulses: Int = 16
    @Option(help: "Worker threads (0 = all cores).") var threads: Int?
    @Flag(help: "Print the epochs and the test accuracy as JSON.") var json = false

    struct Output: Codable {
        var scaleP: Double; var scaleD: Double; var symmetric: Bool; var rule: String; var trainingSamples: Int; var epochs: [InSituEpoch];
        var testAccuracy: Double; var testSamples: Int
    }

    func run() throws {
        do {
            guard epochs >= 1, lr > 0, samples >= 1, variation >= 0 else {
                throw ValidationError("--epochs, --lr, --samples must be positive, --variation ≥ 0")
            }
            guard let updateRule = InSituRule(rawValue: rule) else {
                throw ValidationError("--rule must be one of \(InSituRule.allCases.map(\.rawValue).joined(separator: ", ")), not '\(rule)'")
            }
            guard maxPulses >= 1 else { throw ValidationError("--max-pulses must be ≥ 1") }
            var loaded = try ScenarioLoader.load(path: scenario, requireWeightsFile: false)
            try loaded.scenario.requireNeuronModel([.lifDPI], for: "spikebar insitu")
            if let trainSamples {
                guard trainSamples >= 1 else { throw ValidationError("--train-samples must be ≥ 1") };
                loaded.scenario.training?.trainSamples = trainSamples
            }
            let setup = try TrainingSetup(loaded: loaded)
            let t = threads ?? loaded.scenario.simulation.threads
            let twin = try setup.twin(neurons: setup.trainingNeurons(), weights: setup.initialWeights())
            let (sp, sd) = InSituConfig.deviceScales(.moTiOx, pulses: 94)
            let config = InSituConfig(
                variation: variation, scaleP: sp, scaleD: symmetric ? sp : sd, lr: lr,
                batch: setup.spec.batch, threads: t, seed: loaded.scenario.seed,
                rule: updateRule, maxPulsesPerBatch: maxPulses)
            let trainer = InSituTrainer(twin: twin, config: config)
            func say(_ text: String) { if !json { print(text) } }
            var epochRecords: [InSituEpoch] = []
            say(
                "in-situ (\(updateRule.rawValue)), Mo/TiOx, s_P \(Units.fixed(sp, significant: 3)), s_D \(Units.fixed(config.scaleD, significant: 3)) (\(symmetric ? "symmetric" : "asymmetric")), \(setup.train.count) training samples"
            )
            for e in 0..<epochs {
                let r = try trainer.trainEpoch(setup.train, epoch: e)
                epochRecords.append(r)
                say(
                    "epoch \(r.epoch): loss \(Units.fixed(r.trainLoss, significant: 4)), train accuracy \(Units.fixed(100 * r.trainAccuracy, significant: 4)) %, pulses P \(r.potentiationPulses) / D \(r.depressionPulses)\(updateRule == .differential ? ", \(r.refreshes) refreshes (P \(r.refreshPotentiationPulses) / D \(r.refreshDepressionPulses))" : ""), write energy \(Units.format(r.writeEnergy, "J")), \(Units.fixed(r.seconds, significant: 3)) s"
                )
            }
            let n = min(samples, setup.testLabels.count)
            let inputs = (0..<n).map { StepSpikes(setup.testSpikes($0), dt: setup.dt, steps: setup.steps, channels: loaded.scenario.network.input) }
            let out = trainer.twin.infer(inputs, effective: trainer.weights, threads: t)
            let ok = zip(out, setup.testLabels[0..<n]).filter { (trainer.twin.readout == .spikeCount ? $0.predictedClass : $0.logitClass) == $1 }
                .count
            say("test accuracy (twin, device weights): \(Units.fixed(100 * Double(ok) / Double(n), significant: 4)) % on \(n) samples")
            if json {
                let enc = JSONEncoder.spikebar(pretty: true)
                print(
                    String(
                        decoding: try enc.encode(
                            Output(
                                scaleP: sp, scaleD: config.scaleD, symmetric: symmetric, rule: updateRule.rawValue,
                                trainingSamples: setup.train.count,
                                epochs: epochRecords, testAccuracy: Double(ok) / Double(n), testSamples: n)), as: UTF8.self))
            }
        } catch let e as SpikebarError {
            fail(e)
        }
    }
}
