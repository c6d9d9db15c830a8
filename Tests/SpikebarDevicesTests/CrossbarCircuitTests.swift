import Foundation
import Testing
import SpikebarCore
import SpikebarDevices

/// Crossbar parasitics (Docs/circuits.md): the fast model against the exact nodal solve and closed forms.
@Suite struct CrossbarCircuitTests {
    /// Random HfO₂-range conductances (10–100 µS) from the project's keyed generator.
    static func tile(_ rows: Int, _ cols: Int, seed: UInt64) -> [Double] {
        var rng = RandomStream(seed: seed, purpose: .benchmark, index: 0xC1C0)
        return (0..<(rows * cols)).map { _ in 10e-6 + 90e-6 * rng.nextUniform() }
    }

    @Test func singleCellIsAVoltageDivider() throws {
        // One cell: V through R_s, G, R_n in series: I = V / (R_s + 1/G + R_n).
        let p = CrossbarParasitics(sourceResistance: 500, neuronResistance: 300, wireResistance: 2)
        let s = try NodalSolver.solve(conductance: [50e-6], rows: 1, cols: 1, voltages: [0.2], parasitics: p)
        let exact = 0.2 / (500 + 1 / 50e-6 + 300)
        #expect(abs(s.columnCurrents[0] - exact) / exact < 1e-9)
        let fast = CrossbarParasitics(sourceResistance: 500, neuronResistance: 300, sweeps: 30)
            .columnCurrents(conductance: [50e-6], rows: 1, cols: 1, voltages: [0.2])
        #expect(abs(fast[0] - exact) / exact < 1e-9)
    }

    @Test func wordLineLadderMatchesHandSolve() throws {
        // 1×2 row, both columns: nodes u0,u1 on the word line; exact by Kirchhoff with R_n per column.
        let g0 = 40e-6, g1 = 80e-6, rs = 1000.0, rw = 5000.0, rn = 200.0, v = 0.1
        let p = CrossbarParasitics(sourceResistance: rs, neuronResistance: rn, wireResistance: rw)
        let s = try NodalSolver.solve(conductance: [g0, g1], rows: 1, cols: 2, voltages: [v], parasitics: p)
        // Branch conductances to ground through cell + R_n: h = 1/(1/g + rn).
        let h0 = 1 / (1 / g0 + rn), h1 = 1 / (1 / g1 + rn)
        // Node u1 hangs off u0 through rw: branch from u0 = h0 + 1/(rw + 1/h1).
        let load = h0 + 1 / (rw + 1 / h1)
        let u0Exact = v / (1 + rs * load)  // current balance at u0: (v − u0)/rs = load · u0
        let u1 = u0Exact / (1 + rw * h1)
        #expect(abs(s.columnCurrents[0] - h0 * u0Exact) / (h0 * u0Exact) < 1e-9)
        #expect(abs(s.columnCurrents[1] - h1 * u1) / (h1 * u1) < 1e-9)
    }

    @Test func idealWiresReduceToTheFastModel() throws {
        // r_w = 0: the fast model's fixed point is the nodal solution; many sweeps reach it.
        let g = Self.tile(16, 12, seed: 3)
        let v = (0..<16).map { $0 % 3 == 0 ? 0 : 0.1 }
        let p = CrossbarParasitics(sourceResistance: 200, neuronResistance: 150, wireResistance: 0, sweeps: 60)
        let s = try NodalSolver.solve(conductance: g, rows: 16, cols: 12, voltages: v, parasitics: p)
        let f = p.columnCurrents(conductance: g, rows: 16, cols: 12, voltages: v)
        #expect(normalisedRMSDeviation(f, s.columnCurrents) < 1e-9)
        // And a tiny wire resistance changes the nodal answer only slightly.
        var q = p; q.wireResistance = 1e-6
        let t = try NodalSolver.solve(conductance: g, rows: 16, cols: 12, voltages: v, parasitics: q)
        #expect(normalisedRMSDeviation(t.columnCurrents, s.columnCurrents) < 1e-6)
    }

    @Test func fastModelWithinTwoPercentOfNodal() throws {
        for n in [32, 64] {
            let g = Self.tile(n, n, seed: UInt64(n))
            let v = [Double](repeating: 0.1, count: n)
            let p = CrossbarParasitics(sourceResistance: 100, neuronResistance: 100, wireResistance: 1)
            let s = try NodalSolver.solve(conductance: g, rows: n, cols: n, voltages: v, parasitics: p)
            let f = p.columnCurrents(conductance: g, rows: n, cols: n, voltages: v)
            let ideal = CrossbarParasitics.idealColumnCurrents(conductance: g, rows: n, cols: n, voltages: v)
            #expect(normalisedRMSDeviation(f, s.columnCurrents) < 0.02)
            // The parasitics matter here: the ideal read is off by more than the fast model.
            #expect(normalisedRMSDeviation(ideal, s.columnCurrents) > 5 * normalisedRMSDeviation(f, s.columnCurrents))
        }
    }

    @Test func sparseReadSeesLessDropThanAllRows() throws {
        let n = 64
        let g = Self.tile(n, n, seed: 9)
        // R_s is per row (the same drop whether one row or all are read); R_n and the bit lines are shared
        // by the rows read together: what sparse activation avoids.
        let p = CrossbarParasitics(sourceResistance: 10, neuronResistance: 100, wireResistance: 0.5)
        var one = [Double](repeating: 0, count: n); one[5] = 0.1
        let all = [Double](repeating: 0.1, count: n)
        let e1 = normalisedRMSDeviation(
            CrossbarParasitics.idealColumnCurrents(conductance: g, rows: n, cols: n, voltages: one),
            try NodalSolver.solve(conductance: g, rows: n, cols: n, voltages: one, parasitics: p).columnCurrents)
        let eAll = normalisedRMSDeviation(
            CrossbarParasitics.idealColumnCurrents(conductance: g, rows: n, cols: n, voltages: all),
            try NodalSolver.solve(conductance: g, rows: n, cols: n, voltages: all, parasitics: p).columnCurrents)
        #expect(e1 < eAll / 3)
    }

    @Test func singularCircuitsAreRejected() {
        let g = Self.tile(4, 4, seed: 1)
        let v = [Double](repeating: 0.1, count: 4)
        #expect(throws: SpikebarError.self) {
            try NodalSolver.solve(
                conductance: g, rows: 4, cols: 4, voltages: v, parasitics: .init(sourceResistance: 0, neuronResistance: 100, wireResistance: 1))
        }
        #expect(throws: SpikebarError.self) {
            try NodalSolver.solve(
                conductance: g, rows: 4, cols: 4, voltages: v, parasitics: .init(sourceResistance: 100, neuronResistance: 100, wireResistance: -1))
        }
        // Open neuron input and a column with no conducting cell: floating bit line.
        var h = g; for i in 0..<4 { h[i * 4 + 2] = 0 }
        #expect(throws: SpikebarError.self) {
            try NodalSolver.solve(
                conductance: h, rows: 4, cols: 4, voltages: v,
                parasitics: .init(sourceResistance: 100, neuronResistance: .infinity, wireResistance: 1))
        }
        // Iteration cap: reported with the residual, not looped on.
        #expect(throws: SpikebarError.self) {
            try NodalSolver.solve(
                conductance: Self.tile(32, 32, seed: 2), rows: 32, cols: 32, voltages: [Double](repeating: 0.1, count: 32),
                parasitics: .init(sourceResistance: 100, neuronResistance: 100, wireResistance: 1), maxIterations: 1)
        }
    }
}

/// The single-row read (what the kernel and the twin fold into charges / weights) is exact.
@Suite struct CrossbarSingleRowTests {
    @Test func singleRowLadderEqualsNodal() throws {
        let g = CrossbarCircuitTests.tile(24, 20, seed: 5)
        let p = CrossbarParasitics(sourceResistance: 40, neuronResistance: 30, wireResistance: 2, cornerK: 1, cornerSigma: 0.05)
        for row in [0, 11, 23] {
            var v = [Double](repeating: 0, count: 24); v[row] = 0.1
            let s = try NodalSolver.solve(conductance: g, rows: 24, cols: 20, voltages: v, parasitics: p)
            let f = p.singleRowCurrents(conductance: g, rows: 24, cols: 20, row: row, voltage: 0.1)
            #expect(normalisedRMSDeviation(f, s.columnCurrents) < 1e-8)
        }
        // Attenuation ≤ 1 without a corner, and farther cells (larger j, smaller i) attenuate more.
        let a = CrossbarParasitics(sourceResistance: 40, neuronResistance: 30, wireResistance: 2).singleRowAttenuation(
            conductance: g, rows: 24, cols: 20)
        #expect(a.allSatisfy { $0 > 0 && $0 <= 1 })
        #expect(a[0 * 20 + 19] < a[0 * 20 + 0])
        #expect(a[0 * 20 + 5] < a[23 * 20 + 5])
    }
}
