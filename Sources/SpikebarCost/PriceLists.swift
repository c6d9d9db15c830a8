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
    /// ADC-based compute-in-memory (`adc_cim`), priced in its time-stepped SNN mode and its single-pass
    /// ANN mode.
    public var adcCIM: ADCCIMPrices
    /// Loihi-style digital cores (`loihi`).
    public var loihi: LoihiPrices
    /// Whether idle, bias, leakage and supply/driver energies are priced (`overheads`, default true): the
    /// same switch for every architecture, so a comparison never prices them on one side only.
    public var overheads: Bool
    /// An assumed array operating point priced instead of the simulated reads on the crossbar
    /// architectures (`assumed_array_power`, for reproducing an analytic comparison such as seed 001
    /// Table IV); nil (default) = the simulated reads.
    public var assumedArrayPower: AssumedArrayPower?
    /// Price every architecture's CMOS logic at one node and supply (`same_node: {node: HP45, vdd: 1.0}`,
    /// `NodeEqualisation`); nil (default) = each at the node its prices were sourced at.
    public var sameNode: NodeEqualisation?

    public init(
        rram: RRAMCrossbarPrices = .default, dynap: DynapPrices = .default, adcCIM: ADCCIMPrices = .default,
        overheads: Bool = true, assumedArrayPower: AssumedArrayPower? = nil, loihi: LoihiPrices = .default
    ) {
        self.rram = rram; self.dynap = dynap; self.adcCIM = adcCIM; self.overheads = overheads
        self.assumedArrayPower = assumedArrayPower
        self.loihi = loihi
    }

    /// Every list at its defaults.
    public static let `default` = PriceLists()

    enum CodingKeys: String, CodingKey, CaseIterable {
        case rram = "rram_snn"
        case dynap
        case adcCIM = "adc_cim"
        case overheads
        case assumedArrayPower = "assumed_array_power"
        case loihi
        case sameNode = "same_node"
    }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        rram = try c.decode(.rram, default: .default)
        dynap = try c.decode(.dynap, default: .default)
        adcCIM = try c.decode(.adcCIM, default: .default)
        overheads = try c.decode(.overheads, default: true)
        assumedArrayPower = try c.decodeIfPresent(AssumedArrayPower.self, forKey: .assumedArrayPower)
        loihi = try c.decode(.loihi, default: .default)
        sameNode = try c.decodeIfPresent(NodeEqualisation.self, forKey: .sameNode)
    }

    /// The cost models in report order (RRAM-SNN, DYNAP, ADC-CIM in its SNN mode, ADC-CIM in its ANN
    /// mode, Loihi), with the device's read pulse and cell levels; without the overhead terms when `overheads`
    /// is false. The first model is the reference of every ratio.
    public func models(read: ReadConditions, cellLevels: Int = 8) -> [any CostModel] {
        let rram = overheads ? self.rram : self.rram.withoutOverheads
        let dynap = overheads ? self.dynap : self.dynap.withoutOverheads
        let adc = overheads ? self.adcCIM : self.adcCIM.withoutOverheads
        var crossbar = RRAMCrossbarCost(prices: rram, read: read)
        crossbar.assumedArray = assumedArrayPower
        var stepped = ADCCIMCost(prices: adc, read: read)
        stepped.assumedArray = assumedArrayPower
        let loihi = overheads ? self.loihi : self.loihi.withoutOverheads
        let models: [any NodeAnnotatedCostModel] = [
            crossbar, DynapCost(prices: dynap), stepped,
            ADCCIMANNCost(prices: adc, read: read, cellLevels: cellLevels), LoihiCost(prices: loihi),
        ]
        guard let sameNode else { return models }
        return models.map { NodeEqualisedCostModel(base: $0, target: sameNode) }
    }
}
