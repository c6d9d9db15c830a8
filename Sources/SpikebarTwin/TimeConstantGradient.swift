import Foundation

extension BatchGradient {
    /// ∂L/∂τ from the batch's ∂L/∂α, ∂L/∂β, ∂L/∂κ (summed in unit order: thread-count independent) and
    /// its weight gradients. Per neuron, with α = e^{−dt/τ_s}, β = e^{−dt/τ_m}, c = R·τ_s/(τ_s − τ_m),
    /// κ = c(α − β) and input scale σ = q·gain/τ_s:
    /// ```
    /// ∂L/∂τ_s = ∂L/∂α · α·dt/τ_s² + ∂L/∂κ · (−R·τ_m/(τ_s − τ_m)² · (α − β) + c·α·dt/τ_s²) − (1/τ_s) Σ_j W_ji ∂L/∂W_ji
    /// ∂L/∂τ_m = ∂L/∂β · β·dt/τ_m² + ∂L/∂κ · ( R·τ_s/(τ_s − τ_m)² · (α − β) − c·β·dt/τ_m²)
    /// ```
    /// (the last term of ∂L/∂τ_s: σ scales every weight into neuron i, feed-forward and recurrent).
    mutating func addTimeConstantGradients(_ twin: TwinNetwork, decay: [[[Double]]], effective: [[Double]]) {
        let dt = twin.dt
        var gm: [[Double]] = [], gs: [[Double]] = []
        for (k, layer) in twin.layers.enumerated() {
            let n = layer.size
            var gA = [Double](repeating: 0, count: n), gB = gA, gK = gA
            for unit in decay {
                for i in 0..<n { gA[i] += unit[3 * k][i]; gB[i] += unit[3 * k + 1][i]; gK[i] += unit[3 * k + 2][i] }
            }
            // Σ_j W_ji ∂L/∂W_ji over the connections into this layer.
            var gScale = [Double](repeating: 0, count: n)
            for (c, conn) in twin.plan.enumerated() where conn.to == k + 1 {
                let w = effective[c], g = gradients[c]
                for j in 0..<conn.inputs { for i in 0..<n { gScale[i] += w[j * n + i] * g[j * n + i] } }
            }
            var m = [Double](repeating: 0, count: n), s = m
            for i in 0..<n {
                let ts = layer.tauSyn[i], tm = layer.tauMem[i], c = layer.coupling[i]
                let a = layer.alpha[i], b = layer.beta[i]
                let r = c * (ts - tm) / ts  // R
                let d = ts - tm
                let dAdTs = a * dt / (ts * ts), dBdTm = b * dt / (tm * tm)
                let dKdTs = -r * tm / (d * d) * (a - b) + c * dAdTs
                let dKdTm = r * ts / (d * d) * (a - b) - c * dBdTm
                s[i] = gA[i] * dAdTs + gK[i] * dKdTs - gScale[i] / ts
                m[i] = gB[i] * dBdTm + gK[i] * dKdTm
            }
            gm.append(m); gs.append(s)
        }
        tauMem = gm; tauSyn = gs
    }
}
