import Foundation
import Testing
import SpikebarChip
import SpikebarCore
import SpikebarData
import SpikebarDevices
import SpikebarExperiments
import SpikebarPipeline
import SpikebarScenario
import SpikebarTwin
import SpikebarNeurons
import SpikebarTestSupport

/// A small two-moons scenario (16-8-2) for training tests.
func moonsYAML(
    epochs: Int = 4, train: Int = 400, extraTraining: String = "",
    calibration: String = "{time_constants: chip, quantize: true, programming_noise: true}"
) -> String {
    """
    seed: 5
    network: {input: 16, layers: [{name: hidden, size: 8}, {name: out, size: 2}]}
    neurons: {synapse_gain: 20}
    input: {source: two_moons, max_rate: 200, window: 0.05, samples: 20}
    simulation: {timing: grid, dt: 1e-3}
    training:
      dataset: two_moons
      train_samples: \(train)
      test_samples: 200
      validation: 0.1
      epochs: \(epochs)
      batch: 32
      lr: 1e-2
      surrogate_slope: 5
      readout_scale: 0.5
      calibration: \(calibration)\(extraTraining)
    """
}

@Suite struct TrainingScenarioTests {
    @Test func trainingSectionDecodesWithDefaults() throws {
        let s = try scenario(moonsYAML()).scenario
        let t = try #require(s.training)
        #expect(t.dataset == .twoMoons && t.epochs == 4 && t.batch == 32)
        #expect(t.schedule == .cosine && t.readout == .spikeCount && t.encoder == .poisson)
        #expect(t.calibration.quantize && t.calibration.timeConstants == .chip && t.calibration.stuckFraction == 0)
    }

    @Test func badTrainingKeysAreLocated() throws {
        func failure(_ text: String) -> SpikebarError? {
            do { _ = try scenario(text, path: "moons.yaml"); return nil } catch let e as SpikebarError { return e } catch { return nil }
        }
        let typo = try #require(failure(moonsYAML().replacingOccurrences(of: "  epochs: 4", with: "  epohcs: 4")))
        #expect(typo.description.hasPrefix("moons.yaml:11"), "\(typo)")
        #expect(typo.description.contains("training.epohcs"))
        let range = try #require(failure(moonsYAML(calibration: "{stuck_fraction: 0.9}")))
        #expect(range.description.contains("training.calibration.stuck_fraction"))
        let choice = try #require(failure(moonsYAML().replacingOccurrences(of: "dataset: two_moons", with: "dataset: cifar")))
        #expect(choice.description.contains("training.dataset") && choice.description.contains("mnist"))
        let gains = try #require(failure(moonsYAML(extraTraining: "\n  gains: [1, 2, 3]")))
        #expect(gains.description.contains("gains has 3 values"))
    }
}

@Suite struct CalibrationTests {
    let device = RRAMDevice(
        levels: 8, gMin: 10e-6, gMax: 100e-6, programmingError: Array(repeating: 3e-6, count: 8),
        readVoltage: 0.1, readPulse: 100e-9, readNoise: 0)

    /// The quantised twin holds exactly what an error-free chip programs.
    @Test func quantisationMatchesChipProgramming() throws {
        let s = try scenario(tinyScenarioYAML(input: 30, layers: "[{name: out, size: 7}]")).scenario
        let w = WeightMatrix.generated(inputs: 30, outputs: 7, mean: 0, std: 0.6, seed: 2, connection: 0)
        let chip = try Chip(scenario: s, weights: [w])
        let cal = WeightCalibration(spec: .default, device: s.device, seed: 1)
        let q = cal.quantized([w.values.map(Double.init)])[0]
        let span = s.device.gMax - s.device.gMin
        let programmed = zip(chip.connections[0].gPlus, chip.connections[0].gMinus).map { ($0 - $1) / span }
        #expect(zip(q, programmed).allSatisfy { abs($0 - $1) < 1e-12 })
        #expect(Set(q.map { ($0 * 7).rounded() }).count > 5)
    }

    /// Programming noise has the device's spread; stuck cells appear at the asked rate and are masked.
    @Test func noiseAndStuckCellsHaveTheirStatistics() {
        let w = [[Double]](repeating: (0..<20_000).map { Double($0 % 15 - 7) / 7 }, count: 1)
        let noisy = WeightCalibration(
            spec: CalibrationSpec(timeConstants: .chip, quantize: true, programmingNoise: true, stuckFraction: 0), device: device, seed: 3)
        let (e, mask) = noisy.effective(w, batch: 0)
        #expect(mask == nil)
        let d = zip(e[0], noisy.quantized(w)[0]).map { $0 - $1 }
        let sd = (d.map { $0 * $0 }.reduce(0, +) / Double(d.count)).squareRoot()
        let expected = (2 * 3e-6 * 3e-6).squareRoot() / 90e-6
        #expect(abs(sd / expected - 1) < 0.05, "noise std \(sd) vs \(expected)")
        #expect(noisy.effective(w, batch: 1).weights != e)  // fresh draws per batch
        #expect(noisy.effective(w, batch: 0).weights == e)  // keyed: reproducible
        let stuck = WeightCalibration(
            spec: CalibrationSpec(timeConstants: .chip, quantize: true, programmingNoise: false, stuckFraction: 0.05), device: device, seed: 3)
        let (es, ms) = stuck.effective(w, batch: 0)
        let m = ms?[0] ?? []
        let rate = Double(m.filter { $0 == 0 }.count) / Double(m.count)
        #expect(abs(rate - (1 - 0.95 * 0.95)) < 0.01, "stuck synapse rate \(rate)")
        let q = stuck.quantized(w)[0]
        #expect(zip(zip(es[0], q), m).allSatisfy { pair, keep in keep == 0 || pair.0 == pair.1 })
        // A masked gradient leaves its weight alone.
        var adam = Adam(shapes: [m.count]), p = w
        adam.update(&p, grads: [[Double](repeating: 1, count: m.count)], lr: 0.01, mask: ms)
        var consistent = true
        for k in 0..<m.count {
            let moved = p[0][k] < w[0][k] || w[0][k] == -1
            if m[k] == 1 ? !moved : p[0][k] != w[0][k] { consistent = false }
        }
        #expect(consistent)
    }
}

@Suite struct TrainerTests {
    func setup(_ yaml: String, readoutScale: Double? = nil) throws -> (TrainingSetup, TwinTrainer) {
        let loaded = try scenario(yaml, path: "/tmp/moons-test.yaml")
        let setup = try TrainingSetup(loaded: loaded)
        var twin = try setup.twin(neurons: setup.trainingNeurons(), weights: setup.initialWeights())
        if let readoutScale { twin.readoutScale = readoutScale }
        let spec = setup.spec
        let trainer = Trainer(
            twin: twin, config: TrainerConfig(epochs: spec.epochs, batch: spec.batch, lr: spec.lr, schedule: spec.schedule, threads: 2, seed: 5),
            calibration: setup.calibration(), neuronsForBatch: setup.neuronsForBatch)
        return (setup, trainer)
    }

    /// Hardware-calibrated training learns two moons, and the programmed chip keeps most of it.
    @Test func twoMoonsTrainsAndTransfers() throws {
        let (setup, trainer) = try setup(moonsYAML())
        let before = trainer.accuracy(trainer.twin.weights, on: try #require(setup.validation))
        let (ck, end) = try trainer.train(setup.train, validation: setup.validation, from: trainer.start())
        #expect(end == .completed && ck.history.count == 4)
        #expect(ck.bestValidation > 0.85 && ck.bestValidation > before + 0.2, "validation \(before) → \(ck.bestValidation)")
        let w = zip(trainer.twin.plan, ck.bestWeights).map { WeightMatrix(inputs: $0.inputs, outputs: $0.outputs, values: $1.map(Float.init)) }
        let eval = try TwinEvaluation.run(setup: setup, weights: w, gains: nil, weightsName: "test", samples: 100, exact: false, threads: 2)
        #expect(eval.accuracies.first { $0.name.hasPrefix("programmed chip") }.map { $0.accuracy > 0.8 } == true, "\(eval.accuracies)")
        #expect(eval.replay.identicalOutputSpikes >= 0.995 && eval.replay.sameClass >= 0.999)
        #expect(eval.costs.count == 5 && eval.costs.allSatisfy { $0.meanEnergy > 0 })
    }

    /// Interrupting and resuming from the (JSON round-tripped) checkpoint gives the uninterrupted run.
    @Test func resumeReproducesTheUninterruptedRun() throws {
        let yaml = moonsYAML(epochs: 2, train: 160)
        let (setup, trainer) = try setup(yaml)
        let (straight, _) = try trainer.train(setup.train, validation: setup.validation, from: trainer.start())
        let (_, trainer2) = try self.setup(yaml)
        var calls = 0
        let (partial, end) = try trainer2.train(
            setup.train, validation: setup.validation, from: trainer2.start(),
            progress: { _ in calls += 1 }, shouldStop: { calls >= 3 })
        #expect(end == .interrupted && partial.epoch == 0 && partial.batchInEpoch == 3)
        let saved = try JSONDecoder().decode(TrainingCheckpoint.self, from: JSONEncoder().encode(partial))
        let (_, trainer3) = try self.setup(yaml)
        let (resumed, end2) = try trainer3.train(setup.train, validation: setup.validation, from: saved)
        #expect(end2 == .completed)
        #expect(resumed.weights == straight.weights)
        #expect(resumed.history.map(\.trainLoss) == straight.history.map(\.trainLoss))
    }

    @Test func divergedTrainingStopsWithAClearMessage() throws {
        // An infinite logit scale makes the loss NaN on the first batch (inf · 0 spikes).
        let (setup, trainer) = try setup(moonsYAML(), readoutScale: .infinity)
        #expect {
            _ = try trainer.train(setup.train, validation: nil, from: trainer.start())
        } throws: { e in "\(e)".contains("diverged") && "\(e)".contains("--lr") }
    }
}

@Suite struct DatasetTests {
    func idx(images: [[UInt8]]) -> [UInt8] {
        var b: [UInt8] = [0, 0, 8, 3]
        for v in [images.count, 28, 28] {
            let bytes: [UInt8] = [UInt8((v >> 24) & 255), UInt8((v >> 16) & 255), UInt8((v >> 8) & 255), UInt8(v & 255)]
            b += bytes
        }
        return b + images.flatMap { $0 }
    }
    func idxLabels(_ l: [UInt8]) -> [UInt8] {
        [0, 0, 8, 1, 0, 0, 0, UInt8(l.count)] + l
    }
    func gzip(_ path: String) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/gzip")
        p.arguments = ["-f", path]
        try p.run(); p.waitUntilExit()
    }

    /// The official file names, gzipped, are found and inflated; truncation and absence are clear errors.
    @Test func mnistLoaderReadsGzipAndReportsProblems() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spikebar-mnist-\(getpid())")
        let mnist = dir.appendingPathComponent("mnist")
        try FileManager.default.createDirectory(at: mnist, withIntermediateDirectories: true)
        let imgs: [[UInt8]] = (0..<3).map { (k: Int) -> [UInt8] in (0..<784).map { (i: Int) -> UInt8 in UInt8((i * 7 + k * 31) % 256) } }
        for (name, bytes) in [
            ("train-images-idx3-ubyte", idx(images: imgs)), ("train-labels-idx1-ubyte", idxLabels([4, 1, 9])),
            ("t10k-images-idx3-ubyte", idx(images: Array(imgs[0..<2]))), ("t10k-labels-idx1-ubyte", idxLabels([7, 2])),
        ] {
            let path = mnist.appendingPathComponent(name).path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            try gzip(path)
        }
        let train = try MNIST(directory: dir.path, split: .train)
        #expect(train.images.count == 3 && train.labels == [4, 1, 9])
        #expect(Array(train.images.pixels[784..<(784 + 10)]) == Array(imgs[1][0..<10]))
        let test = try MNIST(directory: dir.path, split: .test)
        #expect(test.labels == [7, 2])
        // A scenario's input.file / input.labels may name the official gzip files directly.
        let direct = try IDXImages(path: mnist.appendingPathComponent("t10k-images-idx3-ubyte.gz").path)
        #expect(direct.count == 2 && direct.pixels == test.images.pixels)
        #expect(try IDXLabels(path: mnist.appendingPathComponent("t10k-labels-idx1-ubyte.gz").path).labels == [7, 2])
        // Truncated gzip.
        let gz = mnist.appendingPathComponent("t10k-images-idx3-ubyte.gz").path
        let whole = try Data(contentsOf: URL(fileURLWithPath: gz))
        try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: gz))
        #expect { _ = try MNIST(directory: dir.path, split: .test) } throws: { "\($0)".contains("truncated") }
        // Missing files: the message says how to obtain them.
        #expect { _ = try MNIST(directory: dir.path + "/nowhere", split: .train) } throws: { e in
            "\(e)".contains("train-images-idx3-ubyte.gz") && "\(e)".contains("yann.lecun.com") && "\(e)".contains("SPIKEBAR_DATA")
        }
    }

    @Test func twoMoonsAndLatencyEncoder() {
        let m = TwoMoons(count: 400, noise: 0, seed: 1)
        // Noise-free points lie on their half circles.
        for (p, l) in zip(m.points, m.labels) {
            let r = l == 0 ? (p.x * p.x + p.y * p.y).squareRoot() : ((1 - p.x) * (1 - p.x) + (0.5 - p.y) * (0.5 - p.y)).squareRoot()
            #expect(abs(r - 1) < 1e-9)
        }
        #expect(m.labels.filter { $0 == 1 }.count == 200)
        let noisy = TwoMoons(count: 400, noise: 0.2, seed: 1)
        #expect(zip(noisy.points, m.points).contains { abs($0.x - $1.x) > 0.05 })
        let code = TwoMoons.intensities((0.5, 0.25), perAxis: 8)
        #expect(code.count == 16 && code.allSatisfy { $0 >= 0 && $0 <= 1 })
        let spikes = LatencyEncoder(span: 0.05).encode([1, 0.5, 0.1, 0])
        #expect(spikes.count == 2)
        #expect(spikes.times == [0, 25_000_000_000] && spikes.channels == [0, 1])
    }
}

@Suite struct NMNISTDatasetTests {
    /// Recordings become the twin's input spikes (channel = (p·34 + y)·34 + x, µs timestamps); label lists
    /// with Windows line ends parse; a missing recording names the file and where to get the data.
    @Test func recordingsLoadAsSpikes() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spikebar-nmnist-\(getpid())")
        let sub = dir.appendingPathComponent("nmnist-subset")
        try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
        func event(_ x: UInt8, _ y: UInt8, _ p: UInt8, _ t: Int) -> [UInt8] {
            [x, y, p << 7 | UInt8((t >> 16) & 0x7F), UInt8((t >> 8) & 255), UInt8(t & 255)]
        }
        try Data(event(3, 2, 1, 1_500) + event(0, 0, 0, 2_600)).write(to: sub.appendingPathComponent("1.bin"))
        try Data(event(33, 33, 0, 10)).write(to: sub.appendingPathComponent("2.bin"))
        try Data(event(1, 1, 1, 4_000)).write(to: sub.appendingPathComponent("60001.bin"))
        try "#sample #class\r\n1\t5\r\n2\t0\r\n".write(to: sub.appendingPathComponent("train1K.txt"), atomically: true, encoding: .utf8)
        try "#sample #class\r\n60001\t7\r\n".write(to: sub.appendingPathComponent("test100.txt"), atomically: true, encoding: .utf8)
        let yaml = """
            network: {input: 2312, layers: [{name: h, size: 4}, {name: o, size: 10}]}
            input: {source: uniform, window: 0.01}
            simulation: {dt: 1e-3}
            training: {dataset: nmnist, data: \(dir.path), validation: 0}
            """
        let setup = try TrainingSetup(loaded: try scenario(yaml))
        #expect(setup.train.labels == [5, 0] && setup.testLabels == [7])
        let first = setup.train.encode(0, 0)
        // Event (3, 2, ON) at 1.5 ms → step 1, channel (34 + 2)·34 + 3; (0, 0, OFF) at 2.6 ms → step 2, channel 0.
        #expect(first.offsets == [0, 0, 1, 2] + Array(repeating: 2, count: 7))  // 10 steps: 11 offsets
        #expect(first.channels == [Int32((34 + 2) * 34 + 3), 0])
        #expect(setup.testSpikes(0).channels == [Int32((34 + 1) * 34 + 1)])
        try FileManager.default.removeItem(at: sub.appendingPathComponent("2.bin"))
        #expect { _ = try TrainingSetup(loaded: try scenario(yaml)) } throws: { e in
            "\(e)".contains("2.bin") && "\(e)".contains("nmnist-subset")
        }
    }
}
