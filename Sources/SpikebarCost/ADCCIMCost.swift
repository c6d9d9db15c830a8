import SpikebarCore
import SpikebarActivity

/// What one ADC conversion digitises.
public enum ADCConversionUnit: String, Codable, Sendable, CaseIterable {
    /// Every used column separately (the differential pair subtracted digitally).
    case column
    /// One conversion per differential pair: the pair's two column currents are subtracted in the analog
    /// domain first (seed 001 §V-A: "2 bit-lines per activation").
    case pair
}

/// When a time-stepped run reads its output.
public enum ADCReadOut: String, Codable, Sendable, CaseIterable {
    /// At the decision time: the same early read-out the spiking chips are credited with.
    case decision
    /// After every step of the window.
    case window
}

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
    /// `pair` (default: the differential pair's currents subtracted before conversion) or `column`.
    public var conversionUnit: ADCConversionUnit
    /// True (default, ISAAC): each input bit is converted and shift-added; false: the bit-serial input
    /// accumulates on the column integrators and is converted once per VMM (seed 001 §V-A).
    public var adcPerInputBit: Bool
    /// Read pulse of this accelerator's array, one DAC cycle (s); nil = the device's `read_pulse`.
    public var readPulse: Double?
    /// Pipelined layers: within a step the layers work on consecutive steps at once, so a step costs the
    /// slowest layer, not their sum (false by default).
    public var layerPipelining: Bool
    /// Latency of the input's own path (s), added to both bases (seed 001 §V-A: 0.64 ms). Default 0.
    public var inputLatency: Double
    /// Power of one ADC while not converting (W), over the whole window. Default 0.1 µW (assumption A:
    /// hard power-gated between conversions, residual leakage ≈ 5 × 10⁻⁵ of the 2 mW an 8-bit 1.2 GS/s
    /// SAR draws converting); seed 001 §V-A prices 0.2 mW always on.
    public var adcIdlePower: Double
    /// Leakage of one digital neuron's state (W), over the window. Default 1 nW (assumption A: a
    /// 16-bit state and parameters in SRAM).
    public var neuronStaticPower: Double
    /// Bits of the activations of the single-pass ANN mode (`adc-cim-ann`). Default 8.
    public var annInputBits: Int
    /// ADC resolution of the ANN mode (bits); nil (`auto`, default) = sized to the rows summed:
    /// ⌈log₂(rows · (levels − 1) + 1)⌉ per input bit.
    public var annADCBits: Int?
    /// When the time-stepped SNN mode reads its output: at the decision (default, as the spiking chips
    /// are credited) or after every step of the window (`window`, as seed 001 Table IV's 1,000 VMMs).
    public var readOut: ADCReadOut

    public init(
        inputBits: Int = 1, arrayRead: ADCArrayRead = .allRows, rowsPerDAC: Int = 1,
        dacEnergyPerDrive: Double = 0.41667e-12, dacArea: Double = 0.166015625e-12,
        columnsPerADC: Int = 8, adcEnergyPerConversion: Double = 1.67e-12,
        adcSampleRate: Double = 1.2e9, adcArea: Double = 1200e-12, shiftAddEnergy: Double = 0.021e-12,
        neuronUpdateEnergy: Double = 21.6e-12, neuronUpdateLatency: Double = 1e-9,
        cellArea: Double = 1.0e-12, conversionUnit: ADCConversionUnit = .pair, adcPerInputBit: Bool = true,
        readPulse: Double? = nil, layerPipelining: Bool = false, inputLatency: Double = 0,
        adcIdlePower: Double = 1e-7, neuronStaticPower: Double = 1e-9, annInputBits: Int = 8,
        annADCBits: Int? = nil, readOut: ADCReadOut = .decision
    ) {
        self.readOut = readOut
        self.conversionUnit = conversionUnit; self.adcPerInputBit = adcPerInputBit; self.readPulse = readPulse
        self.layerPipelining = layerPipelining; self.inputLatency = inputLatency; self.adcIdlePower = adcIdlePower
        self.neuronStaticPower = neuronStaticPower; self.annInputBits = annInputBits; self.annADCBits = annADCBits
        self.inputBits = inputBits; self.arrayRead = arrayRead; self.rowsPerDAC = rowsPerDAC
        self.dacEnergyPerDrive = dacEnergyPerDrive; self.dacArea = dacArea; self.columnsPerADC = columnsPerADC
        self.adcEnergyPerConversion = adcEnergyPerConversion; self.adcSampleRate = adcSampleRate
        self.adcArea = adcArea; self.shiftAddEnergy = shiftAddEnergy; self.neuronUpdateEnergy = neuronUpdateEnergy
        self.neuronUpdateLatency = neuronUpdateLatency; self.cellArea = cellArea
    }

    /// The documented defaults.
    public static let `default` = ADCCIMPrices()

    /// The list without the overhead terms (idle ADCs, neuron-state leakage), `architectures.overheads: false`.
    public var withoutOverheads: ADCCIMPrices {
        var p = self
        p.adcIdlePower = 0; p.neuronStaticPower = 0
        return p
    }

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
        case conversionUnit = "conversion_unit"
        case adcPerInputBit = "adc_per_input_bit"
        case readPulse = "read_pulse"
        case layerPipelining = "layer_pipelining"
        case inputLatency = "input_latency"
        case adcIdlePower = "adc_idle_power"
        case neuronStaticPower = "neuron_static_power"
        case annInputBits = "ann_input_bits"
        case annADCBits = "ann_adc_bits"
        case readOut = "read_out"
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
        conversionUnit = try c.choice(.conversionUnit, default: d.conversionUnit)
        adcPerInputBit = try c.decode(.adcPerInputBit, default: d.adcPerInputBit)
        if c.contains(.readPulse) {
            readPulse = try c.positive(.readPulse, default: 1, unit: "s")
        } else {
            readPulse = nil
        }
        layerPipelining = try c.decode(.layerPipelining, default: d.layerPipelining)
        inputLatency = try c.nonNegative(.inputLatency, default: d.inputLatency, unit: "s")
        adcIdlePower = try c.nonNegative(.adcIdlePower, default: d.adcIdlePower, unit: "W")
        neuronStaticPower = try c.nonNegative(.neuronStaticPower, default: d.neuronStaticPower, unit: "W")
        annInputBits = try c.decode(.annInputBits, default: d.annInputBits, in: 1...16)
        readOut = try c.choice(.readOut, default: d.readOut)
        if !c.contains(.annADCBits) {
            annADCBits = nil
        } else if let bits = try? c.decode(Int.self, forKey: .annADCBits) {
            annADCBits = try c.decode(.annADCBits, default: bits, in: 1...16)
        } else {
            let raw = try c.decode(String.self, forKey: .annADCBits)
            guard raw == "auto" else { throw c.invalid(.annADCBits, "expected a bit count 1 … 16 or 'auto', got '\(raw)'") }
            annADCBits = nil
        }
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
        public static let adcIdle = "idle ADCs"
        public static let neuronStatic = "neuron state leakage"
        public static let inputLatency = "input latency"
        public static let inputArrival = "waiting for input (steps to decision)"
    }

    /// The price list (from the scenario).
    public var prices: ADCCIMPrices
    /// Read pulse of the device (scenario `device` section).
    public var read: ReadConditions
    /// An assumed array operating point priced instead of the all-rows/active-rows reads (nil: the reads).
    public var assumedArray: AssumedArrayPower?
    /// Report identifier.
    public var architecture: String { "adc-cim" }

    public init(prices: ADCCIMPrices = .default, read: ReadConditions) {
        self.prices = prices; self.read = read
    }

    /// DACs of a tile (one per `rowsPerDAC` physical rows).
    func dacs(_ tile: TileActivity) -> Int { Swift.max(1, ceilDiv(tile.rows, prices.rowsPerDAC)) }
    /// ADCs of a tile (one per `columnsPerADC` physical columns).
    func adcs(_ tile: TileActivity) -> Int { Swift.max(1, ceilDiv(tile.cols, prices.columnsPerADC)) }
    /// Values a tile converts per VMM bit: its used columns, or its differential pairs.
    func convertedValues(_ tile: TileActivity) -> Int {
        prices.conversionUnit == .pair ? ceilDiv(tile.usedCols, 2) : tile.usedCols
    }
    /// The array's read pulse: the price list's own, else the device's.
    var readPulse: Seconds { prices.readPulse ?? read.readPulse }

    /// One VMM of every layer with `bits`-bit inputs: the critical path through the layers (s), the
    /// serialised DAC groups and ADC rounds on it, with the tiles of a layer in parallel (slowest tile)
    /// and the layers in sequence — or, pipelined, the slowest layer.
    func vmmPath(_ a: Activity, bits: Double) -> (dac: Double, adc: Double, groups: Double, rounds: Double, update: Double) {
        let p = prices
        let conversionsPerVMM = p.adcPerInputBit ? bits : 1
        var path = (dac: 0.0, adc: 0.0, groups: 0.0, rounds: 0.0, update: 0.0)
        for l in 1..<Swift.max(1, a.layers.count) {
            var worst = (dac: 0.0, adc: 0.0, groups: 0, rounds: 0)
            for tile in a.tiles where tile.layer == l {
                let groups = ceilDiv(tile.usedRows, dacs(tile))
                let rounds = ceilDiv(convertedValues(tile), adcs(tile))
                let dac = bits * Double(groups) * readPulse
                let adc = conversionsPerVMM * Double(rounds) / p.adcSampleRate
                if dac + adc > worst.dac + worst.adc { worst = (dac, adc, groups, rounds) }
            }
            if p.layerPipelining {
                if worst.dac + worst.adc + p.neuronUpdateLatency > path.dac + path.adc + path.update {
                    path = (
                        worst.dac, worst.adc, Double(worst.groups) * bits, Double(worst.rounds) * conversionsPerVMM,
                        p.neuronUpdateLatency
                    )
                }
            } else {
                path.dac += worst.dac; path.adc += worst.adc; path.update += p.neuronUpdateLatency
                path.groups += Double(worst.groups) * bits; path.rounds += Double(worst.rounds) * conversionsPerVMM
            }
        }
        return path
    }

    /// Steps the time-stepped run needs before its output is read: up to the decision time (the same
    /// early read-out the spiking chips are credited with), or every step when there is none.
    func stepsToDecision(_ a: Activity) -> Int {
        guard a.steps > 0 else { return 0 }
        guard prices.readOut == .decision, let t = a.decisionTime, a.dt > 0 else { return a.steps }
        return Swift.min(Swift.max(1, a.steps), Swift.max(1, Int((t / a.dt).rounded(.up))))
    }

    /// Static energy over the window: idle ADCs and digital neuron state (kind `.static`).
    func staticEnergy(_ a: Activity) -> [CostComponent] {
        let p = prices, d = ADCCIMPrices.default
        let adcCount = Double(a.tiles.reduce(0) { $0 + adcs($1) })
        let neurons = Double(a.neuronCount)
        return [
            CostComponent(
                name: Component.adcIdle, value: p.adcIdlePower * adcCount * a.window, count: adcCount,
                kind: .static, confidence: .of(p.adcIdlePower, default: d.adcIdlePower, .assumption)),
            CostComponent(
                name: Component.neuronStatic, value: p.neuronStaticPower * neurons * a.window, count: neurons,
                kind: .static, confidence: .of(p.neuronStaticPower, default: d.neuronStaticPower, .assumption)),
        ]
    }

    /// Area of the arrays, ADCs and DACs.
    func area(_ a: Activity) -> [CostComponent] {
        let p = prices, d = ADCCIMPrices.default
        let cellCount = Double(a.tiles.reduce(0) { $0 + $1.rows * $1.cols })
        let adcCount = Double(a.tiles.reduce(0) { $0 + adcs($1) })
        let dacCount = Double(a.tiles.reduce(0) { $0 + dacs($1) })
        return [
            CostComponent(
                name: Component.cells, value: cellCount * p.cellArea, count: cellCount,
                confidence: .of(p.cellArea, default: d.cellArea, .assumption)),
            CostComponent(
                name: Component.adcs, value: adcCount * p.adcArea, count: adcCount,
                confidence: .of(p.adcArea, default: d.adcArea, .high)),
            CostComponent(
                name: Component.dacs, value: dacCount * p.dacArea, count: dacCount,
                confidence: .of(p.dacArea, default: d.dacArea, .high)),
        ]
    }

    public func price(_ a: Activity) -> CostEstimate {
        let p = prices, d = ADCCIMPrices.default
        let v = read.readVoltage, t = readPulse
        let steps = Double(a.steps), bits = Double(p.inputBits)
        let conversionsPerVMM = p.adcPerInputBit ? bits : 1
        let usedRows = Double(a.tiles.reduce(0) { $0 + $1.usedRows })
        let values = Double(a.tiles.reduce(0) { $0 + convertedValues($1) })
        let neurons = Double(a.neuronCount)

        let drives: Double
        var arrayEnergy: Double
        switch p.arrayRead {
        case .allRows:
            drives = usedRows * steps * bits
            arrayEnergy = v * v * t * a.tiles.reduce(0.0) { $0 + $1.conductanceTotal } * (steps * bits)
        case .activeRows:
            drives = Double(a.totalRowReads) * bits
            arrayEnergy = v * v * t * a.tiles.reduce(0.0) { $0 + $1.conductanceRead } * bits
        }
        if let assumed = assumedArray {
            arrayEnergy = assumed.power(cells: Double(a.tiles.reduce(0) { $0 + $1.rows * $1.cols })) * a.window
        }
        let conversions = values * steps * conversionsPerVMM
        let updates = neurons * steps
        let energy: [CostComponent] =
            [
                CostComponent(
                    name: Component.dac, value: drives * p.dacEnergyPerDrive, count: drives,
                    confidence: .of(p.dacEnergyPerDrive, default: d.dacEnergyPerDrive, .high)),
                CostComponent(
                    name: Component.array, value: arrayEnergy, count: drives,
                    confidence: assumedArray == nil ? .physics : .scenario),
                CostComponent(
                    name: Component.adc, value: conversions * p.adcEnergyPerConversion, count: conversions,
                    confidence: .of(p.adcEnergyPerConversion, default: d.adcEnergyPerConversion, .high)),
                CostComponent(
                    name: Component.shiftAdd, value: conversions * p.shiftAddEnergy, count: conversions,
                    confidence: .of(p.shiftAddEnergy, default: d.shiftAddEnergy, .high)),
                CostComponent(
                    name: Component.neuronUpdate, value: updates * p.neuronUpdateEnergy, count: updates,
                    confidence: .of(p.neuronUpdateEnergy, default: d.neuronUpdateEnergy, .medium)),
            ] + staticEnergy(a)

        // One step's critical path c; n steps up to the decision. Streaming: step k's input is complete at
        // (k + 1)·dt, so the last of n steps finishes at dt + c + (n − 1)·max(dt, c). Compute: n · c.
        let path = vmmPath(a, bits: bits)
        let c = path.dac + path.adc + path.update
        let n = Double(stepsToDecision(a))
        let steps1 = n > 0 ? 1.0 : 0.0  // no step, nothing to wait for or compute
        let wait = n > 0 ? a.dt + (n - 1) * Swift.max(a.dt, c) : 0
        let inputLatency = CostComponent(
            name: Component.inputLatency, value: p.inputLatency, count: 1,
            confidence: .of(p.inputLatency, default: d.inputLatency, .assumption))
        let computeLatency: [CostComponent] = [
            inputLatency,
            CostComponent(name: Component.dacSerialization, value: n * path.dac, count: n * path.groups),
            CostComponent(name: Component.adcSerialization, value: n * path.adc, count: n * path.rounds),
            CostComponent(name: Component.neuronUpdateLatency, value: n * path.update, count: n),
        ]
        let latency: [CostComponent] = [
            inputLatency,
            CostComponent(name: Component.inputArrival, value: wait, count: n, confidence: .physics),
            CostComponent(name: Component.dacSerialization, value: steps1 * path.dac, count: steps1 * path.groups),
            CostComponent(name: Component.adcSerialization, value: steps1 * path.adc, count: steps1 * path.rounds),
            CostComponent(name: Component.neuronUpdateLatency, value: steps1 * path.update, count: steps1),
        ]

        var notes = [
            "Time-stepped SNN mode: \(a.steps) steps × \(p.inputBits) input bit(s); every step reads \(p.arrayRead == .allRows ? "all used rows" : "the active rows") and converts every used \(p.conversionUnit == .pair ? "differential pair" : "column")\(p.adcPerInputBit ? " per input bit" : " once per VMM"), even with no input spike. The single-pass ANN mode (adc-cim-ann) is how such an accelerator would run the task.",
            "ADC/DAC/shift-add defaults are 32 nm (ISAAC via Accelergy) while the array and the spiking baseline are 130 nm: scale them (e.g. NeuroSim 130 nm 8-bit SAR ≈ 1.21 pJ) for a same-node comparison.",
            p.readOut == .decision
                ? "Output read after \(Int(n)) of \(a.steps) steps (the decision time, as credited to the spiking chips); streaming latency waits for each step's input, compute latency has the input buffered."
                : "Output read after all \(a.steps) steps of the window (read_out: window); streaming latency waits for each step's input, compute latency has the input buffered.",
            "Idle ADCs \(fmt(p.adcIdlePower, "W")) each and neuron-state leakage \(fmt(p.neuronStaticPower, "W")) each over the window\(p.adcIdlePower == d.adcIdlePower && p.neuronStaticPower == d.neuronStaticPower ? " (assumptions A)" : " (set in the scenario)").",
            "Not priced: buffers, eDRAM, interconnect, output registers; shift-add and neuron logic area.",
        ]
        if let assumed = assumedArray { notes.insert(assumed.note, at: 0) }
        if steps * c > a.window, a.window > 0 {
            notes.append("Slower than real time: \(fmt(steps * c, "s")) of compute for a \(fmt(a.window, "s")) window.")
        }
        return CostEstimate(
            architecture: architecture, energy: energy, latency: latency, area: area(a), notes: notes,
            computeLatency: computeLatency,
            latencyBasisNote:
                "Time-stepped: streaming waits for each step's input (k·dt) before computing it; compute has the whole input buffered and runs the steps back to back.",
            window: a.window)
    }
}

extension ADCCIMCost: NodeAnnotatedCostModel {
    /// ADC, DAC and shift-and-add at ISAAC's 32 nm (0.9 V nominal, Accelergy's tables), the digital neuron
    /// update at Loihi's 14 nm: their energies, serialization latencies and areas. An ADC does not follow the
    /// logic fit exactly (a SAR ADC is part comparator, part logic): confidence M at best. Not scaled: the
    /// array read (physics), idle ADC and state leakage (static), the cells, the input's arrival.
    public var sourceNodes: [String: SourceNode] {
        let n32 = SourceNode(.hp32, 0.9), n14 = SourceNode(.hp14, 0.8)
        return [
            Component.dac: n32, Component.adc: n32, Component.shiftAdd: n32, Component.dacSerialization: n32,
            Component.adcSerialization: n32, Component.adcs: n32, Component.dacs: n32,
            Component.neuronUpdate: n14, Component.neuronUpdateLatency: n14,
        ]
    }
}
