import Foundation
import SpikebarCore
import SpikebarDevices

/// `spikebar bench circuits`: nodal-solve and fast-model time of one crossbar tile read, every row driven
/// (Docs/circuits.md §5).
public enum CircuitsBenchmark {
    /// One tile size's figures (`--json` output).
    public struct Row: Codable {
        public var size: Int; public var unknowns: Int; public var nodalMs: Double; public var cgIterations: Int
        public var relativeResidual: Double
        public var fastMs: Double; public var speedup: Double; public var fastNRMSD: Double
    }

    /// Per square tile size `n` in `sizes` (random conductances uniform in [10, 100] µS, every row at
    /// 0.1 V): the median over `repeats` runs (after one warm-up) of the exact nodal solve and of the fast
    /// model, with CG iterations, residual, ratio and the fast model's normalised RMS deviation.
    public static func rows(sizes: [Int], parasitics p: CrossbarParasitics, repeats: Int) throws -> [Row] {
        var rows: [Row] = []
        for n in sizes where n > 0 {
            var rng = RandomStream(seed: 1, purpose: .benchmark, index: 0xBE_0C1C)
            let g = (0..<(n * n)).map { _ in 10e-6 + 90e-6 * rng.nextUniform() }
            let v = [Double](repeating: 0.1, count: n)
            func median(_ body: () throws -> Void) rethrows -> Double {
                var t: [Double] = []
                try body()  // warm-up
                for _ in 0..<max(1, repeats) {
                    let c = DispatchTime.now().uptimeNanoseconds
                    try body()
                    t.append(Double(DispatchTime.now().uptimeNanoseconds - c) * 1e-6)
                }
                return WallClock.median(t)
            }
            var sol: NodalSolver.Solution?
            let nodal = try median { sol = try NodalSolver.solve(conductance: g, rows: n, cols: n, voltages: v, parasitics: p) }
            var fast: [Double] = []
            let fastMs = median { fast = p.columnCurrents(conductance: g, rows: n, cols: n, voltages: v) }
            guard let s = sol else { continue }
            rows.append(
                Row(
                    size: n, unknowns: s.unknowns, nodalMs: nodal, cgIterations: s.iterations, relativeResidual: s.relativeResidual,
                    fastMs: fastMs, speedup: nodal / fastMs, fastNRMSD: normalisedRMSDeviation(fast, s.columnCurrents)))
        }
        return rows
    }
}
