import SpikebarCore

/// Scaling of energy, delay and area between CMOS nodes and supplies, after Stillmaker & Baas (Integration
/// 58:74–81, 2017, Tables 3–5 and the corrigendum): each node's energy per operation and gate delay are
/// polynomials of V_dd fitted to predictive technology models — `E(V) = a₂V² + a₁V + a₀`,
/// `D(V) = b₃V³ + b₂V² + b₁V + b₀` — and the scaled value is `value · f(dst, V_dst) / f(src, V_src)`.
/// Area follows the paper's node-to-node factors. The coefficients below are the published ones (as also
/// tabulated by UCLA NanoCAD's `nodeScale` and Accelergy); check: 65 nm at 1.3 V → HP 32 nm at 0.9 V scales
/// energy by 0.4571 / 2.604 = 0.1755 (the corrigendum's example), a test.
///
/// Confidence M: the fits describe standard-cell logic (an inverter chain, an adder); ADCs, SRAM and
/// analog bias circuits do not scale the same way, which is why `NodeEqualisation` scales only the
/// components a model marks as CMOS logic and says so next to the numbers.
public enum TechnologyScaling {
    /// (a₂, a₁, a₀) of the energy polynomial per node.
    static let energyCoefficients: [String: (Double, Double, Double)] = [
        "180": (0, 24.64, -17.98), "130": (7.171, -6.709, 2.904), "90": (4.762, -4.781, 2.092),
        "65": (3.755, -4.398, 1.975),
        "HP45": (1.018, -0.3107, 0.1539), "HP32": (0.8367, -0.4341, 0.1701), "HP20": (0.373, -0.1582, 0.04104),
        "HP16": (0.2958, -0.1241, 0.03024), "HP14": (0.2363, -0.09675, 0.02239), "HP10": (0.2068, -0.09311, 0.02375),
        "HP7": (0.1776, -0.09097, 0.02447),
        "LP45": (1.103, -0.362, 0.2767), "LP32": (0.9559, -0.7823, 0.471), "LP20": (0.2632, -0.14, 0.06841),
        "LP16": (0.2139, -0.1187, 0.05639), "LP14": (0.1556, -0.06472, 0.03066), "LP10": (0.1261, -0.0518, 0.02769),
        "LP7": (0.09365, -0.03409, 0.02043),
    ]
    /// (b₃, b₂, b₁, b₀) of the delay polynomial per node.
    static let delayCoefficients: [String: (Double, Double, Double, Double)] = [
        "180": (0, 97.09, -356.7, 406.5), "130": (-76.65, 334.9, -493.4, 275.8), "90": (-60.34, 262.5, -384.2, 210.9),
        "65": (-53.3, 230.4, -333.9, 178.6),
        "HP45": (-501.6, 1567, -1619, 566.1), "HP32": (-1047, 2982, -2797, 873.5), "HP20": (0, 34.63, -66.37, 41.15),
        "HP16": (0, 24.8, -47.52, 28.87), "HP14": (-40.66, 109.2, -100.6, 35.92), "HP10": (-34.95, 93.65, -85.99, 30.4),
        "HP7": (-28.58, 76.6, -70.26, 24.69),
        "LP45": (-285.7, 1239, -1795, 898.8), "LP32": (-325.9, 1374, -1922, 913.2), "LP20": (-160.5, 514.1, -558.6, 217.5),
        "LP16": (-114.6, 366.7, -397.4, 153.6), "LP14": (-85.37, 271.6, -292.2, 111.4), "LP10": (-71.76, 228.6, -246.3, 93.91),
        "LP7": (-61.79, 196.1, -210.3, 79.55),
    ]
    /// `area[dst][src]`: an area at `src` is `area / area[dst][src]` at `dst`.
    static let areaFactors: [String: [String: Double]] = [
        "180": [
            "180": 1, "130": 0.34, "90": 0.15, "65": 0.08, "45": 0.053, "32": 0.025, "20": 0.011, "16": 0.01, "14": 0.0093, "10": 0.0055, "7": 0.0032,
        ],
        "130": [
            "180": 2.9, "130": 1, "90": 0.44, "65": 0.23, "45": 0.16, "32": 0.072, "20": 0.033, "16": 0.03, "14": 0.027, "10": 0.016, "7": 0.0092,
        ],
        "90": ["180": 6.6, "130": 2.3, "90": 1, "65": 0.53, "45": 0.35, "32": 0.16, "20": 0.075, "16": 0.067, "14": 0.061, "10": 0.036, "7": 0.021],
        "65": ["180": 12, "130": 4.3, "90": 1.9, "65": 1, "45": 0.66, "32": 0.31, "20": 0.14, "16": 0.13, "14": 0.12, "10": 0.068, "7": 0.039],
        "45": ["180": 19, "130": 6.4, "90": 2.8, "65": 1.5, "45": 1, "32": 0.46, "20": 0.21, "16": 0.19, "14": 0.17, "10": 0.1, "7": 0.059],
        "32": ["180": 40, "130": 14, "90": 6.1, "65": 3.3, "45": 2.2, "32": 1, "20": 0.46, "16": 0.41, "14": 0.38, "10": 0.22, "7": 0.13],
        "20": ["180": 88, "130": 30, "90": 13, "65": 7.1, "45": 4.7, "32": 2.2, "20": 1, "16": 0.89, "14": 0.82, "10": 0.48, "7": 0.28],
        "16": ["180": 99, "130": 34, "90": 15, "65": 7.9, "45": 5.3, "32": 2.4, "20": 1.1, "16": 1, "14": 0.91, "10": 0.54, "7": 0.31],
        "14": ["180": 110, "130": 37, "90": 16, "65": 8.7, "45": 5.8, "32": 2.7, "20": 1.2, "16": 1.1, "14": 1, "10": 0.59, "7": 0.34],
        "10": ["180": 180, "130": 63, "90": 28, "65": 15, "45": 9.8, "32": 4.5, "20": 2.1, "16": 1.9, "14": 1.7, "10": 1, "7": 0.58],
        "7": ["180": 320, "130": 110, "90": 48, "65": 25, "45": 17, "32": 7.8, "20": 3.6, "16": 3.2, "14": 2.9, "10": 1.7, "7": 1],
    ]

    /// The relative energy per operation of `node` at `vdd` (the fitted polynomial, dimensionless).
    public static func relativeEnergy(_ node: TechnologyNode, vdd: Volts) -> Double {
        let (a2, a1, a0) = energyCoefficients[node.name] ?? (0, 0, 1)
        return a2 * vdd * vdd + a1 * vdd + a0
    }

    /// The relative gate delay of `node` at `vdd` (the fitted polynomial, dimensionless).
    public static func relativeDelay(_ node: TechnologyNode, vdd: Volts) -> Double {
        let (b3, b2, b1, b0) = delayCoefficients[node.name] ?? (0, 0, 0, 1)
        return ((b3 * vdd + b2) * vdd + b1) * vdd + b0
    }

    /// Multiplier of an energy priced at (`from`, `fromVdd`) to price it at (`to`, `toVdd`).
    public static func energyFactor(from: TechnologyNode, _ fromVdd: Volts, to: TechnologyNode, _ toVdd: Volts) -> Double {
        relativeEnergy(to, vdd: toVdd) / relativeEnergy(from, vdd: fromVdd)
    }

    /// Multiplier of a logic delay.
    public static func delayFactor(from: TechnologyNode, _ fromVdd: Volts, to: TechnologyNode, _ toVdd: Volts) -> Double {
        relativeDelay(to, vdd: toVdd) / relativeDelay(from, vdd: fromVdd)
    }

    /// Multiplier of a standard-cell area.
    public static func areaFactor(from: TechnologyNode, to: TechnologyNode) -> Double {
        guard let f = areaFactors[to.nanometres]?[from.nanometres], f > 0 else { return 1 }
        return 1 / f
    }
}
