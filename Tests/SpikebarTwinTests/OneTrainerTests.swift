import Foundation
#if canImport(Glibc)
import Glibc
#endif
import SpikebarCore
import SpikebarNeurons
import SpikebarTwin
import Testing

/// The one `Trainer` on problems other than the LIF twin (issue #17, point 5): a closed-form quadratic,
/// the MIF twin, and the sample orders the older trainers drew.
@Suite struct OneTrainerTests {
    /// Loss ½‖w − t_k‖² of sample k, targets t_k fixed per sample: the mean loss is minimised by the
    /// mean target (projected onto `parameterRange`), whatever the batch order.
    struct Quadratic: TrainingProblem {
        var targets: [[Double]]
        var parameterRange: ClosedRange<Double> = -1...1
        /// Returns a non-finite loss from this step on (to test the divergence stop).
        var divergeAt: Int? = nil
        var parameterShapes: [Int] { [targets[0].count] }
        var sampleCount: Int { targets.count }
        func gradient(of batch: [Int], epoch: Int, step: Int, at ck: TrainingCheckpoint) throws -> TrainingBatch {
            let w = ck.weights[0]
            var loss = 0.0
            var g = [Double](repeating: 0, count: w.count)
            for k in batch {
                for i in w.indices {
                    let d = w[i] - targets[k][i]
                    loss += 0.5 * d * d
                    g[i] += d / Double(batch.count)
                }
            }
            if let s = divergeAt, step >= s { loss = .nan }
            return TrainingBatch(lossSum: loss, correct: 0, gradients: [g])
        }
    }

    func quadratic() -> Quadratic {
        var rng = RandomStream(seed: 11, purpose: .training)
        // Mean target of component 0 is ≈ 0.3 (inside the window), of component 1 ≈ 2 (outside it).
        return Quadratic(targets: (0..<40).map { _ in [0.3 + 0.2 * rng.nextGaussian(), 2 + 0.2 * rng.nextGaussian()] })
    }

    @Test func convergesToTheClosedFormMinimumProjectedOntoTheRange() throws {
        let p = quadratic()
        let trainer = Trainer(problem: p, config: TrainerConfig(epochs: 60, batch: 8, lr: 0.02, schedule: .cosine, seed: 3))
        let (ck, end) = try trainer.train(from: trainer.start(weights: [[0, 0]]))
        #expect(end == .completed)
        let mean0 = p.targets.map { $0[0] }.reduce(0, +) / Double(p.targets.count)
        #expect(abs(ck.weights[0][0] - mean0) < 1e-3, "\(ck.weights[0][0]) vs \(mean0)")
        #expect(ck.weights[0][1] == 1)  // the minimum lies outside [−1, 1]: held on the bound
        #expect(ck.history.count == 60)
        // Loss per sample at the end ≈ ½ (variance of the targets + (2 − 1)² of the held component).
        #expect(ck.history.last!.trainLoss < ck.history.first!.trainLoss)
    }

    @Test func aRunResumedMidEpochEqualsTheUninterruptedOne() throws {
        let config = TrainerConfig(epochs: 3, batch: 6, lr: 0.05, schedule: .step, lrDecayEvery: 1, seed: 9)
        let straight = Trainer(problem: quadratic(), config: config)
        let (a, _) = try straight.train(from: straight.start(weights: [[0.1, -0.2]]))
        let first = Trainer(problem: quadratic(), config: config)
        var calls = 0
        var saved: TrainingCheckpoint?
        let (stopped, why) = try first.train(
            from: first.start(weights: [[0.1, -0.2]]),
            shouldStop: {
                calls += 1; return calls == 10
            }, save: { saved = $0 })
        #expect(why == .interrupted)
        #expect(stopped.epoch == 1 && stopped.batchInEpoch == 2)
        // Through the JSON a checkpoint file holds.
        let file = try JSONEncoder().encode(try #require(saved))
        let second = Trainer(problem: quadratic(), config: config)
        let (b, _) = try second.train(from: try JSONDecoder().decode(TrainingCheckpoint.self, from: file))
        #expect(b.weights == a.weights)
        #expect(b.adam == a.adam)
        #expect(b.history.map(\.trainLoss) == a.history.map(\.trainLoss))
    }

    @Test func aNonFiniteLossStopsWithTheCheckpointOfTheBatchBefore() throws {
        var p = quadratic()
        p.divergeAt = 4
        let trainer = Trainer(problem: p, config: TrainerConfig(epochs: 2, batch: 8, lr: 0.05, schedule: .constant))
        var saved: TrainingCheckpoint?
        #expect(throws: SpikebarError.self) { try trainer.train(from: trainer.start(weights: [[0, 0]]), save: { saved = $0 }) }
        let ck = try #require(saved)
        #expect(ck.adam.step == 4 && ck.epoch == 0 && ck.batchInEpoch == 4)
    }

    @Test func theOlderTrainersOrdersArePermutationsAndReplayTheirStreams() {
        for n in [1, 2, 17] {
            for e in 0..<3 {
                #expect(TrainingOrder.keyed(n, epoch: e, seed: 5).sorted() == Array(0..<n))
                #expect(TrainingOrder.keyedShuffle(n, epoch: e, seed: 5).sorted() == Array(0..<n))
                #expect(TrainingOrder.splitMix(n, epoch: e, seed: 5).sorted() == Array(0..<n))
            }
        }
        // The NIR trainer drew its epochs from one SplitMix64 stream carried across epochs.
        var rng = SplitMix64(state: 7)
        var orders: [[Int]] = []
        for _ in 0..<3 {
            var order = Array(0..<23)
            for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
            orders.append(order)
        }
        #expect((0..<3).map { TrainingOrder.splitMix(23, epoch: $0, seed: 7) } == orders)
        #expect(TrainingOrder.keyed(23, epoch: 0, seed: 7) != TrainingOrder.keyed(23, epoch: 1, seed: 7))
    }

    @Test func theMIFTwinTrainsOnTheSameLoopAndItsThreadCountChangesNothing() throws {
        var p = MIFParameters.default
        p.alphaTau = 0.5e-3
        var rng = RandomStream(seed: 3, purpose: .training)
        let sizes = [6, 5, 3]
        let w = (0..<2).map { l in (0..<(sizes[l] * sizes[l + 1])).map { _ in 0.2 + 0.5 * rng.nextGaussian() } }
        let net = try MIFNetwork(sizes: sizes, weights: w, parameters: p, currentPerUnit: [8e-9, 30e-9], dt: 10e-6, steps: 200, readoutScale: 20)
        let images = (0..<12).map { _ in (0..<6).map { _ in rng.nextUniform() } }
        let labels = (0..<12).map { $0 % 3 }
        func run(threads: Int, stopAfter: Int? = nil, from: TrainingCheckpoint? = nil) throws -> (TrainingCheckpoint, TrainingEnd) {
            let problem = MIFTraining(
                network: net, image: { images[$0] }, labels: labels, validation: (Array(images[0..<4]), Array(labels[0..<4])), threads: threads)
            let trainer = Trainer(
                problem: problem, config: TrainerConfig(epochs: 3, batch: 4, lr: 0.05, schedule: .cosine, threads: threads, seed: 2))
            var calls = 0
            return try trainer.train(
                from: from ?? trainer.start(weights: w),
                shouldStop: {
                    calls += 1; return calls == stopAfter
                })
        }
        let (one, _) = try run(threads: 1)
        let (two, _) = try run(threads: 2)
        #expect(one.weights == two.weights)
        #expect(one.weights != w)
        #expect(one.history.count == 3 && one.history.allSatisfy { $0.validationAccuracy != nil })
        #expect(one.weights.allSatisfy { $0.allSatisfy { (-1...1).contains($0) } })
        let (half, why) = try run(threads: 2, stopAfter: 5)
        #expect(why == .interrupted)
        let (resumed, _) = try run(threads: 1, from: half)
        #expect(resumed.weights == one.weights)
    }

    /// `CheckpointFile`, the one rule by which `train`, `nir train` and a MIF `train` accept a checkpoint:
    /// missing is nil (or an error when resuming), and a FIFO, bad JSON, other shapes or another training's
    /// digest are refused naming the file.
    @Test func checkpointFileRefusesWhatItCannotResume() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("checkpoint-file-\(getpid())")
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("ck.json").path
        let file = CheckpointFile(path: path, digest: "abc", covers: "the options")
        #expect(try file.read() == nil)
        #expect(throws: SpikebarError.self) { try file.resume(shapes: [2]) }
        let trainer = Trainer(problem: quadratic(), config: TrainerConfig(epochs: 1, batch: 8, lr: 0.01, schedule: .constant))
        var ck = trainer.start(weights: [[0, 0]])
        ck.digest = "abc"
        try file.save(ck)
        #expect(try file.resume(shapes: [2]).weights == ck.weights)
        #expect(throws: SpikebarError.self) { try file.resume(shapes: [3]) }
        ck.digest = "other"
        try file.save(ck)
        do {
            _ = try file.resume(shapes: [2])
            Issue.record("another training's checkpoint was accepted")
        } catch let e as SpikebarError {
            #expect("\(e)".contains("the options") && "\(e)".contains(path), "\(e)")
        }
        try Data("{\"weights\": [[".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: SpikebarError.self) { try file.read() }
        try FileManager.default.removeItem(atPath: path)
        #expect(mkfifo(path, 0o600) == 0)
        #expect(throws: SpikebarError.self) { try file.read() }  // refused, not read (a read would block)
    }
}
