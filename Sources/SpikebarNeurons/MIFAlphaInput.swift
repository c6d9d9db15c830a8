import SpikebarCore

/// The MIF network's input (Docs/mif-neurons.md): pixel p drives its row with `x_p·α(t_n)` (the alpha
/// envelope), and layer 1's current is `c·α(t_n)·h` with `h = Wᵀx` computed once — the twin's order of
/// operations (`MIFNetwork`), so kernel and twin stay bit-identical.
public struct MIFAlphaInput: GridInput {
    public let x: [Double], alpha: [Double]
    /// h = Wᵀx, the layer-1 drive per unit envelope.
    public let h: [Double]
    public let currentPerUnit: Double

    public init(x: [Double], alpha: [Double], weights: [Double], outputs n1: Int, currentPerUnit: Double) {
        self.x = x; self.alpha = alpha; self.currentPerUnit = currentPerUnit
        // Layer-1 drive h = Wᵀx: the column charge of a read is linear in its amplitude x_p·a(t_n).
        var h = [Double](repeating: 0, count: n1)
        for p in 0..<x.count where x[p] != 0 {
            let xp = x[p], row = p * n1
            for i in 0..<n1 { h[i] += xp * weights[row + i] }
        }
        self.h = h
    }

    @inlinable
    public func signals(step n: Int, into signal: inout [Double], spikes: inout [Int]) {
        guard alpha[n] > 0 else { return }
        let a = alpha[n]
        x.withUnsafeBufferPointer { xp in
            signal.withUnsafeMutableBufferPointer { sp in
                for p in 0..<min(xp.count, sp.count) where xp[p] != 0 { sp[p] = xp[p] * a }
            }
        }
    }

    @inlinable public var drivesFirstLayer: Bool { true }

    @inlinable
    public func firstLayerDrive<Model>(step n: Int, connection c: GridEngine<Model>.Connection, into drive: inout [Double]) {
        let d = currentPerUnit * alpha[n]
        h.withUnsafeBufferPointer { hp in
            drive.withUnsafeMutableBufferPointer { dp in for i in 0..<min(hp.count, dp.count) { dp[i] = d * hp[i] } }
        }
    }
}
