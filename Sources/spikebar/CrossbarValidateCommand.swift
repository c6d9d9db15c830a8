import ArgumentParser
import Foundation
import SpikebarCore
import SpikebarDevices

/// `spikebar validate crossbar`: the fast parasitic model against the exact nodal solve (Docs/circuits.md §4).
struct CrossbarValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crossbar",
        abstract: "NRMSD of the fast crossbar-parasitics model against the exact nodal solve.",
        discussion: """
            For every tile size × R_s × R_n × r_w: --inputs random tiles (conductances uniform in \
            [--gmin, --gmax]), each read with every row driven (ADC-CIM read) and with --sparse-rows random rows \
            (spike-driven read) at --vread. Prints the NRMSD (RMS-normalised) of the fast model's column currents \
            against the nodal solve, of the ideal Σ V·G (how large the parasitic effect is) and of the kernel's \
            model (exact single-row factors × mean-field concurrency factor), and the mean CG iterations. Exit status 1 when a fast-model NRMSD exceeds --limit (default 0.02).
            """)

    @Option(help: "Tile sizes (square), comma-separated.") var sizes = "64,128"
    @Option(help: "Source resistances R_s (Ω), comma-separated.") var rs = "10,50,100,200"
    @Option(help: "Neuron input resistances R_n (Ω), comma-separated.") var rn = "10,50,100,200"
    @Option(help: "Wire resistances per segment r_w (Ω), comma-separated.") var rw = "0.25,0.5,1"
    @Option(help: "Random tiles per case.") var inputs = 4
    @Option(help: "Rows read in the sparse read.") var sparseRows = 4
    @Option(help: "Fast-model sweeps.") var sweeps = 4
    @Option(help: "Lowest conductance (S).") var gmin = 10e-6
    @Option(help: "Highest conductance (S).") var gmax = 100e-6
    @Option(help: "Read voltage (V).") var vread = 0.1
    @Option(help: "Pass/fail limit on the fast-model NRMSD.") var limit = 0.02
    @Option(help: "Seed of the random tiles.") var seed: UInt64 = 1
    @Flag(help: "Print the table as JSON.") var json = false

    struct Output: Codable {
        var limit: Double; var sweeps: Int; var inputs: Int; var sparseRows: Int; var pass: Bool; var cases: [CrossbarValidation.Case]
    }

    func run() throws {
        do {
            func list(_ s: String, _ flag: String, in range: ClosedRange<Double> = 0...1e6) throws -> [Double] {
                try s.split(separator: ",").map {
                    guard let x = Double($0.trimmingCharacters(in: .whitespaces)), x.isFinite, range.contains(x) else {
                        throw SpikebarError.invalidInput(
                            SourceLocation(file: "command line", keyPath: flag), "not a number in \(range.lowerBound) … \(range.upperBound): \($0)")
                    }
                    return x
                }
            }
            // The exact nodal solve's work and memory grow with the tile's 2·n² nodes: tiles up to 1024 × 1024
            // (the largest any scenario maps) instead of a trap or hours on `--sizes 100000` (issue #22).
            let tileSizes = try list(sizes, "--sizes", in: 2...1024).map { Int($0) }
            guard gmin.isFinite, gmax.isFinite, gmin > 0, gmax > gmin, gmax <= 1e3, vread.isFinite, vread > 0, vread <= 1e3 else {
                throw SpikebarError.invalidInput(
                    SourceLocation(file: "command line", keyPath: "--gmin/--gmax/--vread"), "need 0 < gmin < gmax ≤ 1e3 S and 0 < vread ≤ 1e3 V")
            }
            let cases = try CrossbarValidation.run(
                sizes: tileSizes, rSource: try list(rs, "--rs"),
                rNeuron: try list(rn, "--rn"), rWire: try list(rw, "--rw"), inputs: inputs,
                sparseRows: sparseRows, gMin: gmin, gMax: gmax, readVoltage: vread,
                sweeps: sweeps, seed: seed)
            let pass = cases.allSatisfy { $0.fastNRMSDAllRows < limit && $0.fastNRMSDSparse < limit }
            if json {
                try printJSON(Output(limit: limit, sweeps: sweeps, inputs: inputs, sparseRows: sparseRows, pass: pass, cases: cases))
            } else {
                print(
                    "fast model (\(sweeps) sweeps) vs nodal solve, \(inputs) random tiles per case, G ∈ [\(gmin), \(gmax)] S, V = \(vread) V; sparse = \(sparseRows) row(s)"
                )
                print(
                    "| tile | R_s (Ω) | R_n (Ω) | r_w (Ω) | fast NRMSD all rows | fast NRMSD sparse | ideal NRMSD all rows | ideal NRMSD sparse | kernel NRMSD all rows | kernel NRMSD sparse | CG it. |"
                )
                print("|---|---|---|---|---|---|---|---|---|---|---|")
                func pc(_ x: Double) -> String { String(format: "%.3f %%", 100 * x) }
                for c in cases {
                    print(
                        "| \(c.size)×\(c.size) | \(c.rSource) | \(c.rNeuron) | \(c.rWire) | \(pc(c.fastNRMSDAllRows)) | \(pc(c.fastNRMSDSparse)) | \(pc(c.idealNRMSDAllRows)) | \(pc(c.idealNRMSDSparse)) | \(pc(c.kernelNRMSDAllRows)) | \(pc(c.kernelNRMSDSparse)) | \(String(format: "%.0f", c.cgIterations)) |"
                    )
                }
                print(pass ? "pass: every fast-model NRMSD < \(pc(limit))" : "FAIL: some fast-model NRMSD ≥ \(pc(limit))")
            }
            if !pass { throw ExitCode(1) }
        } catch let e as SpikebarError { fail(e) }
    }
}
