import SpikebarCore
import SpikebarActivity

/// Which rows an ADC-based CIM step drives.
public enum ADCArrayRead: String, Codable, Sendable, CaseIterable {
    /// Every used row is driven every step and input bit (conservative, the default).
    case allRows = "all_rows"
    /// Only rows whose input is 1 draw current and need a DAC drive: the spiking run's row reads.
    case activeRows = "active_rows"
}

/// Price list of an ADC-based compute-in-memory accelerator (ISAAC / NeuroSim style) run time-stepped
/// on the same network, window and step count as the spiking run.
///
/// Defaults: ISAAC (Shafiee et al., ISCA 2016, doi:10.1109/ISCA.2016.12) components as tabulated in
/// Accelergy's `hwcomponents-library` (`isaac.py`): 8-bit SAR ADC after Kull et al. ISSCC 2013,
/// 1-bit DAC, 16-bit shift-and-add, all 32 nm; column sharing from DNN+NeuroSim; digital LIF update from
/// Loihi (SANA-FE `loihi.yaml`). Docs/cost-models.md gives each value's confidence.
public struct ADCCIMPrices: Codable, Sendable, Equatable {
    /// Bits per input value, streamed bit-serially (1 = spikes). Default 1.
    public var inputBits: Int
    /// `all_rows` (default) or `active_rows`.
    public var arrayRead: ADCArrayRead
    /// Rows sharing one DAC/driver: rows are driven in ⌈usedRows / DACs⌉ sequential groups, the column
    /// integrators accumulating across groups. Default 1 (one driver per row, as ISAAC).
    public var rowsPerDAC: Int
    /// Energy of one 1-bit DAC row drive (J). Default 0.41667 pJ (ISAAC via Accelergy).
    public var dacEnergyPerDrive: Double
    /// Area of one 1-bit DAC (m²). Default 0.166 µm² (ISAAC via Accelergy: 170 µm² / 1024).
    public var dacArea: Double
    /// Columns sharing one ADC (column mux). Default 8 (DNN+NeuroSim `Param.cpp`).
    public var columnsPerADC: Int
    /// Energy of one ADC conversion (J). Default 1.67 pJ (8-bit, 1.2 GS/s, 32 nm; ISAAC/Kull via Accelergy).
    public var adcEnergyPerConversion: Double
    /// ADC conversion rate (conversions/s). Default 1.2 GS/s.
    public var adcSampleRate: Double
    /// Area of one ADC (m²). Default 1200 µm².
    public var adcArea: Double
    /// Digital shift-and-add per conversion (J). Default 0.021 pJ (ISAAC 16-bit S+A via Accelergy).
    public var shiftAddEnergy: Double
    /// Digital LIF update, per neuron per step (J). Default 21.6 pJ (Loihi neuron update, SANA-FE).
    public var neuronUpdateEnergy: Double
    /// Latency of one layer's neuron update per step (s). Default 1 ns (one 1 GHz cycle, assumption).
    public var neuronUpdateLatency: Double
    /// Area of one 1T1R cell (m²). Default 1 µm², the RRAM-SNN default (same array on both).
    public var cellArea: Double

    public init(inputBits: Int = 1, arrayRead: ADCArrayRead = .allRows, rowsPerDAC: Int = 1,
                dacEnergyPerDrive: Double = 0.41667e-12, dacArea: Double = 0.166015625e-12,
                columnsPerADC: Int = 8, adcEnergyPerConversion: Double = 1.67e-12,
                adcSampleRate: Double = 1.2e9, adcArea: Double = 1200e-12, shiftAddEnergy: Double = 0.021e-12,
                neuronUpdateEnergy: Double = 21.6e-12, neuronUpdateLatency: Double = 1e-9,
                cellArea: Double = 1.0e-12) {
        self.inputBits = inputBits; self.arrayRead = arrayRead; self.rowsPerDAC = rowsPerDAC
        self.dacEnergyPerDrive = dacEnergyPerDrive; self.dacArea = dacArea; self.columnsPerADC = columnsPerADC
        self.adcEnergyPerConversion = adcEnergyPerConversion; self.adcSampleRate = adcSampleRate
        self.adcArea = adcArea; self.shiftAddEnergy = shiftAddEnergy; self.neuronUpdateEnergy = neuronUpdateEnergy
        self.neuronUpdateLatency = neuronUpdateLatency; self.cellArea = cellArea
    }

    /// The documented defaults.
    public static let `default` = ADCCIMPrices()

    enum CodingKeys: String, CodingKey, CaseIterable {
        case inputBits = "input_bits"
        case arrayRead = "array_read"
        case rowsPerDAC = "rows_per_dac"
        case dacEnergyPerDrive = "dac_energy_per_drive"
        case dacArea = "dac_area"
        case columnsPerADC = "columns_per_adc"
        case adcEnergyPerConversion = "adc_energy_per_conversion"
        case adcSampleRate = "adc_sample_rate"
        case adcArea = "adc_area"
        case shiftAddEnergy = "shift_add_energy"
        case neuronUpdateEnergy = "neuron_update_energy"
        case neuronUpdateLatency = "neuron_update_latency"
        case cellArea = "cell_area"
    }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = Self.default
        inputBits = try c.decode(.inputBits, default: d.inputBits, in: 1...32)
        if let raw = try c.decodeIfPresent(String.self, forKey: .arrayRead) {
            guard let mode = ADCArrayRead(rawValue: raw) else {
                let options = ADCArrayRead.allCases.map(\.rawValue).joined(separator: ", ")
                throw c.invalid(.arrayRead, "unknown value '\(raw)' (expected one of: \(options))")
            }
            arrayRead = mode
        } else {
            arrayRead = d.arrayRead
        }
        rowsPerDAC = try c.decode(.rowsPerDAC, default: d.rowsPerDAC, in: 1...1_000_000)
        dacEnergyPerDrive = try c.nonNegative(.dacEnergyPerDrive, default: d.dacEnergyPerDrive, unit: "J")
        dacArea = try c.nonNegative(.dacArea, default: d.dacArea, unit: "m²")
        columnsPerADC = try c.decode(.columnsPerADC, default: d.columnsPerADC, in: 1...1_000_000)
        adcEnergyPerConversion = try c.nonNegative(.adcEnergyPerConversion, default: d.adcEnergyPerConversion, unit: "J")
        adcSampleRate = try c.positive(.adcSampleRate, default: d.adcSampleRate, unit: "Hz")
        adcArea = try c.nonNegative(.adcArea, default: d.adcArea, unit: "m²")
        shiftAddEnergy = try c.nonNegative(.shiftAddEnergy, default: d.shiftAddEnergy, unit: "J")
        neuronUpdateEnergy = try c.nonNegative(.neuronUpdateEnergy, default: d.neuronUpdateEnergy, unit: "J")
        neuronUpdateLatency = try c.nonNegative(.neuronUpdateLatency, default: d.neuronUpdateLatency, unit: "s")
        cellArea = try c.nonNegative(.cellArea, default: d.cellArea, unit: "m²")
    }
}

/// ADC-based compute-in-memory baseline (DESIGN §4): time-stepped, every step every tile reads all its
/// used rows through DACs and converts every used column with shared ADCs, whatever the input.
///
/// Per inference, with `S` steps and `B` input bits (all_rows):
/// ```
/// E_dac    = Σ_tiles usedRows · S · B · E_dac
/// E_array  = (V_read · V_read) · t_read · ΣG_total · (S · B)    ΣG_total = Σ_tiles conductanceTotal
/// E_adc    = Σ_tiles usedCols · S · B · E_adc
/// E_sa     = Σ_tiles usedCols · S · B · E_sa
/// E_neuron = neurons · S · E_update
/// latency  = S · Σ_layers [ B · ⌈usedRows / DACs⌉ · t_read  +  B · ⌈usedCols / ADCs⌉ / f_ADC  +  t_update ]
/// ```
/// (`active_rows`: DAC drives = row reads · B and ΣG_total · S → ΣG_read.) Layers are evaluated one
/// after the other within a step (layer l needs layer l−1's spikes of the same step); tiles of a layer in
/// parallel. The energy is paid even with zero input spikes.
///
/// ```swift
/// let model = ADCCIMCost(prices: .default, read: ReadConditions(readVoltage: 0.1, readPulse: 100e-9))
/// let estimate = model.price(activity)   // estimate.totalLatency grows linearly with activity.steps
/// ```
public struct ADCCIMCost: CostModel {
    /// Component names of the breakdowns.
    public enum Component {
        public static let dac = "DAC row drives"
        public static let array = "array read"
        public static let adc = "ADC conversions"
        public static let shiftAdd = "shift-and-add"
        public static let neuronUpdate = "neuron updates"
        public static let dacSerialization = "DAC serialization"
        public static let adcSerialization = "ADC serialization"
        public static let neuronUpdateLatency = "neuron update"
        public static let cells = "1T1R cells"
        public static let adcs = "ADCs"
        public static let dacs = "DACs"
    }

    /// The price list (from the scenario).
    public var prices: ADCCIMPrices
    /// Read pulse of the device (scenario `device` section).
    public var read: ReadConditions
    /// Report identifier.
    public var architecture: String { "adc-cim" }

    public init(prices: ADCCIMPrices = .default, read: ReadConditions) {
        self.prices = prices; self.read = read
    }

    /// DACs of a tile (one per `rowsPerDAC` physical rows).
    func dacs(_ tile: TileActivity) -> Int { Swift.max(1, ceilDiv(tile.rows, prices.rowsPerDAC)) }
    /// ADCs of a tile (one per `columnsPerADC` physical columns).
    func adcs(_ tile: TileActivity) -> Int { Swift.max(1, ceilDiv(tile.cols, prices.columnsPerADC)) }

    public func price(_ a: Activity) -> CostEstimate {
        let p = prices
        let v = read.readVoltage, t = read.readPulse
        let steps = Double(a.steps), bits = Double(p.inputBits)
        let usedRows = Double(a.tiles.reduce(0) { $0 + $1.usedRows })
        let usedCols = Double(a.tiles.reduce(0) { $0 + $1.usedCols })
        let neurons = Double(a.neuronCount)

        let drives: Double, arrayEnergy: Double
        switch p.arrayRead {
        case .allRows:
            drives = usedRows * steps * bits
            arrayEnergy = v * v * t * a.tiles.reduce(0.0) { $0 + $1.conductanceTotal } * (steps * bits)
        case .activeRows:
            drives = Double(a.totalRowReads) * bits
            arrayEnergy = v * v * t * a.tiles.reduce(0.0) { $0 + $1.conductanceRead } * bits
        }
        let conversions = usedCols * steps * bits
        let updates = neurons * steps
        let energy = [
            CostComponent(name: Component.dac, value: drives * p.dacEnergyPerDrive, count: drives),
            CostComponent(name: Component.array, value: arrayEnergy, count: drives),
            CostComponent(name: Component.adc, value: conversions * p.adcEnergyPerConversion, count: conversions),
            CostComponent(name: Component.shiftAdd, value: conversions * p.shiftAddEnergy, count: conversions),
            CostComponent(name: Component.neuronUpdate, value: updates * p.neuronUpdateEnergy, count: updates),
        ]

        // Per step: layers in sequence, the tiles of a layer in parallel (slowest tile).
        var dacSerial = 0.0, adcSerial = 0.0
        var dacGroups = 0.0, adcRounds = 0.0
        for l in 1..<Swift.max(1, a.layers.count) {
            var worst = (dac: 0.0, adc: 0.0, groups: 0, rounds: 0)
            for tile in a.tiles where tile.layer == l {
                let groups = ceilDiv(tile.usedRows, dacs(tile))
                let rounds = ceilDiv(tile.usedCols, adcs(tile))
                let dac = bits * Double(groups) * t
                let adc = bits * Double(rounds) / p.adcSampleRate
                if dac + adc > worst.dac + worst.adc { worst = (dac, adc, groups, rounds) }
            }
            dacSerial += worst.dac; adcSerial += worst.adc
            dacGroups += Double(worst.groups) * bits; adcRounds += Double(worst.rounds) * bits
        }
        let layers = Double(a.neuronLayerCount)
        let latency = [
            CostComponent(name: Component.dacSerialization, value: steps * dacSerial, count: steps * dacGroups),
            CostComponent(name: Component.adcSerialization, value: steps * adcSerial, count: steps * adcRounds),
            CostComponent(name: Component.neuronUpdateLatency, value: steps * layers * p.neuronUpdateLatency,
                          count: steps * layers),
        ]

        let cellCount = Double(a.tiles.reduce(0) { $0 + $1.rows * $1.cols })
        let adcCount = Double(a.tiles.reduce(0) { $0 + adcs($1) })
        let dacCount = Double(a.tiles.reduce(0) { $0 + dacs($1) })
        let area = [
            CostComponent(name: Component.cells, value: cellCount * p.cellArea, count: cellCount),
            CostComponent(name: Component.adcs, value: adcCount * p.adcArea, count: adcCount),
            CostComponent(name: Component.dacs, value: dacCount * p.dacArea, count: dacCount),
        ]

        var notes = [
            "Time-stepped: \(a.steps) steps × \(p.inputBits) input bit(s); every step reads \(p.arrayRead == .allRows ? "all used rows" : "the active rows") and converts every used column, even with no input spike.",
            "ADC/DAC/shift-add defaults are 32 nm (ISAAC via Accelergy) while the array and the spiking baseline are 130 nm: scale them (e.g. NeuroSim 130 nm 8-bit SAR ≈ 1.21 pJ) for a same-node comparison.",
            "Not priced: buffers, eDRAM, interconnect, leakage, output registers; shift-add and neuron logic area.",
        ]
        let total = latency.reduce(0.0) { $0 + $1.value }
        if total > a.window, a.window > 0 {
            notes.append("Slower than real time: \(fmt(total, "s")) of compute for a \(fmt(a.window, "s")) window.")
        }
        return CostEstimate(architecture: architecture, energy: energy, latency: latency, area: area, notes: notes)
    }
}
