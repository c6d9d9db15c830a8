import Foundation
import SpikebarChip
import SpikebarDevices
import SpikebarNIR
import SpikebarNIRMapping
import SpikebarTwin
import Testing

/// `NIRTraining` (`spikebar nir train`): BPTT through a convolution, IF neurons, pooling and a dense
/// readout lowers the training loss; the result does not depend on the thread count; hardware-aware
/// batches run on programmed chips.
struct NIRTrainingTests {
    /// Input [2, 34, 34] → Conv2d(2→2, 4×4, stride 4) → IF → SumPool2d(2) → Flatten → Affine(32→10) → IF.
    static func tinyCNN() -> NIRGraph {
        var rng = TestRandom(21)
        let conv = NIRConvolution(
            weight: NIRTensor(shape: [2, 2, 4, 4], values: (0..<64).map { _ in 0.5 + 0.5 * rng.unit() }), bias: [0, 0], stride: [4, 4],
            padding: [0, 0], paddingAfter: [0, 0], dilation: [1, 1], groups: 1, inputSpatial: [34, 34])
        func ifNode(_ shape: [Int]) -> NIRNode {
            let n = shape.reduce(1, *)
            return .neuron(
                NIRNeuron(
                    model: .integrateAndFire, shape: shape, tauMem: nil, tauSyn: nil, r: Array(repeating: 1, count: n),
                    vLeak: Array(repeating: 0, count: n), vThreshold: Array(repeating: 1, count: n), vReset: Array(repeating: 0, count: n),
                    wIn: Array(repeating: 1, count: n)))
        }
        return chain(
            [
                ("conv", .convolution(conv)), ("if1", ifNode([2, 8, 8])),
                ("pool", .pooling(NIRPooling(average: false, kernel: [2, 2], stride: [2, 2], padding: [0, 0]))),
                ("flat", .flatten(startDim: 0, endDim: -1, inputShape: nil)),
                (
                    "fc",
                    .affine(
                        weight: NIRTensor(shape: [10, 32], values: (0..<320).map { _ in 0.3 * rng.unit() }), bias: Array(repeating: 0, count: 10))
                ),
                ("if2", ifNode([10])),
            ], input: [2, 34, 34])
    }

    @Test func trainingLowersTheLossAndIsThreadIndependent() throws {
        let data = try NIRScenarioTests.syntheticRecordings(count: 4, tag: "train")
        defer { try? FileManager.default.removeItem(at: data) }
        try "# id label\n60001\t0\n60002\t1\n60003\t2\n60004\t3\n".write(
            to: data.appendingPathComponent("nmnist-subset/train1K.txt"), atomically: true, encoding: .utf8)
        let options = NIRRunOptions(dt: 1)
        let samples = try NIRTraining.Samples.nmnist(directory: data.path, labelFile: "train1K.txt", limit: 4, bin: 1e-3)
        #expect(samples.count == 4 && samples.channels == 2 * 34 * 34)
        func train(epochs: Int, threads: Int, hardwareAware: Bool = false) throws -> (NIRGraph, [NIRTraining.Epoch]) {
            try NIRTraining.train(
                graph: Self.tinyCNN(), runOptions: options, samples: samples, device: .default, tiles: .default, seed: 3,
                options: .init(epochs: epochs, batch: 2, lr: 0.05, scale: 0.5, threads: threads, hardwareAware: hardwareAware))
        }
        var written: [Int] = []
        _ = try NIRTraining.train(
            graph: Self.tinyCNN(), runOptions: options, samples: samples, device: .default, tiles: .default, seed: 3,
            options: .init(epochs: 2, batch: 2, lr: 0.05, scale: 0.5, threads: 1), epochDone: { _, e in written.append(e.epoch) })
        #expect(written == [1, 2])
        let (a, history) = try train(epochs: 6, threads: 1)
        #expect(history.count == 6 && a != Self.tinyCNN())
        #expect(history.last!.loss < history.first!.loss, "loss \(history.map(\.loss))")
        let (b, _) = try train(epochs: 6, threads: 2)
        #expect(a == b)
        let (c, hw) = try train(epochs: 1, threads: 2, hardwareAware: true)
        #expect(c != Self.tinyCNN() && hw.count == 1 && hw[0].loss.isFinite)
    }

    /// Six synthetic recordings labelled 0…5 as training samples, and their folder (the caller removes it).
    static func sixRecordings(tag: String) throws -> (NIRTraining.Samples, URL) {
        let data = try NIRScenarioTests.syntheticRecordings(count: 6, tag: tag)
        try "# id label\n60001\t0\n60002\t1\n60003\t2\n60004\t3\n60005\t4\n60006\t5\n".write(
            to: data.appendingPathComponent("nmnist-subset/train1K.txt"), atomically: true, encoding: .utf8)
        return (try NIRTraining.Samples.nmnist(directory: data.path, labelFile: "train1K.txt", limit: 6, bin: 1e-3), data)
    }

    /// `nir train --resume`: a run stopped mid-epoch (Ctrl-C) and resumed from its checkpoint file ends
    /// with the graph of the uninterrupted run, hardware-aware batches included (their chip samples are
    /// keyed by the batch).
    @Test func aRunStoppedMidEpochResumesToTheUninterruptedGraph() throws {
        let (samples, data) = try Self.sixRecordings(tag: "resume")
        defer { try? FileManager.default.removeItem(at: data) }
        func run() throws -> NIRTraining.Run {
            try NIRTraining.Run(
                graph: Self.tinyCNN(), runOptions: NIRRunOptions(dt: 1), samples: samples, device: .default, tiles: .default, seed: 3,
                options: .init(epochs: 2, batch: 2, lr: 0.05, scale: 0.5, threads: 2, hardwareAware: true, seed: 4))
        }
        let whole = try run()
        let (a, end) = try whole.train(from: whole.start())
        #expect(end == .completed && a.history.count == 2)
        let first = try run()
        var calls = 0
        var saved: Data?
        let (stopped, why) = try first.train(
            from: first.start(),
            shouldStop: {
                calls += 1; return calls == 5
            }, save: { saved = try JSONEncoder().encode($0) })
        #expect(why == .interrupted && stopped.epoch == 1 && stopped.batchInEpoch == 1)
        let second = try run()
        let (b, _) = try second.train(from: try JSONDecoder().decode(TrainingCheckpoint.self, from: try #require(saved)))
        #expect(try second.graph(b) == (try whole.graph(a)))
        #expect(b.history.map(\.trainLoss) == a.history.map(\.trainLoss))
    }

    /// `nir train --validation F --schedule S --patience P`: the trainer's validation split, schedules and
    /// early stopping serve NIR graphs too; the held-out samples never enter a batch.
    @Test func aValidationSplitScoresEveryEpochAndKeepsTheBest() throws {
        let (samples, data) = try Self.sixRecordings(tag: "validation")
        defer { try? FileManager.default.removeItem(at: data) }
        let run = try NIRTraining.Run(
            graph: Self.tinyCNN(), runOptions: NIRRunOptions(dt: 1), samples: samples, device: .default, tiles: .default, seed: 3,
            options: .init(epochs: 4, batch: 2, lr: 0.05, scale: 0.5, threads: 2, schedule: .cosine, validation: 0.34))
        #expect(run.trainer.problem.sampleCount == 4)  // ⌊6 · 0.34⌋ = 2 held out, the last two
        var seen: [Int] = []
        let (ck, _) = try run.train(
            from: run.start(),
            progress: { _, done, total in
                seen.append(total); _ = done
            })
        #expect(Set(seen) == [4])
        #expect(ck.history.count == 4 && ck.history.allSatisfy { $0.validationAccuracy.map { (0...1).contains($0) } ?? false })
        #expect(ck.history.map(\.lr) == ck.history.map(\.lr).sorted(by: >))  // cosine: falling
        let best = ck.history.map { $0.validationAccuracy ?? -1 }.max() ?? -1
        #expect(ck.bestValidation == best && ck.history[ck.bestEpoch - 1].validationAccuracy == best)
        var atBest = ck
        atBest.weights = ck.bestWeights
        #expect(try run.bestGraph(ck) == (try run.graph(atBest)))
        #expect(throws: NIRError.self) {
            try NIRTraining.Run(
                graph: Self.tinyCNN(), runOptions: NIRRunOptions(dt: 1), samples: samples, device: .default, tiles: .default, seed: 3,
                options: .init(patience: 2))  // patience without a validation split
        }
    }
}
