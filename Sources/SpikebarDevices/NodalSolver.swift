import SpikebarCore

/// Exact nodal analysis of one crossbar tile's read (the circuit of `CrossbarParasitics`): Kirchhoff's
/// current law at every word-line and bit-line node, `G·v = i`, solved by conjugate gradients on the
/// symmetric positive-definite conductance matrix, matrix-free, preconditioned by the exact solve of every
/// word line's and every bit line's tridiagonal block (block Jacobi by lines: the wires are far more
/// conductive than the cells, so few iterations are needed). Cost O(iterations · rows · cols); no dense
/// factorisation. Formulation as in badcrossbar (Joksas & Mehonic, SoftwareX 12, 100617, 2020); the
/// preconditioned CG is Saad, *Iterative Methods for Sparse Linear Systems*, 2nd ed., Alg. 9.1.
///
/// Unknowns: word-line node `(i, j)` of every *selected* row (voltage ≠ 0) and bit-line node `(i, j)` of every
/// row, `(selected + rows) · cols` in all (`2·rows·cols` with every row driven). With `r_w = 0` each line is
/// one node (`selected + cols` unknowns). Bad circuits are reported, never looped on: a zero (short) or
/// negative/non-finite resistance, a negative conductance, a floating line (no path to a driver or to a
/// neuron's ground), or no convergence within `maxIterations` (the residual is in the error).
///
/// ```swift
/// let s = try NodalSolver.solve(conductance: g, rows: 128, cols: 128, voltages: v, parasitics: p)
/// s.columnCurrents   // A, into each neuron
/// ```
public enum NodalSolver {
    /// A converged solve.
    public struct Solution: Sendable {
        /// Current (A) through each column's `R_n` into its neuron.
        public var columnCurrents: [Amperes]
        /// CG iterations used.
        public var iterations: Int
        /// Final relative residual `‖i − G·v‖ / ‖i‖`.
        public var relativeResidual: Double
        /// Unknowns of the system.
        public var unknowns: Int
    }

    /// Solves the tile read. `conductance` row-major `rows × cols` (S), `voltages` per row (V; 0 = row not
    /// selected). `R_s`, `R_n` must be > 0 and finite (a zero resistance would make a node a voltage source:
    /// use the fast model for ideal drivers), `r_w` ≥ 0 (0: ideal wires, one node per line), or `.infinity`
    /// for `R_n` to model an open column (its bit line must then reach ground through nothing: floating,
    /// reported). Corner scale applied to every conductance.
    public static func solve(
        conductance g: [Siemens], rows: Int, cols: Int, voltages: [Volts],
        parasitics p: CrossbarParasitics, tolerance: Double = 1e-10,
        maxIterations: Int = 2000
    ) throws -> Solution {
        func bad(_ key: String, _ msg: String) -> SpikebarError {
            .invalidInput(SourceLocation(file: "nodal solver", keyPath: key), msg)
        }
        guard rows > 0, cols > 0, g.count == rows * cols, voltages.count == rows else {
            throw bad(
                "tile",
                "needs rows × cols conductances and one voltage per row (rows \(rows), cols \(cols), \(g.count) conductances, \(voltages.count) voltages)"
            )
        }
        guard p.sourceResistance > 0, p.sourceResistance.isFinite else {
            throw bad(
                "r_source",
                "must be > 0 and finite for the nodal solve (got \(p.sourceResistance) Ω): a zero resistance shorts the node to its source and makes the system singular"
            )
        }
        guard p.neuronResistance > 0, !p.neuronResistance.isNaN else {
            throw bad(
                "r_neuron",
                "must be > 0 for the nodal solve (got \(p.neuronResistance) Ω): a zero resistance shorts the node to ground and makes the system singular"
            )
        }
        guard p.wireResistance >= 0, p.wireResistance.isFinite else {
            throw bad("r_wire", "must be finite and ≥ 0 (got \(p.wireResistance) Ω)")
        }
        let s = p.cornerScale
        guard s > 0, s.isFinite else { throw bad("corner", "1 + k·σ must be > 0 (got \(s))") }
        for (k, x) in g.enumerated() where !(x >= 0 && x.isFinite) {
            throw bad("conductance[\(k / cols)][\(k % cols)]", "must be finite and ≥ 0 S (got \(x))")
        }
        for (i, v) in voltages.enumerated() where !v.isFinite {
            throw bad("voltage[\(i)]", "must be finite (got \(v))")
        }
        let active = (0..<rows).filter { voltages[$0] != 0 }
        if active.isEmpty {
            return Solution(columnCurrents: [Double](repeating: 0, count: cols), iterations: 0, relativeResidual: 0, unknowns: 0)
        }
        let gs = 1 / p.sourceResistance
        let gn = p.neuronResistance.isInfinite ? 0 : 1 / p.neuronResistance
        // Floating lines: a bit line with no ground (R_n open) and no conducting selected cell is
        // disconnected from every source; the system would be singular.
        if gn == 0 {
            for j in 0..<cols where !active.contains(where: { g[$0 * cols + j] > 0 }) {
                throw bad("column[\(j)]", "bit line is floating: open neuron input (r_neuron = ∞) and no conducting cell on a selected row")
            }
        }
        var op = TileOperator(
            g: g, rows: rows, cols: cols, active: active, scale: s, gs: gs, gn: gn,
            gw: p.wireResistance > 0 ? 1 / p.wireResistance : .infinity)
        var b = [Double](repeating: 0, count: op.n)
        op.sourceVector(voltages: voltages, into: &b)
        var x = [Double](repeating: 0, count: op.n)
        let (it, res) = try conjugateGradient(&op, b: b, x: &x, tolerance: tolerance, maxIterations: maxIterations)
        return Solution(columnCurrents: op.columnCurrents(x), iterations: it, relativeResidual: res, unknowns: op.n)
    }

    /// Preconditioned conjugate gradients (Saad 2003, Alg. 9.1) on `op`; throws when the residual does not
    /// reach `tolerance` (relative) within `maxIterations` or breaks down (not SPD).
    static func conjugateGradient(
        _ op: inout TileOperator, b: [Double], x: inout [Double], tolerance: Double,
        maxIterations: Int
    ) throws -> (Int, Double) {
        let n = b.count
        var r = b, z = [Double](repeating: 0, count: n), q = [Double](repeating: 0, count: n)
        func dot(_ a: [Double], _ c: [Double]) -> Double {
            var s = 0.0
            a.withUnsafeBufferPointer { pa in c.withUnsafeBufferPointer { pc in for k in 0..<n { s += pa[k] * pc[k] } } }
            return s
        }
        let bnorm = dot(b, b).squareRoot()
        guard bnorm > 0 else { return (0, 0) }
        op.precondition(r, into: &z)
        var d = z
        var rz = dot(r, z)
        var res = 1.0
        for it in 1...max(1, maxIterations) {
            op.apply(d, into: &q)
            let dq = dot(d, q)
            guard dq > 0, dq.isFinite else {
                throw SpikebarError.mismatch(
                    "nodal solver: conductance matrix not positive definite (dᵀGd = \(dq) at iteration \(it)): singular or ill-conditioned circuit")
            }
            let alpha = rz / dq
            x.withUnsafeMutableBufferPointer { px in
                r.withUnsafeMutableBufferPointer { pr in
                    d.withUnsafeBufferPointer { pd in
                        q.withUnsafeBufferPointer { pq in
                            for k in 0..<n { px[k] += alpha * pd[k]; pr[k] -= alpha * pq[k] }
                        }
                    }
                }
            }
            res = dot(r, r).squareRoot() / bnorm
            if res <= tolerance { return (it, res) }
            op.precondition(r, into: &z)
            let rzNew = dot(r, z)
            let beta = rzNew / rz
            rz = rzNew
            d.withUnsafeMutableBufferPointer { pd in
                z.withUnsafeBufferPointer { pz in
                    for k in 0..<n { pd[k] = pz[k] + beta * pd[k] }
                }
            }
        }
        throw SpikebarError.resourceLimit(
            "nodal solver: no convergence in \(maxIterations) CG iterations (relative residual \(res), tolerance \(tolerance)): ill-conditioned circuit"
        )
    }
}

/// The tile's conductance matrix, matrix-free, and its line-block preconditioner.
/// Layout: word-line nodes of selected row `a` (compact index) at `a·C + j`, then bit-line nodes of
/// physical row `i` at `W + i·C + j` (`W = selected·C`). With ideal wires (`gw = ∞`), one node per
/// word line (`a`) then one per bit line (`W + j`, `W = selected`).
struct TileOperator {
    let rows: Int, cols: Int, na: Int, n: Int
    let active: [Int]
    let G: [Double]  // selected rows' conductances, compact, corner applied
    let isActive: [Bool]
    let gs: Double, gn: Double, gw: Double
    let lumped: Bool
    // Thomas factors of each line block: modified super-diagonal c' and inverse pivots.
    var wlPivot: [Double] = [], wlC: [Double] = []
    var blPivot: [Double] = [], blC: [Double] = []
    var rowG: [Double] = [], colG: [Double] = []

    init(g: [Double], rows: Int, cols: Int, active: [Int], scale: Double, gs: Double, gn: Double, gw: Double) {
        self.rows = rows; self.cols = cols; self.active = active; na = active.count
        self.gs = gs; self.gn = gn; self.gw = gw
        lumped = gw.isInfinite
        var c = [Double](repeating: 0, count: active.count * cols)
        for (a, i) in active.enumerated() { for j in 0..<cols { c[a * cols + j] = scale * g[i * cols + j] } }
        G = c
        var act = [Bool](repeating: false, count: rows)
        for i in active { act[i] = true }
        isActive = act
        n = lumped ? active.count + cols : (active.count + rows) * cols
        rowG = [Double](repeating: 0, count: na); colG = [Double](repeating: 0, count: cols)
        for a in 0..<na { for j in 0..<cols { rowG[a] += c[a * cols + j]; colG[j] += c[a * cols + j] } }
        if !lumped { factorLines() }
    }

    /// Thomas-algorithm factors of every word line (length C) and bit line (length R).
    private mutating func factorLines() {
        wlPivot = [Double](repeating: 0, count: na * cols); wlC = wlPivot
        for a in 0..<na {
            Self.factorLine(
                count: cols, coupling: gw,
                diagonal: { j in G[a * cols + j] + (j > 0 ? gw : 0) + (j < cols - 1 ? gw : 0) + (j == 0 ? gs : 0) },
                store: { j, inversePivot, c in
                    wlPivot[a * cols + j] = inversePivot; wlC[a * cols + j] = c
                })
        }
        blPivot = [Double](repeating: 0, count: rows * cols); blC = blPivot
        var compact = [Int](repeating: -1, count: rows)
        for (a, i) in active.enumerated() { compact[i] = a }
        for j in 0..<cols {
            Self.factorLine(
                count: rows, coupling: gw,
                diagonal: { i in
                    let gc = compact[i] >= 0 ? G[compact[i] * cols + j] : 0
                    return gc + (i > 0 ? gw : 0) + (i < rows - 1 ? gw : 0) + (i == rows - 1 ? gn : 0)
                },
                store: { i, inversePivot, c in
                    blPivot[i * cols + j] = inversePivot; blC[i * cols + j] = c
                })
        }
    }

    /// Forward elimination of one line's tridiagonal system (diagonal `diagonal(k)`, every off-diagonal
    /// −`coupling`): hands each position its inverse pivot and its modified super-diagonal coefficient
    /// (the Thomas algorithm; Golub & Van Loan, *Matrix Computations*, §4.3). Word and bit lines differ
    /// only in their diagonals.
    private static func factorLine(
        count n: Int, coupling gw: Double, diagonal: (Int) -> Double,
        store: (Int, Double, Double) -> Void
    ) {
        var cPrev = 0.0
        for k in 0..<n {
            let sub = k > 0 ? -gw : 0
            let piv = diagonal(k) - sub * cPrev
            let sup = k < n - 1 ? -gw : 0
            cPrev = sup / piv
            store(k, 1 / piv, cPrev)
        }
    }

    func sourceVector(voltages: [Double], into b: inout [Double]) {
        for (a, i) in active.enumerated() { b[lumped ? a : a * cols] = gs * voltages[i] }
    }

    /// `y = G·x`.
    func apply(_ x: [Double], into y: inout [Double]) {
        let C = cols, R = rows, W = lumped ? na : na * C
        x.withUnsafeBufferPointer { x in
            y.withUnsafeMutableBufferPointer { y in
                G.withUnsafeBufferPointer { G in
                    if lumped {
                        for j in 0..<C { y[W + j] = (gn + colG[j]) * x[W + j] }
                        for a in 0..<na {
                            var s = (gs + rowG[a]) * x[a]
                            for j in 0..<C {
                                let gc = G[a * C + j]
                                s -= gc * x[W + j]
                                y[W + j] -= gc * x[a]
                            }
                            y[a] = s
                        }
                        return
                    }
                    // Bit lines: wire Laplacian + ground at the foot.
                    for i in 0..<R {
                        for j in 0..<C {
                            let k = W + i * C + j
                            var s = 0.0
                            if i > 0 { s += gw * (x[k] - x[k - C]) }
                            if i < R - 1 { s += gw * (x[k] - x[k + C]) }
                            if i == R - 1 { s += gn * x[k] }
                            y[k] = s
                        }
                    }
                    for (a, i) in active.enumerated() {
                        let wb = a * C, bb = W + i * C
                        for j in 0..<C {
                            let k = wb + j
                            var s = 0.0
                            if j > 0 { s += gw * (x[k] - x[k - 1]) }
                            if j < C - 1 { s += gw * (x[k] - x[k + 1]) }
                            if j == 0 { s += gs * x[k] }
                            let gc = G[k]
                            let cell = gc * (x[k] - x[bb + j])
                            y[k] = s + cell
                            y[bb + j] -= cell
                        }
                    }
                }
            }
        }
    }

    /// `z = M⁻¹ r`, M = the line blocks (Thomas algorithm), or the diagonal with ideal wires.
    func precondition(_ r: [Double], into z: inout [Double]) {
        let C = cols, R = rows, W = lumped ? na : na * C
        r.withUnsafeBufferPointer { r in
            z.withUnsafeMutableBufferPointer { z in
                if lumped {
                    for a in 0..<na { z[a] = r[a] / (gs + rowG[a]) }
                    for j in 0..<C { z[W + j] = r[W + j] / (gn + colG[j]) }
                    return
                }
                wlPivot.withUnsafeBufferPointer { wp in
                    wlC.withUnsafeBufferPointer { wc in
                        for a in 0..<na {
                            let o = a * C
                            // Forward: z_j = (r_j − sub·z_{j−1}) / piv_j with sub = −gw.
                            z[o] = r[o] * wp[o]
                            if C > 1 { for j in 1..<C { z[o + j] = (r[o + j] + gw * z[o + j - 1]) * wp[o + j] } }
                            if C > 1 { for j in stride(from: C - 2, through: 0, by: -1) { z[o + j] -= wc[o + j] * z[o + j + 1] } }
                        }
                    }
                }
                blPivot.withUnsafeBufferPointer { bp in
                    blC.withUnsafeBufferPointer { bc in
                        // All columns at once, row by row (contiguous inner loop).
                        for j in 0..<C { z[W + j] = r[W + j] * bp[j] }
                        if R > 1 {
                            for i in 1..<R {
                                let o = W + i * C, po = W + (i - 1) * C
                                for j in 0..<C { z[o + j] = (r[o + j] + gw * z[po + j]) * bp[i * C + j] }
                            }
                            for i in stride(from: R - 2, through: 0, by: -1) {
                                let o = W + i * C, no = W + (i + 1) * C
                                for j in 0..<C { z[o + j] -= bc[i * C + j] * z[no + j] }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Current (A) through each `R_n`: `g_n · v` of the bit line's foot node.
    func columnCurrents(_ x: [Double]) -> [Double] {
        if lumped { return (0..<cols).map { gn * x[na + $0] } }
        let o = na * cols + (rows - 1) * cols
        return (0..<cols).map { gn * x[o + $0] }
    }
}
