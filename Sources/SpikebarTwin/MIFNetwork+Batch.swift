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
