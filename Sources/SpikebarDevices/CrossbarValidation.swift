import SpikebarCore

/// The fast parasitic model against the exact nodal solve over random tiles and inputs: what
/// `spikebar validate crossbar` prints (Docs/circuits.md §4).
///
/// For each tile size, `R_s`, `R_n` and `r_w`: `inputs` random tiles, conductances uniform in
/// `[gMin, gMax]` (S), read twice — every row driven (an ADC-CIM read) and a sparse read of `sparseRows`
/// random rows (a spike-driven read) — at `readVoltage`. NRMSD (`normalisedRMSDeviation`, RMS-normalised)
/// of the fast model's column currents and of the ideal `Σ V·G` against the nodal solution, pooled over
/// the inputs. All randomness from `RandomStream(seed, .benchmark, index: case)`.
public enum CrossbarValidation {
    public struct Case: Sendable, Codable {
        public var size: Int
        public var rSource: Ohms, rNeuron: Ohms, rWire: Ohms
        /// Fast model vs nodal, every row driven / sparse read.
        public var fastNRMSDAllRows: Double, fastNRMSDSparse: Double
        /// Ideal (no parasitics) vs nodal: how large the effect is.
        public var idealNRMSDAllRows: Double, idealNRMSDSparse: Double
        /// The kernel's model (exact single-row attenuation of each cell × the mean-field
        /// `concurrencyFactor` for the number of rows read together) vs nodal.
        public var kernelNRMSDAllRows: Double, kernelNRMSDSparse: Double
        /// Mean CG iterations of the all-rows solves.
        public var cgIterations: Double
    }

    public static func run(
        sizes: [Int], rSource: [Ohms], rNeuron: [Ohms], rWire: [Ohms], inputs: Int,
        sparseRows: Int = 4, gMin: Siemens = 10e-6, gMax: Siemens = 100e-6,
        readVoltage: Volts = 0.1, sweeps: Int = 4, seed: UInt64 = 1
    ) throws -> [Case] {
        var out: [Case] = []
        var caseIndex: UInt64 = 0
        for n in sizes {
            guard n > 0 else {
                throw SpikebarError.invalidInput(SourceLocation(file: "command line", keyPath: "--sizes"), "tile size must be > 0, got \(n)")
            }
            for rs in rSource {
                for rn in rNeuron {
                    for rw in rWire {
                        let p = CrossbarParasitics(sourceResistance: rs, neuronResistance: rn, wireResistance: rw, sweeps: sweeps)
                        try p.validate()
                        caseIndex += 1
                        var rng = RandomStream(seed: seed, purpose: .benchmark, index: 0xC0_55BA_0000 &+ caseIndex)
                        var acc = [[Double]](repeating: [0, 0], count: 6)  // (Σ err², Σ ref²) per metric
                        var iterations = 0
                        for _ in 0..<max(1, inputs) {
                            let g = (0..<(n * n)).map { _ in gMin + (gMax - gMin) * rng.nextUniform() }
                            let f = p.singleRowAttenuation(conductance: g, rows: n, cols: n)
                            var meanG = [Double](repeating: 0, count: n)
                            for i in 0..<n { for j in 0..<n { meanG[j] += g[i * n + j] / Double(n) } }
                            let all = [Volts](repeating: readVoltage, count: n)
                            var sparse = [Volts](repeating: 0, count: n)
                            for _ in 0..<max(1, min(sparseRows, n)) { sparse[Int(rng.next() % UInt64(n))] = readVoltage }
                            for (m, v) in [all, sparse].enumerated() {
                                let exact = try NodalSolver.solve(conductance: g, rows: n, cols: n, voltages: v, parasitics: p)
                                if m == 0 { iterations += exact.iterations }
                                let fast = p.columnCurrents(conductance: g, rows: n, cols: n, voltages: v)
                                let ideal = CrossbarParasitics.idealColumnCurrents(conductance: g, rows: n, cols: n, voltages: v)
                                let activeRows = v.filter { $0 != 0 }.count
                                var kernel = [Double](repeating: 0, count: n)
                                for i in 0..<n where v[i] != 0 { for j in 0..<n { kernel[j] += v[i] * g[i * n + j] * f[i * n + j] } }
                                for j in 0..<n { kernel[j] *= p.concurrencyFactor(active: activeRows, meanG: meanG[j], rows: n) }
                                for (k, est) in [fast, ideal, kernel].enumerated() {
                                    for j in 0..<n {
                                        let d = est[j] - exact.columnCurrents[j]
                                        acc[2 * k + m][0] += d * d
                                        acc[2 * k + m][1] += exact.columnCurrents[j] * exact.columnCurrents[j]
                                    }
                                }
                            }
                        }
                        let r = acc.map { $0[1] > 0 ? ($0[0] / $0[1]).squareRoot() : 0 }
                        out.append(
                            Case(
                                size: n, rSource: rs, rNeuron: rn, rWire: rw, fastNRMSDAllRows: r[0], fastNRMSDSparse: r[1],
                                idealNRMSDAllRows: r[2], idealNRMSDSparse: r[3], kernelNRMSDAllRows: r[4], kernelNRMSDSparse: r[5],
                                cgIterations: Double(iterations) / Double(max(1, inputs))))
                    }
                }
            }
        }
        return out
    }
}
