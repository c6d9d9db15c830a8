import SpikebarCore
import SpikebarActivity

/// Price list of the spike-driven RRAM crossbar (Leti-style 1T1R HfO₂ tiles, analog neurons, no ADC/DAC).
///
/// Every field has a default, a unit and a source (Docs/cost-models.md, "RRAM-SNN"); a scenario's
/// `architectures.rram_snn` block may give any subset of the keys. Unknown keys are errors.
///
/// ```yaml
/// architectures:
///   rram_snn: { word_line_capacitance: 150e-15, static_power_per_neuron: 1e-9 }
/// ```
public struct RRAMCrossbarPrices: Codable, Sendable, Equatable {
    /// Word-line capacitance charged per row read (F). Default 100 fF: 128 access-transistor gates
    /// (≈ 0.5 fF each at 130 nm) plus wire — an assumption to replace with extracted values.
    public var wordLineCapacitance: Double
    /// Word-line (access-gate) swing (V). Default 1.2 V, the 130 nm core supply (assumption).
    public var wordLineVoltage: Double
    /// Bit-line (column) capacitance swung by `V_read` per cell read (F). Default 30 fF (assumption).
    public var bitLineCapacitance: Double
    /// Energy per spike emitted by a neuron of a layer (J). Default 3.6 pJ: Valentian et al., IEDM 2019
    /// (synapse + neuron per spike, 130 nm), used whole as the neuron figure.
    public var neuronEnergyPerSpike: Double
    /// Energy to inject one input spike: AER receiver handshake, row-address decoding and word-line
    /// select (J). Default 1 pJ (assumption: a 7-bit decoder and handshake at 130 nm, ≈ 1 pF·1 V²).
    public var inputSpikeEnergy: Double
    /// Static bias power per analog neuron (DPI synapse + LIF soma biases) (W), × window, reported as
    /// `.static`. Default 5 nW (assumption: ≈ 4 subthreshold bias branches of ≈ 1 nA from 1.2 V);
    /// the same figure is the DYNAP default (same circuits, seed 000 §VII).
    public var staticPowerPerNeuron: Double
    /// Supply the read current is drawn from (V): a read draws `V_dd · V_read · G · t` from it, of which
    /// `V_read² · G · t` heats the cells and the rest drops across drivers, column clamp and the DPI input
    /// mirror. Default 1.2 V, the 130 nm core supply (assumption). Set it to `read_voltage` (or 0) to
    /// price the cells' heat only.
    public var readSupplyVoltage: Double
    /// Bias power of one column's clamp (virtual-ground regulator) while a row of its tile is read (W),
    /// charged per cell read for `t_read`. Default 1.2 µW (assumption: 1 µA bias from 1.2 V).
    public var columnClampPower: Double
    /// Latency of the input's own path to the array (s), added to both latency bases (e.g. an alpha-current
    /// input's rise time, seed 001 §V-A: 0.64 ms). Default 0.
    public var inputLatency: Double
    /// Latency added to each row read on the critical path, on top of `t_read` (s). Default 0.
    public var readLatencyOverhead: Double
    /// Area of one 1T1R cell (m²). Default 1 µm² ≈ 60 F² at 130 nm (assumption: wide access transistor
    /// for the forming current).
    public var cellArea: Double
    /// Area of one analog neuron (DPI synapse + LIF) (m²). Default 250 µm² (assumption, 130 nm).
    public var neuronArea: Double
    /// Periphery per tile: word-line drivers, decoders, column routing (m²). Default 0.01 mm² (assumption).
    public var tilePeripheryArea: Double

    public init(
        wordLineCapacitance: Double = 100e-15, wordLineVoltage: Double = 1.2,
        bitLineCapacitance: Double = 30e-15, neuronEnergyPerSpike: Double = 3.6e-12,
        inputSpikeEnergy: Double = 1e-12, staticPowerPerNeuron: Double = 5e-9,
        readSupplyVoltage: Double = 1.2, columnClampPower: Double = 1.2e-6, inputLatency: Double = 0,
        readLatencyOverhead: Double = 0, cellArea: Double = 1.0e-12,
        neuronArea: Double = 250e-12, tilePeripheryArea: Double = 1e-8
    ) {
        self.readSupplyVoltage = readSupplyVoltage; self.columnClampPower = columnClampPower
        self.inputLatency = inputLatency
        self.wordLineCapacitance = wordLineCapacitance; self.wordLineVoltage = wordLineVoltage
        self.bitLineCapacitance = bitLineCapacitance; self.neuronEnergyPerSpike = neuronEnergyPerSpike
        self.inputSpikeEnergy = inputSpikeEnergy; self.staticPowerPerNeuron = staticPowerPerNeuron
        self.readLatencyOverhead = readLatencyOverhead; self.cellArea = cellArea
        self.neuronArea = neuronArea; self.tilePeripheryArea = tilePeripheryArea
    }

    /// The documented defaults.
    public static let `default` = RRAMCrossbarPrices()

    /// The list without the overhead terms (input decoding, bias power, supply/driver loss, column clamp):
    /// the cells' heat, word and bit lines and the neurons' spikes only (`architectures.overheads: false`).
    public var withoutOverheads: RRAMCrossbarPrices {
        var p = self
        p.inputSpikeEnergy = 0; p.staticPowerPerNeuron = 0; p.readSupplyVoltage = 0; p.columnClampPower = 0
        return p
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case wordLineCapacitance = "word_line_capacitance"
        case wordLineVoltage = "word_line_voltage"
        case bitLineCapacitance = "bit_line_capacitance"
        case neuronEnergyPerSpike = "neuron_energy_per_spike"
        case inputSpikeEnergy = "input_spike_energy"
        case staticPowerPerNeuron = "static_power_per_neuron"
        case readSupplyVoltage = "read_supply_voltage"
        case columnClampPower = "column_clamp_power"
        case inputLatency = "input_latency"
        case readLatencyOverhead = "read_latency_overhead"
        case cellArea = "cell_area"
        case neuronArea = "neuron_area"
        case tilePeripheryArea = "tile_periphery_area"
    }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = Self.default
        wordLineCapacitance = try c.nonNegative(.wordLineCapacitance, default: d.wordLineCapacitance, unit: "F")
        wordLineVoltage = try c.decode(.wordLineVoltage, default: d.wordLineVoltage, in: 0...100, unit: "V")
        bitLineCapacitance = try c.nonNegative(.bitLineCapacitance, default: d.bitLineCapacitance, unit: "F")
        neuronEnergyPerSpike = try c.nonNegative(.neuronEnergyPerSpike, default: d.neuronEnergyPerSpike, unit: "J")
        inputSpikeEnergy = try c.nonNegative(.inputSpikeEnergy, default: d.inputSpikeEnergy, unit: "J")
        staticPowerPerNeuron = try c.nonNegative(.staticPowerPerNeuron, default: d.staticPowerPerNeuron, unit: "W")
        readSupplyVoltage = try c.decode(.readSupplyVoltage, default: d.readSupplyVoltage, in: 0...100, unit: "V")
        columnClampPower = try c.nonNegative(.columnClampPower, default: d.columnClampPower, unit: "W")
        inputLatency = try c.nonNegative(.inputLatency, default: d.inputLatency, unit: "s")
        readLatencyOverhead = try c.nonNegative(.readLatencyOverhead, default: d.readLatencyOverhead, unit: "s")
        cellArea = try c.nonNegative(.cellArea, default: d.cellArea, unit: "m²")
        neuronArea = try c.nonNegative(.neuronArea, default: d.neuronArea, unit: "m²")
        tilePeripheryArea = try c.nonNegative(.tilePeripheryArea, default: d.tilePeripheryArea, unit: "m²")
    }
}

/// Spike-driven RRAM crossbar (DESIGN §4): only rows whose presynaptic neuron spiked are read, and the
/// column charge goes straight into analog neurons — no ADC, no DAC.
///
/// Energy per inference (Docs/cost-models.md derives each line):
/// ```
/// E_array = (V_read · V_read) · t_read · ΣG_read        ΣG_read = Σ_tiles conductanceRead
/// E_wl    = rowReads · (C_wl · V_wl · V_wl)
/// E_bl    = cellReads · (C_bl · V_read · V_read)
/// E_spk   = Σ_{neuron layers} spikes · E_spike          (Valentian et al., IEDM 2019: 3.6 pJ)
/// E_in    = input spikes · E_in
/// E_stat  = P_static · neurons · window                 (kind .static)
/// ```
/// With zero activity every dynamic term is exactly 0. Latency = decision time (or the window when
/// there is none) + layers × (t_read + overhead). Area = cells + neurons + tile periphery.
///
/// ```swift
/// let model = RRAMCrossbarCost(prices: .default, read: ReadConditions(readVoltage: 0.1, readPulse: 100e-9))
/// let estimate = model.price(activity)
/// print(estimate.totalEnergy, estimate.energy(named: RRAMCrossbarCost.Component.arrayRead)?.value ?? 0)
/// ```
public struct RRAMCrossbarCost: CostModel {
    /// Component names of the breakdowns.
    public enum Component {
        public static let arrayRead = "array read (V²·ΣG·t)"
        public static let wordLineDrivers = "word-line drivers"
        public static let bitLineCharge = "bit-line charge"
        public static let neuronSpikes = "neuron spikes"
        public static let inputSpikes = "input spike injection"
        public static let neuronStatic = "neuron static"
        public static let readSupplyLoss = "read supply loss (drivers, clamp, mirror)"
        public static let columnClamp = "column clamp bias"
        public static let inputLatency = "input latency"
        public static let assumedArray = "array (assumed operating point)"
        public static let decisionTime = "decision time"
        public static let window = "window (no decision)"
        public static let criticalPathReads = "row reads on critical path"
        public static let cells = "1T1R cells"
        public static let neurons = "neurons"
        public static let periphery = "tile periphery"
        /// What reading the array costs (seed 000 §VII's "RRAM associated energy"): the cells' heat, the
        /// rest of the read current's supply energy, the column clamps and the word and bit lines.
        public static let readEnergy = [arrayRead, readSupplyLoss, columnClamp, wordLineDrivers, bitLineCharge]
    }

    /// The price list (from the scenario).
    public var prices: RRAMCrossbarPrices
    /// Read pulse of the device (scenario `device` section).
    public var read: ReadConditions
    /// An assumed array operating point priced instead of the simulated reads (nil: the reads).
    public var assumedArray: AssumedArrayPower?
    /// Report identifier.
    public var architecture: String { "rram-snn" }

    public init(prices: RRAMCrossbarPrices = .default, read: ReadConditions) {
        self.prices = prices; self.read = read
    }

    /// Why both latency bases are equal for analog neurons integrating in real time.
    public static let realTimeLatencyNote =
        "Analog neurons integrate in real time: buffered input cannot be replayed faster, so the compute latency equals the streaming latency (start of input → decision)."

    public func price(_ a: Activity) -> CostEstimate {
        let p = prices
        let v = read.readVoltage, t = read.readPulse
        let rowReads = Double(a.totalRowReads)
        let cellReads = Double(a.totalCellReads)
        let conductanceRead = a.tiles.reduce(0.0) { $0 + $1.conductanceRead }
        let neuronSpikes = Double(a.neuronLayers.reduce(0) { $0 + $1.spikes })
        let inputSpikes = Double(a.layers.first?.spikes ?? 0)
        let neurons = Double(a.neuronCount)

        let d = RRAMCrossbarPrices.default
        // The supply delivers V_dd · I for every read current I = V_read · G: the cells keep V_read² · G · t,
        // drivers, clamp and the DPI input mirror drop the rest (nothing when V_dd ≤ V_read).
        let supplyDrop = Swift.max(0, p.readSupplyVoltage - v)
        let cells = Double(a.tiles.reduce(0) { $0 + $1.rows * $1.cols })
        // Cell heat V²·G·t and the charge drawn V·G·t (the supply delivers V_dd times the latter).
        let heat: Double, charge: Double, heatComponent: CostComponent
        if let assumed = assumedArray {
            heat = assumed.power(cells: cells) * a.window
            charge = assumed.cellVoltage > 0 ? heat / assumed.cellVoltage : 0
            heatComponent = CostComponent(name: Component.assumedArray, value: heat, count: cells, confidence: .scenario)
        } else {
            heat = v * v * t * conductanceRead
            charge = v * t * conductanceRead
            heatComponent = CostComponent(name: Component.arrayRead, value: heat, count: rowReads, confidence: .physics)
        }
        let supplyLoss = Swift.max(0, p.readSupplyVoltage * charge - heat)
        let energy: [CostComponent] = [
            heatComponent,
            CostComponent(
                name: Component.readSupplyLoss, value: supplyLoss, count: rowReads,
                confidence: .of(p.readSupplyVoltage, default: d.readSupplyVoltage, .assumption)),
            CostComponent(
                name: Component.columnClamp, value: cellReads * (p.columnClampPower * t), count: cellReads,
                confidence: .of(p.columnClampPower, default: d.columnClampPower, .assumption)),
            CostComponent(
                name: Component.wordLineDrivers,
                value: rowReads * (p.wordLineCapacitance * p.wordLineVoltage * p.wordLineVoltage),
                count: rowReads, confidence: .of(p.wordLineCapacitance, default: d.wordLineCapacitance, .assumption)),
            CostComponent(
                name: Component.bitLineCharge, value: cellReads * (p.bitLineCapacitance * v * v),
                count: cellReads, confidence: .of(p.bitLineCapacitance, default: d.bitLineCapacitance, .assumption)),
            CostComponent(
                name: Component.neuronSpikes, value: neuronSpikes * p.neuronEnergyPerSpike,
                count: neuronSpikes, confidence: .of(p.neuronEnergyPerSpike, default: d.neuronEnergyPerSpike, .medium)),
            CostComponent(
                name: Component.inputSpikes, value: inputSpikes * p.inputSpikeEnergy, count: inputSpikes,
                confidence: .of(p.inputSpikeEnergy, default: d.inputSpikeEnergy, .assumption)),
            CostComponent(
                name: Component.neuronStatic, value: p.staticPowerPerNeuron * neurons * a.window,
                count: neurons, kind: .static,
                confidence: .of(p.staticPowerPerNeuron, default: d.staticPowerPerNeuron, .assumption)),
        ]

        let layersOnPath = Double(a.neuronLayerCount)
        let latency: [CostComponent] = [
            CostComponent(
                name: Component.inputLatency, value: p.inputLatency, count: 1,
                confidence: .of(p.inputLatency, default: d.inputLatency, .assumption)),
            a.decisionTime.map { CostComponent(name: Component.decisionTime, value: $0, count: 1, confidence: .physics) }
                ?? CostComponent(name: Component.window, value: a.window, count: 1, confidence: .physics),
            CostComponent(
                name: Component.criticalPathReads, value: layersOnPath * (t + p.readLatencyOverhead),
                count: layersOnPath, confidence: .physics),
        ]

        let cellCount = Double(a.tiles.reduce(0) { $0 + $1.rows * $1.cols })
        let tileCount = Double(a.tiles.count)
        let area: [CostComponent] = [
            CostComponent(name: Component.cells, value: cellCount * p.cellArea, count: cellCount),
            CostComponent(name: Component.neurons, value: neurons * p.neuronArea, count: neurons),
            CostComponent(name: Component.periphery, value: tileCount * p.tilePeripheryArea, count: tileCount),
        ]

        var notes = [
            "No ADC/DAC: column charge integrates directly on the neurons' DPI synapses.",
            "Every read: V_read = \(fmt(v, "V")) for t_read = \(fmt(t, "s")) per row (the scenario's device.read_pulse); each read-energy term (cells' heat, supply loss, column clamps) is proportional to t_read.",
            p.neuronEnergyPerSpike == RRAMCrossbarPrices.default.neuronEnergyPerSpike
                ? "Neuron energy \(fmt(p.neuronEnergyPerSpike, "J"))/spike (Valentian et al. IEDM 2019, synapse + neuron, 130 nm) is charged per spike of every neuron layer; the array read is priced separately, so the synaptic share is counted twice (upper bound)."
                : "Neuron energy \(fmt(p.neuronEnergyPerSpike, "J"))/spike (set in the scenario) is charged per spike of every neuron layer.",
            "Word-line energy assumes C_wl = \(fmt(p.wordLineCapacitance, "F")) swung by \(fmt(p.wordLineVoltage, "V")) per row read; bit-line energy assumes C_bl = \(fmt(p.bitLineCapacitance, "F")) swung by V_read per cell read.",
        ]
        if a.decisionTime == nil {
            notes.append("No decision time (output silent or still changing): latency uses the full window.")
        }
        if p.staticPowerPerNeuron == 0 {
            notes.append("Static power not priced (static_power_per_neuron = 0).")
        } else {
            notes.append(
                "Neuron bias power \(fmt(p.staticPowerPerNeuron, "W")) per neuron over the \(fmt(a.window, "s")) window (assumption A, Docs/cost-models.md)."
            )
        }
        if let assumed = assumedArray { notes.insert(assumed.note, at: 0) }
        if supplyDrop > 0 {
            notes.append(
                "Read current drawn from a \(fmt(p.readSupplyVoltage, "V")) supply: \(Units.fixed(p.readSupplyVoltage / v, significant: 3))× the cells' own heat at V_read = \(fmt(v, "V")) (drivers, clamp, DPI input mirror; assumption A)."
            )
        }
        if a.peakConcurrentRows > 1 {
            notes.append("Up to \(a.peakConcurrentRows) rows read concurrently on one tile: IR drop and the summed column current are not priced.")
        }
        return CostEstimate(
            architecture: architecture, energy: energy, latency: latency, area: area, notes: notes,
            computeLatency: latency, latencyBasisNote: Self.realTimeLatencyNote, window: a.window)
    }
}

extension RRAMCrossbarCost: NodeAnnotatedCostModel {
    /// CMOS logic priced at 130 nm, 1.2 V (the seed-000 chip's process and the core supply the defaults
    /// assume): word-line drivers, input decoding, the neurons' per-spike energy, tile periphery area. Not
    /// scaled: the cells' read heat and the supply loss (device physics), bit-line charge at V_read and the
    /// column clamp (set by the read voltage), bias power, the analog neurons' area and the 1T1R cells.
    public var sourceNodes: [String: SourceNode] {
        let n = SourceNode(.n130, 1.2)
        return [Component.wordLineDrivers: n, Component.inputSpikes: n, Component.neuronSpikes: n, Component.periphery: n]
    }
}
