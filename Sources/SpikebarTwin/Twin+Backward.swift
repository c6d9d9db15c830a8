extension PreparedTwin {
    /// Backpropagation through time of one sample whose forward trace is in `ws`, given
    /// `gLogits = ∂loss/∂logits`. Adds `∂loss/∂W` (effective weights) into `ws.grad`.
    ///
    /// Adjoints, per layer, walking the steps backwards (Heaviside forward, surrogate σ'):
    /// ```
    /// gIe_n  = α·gIe_{n+1} + κ·(1 − m_{n+1})·gV⁺_{n+1}        (∂L/∂I at the end of step n)
    /// gVe_n  = β·(1 − m_{n+1})·gV⁺_{n+1}                      (∂L/∂V after the reset of step n)
    /// gs_n   = readout + W_next·(scale ⊙ gIe^{next}_n) + W_rec·(scale ⊙ gIe_n)
    /// gV⁺_n  = gVe_n·(1 − s_n) + gs_n·σ'(V⁺_n − θ)            (reset detached)
    /// ∂L/∂W_ji += x_j[n] · scale_i · gIe_n[i]                   (x: presynaptic spikes of step n)
    /// ```
    /// `m_n` marks neurons refractory during the advance of step n (V pinned: no gradient through it).
    /// With `decayGradients`: `∂L/∂α += gIe_{n+1}·I_n`, `∂L/∂β += (1 − m_{n+1})·gV⁺_{n+1}·V_n`,
    /// `∂L/∂κ += (1 − m_{n+1})·gV⁺_{n+1}·I_n` (I_n, V_n: the state at the end of step n).
    func backward(_ x: StepSpikes, _ ws: TwinWorkspace, gLogits: UnsafePointer<Double>) {
        for l in 1...L {
            ws.gVp[l].update(repeating: 0, count: sizes[l])
            ws.gIe[l].update(repeating: 0, count: sizes[l])
            ws.gVend[l].update(repeating: 0, count: sizes[l])
        }
        let k = slope
        x.offsets.withUnsafeBufferPointer { off in
            x.channels.withUnsafeBufferPointer { chans in
                for n in stride(from: T - 1, through: 0, by: -1) {
                    // Adjoints arriving from step n + 1.
                    for l in 1...L {
                        let size = sizes[l]
                        let gIe = ws.gIe[l], gVp = ws.gVp[l], gVe = ws.gVend[l], u = ws.u[l]
                        let a = alpha[l], b = beta[l], c = kappa[l], sc = scale[l]
                        if n == T - 1 {
                            for i in 0..<size { gIe[i] = 0; gVe[i] = 0; u[i] = 0 }
                            continue
                        }
                        let rm = ws.refm[l] + (n + 1) * size
                        if decayGradients {
                            // Step n + 1 advanced I' = α·I_n and (outside refractoriness) V' = β·V_n + κ·I_n; gIe and
                            // gVp still hold the adjoints of step n + 1 here.
                            let ie = ws.iEnd[l] + n * size, ve = ws.vEnd[l] + n * size
                            let gA = ws.gAlpha[l], gB = ws.gBeta[l], gK = ws.gKappa[l]
                            for i in 0..<size {
                                gA[i] += gIe[i] * ie[i]
                                if rm[i] == 0 {
                                    gB[i] += gVp[i] * ve[i]
                                    gK[i] += gVp[i] * ie[i]
                                }
                            }
                        }
                        for i in 0..<size {
                            let keep: Double = rm[i] == 0 ? 1 : 0
                            gIe[i] = a[i] * gIe[i] + keep * c[i] * gVp[i]
                            gVe[i] = keep * b[i] * gVp[i]
                            u[i] = sc[i] * gIe[i]
                        }
                    }
                    // Gradients of the spikes of step n, then of the pre-threshold potentials.
                    for l in 1...L {
                        let size = sizes[l]
                        let gs = ws.gs[l]
                        gs.update(repeating: 0, count: size)
                        if l == L, readout == .spikeCount {
                            for c in 0..<size { gs[c] = gLogits[c] * readoutScale }
                        }
                        if l < L { accumulateRows(gs, wt[ff[l + 1]], ws.u[l + 1], rows: sizes[l + 1], length: size) }
                        let r = rec[l]
                        if r >= 0 { accumulateRows(gs, wt[r], ws.u[l], rows: size, length: size) }
                        let vp = ws.vPre[l] + n * size, sp = ws.spk[l] + n * size
                        let th = threshold[l], rs = reset[l], gVp = ws.gVp[l], gVe = ws.gVend[l]
                        for i in 0..<size {
                            let xv = vp[i] - th[i]
                            let d = 1 + k * abs(xv)
                            let surrogate = 1 / (d * d)
                            var g = gs[i]
                            if !detachReset { g += gVe[i] * (rs[i] - vp[i]) }
                            gVp[i] = gVe[i] * (1 - sp[i]) + g * surrogate
                        }
                        if l == L, readout == .maxMembrane {
                            for c in 0..<size where ws.argmaxStep[c] == n { gVp[c] += gLogits[c] * readoutScale }
                        }
                    }
                    // Weight gradients: rows of the presynaptic neurons that spiked at step n.
                    for l in 1...L {
                        let size = sizes[l], ul = ws.u[l]
                        let f = ff[l], G = ws.grad[f]
                        if l == 1 {
                            if n < x.steps {
                                for p in Int(off[n])..<Int(off[n + 1]) {
                                    let row = G + Int(chans[p]) * size
                                    for i in 0..<size { row[i] += ul[i] }
                                }
                            }
                        } else {
                            let prev = sizes[l - 1], sp = ws.spk[l - 1] + n * prev
                            for j in 0..<prev where sp[j] != 0 {
                                let row = G + j * size, s = sp[j]
                                if smooth { for i in 0..<size { row[i] += s * ul[i] } } else { for i in 0..<size { row[i] += ul[i] } }
                            }
                        }
                        let r = rec[l]
                        if r >= 0 {
                            let G = ws.grad[r], sp = ws.spk[l] + n * size
                            for j in 0..<size where sp[j] != 0 {
                                let row = G + j * size, s = sp[j]
                                if smooth { for i in 0..<size { row[i] += s * ul[i] } } else { for i in 0..<size { row[i] += ul[i] } }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `y += Σ_i c[i] · rows[i]` over `rows` rows of `length` values (row-major): the dense
/// matrix–vector product of the backward pass, four rows at a time so that `y` is loaded and stored
/// once per four rows (the loop is bound by that traffic otherwise). Fixed order: deterministic.
@inline(__always)
func accumulateRows(_ y: UnsafeMutablePointer<Double>, _ rows: UnsafePointer<Double>, _ c: UnsafePointer<Double>, rows m: Int, length n: Int) {
    var i = 0
    while i + 4 <= m {
        let a0 = c[i], a1 = c[i + 1], a2 = c[i + 2], a3 = c[i + 3]
        let r0 = rows + i * n, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n
        for j in 0..<n { y[j] += (a0 * r0[j] + a1 * r1[j]) + (a2 * r2[j] + a3 * r3[j]) }
        i += 4
    }
    while i < m {
        let a = c[i], r = rows + i * n
        for j in 0..<n { y[j] += a * r[j] }
        i += 1
    }
}
