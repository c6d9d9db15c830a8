import Foundation
import SpikebarCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Loss, accuracy and gradient of one mini-batch of the MIF twin.
public struct MIFBatchGradient: Sendable {
    /// Mean softmax cross-entropy over the batch.
    public var loss: Double
    /// Samples whose logit argmax is the label.
    public var correct: Int
    /// ∂loss/∂W per layer (window units).
    public var gradients: [[Double]]
}

/// Samples per unit of parallel work: fixed, and units are reduced in unit order, so results are
/// bit-identical whatever the thread count (the pattern of `Twin+Batch.swift`).
let mifSamplesPerUnit = 8

extension MIFNetwork {
    /// Forward passes of `inputs` (pixel intensities in [0, 1]) on up to `threads` workers (0: all cores).
    public func infer(_ inputs: [[Double]], threads: Int = 0) -> [MIFResult] {
        mifParallel(count: inputs.count, threads: threads) { ws, k in
            let logits = self.forward(inputs[k], ws)
            let s = self.spikes(ws)
            return MIFResult(logits: logits, spikeCounts: s.counts, outputSpikes: s.output)
        }
    }

    /// Forward and backward passes of a mini-batch: mean cross-entropy against `labels` and its gradient.
    public func gradient(_ inputs: [[Double]], labels: [Int], threads: Int = 0) -> MIFBatchGradient {
        let b = inputs.count, out = outputSize
        let units = (b + mifSamplesPerUnit - 1) / mifSamplesPerUnit
        let scale = 1 / Double(max(b, 1))
        let perUnit: [(Double, Int, [[Double]])] = mifParallel(count: units, threads: threads) { ws, u in
            var loss = 0.0, correct = 0
            var perSample: [[[Double]]] = []
            for k in (u * mifSamplesPerUnit)..<min(b, (u + 1) * mifSamplesPerUnit) {
                ws.zeroGradients()
                let logits = self.forward(inputs[k], ws)
                var g = [Double](repeating: 0, count: out)
                loss += softmaxCrossEntropy(logits, label: labels[k], grad: &g, scale: scale)
                self.backward(inputs[k], ws, gLogits: g)
                perSample.append(ws.grads)
                var best = 0
                for c in 0..<out where logits[c] > logits[best] { best = c }
                if best == labels[k] { correct += 1 }
            }
            return (loss, correct, clippedSum(perSample))
        }
        var total = MIFBatchGradient(loss: 0, correct: 0, gradients: weights.map { [Double](repeating: 0, count: $0.count) })
        for (loss, correct, grads) in perUnit {
            total.loss += loss; total.correct += correct
            for c in grads.indices {
                total.gradients[c].withUnsafeMutableBufferPointer { t in
                    grads[c].withUnsafeBufferPointer { g in for i in 0..<t.count { t[i] += g[i] } }
                }
            }
        }
        total.loss *= scale
        return total
    }

    /// Sum of per-sample gradients, each clipped to the median per-sample norm of its unit when
    /// `clipPerSample` is set. Why: an exact gradient through spiking dynamics is heavy-tailed — a
    /// sample whose spike grazes the threshold contributes a huge derivative (∝ 1/dV/dt at the
    /// crossing) that would dominate the batch; clipping bounds each sample's say without changing
    /// its direction (as per-example clipping does, e.g. Abadi et al., CCS 2016). The gradients
    /// themselves stay exact: no surrogate anywhere.
    func clippedSum(_ grads: [[[Double]]]) -> [[Double]] {
        guard var total = grads.first.map({ $0.map { [Double](repeating: 0, count: $0.count) } }) else { return [] }
        let norms = grads.map { g in g.reduce(0) { $0 + $1.reduce(0) { $0 + $1 * $1 } }.squareRoot() }
        let median = norms.sorted()[norms.count / 2]
        for (g, n) in zip(grads, norms) {
            let f = clipPerSample && n > median && n > 0 ? median / n : 1
            for c in g.indices {
                total[c].withUnsafeMutableBufferPointer { t in
                    g[c].withUnsafeBufferPointer { s in for i in 0..<t.count { t[i] += f * s[i] } }
                }
            }
        }
        return total
    }

    /// Runs `body(workspace, k)` for k in 0..<count on up to `threads` workers, one workspace each;
    /// result k lands at index k.
    func mifParallel<R>(count: Int, threads: Int, _ body: @escaping (MIFWorkspace, Int) -> R) -> [R] {
        parallelWithWorkspaces(count: count, threads: threads, workspace: { MIFWorkspace(self) }, body)
    }
}

/// Settings of a MIF training run (from the scenario's `training:` section).
public struct MIFTrainerConfig: Sendable {
    public var epochs: Int, batch: Int, lr: Double
    /// Cosine decay of the learning rate over the run (else constant).
    public var cosine: Bool
    public var threads: Int
    public var seed: UInt64
    public init(epochs: Int, batch: Int, lr: Double, cosine: Bool, threads: Int, seed: UInt64) {
        self.epochs = epochs; self.batch = batch; self.lr = lr; self.cosine = cosine; self.threads = threads; self.seed = seed
    }
}

/// One epoch of a MIF training run.
public struct MIFEpochRecord: Sendable, Codable {
    public var epoch: Int
    public var loss: Double, trainAccuracy: Double
    /// Accuracy on the validation samples (nil when none).
    public var validationAccuracy: Double?
    public var seconds: Double
}

/// Trains a `MIFNetwork` with Adam (`Adam`, weights clipped to the window [−1, 1]) on mini-batches
/// drawn in an order keyed by (seed, epoch): deterministic whatever the thread count.
public struct MIFTrainer: Sendable {
    public var config: MIFTrainerConfig
    public init(config: MIFTrainerConfig) { self.config = config }

    /// Trains `net` in place on samples `image(0..<labels.count)` with `labels`; after each epoch
    /// evaluates `validation` (if any) and calls `progress(epoch, batchesDone, batches, runningLoss)` after
    /// every batch. Images come through a closure so that a caller can keep 60,000 digits as bytes.
    public func train(
        _ net: inout MIFNetwork, image: (Int) -> [Double], labels: [Int],
        validation: (images: [[Double]], labels: [Int])?,
        progress: (Int, Int, Int, Double) -> Void = { _, _, _, _ in },
        epochDone: (MIFEpochRecord, [[Double]]) -> Void = { _, _ in }
    ) -> [MIFEpochRecord] {
        var adam = Adam(shapes: net.weights.map(\.count))
        let n = labels.count, b = config.batch
        let batches = (n + b - 1) / b
        let total = config.epochs * batches
        var history: [MIFEpochRecord] = []
        for epoch in 0..<config.epochs {
            let started = Date()
            var order = Array(0..<n)
            var rng = RandomStream(seed: config.seed, purpose: .training, index: UInt64(epoch), sample: 0x4D4946)
            order.shuffle(using: &rng)
            var lossSum = 0.0, correct = 0
            for k in 0..<batches {
                let idx = order[(k * b)..<min(n, (k + 1) * b)]
                let g = net.gradient(idx.map { image($0) }, labels: idx.map { labels[$0] }, threads: config.threads)
                let done = epoch * batches + k
                let lr = config.cosine ? config.lr * 0.5 * (1 + cos(Double.pi * Double(done) / Double(max(total, 1)))) : config.lr
                adam.update(&net.weights, grads: g.gradients, lr: lr)
                lossSum += g.loss * Double(idx.count); correct += g.correct
                progress(epoch, k + 1, batches, lossSum / Double(min(n, (k + 1) * b)))
            }
            var va: Double?
            if let v = validation, !v.images.isEmpty {
                let r = net.infer(v.images, threads: config.threads)
                va = Double(zip(r, v.labels).filter { $0.predictedClass == $1 }.count) / Double(v.images.count)
            }
            let rec = MIFEpochRecord(
                epoch: epoch + 1, loss: lossSum / Double(max(n, 1)), trainAccuracy: Double(correct) / Double(max(n, 1)),
                validationAccuracy: va, seconds: Date().timeIntervalSince(started))
            history.append(rec)
            epochDone(rec, net.weights)
        }
        return history
    }
}
