import SpikebarCore

/// Per-neuron heterogeneity of the time constants, sampled once per chip (DESIGN §2).
/// Lognormal with the given coefficient of variation (std/mean); 0.30 by default, the spread
/// measured on mixed-signal neuromorphic chips (Moro et al., ISCAS 2022; Zendrikov et al., 2023).
public struct Heterogeneity: Sendable, Equatable, Codable {
    /// std/mean of τ_mem and τ_syn across neurons.
    public var tauCV: Double
    public init(tauCV: Double) { self.tauCV = tauCV }
    public static let `default` = Heterogeneity(tauCV: 0.30)

    enum CodingKeys: String, CodingKey, CaseIterable { case tauCV = "tau_cv" }
    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        tauCV = try c.decode(.tauCV, default: 0.30, in: 0...3)
    }
}
