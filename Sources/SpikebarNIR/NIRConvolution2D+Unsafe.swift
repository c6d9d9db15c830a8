/// The convolution's loops on raw buffers: the taps of `forEachTarget` in its order (so the same sums,
/// bit for bit as a loop over it with arrays), without a bounds or copy-on-write check per tap — the hot
/// loop of `NIRProgram.gradient` on a CNN. Every index is in range by construction (`forEachTarget`
/// yields outputs inside `[C_out, OH, OW]` and weights inside the kernel); `+Invariants` checks the
/// buffer sizes in debug builds.
extension NIRConvolution2D {
    /// `y[out] += w · x[k]` for every active input `k` and every output it reaches (forward scatter).
    func scatter(active: [Int], input x: [Double], into y: inout [Double]) {
        assertBuffers(input: x.count, output: y.count)
        weight.withUnsafeBufferPointer { w in
            x.withUnsafeBufferPointer { xp in
                y.withUnsafeMutableBufferPointer { yp in
                    for k in active {
                        let xk = xp[k]
                        forEachTarget(input: k) { out, wi in yp[out] += w[wi] * xk }
                    }
                }
            }
        }
    }

    /// One step of the backward pass: `gw[wi] += x[k]·gy[out]` and `gin[k] = Σ w[wi]·gy[out]` over the
    /// taps of every input `k` (a zero input is skipped when its gradient is not needed).
    func backward(
        input x: [Double], outputGradient gy: [Double], weightGradient gw: inout [Double], inputGradient gin: inout [Double], needInput: Bool
    ) {
        assertBuffers(input: x.count, output: gy.count)
        assert(gw.count == weight.count && gin.count == x.count, "gradient buffers")
        weight.withUnsafeBufferPointer { w in
            x.withUnsafeBufferPointer { xp in
                gy.withUnsafeBufferPointer { g in
                    gw.withUnsafeMutableBufferPointer { gwp in
                        gin.withUnsafeMutableBufferPointer { ginp in
                            for k in 0..<xp.count {
                                let xk = xp[k]
                                if xk == 0 && !needInput { continue }
                                var acc = 0.0
                                forEachTarget(input: k) { out, wi in
                                    let go = g[out]
                                    if xk != 0 { gwp[wi] += xk * go }
                                    acc += w[wi] * go
                                }
                                ginp[k] = acc
                            }
                        }
                    }
                }
            }
        }
    }
}
