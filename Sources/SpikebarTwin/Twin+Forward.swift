import SpikebarDevices
import SpikebarNeurons

extension PreparedTwin {
    /// Forward pass of one sample (see `TwinNetwork` for the order of operations), recording the trace
    /// the backward pass needs into `ws`. Writes the logits into `logits` (output size).
    func forward(_ x: StepSpikes, _ ws: TwinWorkspace, logits: UnsafeMutablePointer<Double>) {
        for l in 1...L {
            ws.v[l].update(repeating: 0, count: sizes[l])
            ws.cur[l].update(repeating: 0, count: sizes[l])
            ws.ref[l].update(repeating: 0, count: sizes[l])
        }
        let k = slope
        // Step 0's refractory mask: nothing is held before the first step (`advance` runs from n = 1).
        if T > 0 { for l in 1...L { ws.refm[l].update(repeating: 0, count: sizes[l]) } }
        x.offsets.withUnsafeBufferPointer { off in
            x.channels.withUnsafeBufferPointer { chans in
                // The step order is `GridStepOrder`'s, shared with the event kernel's grid mode.
                GridStepOrder.run(
                    steps: T, layers: L,
                    advance: { l, n in
                        // 1. Advance every neuron from the previous step (the shared propagator).
                        let size = sizes[l]
                        let V = ws.v[l], I = ws.cur[l], ref = ws.ref[l], rm = ws.refm[l] + n * size
                        let a = alpha[l], b = beta[l], c = kappa[l], rs = reset[l]
                        for i in 0..<size {
                            if ref[i] > 0 {
                                ref[i] -= 1
                                StepPropagator.heldStep(v: &V[i], i: &I[i], alpha: a[i], reset: rs[i])
                                rm[i] = 1
                            } else {
                                StepPropagator.step(v: &V[i], i: &I[i], alpha: a[i], beta: b[i], kappa: c[i])
                                rm[i] = 0
                            }
                        }
                    },
                    readInputs: { n in
                        // 2. Input spikes of this step: only the rows of spiking channels.
                        guard n < x.steps else { return }
                        let f = ff[1], n1 = sizes[1], W = w[f], sc = scale[1], I = ws.cur[1]
                        for p in Int(off[n])..<Int(off[n + 1]) {
                            let row = W + Int(chans[p]) * n1
                            for i in 0..<n1 { I[i] += row[i] * sc[i] }
                        }
                    },
                    emit: { l, n in
                        // 3. Thresholds of layer l; its spikes feed the next layer (and their own, if recurrent) now.
                        let size = sizes[l]
                        let V = ws.v[l], vp = ws.vPre[l] + n * size, sp = ws.spk[l] + n * size
                        let th = threshold[l], rs = reset[l], rsteps = refSteps[l], ref = ws.ref[l]
                        if smooth {
                            for i in 0..<size {
                                let xv = V[i] - th[i]
                                let s = xv / (1 + k * abs(xv)) + 1 / k
                                vp[i] = V[i]
                                sp[i] = s
                                V[i] = V[i] * (1 - s) + rs[i] * s
                            }
                        } else {
                            for i in 0..<size {
                                vp[i] = V[i]
                                if V[i] >= th[i] {
                                    sp[i] = 1
                                    V[i] = rs[i]
                                    ref[i] = rsteps[i]
                                } else {
                                    sp[i] = 0
                                }
                            }
                        }
                        let r = rec[l], next = l < L ? ff[l + 1] : -1
                        for j in 0..<size where sp[j] != 0 {
                            let s = sp[j]
                            if r >= 0 {
                                let row = w[r] + j * size, sc = scale[l], I = ws.cur[l]
                                if smooth { for i in 0..<size { I[i] += s * row[i] * sc[i] } } else { for i in 0..<size { I[i] += row[i] * sc[i] } }
                            }
                            if next >= 0 {
                                let m = sizes[l + 1], row = w[next] + j * m, sc = scale[l + 1], I = ws.cur[l + 1]
                                if smooth { for i in 0..<m { I[i] += s * row[i] * sc[i] } } else { for i in 0..<m { I[i] += row[i] * sc[i] } }
                            }
                        }
                    },
                    endStep: { n in
                        guard decayGradients else { return }
                        // The state every neuron carries into step n + 1 (what α, β, κ multiply there).
                        for l in 1...L {
                            let size = sizes[l]
                            (ws.iEnd[l] + n * size).update(from: ws.cur[l], count: size)
                            (ws.vEnd[l] + n * size).update(from: ws.v[l], count: size)
                        }
                    })
            }
        }
        // Readout.
        let out = sizes[L]
        switch readout {
        case .spikeCount:
            for c in 0..<out {
                var total = 0.0
                for n in 0..<T { total += ws.spk[L][n * out + c] }
                logits[c] = readoutScale * total
            }
        case .maxMembrane:
            for c in 0..<out {
                var best = -Double.infinity, at = 0
                for n in 0..<T where ws.vPre[L][n * out + c] > best { best = ws.vPre[L][n * out + c]; at = n }
                ws.argmaxStep[c] = at
                logits[c] = readoutScale * best
            }
        }
    }
}

/// Softmax cross-entropy of `logits` (count `n`) against `label`; writes `scale · (softmax − onehot)`
/// into `grad` and returns the loss (natural log).
func softmaxCrossEntropy(_ logits: UnsafePointer<Double>, _ n: Int, label: Int, grad: UnsafeMutablePointer<Double>, scale: Double) -> Double {
    var m = -Double.infinity
    for c in 0..<n { m = max(m, logits[c]) }
    var z = 0.0
    for c in 0..<n { z += exp(logits[c] - m) }
    for c in 0..<n { grad[c] = scale * (exp(logits[c] - m) / z - (c == label ? 1 : 0)) }
    return log(z) + m - logits[label]
}

/// `softmaxCrossEntropy` on arrays (`grad` has the logits' count): the one loss of every trainer.
func softmaxCrossEntropy(_ logits: [Double], label: Int, grad: inout [Double], scale: Double) -> Double {
    logits.withUnsafeBufferPointer { l in
        grad.withUnsafeMutableBufferPointer { g in
            guard let lp = l.baseAddress, let gp = g.baseAddress, g.count >= l.count else { return .nan }
            return softmaxCrossEntropy(lp, l.count, label: label, grad: gp, scale: scale)
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
