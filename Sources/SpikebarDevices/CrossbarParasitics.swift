import SpikebarCore

/// Parasitic resistances of a crossbar tile's read path and the chip-to-chip conductance corner
/// (Docs/circuits.md has the circuit, the equations and the validated ranges).
///
/// The circuit (one tile, `rows × cols` 1T1R cells): the driver of row `i` applies `V_i` through the source
/// resistance `R_s` (driver output + the row's selector, Ω) to the word line at column 0; the word line runs
/// along the row with one segment `r_w` (Ω) between neighbouring cells; cell `(i, j)` conducts `G_ij` (S)
/// from word-line node `(i, j)` to bit-line node `(i, j)`; the bit line runs down the column with one
/// segment `r_w` between neighbouring rows to the neuron (sense) input at the last row, which is a virtual
/// ground behind the neuron's input resistance `R_n` (Ω). A row that is not read has its selectors off: its
/// cells carry no current (1T1R, no sneak paths). The same network as in the nodal-analysis tools
/// badcrossbar (Joksas & Mehonic, SoftwareX 12, 100617, 2020, doi:10.1016/j.softx.2020.100617) and
/// MemTorch's `solve_passive` (Lammie et al., Neurocomputing 485, 124–133, 2022), with the driver and
/// neuron resistances as lumped elements.
///
/// ```swift
/// let p = CrossbarParasitics(sourceResistance: 100, neuronResistance: 100, wireResistance: 1)
/// let i = p.columnCurrents(conductance: g, rows: 128, cols: 128, voltages: v)   // fast model (A)
/// ```
public struct CrossbarParasitics: Sendable, Equatable, Codable {
    /// `R_s` (Ω): driver output resistance plus the selector's on-resistance, in series with each word line.
    public var sourceResistance: Ohms
    /// `R_n` (Ω): input resistance of the neuron / sense amplifier at the foot of each bit line.
    public var neuronResistance: Ohms
    /// `r_w` (Ω): one word-line or bit-line segment (one cell pitch).
    public var wireResistance: Ohms
    /// Global chip-to-chip corner `k` (dimensionless): every conductance of the chip is scaled by
    /// `1 + k·σ` (k = ±3 for the slow/fast corners).
    public var cornerK: Double
    /// Relative chip-to-chip standard deviation `σ` of conductance (dimensionless, e.g. 0.05).
    public var cornerSigma: Double
    /// Sweeps of the fast model's fixed-point iteration (`columnCurrents`); 4 reaches < 2 % NRMSD over the
    /// ranges in Docs/circuits.md (r_w ≤ 1 Ω, R_s and R_n 10–200 Ω, tiles ≤ 128×128).
    public var sweeps: Int

    public init(
        sourceResistance: Ohms = 0, neuronResistance: Ohms = 0, wireResistance: Ohms = 0,
        cornerK: Double = 0, cornerSigma: Double = 0, sweeps: Int = 4
    ) {
        self.sourceResistance = sourceResistance; self.neuronResistance = neuronResistance
        self.wireResistance = wireResistance; self.cornerK = cornerK; self.cornerSigma = cornerSigma
        self.sweeps = sweeps
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case sourceResistance = "r_source", neuronResistance = "r_neuron", wireResistance = "r_wire"
        case cornerK = "corner_k", cornerSigma = "corner_sigma", sweeps
    }

    /// Scenario block `tiles.parasitics` (Docs/scenario-reference.md): resistances in Ω, corner dimensionless.
    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        sourceResistance = try c.decode(.sourceResistance, default: 0, in: 0...1e6, unit: "Ω")
        neuronResistance = try c.decode(.neuronResistance, default: 0, in: 0...1e6, unit: "Ω")
        wireResistance = try c.decode(.wireResistance, default: 0, in: 0...1e3, unit: "Ω")
        cornerK = try c.decode(.cornerK, default: 0, in: -10...10)
        cornerSigma = try c.decode(.cornerSigma, default: 0, in: 0...0.5)
        sweeps = try c.decode(.sweeps, default: 4, in: 1...100)
        if cornerScale <= 0 { throw c.invalid(.cornerK, "1 + corner_k·corner_sigma must be > 0") }
    }

    /// No parasitics: reads are ideal `I_j = Σ_i V_i·G_ij`.
    public static let ideal = CrossbarParasitics()

    /// Whether any resistance is non-zero (the corner alone does not need the circuit model).
    public var hasResistance: Bool { sourceResistance > 0 || neuronResistance > 0 || wireResistance > 0 }

    /// Conductance scale of the global corner, `1 + k·σ` (dimensionless).
    public var cornerScale: Double { 1 + cornerK * cornerSigma }

    /// Checks the values (resistances finite and ≥ 0, corner scale > 0, sweeps ≥ 1).
    public func validate() throws {
        for (name, r) in [("r_source", sourceResistance), ("r_neuron", neuronResistance), ("r_wire", wireResistance)] {
            guard r.isFinite, r >= 0 else {
                throw SpikebarError.invalidInput(SourceLocation(file: "crossbar", keyPath: name), "must be a finite resistance ≥ 0 Ω, got \(r)")
            }
        }
        guard cornerSigma.isFinite, cornerK.isFinite, cornerSigma >= 0, cornerScale > 0 else {
            throw SpikebarError.invalidInput(
                SourceLocation(file: "crossbar", keyPath: "corner"),
                "1 + k·σ must be > 0 with σ ≥ 0 (k = \(cornerK), σ = \(cornerSigma))")
        }
        guard sweeps >= 1 else {
            throw SpikebarError.invalidInput(SourceLocation(file: "crossbar", keyPath: "sweeps"), "must be ≥ 1, got \(sweeps)")
        }
    }

    /// Fast model of a tile read: the current (A) into each column's neuron when row `i` is driven at
    /// `voltages[i]` (V; a row at exactly 0 V is not selected and carries no current).
    ///
    /// The equations (Docs/circuits.md §2): with cell currents `I_ij`, the word-line drop to cell `j` is
    /// `d_ij = r_w Σ_{k=1..j} Σ_{m≥k} I_im`, the bit-line rise at row `i` above the sense node is
    /// `e_ij = r_w Σ_{k=i..R−2} Σ_{m≤k} I_mj`; the word line's driven node follows in closed form from
    /// `u_i = V_i − R_s Σ_j I_ij`, `I_ij = G_ij (u_i − d_ij − e_ij − w_j)`:
    /// `u_i = (V_i + R_s Σ_j G_ij (d_ij + e_ij + w_j)) / (1 + R_s Σ_j G_ij)`, and the sense node from
    /// `w_j = R_n Σ_i I_ij`: `w_j = R_n Σ_i G_ij (u_i − d_ij − e_ij) / (1 + R_n Σ_i G_ij)`. One sweep evaluates
    /// both closed forms (rows, then columns) and refreshes the cell currents and the wire drops; the first
    /// sweep from `I_ij = G_ij V_i` is the classical `V/(1 + R_s ΣG)` correction with the column's own
    /// `R_n` correction. The fixed point is the exact nodal solution (`NodalSolver`), so `sweeps` trades
    /// accuracy for time; the sweep converges while `R_s ΣG_row · R_n ΣG_col` and `r_w G R²/2` stay well below 1.
    /// Cost: O(sweeps · rows · cols).
    public func columnCurrents(conductance g: [Siemens], rows: Int, cols: Int, voltages: [Volts]) -> [Amperes] {
        precondition(g.count == rows * cols && voltages.count == rows, "conductance rows × cols, one voltage per row")
        let active = (0..<rows).filter { voltages[$0] != 0 }
        var out = [Amperes](repeating: 0, count: cols)
        guard !active.isEmpty, cols > 0 else { return out }
        // One row: the exact ladder (no iteration needed).
        if active.count == 1 { return singleRowCurrents(conductance: g, rows: rows, cols: cols, row: active[0], voltage: voltages[active[0]]) }
        let s = cornerScale
        let rs = sourceResistance, rn = neuronResistance, rw = wireResistance
        let na = active.count
        // Compacted active rows: conductances (corner applied), and the per-cell drop d + e.
        var G = [Double](repeating: 0, count: na * cols)
        for (a, i) in active.enumerated() { for j in 0..<cols { G[a * cols + j] = s * g[i * cols + j] } }
        var cur = [Double](repeating: 0, count: na * cols)  // I_ij
        var drop = [Double](repeating: 0, count: na * cols)  // d_ij + e_ij
        var u = active.map { voltages[$0] }
        var w = [Double](repeating: 0, count: cols)
        var rowG = [Double](repeating: 0, count: na), colG = [Double](repeating: 0, count: cols)
        for a in 0..<na { for j in 0..<cols { rowG[a] += G[a * cols + j]; colG[j] += G[a * cols + j] } }
        var colAcc = [Double](repeating: 0, count: cols)
        // The wire-drop update is a Jacobi step whose error changes sign each sweep with ratio up to ρ, the
        // largest eigenvalue of the lines' resistive response: for a line of L cells of mean conductance Ḡ fed
        // from one end, ρ ≈ (4/π²)·r_w·Ḡ·L² (fundamental mode of the discrete Laplacian with one grounded
        // end). Relaxing it by ω = 2/(2 + ρ) maps the error ratio from ρ to ρ/(2 + ρ) (optimal damping for
        // a spectrum in [−ρ, 0]).
        let meanG = rowG.reduce(0, +) / Double(na * cols)
        let rho = 4 / (Double.pi * Double.pi) * rw * meanG * (Double(cols * cols) + Double(na * rows))
        let omega = 2 / (2 + rho)
        var next = [Double](repeating: 0, count: rw > 0 ? na * cols : 0)
        for _ in 0..<max(1, sweeps) {
            // Rows: closed form for the driven node given the sense nodes and wire drops.
            for a in 0..<na {
                var sx = 0.0
                for j in 0..<cols { sx += G[a * cols + j] * (drop[a * cols + j] + w[j]) }
                u[a] = (voltages[active[a]] + rs * sx) / (1 + rs * rowG[a])
            }
            // Columns: closed form for the sense node given the driven nodes.
            for j in 0..<cols { colAcc[j] = 0 }
            for a in 0..<na { for j in 0..<cols { colAcc[j] += G[a * cols + j] * (u[a] - drop[a * cols + j]) } }
            for j in 0..<cols { w[j] = rn * colAcc[j] / (1 + rn * colG[j]) }
            for a in 0..<na { for j in 0..<cols { cur[a * cols + j] = G[a * cols + j] * (u[a] - drop[a * cols + j] - w[j]) } }
            if rw > 0 {
                wireDrops(cur: cur, active: active, rows: rows, cols: cols, rw: rw, into: &next)
                for k in drop.indices { drop[k] += omega * (next[k] - drop[k]) }
            }
        }
        for a in 0..<na { for j in 0..<cols { out[j] += cur[a * cols + j] } }
        return out
    }

    /// Ideal column currents (A) `I_j = Σ_i V_i G_ij` (no parasitics, no corner).
    public static func idealColumnCurrents(conductance g: [Siemens], rows: Int, cols: Int, voltages: [Volts]) -> [Amperes] {
        var out = [Amperes](repeating: 0, count: cols)
        for i in 0..<rows where voltages[i] != 0 { for j in 0..<cols { out[j] += voltages[i] * g[i * cols + j] } }
        return out
    }

    /// Column currents (A) of a read of row `i` alone at `v` (V), exact: with one row selected, each bit line
    /// carries only its own cell's current, so cell `j` and the path below it form one branch of admittance
    /// `h_j = G_j / (1 + G_j (R_n + r_w (R − 1 − i)))` hanging off word-line node `j`; the word line is then a
    /// ladder solved from its far end: `Y_{C−1} = h_{C−1}`, `Y_j = h_j + Y_{j+1} / (1 + r_w Y_{j+1})` (admittance
    /// looking into the line at node j), `u_0 = v / (1 + R_s Y_0)`, `u_{j+1} = u_j / (1 + r_w Y_{j+1})`,
    /// `I_j = h_j u_j`. O(cols). Corner scale applied to `G`.
    public func singleRowCurrents(conductance g: [Siemens], rows: Int, cols: Int, row i: Int, voltage v: Volts) -> [Amperes] {
        let s = cornerScale, rn = neuronResistance, rw = wireResistance
        let below = rn + rw * Double(rows - 1 - i)
        var h = [Double](repeating: 0, count: cols), y = h
        for j in 0..<cols { let gj = s * g[i * cols + j]; h[j] = gj / (1 + gj * below) }
        var acc = 0.0
        for j in stride(from: cols - 1, through: 0, by: -1) {
            acc = h[j] + (j == cols - 1 ? 0 : acc / (1 + rw * acc))
            y[j] = acc
        }
        var out = [Amperes](repeating: 0, count: cols)
        var u = cols > 0 ? v / (1 + sourceResistance * y[0]) : 0
        for j in 0..<cols {
            if j > 0 { u /= 1 + rw * y[j] }
            out[j] = h[j] * u
        }
        return out
    }

    /// Attenuation of each cell of a tile when its row is read alone (dimensionless, `[i·cols + j]`): the
    /// exact single-row read's column current over the ideal `G_ij V` (`singleRowCurrents`; 1 where
    /// `G_ij = 0`; includes the corner scale). Independent of `V` (the network is linear). What the kernel
    /// folds into its per-read charges and the twin into its effective weights.
    public func singleRowAttenuation(conductance g: [Siemens], rows: Int, cols: Int) -> [Double] {
        var f = [Double](repeating: 1, count: rows * cols)
        for i in 0..<rows {
            var any = false
            for j in 0..<cols where g[i * cols + j] > 0 { any = true; break }
            guard any else { continue }
            let c = singleRowCurrents(conductance: g, rows: rows, cols: cols, row: i, voltage: 1)
            for j in 0..<cols where g[i * cols + j] > 0 { f[i * cols + j] = c[j] / g[i * cols + j] }
        }
        return f
    }

    /// Extra attenuation (dimensionless, ≤ 1) of column `j` when `active` rows of the tile are read at once
    /// instead of one, relative to the single-row read: the other `active − 1` rows' currents raise the
    /// column's sense node by `R_n` (and the bit line by `r_w` over on average half the rows) times their
    /// current. Mean-field: the other rows draw the column's mean conductance per used row `meanG`.
    /// `1 / (1 + (active − 1)·meanG·(R_n + r_w·rows/2))`; exactly 1 for `active = 1`.
    public func concurrencyFactor(active: Int, meanG: Siemens, rows: Int) -> Double {
        guard active > 1 else { return 1 }
        return 1 / (1 + Double(active - 1) * cornerScale * meanG * (neuronResistance + wireResistance * Double(rows) / 2))
    }

    /// Word-line drops plus bit-line rises (V) of every active cell given the cell currents.
    private func wireDrops(cur: [Double], active: [Int], rows: Int, cols: Int, rw: Double, into drop: inout [Double]) {
        let na = active.count
        // Word line a: segment k (between cells k−1 and k) carries T_k = Σ_{m≥k} I_m; d_j = r_w Σ_{k=1..j} T_k.
        for a in 0..<na {
            let base = a * cols
            var total = 0.0
            for j in 0..<cols { total += cur[base + j] }
            var t = total, d = 0.0
            drop[base] = 0
            for j in 1..<max(cols, 1) {
                t -= cur[base + j - 1]  // T_j = Σ_{m≥j} I_m
                d += rw * t
                drop[base + j] = d
            }
        }
        // Bit line j: segment between physical rows k and k+1 carries B_k = Σ_{m≤k} I_m; the rise at row i is
        // e_i = r_w Σ_{k=i..R−2} B_k. Walk the active rows bottom-up accumulating B from the total.
        for j in 0..<cols {
            var total = 0.0
            for a in 0..<na { total += cur[a * cols + j] }
            // From the bottom (row R−1, e = 0) upwards: between active rows the segment current is constant.
            var e = 0.0
            var b = total  // current in segments below the lowest remaining active row
            var prevRow = rows - 1
            for a in stride(from: na - 1, through: 0, by: -1) {
                let i = active[a]
                e += rw * b * Double(prevRow - i)  // segments i..prevRow−1 each carry b
                drop[a * cols + j] += e
                b -= cur[a * cols + j]
                prevRow = i
            }
        }
    }
}

/// Normalised RMS deviation (dimensionless) of `a` from the reference `ref`: `√(mean (a − ref)²) / √(mean ref²)`
/// (RMS-normalised: a uniform 1 % scale error gives 0.01).
public func normalisedRMSDeviation(_ a: [Double], _ ref: [Double]) -> Double {
    precondition(a.count == ref.count)
    var num = 0.0, den = 0.0
    for k in a.indices { num += (a[k] - ref[k]) * (a[k] - ref[k]); den += ref[k] * ref[k] }
    return den > 0 ? (num / den).squareRoot() : (num > 0 ? .infinity : 0)
}
