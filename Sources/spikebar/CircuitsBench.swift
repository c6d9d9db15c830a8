import ArgumentParser
import Foundation
import SpikebarBenchmarks
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

    func run() throws {
        do {
            let p = CrossbarParasitics(sourceResistance: rs, neuronResistance: rn, wireResistance: rw)
            try p.validate()
            let rows = try CircuitsBenchmark.rows(
                sizes: sizes.split(separator: ",").compactMap({ Int($0) }), parasitics: p, repeats: self.repeat)
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
