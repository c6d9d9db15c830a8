import Foundation

/// The gradient of one sample's loss with respect to every weight and bias of a program
/// (`NIRProgram.gradient`), in the program's own layouts.
public struct NIRGradient: Sendable {
    /// Softmax cross-entropy of the sample.
    public var loss: Double
    public var predicted: Int?
    /// Per weight node (program index): `d loss / d weight` in the operation's layout — a dense node's
    /// `weightT` (`[in][out]`), a convolution's weight (the file's `[C_out, C_in/groups, k…]`).
    public var weights: [Int: [Double]]
    /// Per weight node: `d loss / d bias`.
    public var biases: [Int: [Double]]

    /// Adds `other` element by element (a batch's sum, in a fixed order).
    public mutating func add(_ other: NIRGradient) {
        loss += other.loss
        for (j, g) in other.weights { weights[j] = weights[j].map { zip($0, g).map(+) } ?? g }
        for (j, g) in other.biases { biases[j] = biases[j].map { zip($0, g).map(+) } ?? g }
    }
}

extension NIRProgram {
    /// Backpropagation through time of one sample (`steps`, as `run(sparse:)`): the loss is the softmax
    /// cross-entropy of `scale · Σ_t output_t` (spike counts for a spiking output, summed potentials
    /// otherwise) against `label`. A spike's derivative is the fast-sigmoid surrogate
    /// `1 / (1 + slope·|v − θ|)²` (Zenke & Ganguli 2018, SuperSpike); the reset is detached (its
    /// derivative through the spike is not propagated), as snnTorch and Sinabs train by default.
    /// Delay nodes are refused (their adjoint is not built).
    public func gradient(sparse steps: [[(index: Int, value: Double)]], label: Int, scale: Double, slope: Double) throws -> NIRGradient {
        guard (0..<outputCount).contains(label) else {
            throw NIRError(file: file, node: nodes[outputIndex].name, "label \(label) is not one of the \(outputCount) outputs")
        }
        if let d = nodes.first(where: { if case .delay = $0.operation { return true } else { return false } }) {
            throw NIRError(file: file, node: d.name, "training through a Delay node is not supported")
        }
        let tape = NIRTape(steps: steps.count, nodes: nodes.count)
        let run = execute(
            steps: steps.count,
            fill: { t, buffer in
                if t > 0 { for e in steps[t - 1] { buffer[e.index] = 0 } }
                for e in steps[t] { buffer[e.index] += e.value }
            }, observe: nil, tape: tape)
        // Loss and its gradient at the output (the same at every step: the logit is a sum over steps).
        let logits = run.outputCounts.map { $0 * scale }
        let top = logits.max() ?? 0
        let e = logits.map { Foundation.exp($0 - top) }
        let z = e.reduce(0, +)
        let p = e.map { $0 / z }
        let loss = -Foundation.log(max(p[label], 1e-300))
        var gOut = p.map { $0 * scale }
        gOut[label] -= scale

        let n = nodes.count
        let sizes = nodes.map { $0.outputShape.reduce(1, *) }
        let inSizes = nodes.map { $0.inputShape.reduce(1, *) }
        var weights: [Int: [Double]] = [:], biases: [Int: [Double]] = [:]
        var gv = nodes.map { node -> [Double] in
            if case let .neuron(s) = node.operation { return Array(repeating: 0, count: s.count) } else { return [] }
        }
        var gs = gv
        var gNext = sizes.map { [Double](repeating: 0, count: $0) }
        // A node whose every input is the graph's Input needs no input gradient.
        let feedsFromInputOnly = nodes.map { node in node.inputs.allSatisfy { $0.source == inputIndex } }
        func surrogate(_ x: Double) -> Double { let d = 1 + slope * abs(x); return 1 / (d * d) }
        for t in stride(from: steps.count - 1, through: 0, by: -1) {
            var gcur = gNext
            for j in 0..<n { gNext[j] = [Double](repeating: 0, count: sizes[j]) }
            for k in 0..<outputCount { gcur[outputIndex][k] += gOut[k] }
            for j in stride(from: n - 1, through: 0, by: -1) where j != inputIndex {
                let gy = gcur[j]
                var gin = [Double](repeating: 0, count: inSizes[j])
                let needInput = !feedsFromInputOnly[j]
                switch nodes[j].operation {
                case .identity:
                    gin = gy
                case let .dense(wt, inputs, outputs, _):
                    let x = tape.inputs[t][j]
                    var gw = weights[j] ?? [Double](repeating: 0, count: wt.count)
                    var gb = biases[j] ?? [Double](repeating: 0, count: outputs)
                    for o in 0..<outputs { gb[o] += gy[o] }
                    for i in 0..<inputs {
                        let xi = x[i], base = i * outputs
                        if xi != 0 { for o in 0..<outputs { gw[base + o] += gy[o] * xi } }
                        if needInput {
                            var acc = 0.0
                            for o in 0..<outputs { acc += wt[base + o] * gy[o] }
                            gin[i] = acc
                        }
                    }
                    weights[j] = gw; biases[j] = gb
                case let .scale(s):
                    for k in 0..<inSizes[j] { gin[k] = s[k] * gy[k] }
                case let .threshold(th):
                    let x = tape.inputs[t][j]
                    for k in 0..<inSizes[j] { gin[k] = gy[k] * surrogate(x[k] - th[k]) }
                case let .convolution(c):
                    let x = tape.inputs[t][j]
                    var gw = weights[j] ?? [Double](repeating: 0, count: c.weight.count)
                    var gb = biases[j] ?? [Double](repeating: 0, count: c.outChannels)
                    let plane = c.outHeight * c.outWidth
                    for o in 0..<c.outChannels { for q in 0..<plane { gb[o] += gy[o * plane + q] } }
                    c.backward(input: x, outputGradient: gy, weightGradient: &gw, inputGradient: &gin, needInput: needInput)
                    weights[j] = gw; biases[j] = gb
                case let .pooling(pool, input, output):
                    let share = pool.average ? 1 / Double(pool.kernel[0] * pool.kernel[1]) : 1
                    pool.forEachTap(input: input, output: output) { out, i in gin[i] += gy[out] * share }
                case let .neuron(s):
                    let pre = tape.preReset[t][j]
                    let hasSyn = !s.synDecay.isEmpty
                    for k in 0..<s.count {
                        var gp: Double
                        if let th = s.threshold {
                            let fires = s.comparison == .greater ? pre[k] > th[k] : pre[k] >= th[k]
                            let through = s.reset == .subtract || !fires ? 1.0 : 0.0  // v ← v − θ·z, or v ← v_reset
                            gp = gv[j][k] * through + gy[k] * surrogate(pre[k] - th[k])
                        } else {
                            gp = gv[j][k] + gy[k]
                        }
                        gv[j][k] = s.leaky ? gp * s.vDecay[k] : gp
                        let gd = s.leaky ? gp * s.vGain[k] * s.r[k] : gp * s.vGain[k] * s.r[k]
                        if hasSyn {
                            let total = gd + gs[j][k]
                            gin[k] = total * s.synGain[k] * s.wIn[k]
                            gs[j][k] = total * s.synDecay[k]
                        } else {
                            gin[k] = gd
                        }
                    }
                case .delay:
                    break  // refused above
                }
                guard needInput || !nodes[j].inputs.isEmpty else { continue }
                for i in nodes[j].inputs where i.source != inputIndex {
                    // Taken out of the array and put back: one add per element, no copy-on-write check each.
                    if i.delayed {
                        var target = gNext[i.source]
                        gNext[i.source] = []
                        for k in 0..<inSizes[j] { target[k] += gin[k] }
                        gNext[i.source] = target
                    } else {
                        var target = gcur[i.source]
                        gcur[i.source] = []
                        for k in 0..<inSizes[j] { target[k] += gin[k] }
                        gcur[i.source] = target
                    }
                }
            }
        }
        return NIRGradient(loss: loss, predicted: run.predictedClass, weights: weights, biases: biases)
    }
}
