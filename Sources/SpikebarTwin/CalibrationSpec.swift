import SpikebarCore

/// Which hardware effects the twin is trained with ("Neuromorphic Hardware Calibrated" training,
/// after Moro et al., ISCAS 2022). Each is switchable.
public struct CalibrationSpec: Sendable, Codable, Equatable {
    public enum TimeConstants: String, Sendable, Codable, CaseIterable {
        /// The time constants of the chip the weights will be programmed into (chip sample 0).
        case chip
        /// Fresh draws from the heterogeneity every batch (robust to any chip of the family).
        case resampled
        /// Every neuron at the scenario's mean τ_mem, τ_syn (no heterogeneity: the uncalibrated baseline).
        case homogeneous
        /// Heterogeneity as a trainable resource (Perez-Nieves et al., Nat. Commun. 12:5791, 2021): start
        /// from the chip's measured τ (chip sample 0) and train every neuron's τ_mem and τ_syn by BPTT with
        /// the weights, kept within `training.tau_mem_range` / `tau_syn_range` (what the biases can set).
        case trained
    }
    public var timeConstants: TimeConstants
    /// Forward pass on the chip's levels (straight-through estimator in the backward pass).
    public var quantize: Bool
    /// Programming error sampled per batch (reparametrisation: w + σ_level·ξ).
    public var programmingNoise: Bool
    /// Fraction of cells stuck (at the lowest or highest level, equally likely), substituted at random per
    /// batch with their gradients masked; the programmed chip gets the same fraction.
    public var stuckFraction: Double
    /// Passive-array non-idealities (V/3 disturbance, tuning error, HRS/LRS failures) sampled per batch
    /// from `device.passive` (needs `device.array: passive`; `Docs/passive-arrays.md#hardware-aware-training`).
    public var passive: Bool = false
    /// Technology-aware training (Docs/circuits.md §6): the tiles' parasitic read attenuation
    /// (`tiles.parasitics`, fast model) applied to the effective weights of every batch.
    public var parasitics: Bool = false

    public static let `default` = CalibrationSpec(timeConstants: .chip, quantize: true, programmingNoise: true, stuckFraction: 0)
    public static let none = CalibrationSpec(timeConstants: .homogeneous, quantize: false, programmingNoise: false, stuckFraction: 0)
    public init(timeConstants: TimeConstants, quantize: Bool, programmingNoise: Bool, stuckFraction: Double) {
        self.timeConstants = timeConstants; self.quantize = quantize
        self.programmingNoise = programmingNoise; self.stuckFraction = stuckFraction
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case timeConstants = "time_constants", quantize, programmingNoise = "programming_noise", stuckFraction = "stuck_fraction"
        case passive
        case parasitics
    }
    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        timeConstants = try c.choice(.timeConstants, default: .chip)
        quantize = try c.decode(.quantize, default: true)
        programmingNoise = try c.decode(.programmingNoise, default: true)
        stuckFraction = try c.decode(.stuckFraction, default: 0, in: 0...0.5)
        passive = try c.decode(.passive, default: false)
        parasitics = try c.decode(.parasitics, default: false)
    }
}
