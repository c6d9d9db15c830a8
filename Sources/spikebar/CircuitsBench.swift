import ArgumentParser
import Foundation
import SpikebarCore
import SpikebarDevices

/// `spikebar bench circuits`: nodal-solve and fast-model time of a tile read (Docs/circuits.md §5).
struct CircuitsBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "circuits",
        abstract: "Nodal solve vs fast model of one crossbar tile read, every row driven.",
        discussion: """
            Random conductances uniform in [10, 100] µS, every row at 0.1 V, R_s = --rs, R_n = --rn, r_w = --rw. \
            Prints the median over --repeat runs of the exact nodal solve (PCG, line-block preconditioner, \
            relative residual 1e-10) and of the fast model (4 sweeps), with CG iterations, residual and the ratio.
            """)

    @Option(help: "Tile sizes (square), comma-separated.") var sizes = "64,128"
    @Option(help: "R_s (Ω).") var rs = 100.0
    @Option(help: "R_n (Ω).") var rn = 100.0
    @Option(help: "r_w per segment (Ω).") var rw = 1.0
    @Option(help: "Timed runs; the median is reported.") var `repeat` = 9
    @Flag(help: "Print the figures as JSON.") var json = false

    struct Row: Codable {
        var size: Int; var unknowns: Int; var nodalMs: Double; var cgIterations: Int; var relativeResidual: Double
        var fastMs: Double; var speedup: Double; var fastNRMSD: Double
    }

    func run() throws {
        do {
            var rows: [Row] = []
            let p = CrossbarParasitics(sourceResistance: rs, neuronResistance: rn, wireResistance: rw)
            try p.validate()
            for n in sizes.split(separator: ",").compactMap({ Int($0) }) where n > 0 {
                var rng = RandomStream(seed: 1, purpose: .benchmark, index: 0xBE_0C1C)
                let g = (0..<(n * n)).map { _ in 10e-6 + 90e-6 * rng.nextUniform() }
                let v = [Double](repeating: 0.1, count: n)
                func median(_ body: () throws -> Void) rethrows -> Double {
                    var t: [Double] = []
                    try body()  // warm-up
                    for _ in 0..<max(1, self.repeat) {
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
            if json { try printJSON(rows); return }
            print("tile read, every row driven, R_s = \(rs) Ω, R_n = \(rn) Ω, r_w = \(rw) Ω, median of \(self.repeat)")
            for r in rows {
                print(
                    String(
                        format:
                            "%4d×%-4d nodal solve %8.2f ms (%d unknowns, %d CG iterations, residual %.1e) | fast model %7.3f ms | %.0f× faster | fast NRMSD %.3f %%",
                        r.size, r.size, r.nodalMs, r.unknowns, r.cgIterations, r.relativeResidual, r.fastMs, r.speedup, 100 * r.fastNRMSD))
            }
        } catch let e as SpikebarError { fail(e) }
    }
}
