import SpikebarCore

/// The `architectures` section of a scenario: one price list per architecture, each optional (missing
/// keys and missing lists take their documented defaults; unknown keys are errors).
///
/// ```yaml
/// architectures:
///   rram_snn: { word_line_capacitance: 150e-15 }
///   dynap: { broadcast_energy: 6.84e-9 }
///   adc_cim: { columns_per_adc: 8, input_bits: 1 }
///   loihi: { synapse_energy: 24.0e-12 }
/// ```
public struct PriceLists: Codable, Sendable, Equatable {
    /// Spike-driven RRAM crossbar (`rram_snn`).
    public var rram: RRAMCrossbarPrices
    /// DYNAP-style processor (`dynap`).
    public var dynap: DynapPrices
    /// ADC-based compute-in-memory (`adc_cim`).
    public var adcCIM: ADCCIMPrices
    /// Loihi-style digital cores (`loihi`).
    public var loihi: LoihiPrices

    public init(rram: RRAMCrossbarPrices = .default, dynap: DynapPrices = .default, adcCIM: ADCCIMPrices = .default,
                loihi: LoihiPrices = .default) {
        self.rram = rram; self.dynap = dynap; self.adcCIM = adcCIM
        self.loihi = loihi
    }

    /// Every list at its defaults.
    public static let `default` = PriceLists()

    enum CodingKeys: String, CodingKey, CaseIterable {
        case rram = "rram_snn"
        case dynap
        case adcCIM = "adc_cim"
        case loihi
    }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        rram = try c.decode(.rram, default: .default)
        dynap = try c.decode(.dynap, default: .default)
        adcCIM = try c.decode(.adcCIM, default: .default)
        loihi = try c.decode(.loihi, default: .default)
    }

    /// The cost models, in report order (RRAM-SNN, DYNAP, ADC-CIM, Loihi), with the device's read pulse.
    public func models(read: ReadConditions) -> [any CostModel] {
        [RRAMCrossbarCost(prices: rram, read: read), DynapCost(prices: dynap), ADCCIMCost(prices: adcCIM, read: read),
         LoihiCost(prices: loihi)]
    }
}
