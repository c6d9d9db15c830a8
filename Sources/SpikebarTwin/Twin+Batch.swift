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
    public func gradient(_ inputs: [StepSpikes], labels: [Int], effective: [[Double]]? = nil, threads: Int = 0) -> BatchGradient {
        let prepared = PreparedTwin(self, weights: effective ?? weights)
        let out = outputSize, b = inputs.count
        let units = (b + samplesPerUnit - 1) / samplesPerUnit
        let scale = 1 / Double(max(b, 1))
        struct Unit: @unchecked Sendable { var loss: Double; var correct: Int; var grads: [[Double]] }
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
                }}
                var best = 0
                for c in 0..<out where logits[c] > logits[best] { best = c }
                if best == labels[k] { correct += 1 }
            }
            let grads = zip(ws.grad, ws.gradCount).map { Array(UnsafeBufferPointer(start: $0, count: $1)) }
            return Unit(loss: loss, correct: correct, grads: grads)
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
        total.loss *= scale
        return total
    }
}

/// Runs `body(workspace, k)` for k in 0..<count on up to `threads` workers (0: all cores), each with
/// its own workspace; result k lands at index k.
func parallelUnits<R>(count: Int, threads: Int, prepared: PreparedTwin, _ body: @escaping (TwinWorkspace, Int) -> R) -> [R] {
    parallelWithWorkspaces(count: count, threads: threads, workspace: { TwinWorkspace(prepared) }, body)
}

/// The scheduling both twins share: `count` units on up to `threads` workers (0: all cores), worker `w`
/// taking units `w, w + workers, …` with one workspace of its own (made by `workspace`); result k lands at
/// index k, so the caller's reduction order never depends on the thread count.
func parallelWithWorkspaces<W, R>(count: Int, threads: Int, workspace: @escaping () -> W, _ body: @escaping (W, Int) -> R) -> [R] {
    let workers = max(1, min(count, threads > 0 ? threads : ProcessInfo.processInfo.activeProcessorCount))
    let box = SlotBox<R>(count)
    if workers == 1 {
        let ws = workspace()
        for k in 0..<count { box.slots[k] = body(ws, k) }
    } else {
        let lock = NSLock()
        nonisolated(unsafe) let f = body
        nonisolated(unsafe) let make = workspace
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let ws = make()
            var k = w
            while k < count {
                let r = f(ws, k)
                lock.lock(); box.slots[k] = r; lock.unlock()
                k += workers
            }
        }
    }
    return box.slots.map { $0! }
}

/// Results written from several threads, each slot once (under a lock).
final class SlotBox<R>: @unchecked Sendable {
    var slots: [R?]
    init(_ n: Int) { slots = Array(repeating: nil, count: n) }
}
