import Foundation
import SpikebarCore

/// What the twin did on one sample.
public struct TwinResult: Sendable {
    public var logits: [Double]
    /// Spikes of each output neuron over the window.
    public var outputCounts: [Int]
    /// Spikes of every population as `(step, neuron)`, step-major (population 0, the input, empty);
    /// recorded when asked for.
    public var spikes: [[(step: Int, neuron: Int)]]
    /// The chip's decision rule: most output spikes, ties to the lower index; nil when silent.
    public var predictedClass: Int? {
        guard outputCounts.contains(where: { $0 > 0 }) else { return nil }
        var best = 0
        for c in outputCounts.indices where outputCounts[c] > outputCounts[best] { best = c }
        return best
    }
    /// Argmax of the logits (ties to the lower index): the training decision.
    public var logitClass: Int {
        return argmaxLowestIndex(logits)
    }
}

/// Loss, accuracy and gradient of one mini-batch.
public struct BatchGradient: Sendable {
    /// Mean cross-entropy over the batch.
    public var loss: Double
    /// Samples whose logit argmax is the label.
    public var correct: Int
    /// ∂loss/∂W (effective weights), per connection, `TwinNetwork.plan` order.
    public var gradients: [[Double]]
    /// ∂loss/∂τ_mem and ∂loss/∂τ_syn (1/s) per layer and neuron, when asked for (`timeConstants: true`):
    /// through α = e^{−dt/τ_syn}, β = e^{−dt/τ_mem}, κ = c(α − β) and the input scale ∝ gain/τ_syn.
    public var tauMem: [[Double]]? = nil, tauSyn: [[Double]]? = nil
}

/// Samples per unit of parallel work. Fixed (not derived from the thread count), and unit gradients are
/// summed in unit order: the result is bit-identical whatever the number of threads.
let samplesPerUnit = 8

extension TwinNetwork {
    /// Runs `inputs` forward with the twin's own weights (`weights`, or `effective` when given).
    public func infer(_ inputs: [StepSpikes], effective: [[Double]]? = nil, record: Bool = false, threads: Int = 0) -> [TwinResult] {
        let prepared = PreparedTwin(self, weights: effective ?? weights)
        let out = outputSize
        return parallelUnits(count: inputs.count, threads: threads, prepared: prepared) { ws, k in
            var logits = [Double](repeating: 0, count: out)
            logits.withUnsafeMutableBufferPointer { prepared.forward(inputs[k], ws, logits: $0.baseAddress!) }
            let L = prepared.L
            var counts = [Int](repeating: 0, count: out)
            for n in 0..<prepared.T { for c in 0..<out where ws.spk[L][n * out + c] != 0 { counts[c] += 1 } }
            var spikes: [[(step: Int, neuron: Int)]] = [[]]
            if record {
                for l in 1...L {
                    var list: [(step: Int, neuron: Int)] = []
                    let size = prepared.sizes[l]
                    for n in 0..<prepared.T { for i in 0..<size where ws.spk[l][n * size + i] != 0 { list.append((n, i)) } }
                    spikes.append(list)
                }
            }
            return TwinResult(logits: logits, outputCounts: counts, spikes: record ? spikes : [])
        }
    }

    /// Forward and backward passes of a mini-batch with the given effective weights: mean softmax
    /// cross-entropy of the logits against `labels`, and its gradient with respect to those weights.
    public func gradient(
        _ inputs: [StepSpikes], labels: [Int], effective: [[Double]]? = nil, threads: Int = 0,
        timeConstants: Bool = false
    ) -> BatchGradient {
        let prepared = PreparedTwin(self, weights: effective ?? weights, decayGradients: timeConstants)
        let out = outputSize, b = inputs.count
        let units = (b + samplesPerUnit - 1) / samplesPerUnit
        let scale = 1 / Double(max(b, 1))
        struct Unit: @unchecked Sendable { var loss: Double; var correct: Int; var grads: [[Double]]; var decay: [[Double]] }
        let perUnit: [Unit] = parallelUnits(count: units, threads: threads, prepared: prepared) { ws, u in
            ws.zeroGradients()
            var loss = 0.0, correct = 0
            var logits = [Double](repeating: 0, count: out), g = logits
            for k in (u * samplesPerUnit)..<min(b, (u + 1) * samplesPerUnit) {
                logits.withUnsafeMutableBufferPointer { lp in
                    g.withUnsafeMutableBufferPointer { gp in
                        prepared.forward(inputs[k], ws, logits: lp.baseAddress!)
                        loss += softmaxCrossEntropy(lp.baseAddress!, out, label: labels[k], grad: gp.baseAddress!, scale: scale)
                        prepared.backward(inputs[k], ws, gLogits: gp.baseAddress!)
                    }
                }
                var best = 0
                for c in 0..<out where logits[c] > logits[best] { best = c }
                if best == labels[k] { correct += 1 }
            }
            var grads = TwinScratchPool.shared.gradientBuffers(ws.gradCount)
            for c in grads.indices {
                grads[c].withUnsafeMutableBufferPointer { $0.baseAddress?.update(from: ws.grad[c], count: ws.gradCount[c]) }
            }
            // ∂L/∂α, ∂L/∂β, ∂L/∂κ of layer l at decay[3(l − 1) ...].
            var decay: [[Double]] = []
            if timeConstants {
                for l in 1...prepared.L {
                    let n = prepared.sizes[l]
                    decay.append(Array(UnsafeBufferPointer(start: ws.gAlpha[l], count: n)))
                    decay.append(Array(UnsafeBufferPointer(start: ws.gBeta[l], count: n)))
                    decay.append(Array(UnsafeBufferPointer(start: ws.gKappa[l], count: n)))
                }
            }
            return Unit(loss: loss, correct: correct, grads: grads, decay: decay)
        }
        var total = BatchGradient(loss: 0, correct: 0, gradients: weights.map { [Double](repeating: 0, count: $0.count) })
        for unit in perUnit {
            total.loss += unit.loss
            total.correct += unit.correct
            for c in total.gradients.indices {
                total.gradients[c].withUnsafeMutableBufferPointer { t in
                    unit.grads[c].withUnsafeBufferPointer { g in
                        for i in 0..<t.count { t[i] += g[i] }
                    }
                }
            }
        }
        if timeConstants { total.addTimeConstantGradients(self, decay: perUnit.map(\.decay), effective: effective ?? weights) }
        for unit in perUnit { TwinScratchPool.shared.give(gradients: unit.grads) }
        total.loss *= scale
        return total
    }
}

/// Runs `body(workspace, k)` for k in 0..<count on up to `threads` workers (0: all cores), each with
/// its own workspace; result k lands at index k.
func parallelUnits<R>(count: Int, threads: Int, prepared: PreparedTwin, _ body: @escaping (TwinWorkspace, Int) -> R) -> [R] {
    parallelWithWorkspaces(
        count: count, threads: threads, workspace: { TwinScratchPool.shared.workspace(prepared) },
        release: { TwinScratchPool.shared.give($0) }, body)
}

/// The scheduling both twins share: `ParallelMap.withWorkspaces` (the project's one scheduler).
func parallelWithWorkspaces<W, R>(
    count: Int, threads: Int, workspace: @escaping () -> W, release: ((W) -> Void)? = nil,
    _ body: @escaping (W, Int) -> R
) -> [R] {
    ParallelMap.withWorkspaces(count: count, threads: threads, workspace: workspace, release: release, body)
}

/// Workspaces and per-unit gradient buffers kept from one mini-batch to the next.
///
/// Why: a training step made a fresh workspace per worker and copied each unit's gradients (16 units of
/// 8 samples per 128-sample batch, 0.87 MB each for 700-128(rec)-20) into fresh arrays, about 15 MB of
/// new memory per step; its page faults and the kernel's unmapping of it were ≈ 10 % of a one-thread
/// step (`perf record` of `spikebar bench train --threads 1 --shape rec`, `Docs/performance.md`). Reused
/// memory is overwritten before it is read — `zeroGradients` and the forward pass reset a workspace, a
/// unit's gradients are copied over whole — so results are bit-identical, whatever was there before.
/// Bounded: at most `maxWorkspaces` workspaces and `maxGradientSets` gradient sets, each of at most
/// `largestRetainedBytes`.
final class TwinScratchPool: @unchecked Sendable {
    static let shared = TwinScratchPool()
    static let maxWorkspaces = 16, maxGradientSets = 64
    static let largestRetainedBytes = 16 << 20

    private let workspaces = ReusePool<TwinWorkspace>(capacity: TwinScratchPool.maxWorkspaces)
    private let gradients = ReusePool<[[Double]]>(capacity: TwinScratchPool.maxGradientSets)

    /// An idle workspace of `p`'s shape, or a new one.
    func workspace(_ p: PreparedTwin) -> TwinWorkspace {
        let counts = p.conn.map { $0.inputs * $0.outputs }
        return workspaces.take { $0.sizes == p.sizes && $0.T == p.T && $0.gradCount == counts } ?? TwinWorkspace(p)
    }

    func give(_ ws: TwinWorkspace) {
        if 8 * ws.gradCount.reduce(0, +) <= Self.largestRetainedBytes { workspaces.give(ws) }
    }

    /// Gradient arrays of the given lengths (contents unspecified: the caller overwrites them whole).
    func gradientBuffers(_ counts: [Int]) -> [[Double]] {
        gradients.take { $0.map(\.count) == counts } ?? counts.map { [Double](repeating: 0, count: $0) }
    }

    func give(gradients g: [[Double]]) {
        if 8 * g.reduce(0, { $0 + $1.count }) <= Self.largestRetainedBytes { gradients.give(g) }
    }
}
