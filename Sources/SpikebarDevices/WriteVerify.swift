import SpikebarCore

/// Write-verify programming of one cell to a tolerance (program-and-verify loops as used for multi-level
/// HfO₂ RRAM, e.g. the iterative scheme of the NHC SNN chip's 3-bit cells, Moro et al., ISCAS 2022, and of
/// Wan et al., Nature 608, 2022). The first pulse lands at `target + σ·ξ`; while the verify read finds
/// `|G − target| > tolerance` and fewer than `maxPulses` were applied, a corrective pulse moves the
/// cell by the fraction `step` of the remaining error, with its own error `σ·ξ`:
///
/// ```
/// G₁ = target + σ ξ₁;   G_{n+1} = G_n + step · (target − G_n) + σ ξ_{n+1}
/// ```
///
/// (`σ` = the level's programming std). Each pulse costs `pulseEnergy` (J, verify reads included); a
/// cell that misses the tolerance after `maxPulses` keeps its last value (counted as a failure).
/// Defaults are **assumptions** (`Docs/devices.md#write-verify`): tolerance 1 µS, 20 pulses, step 0.8,
/// 10 pJ per pulse (≈ 1 V × 100 µA × 100 ns, the order of HfO₂ SET/RESET pulses).
public struct WriteVerify: Sendable, Equatable, Codable {
    /// Accepted distance from the target (S).
    public var tolerance: Siemens
    /// Pulses at most per cell.
    public var maxPulses: Int
    /// Fraction of the remaining error a corrective pulse removes (0 < step ≤ 1).
    public var step: Double
    /// Energy of one write pulse with its verify read (J).
    public var pulseEnergy: Joules

    public init(tolerance: Siemens = 1e-6, maxPulses: Int = 20, step: Double = 0.8, pulseEnergy: Joules = 10e-12) {
        self.tolerance = tolerance; self.maxPulses = maxPulses; self.step = step; self.pulseEnergy = pulseEnergy
    }

    /// Programs one cell: its final conductance (≥ 0 S) and the pulses used.
    public func program(target: Siemens, sigma: Siemens, using rng: inout RandomStream) -> (conductance: Siemens, pulses: Int) {
        var g = Swift.max(0, target + sigma * rng.nextGaussian())
        var pulses = 1
        while abs(g - target) > tolerance && pulses < maxPulses {
            g = Swift.max(0, g + step * (target - g) + sigma * rng.nextGaussian())
            pulses += 1
        }
        return (g, pulses)
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case tolerance, maxPulses = "max_pulses", step, pulseEnergy = "pulse_energy"
    }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = WriteVerify()
        tolerance = try c.positive(.tolerance, default: d.tolerance, unit: "S")
        maxPulses = try c.decode(.maxPulses, default: d.maxPulses, in: 1...10_000)
        step = try c.decode(.step, default: d.step, in: 1e-6...1)
        pulseEnergy = try c.nonNegative(.pulseEnergy, default: d.pulseEnergy, unit: "J")
    }
}

/// What programming a chip cost: write pulses and their energy (write-verify), cells that missed the
/// tolerance.
public struct ProgrammingStats: Sendable, Equatable, Codable {
    public var cells: Int = 0
    public var pulses: Int = 0
    public var energy: Joules = 0
    public var failures: Int = 0
    public init() {}
    public mutating func add(_ other: ProgrammingStats) {
        cells += other.cells; pulses += other.pulses; energy += other.energy; failures += other.failures
    }
}
