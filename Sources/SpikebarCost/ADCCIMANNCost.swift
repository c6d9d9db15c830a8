import Foundation
import SpikebarActivity
import SpikebarCore

/// The ADC-based CIM accelerator running the network as an ANN, the way such an accelerator would run the
/// task (issue #16, "fair baselines"): the same trained weights on the same arrays, rate-coded activations
/// (each population's spike counts over the window) quantised to `ann_input_bits`, and **one VMM per
/// layer** per inference — bit-serial inputs through 1-bit DACs, one conversion per differential pair and
/// input bit at an ADC resolution sized to the rows summed, shift-and-add, one digital activation per neuron.
///
/// ```
/// B = ann_input_bits,  b = ADC bits = ⌈log₂(usedRows · (levels − 1) + 1)⌉ (or ann_adc_bits)
/// E_dac   = Σ_tiles usedRows · B · E_dac
/// E_array = V_read² · t_read · ΣG_total · B
/// E_adc   = Σ_tiles values · B · E_adc(b)        values = pairs (or columns); E_adc(b) = E_adc · r(b)/r(8)
/// E_sa    = Σ_tiles values · B · E_sa,   E_act = neurons · E_update,   static: idle ADCs + state over the window
/// compute latency   = Σ_layers [B·groups·t_read + B·rounds/f_ADC + t_update]
/// streaming latency = window (the rates need the whole window of input) + compute latency
/// ```
/// `r(b)`: the ISAAC ADC energy of `b` bits (Accelergy `IsaacADC`, 32 nm, 4–10 bits; beyond 10 bits each
/// bit multiplies by the 9 → 10-bit ratio, an extrapolation noted in the estimate).
public struct ADCCIMANNCost: CostModel {
    /// Component names of the breakdowns.
    public enum Component {
        public static let dac = "DAC row drives"
        public static let array = "array read"
        public static let adc = "ADC conversions"
        public static let shiftAdd = "shift-and-add"
        public static let activation = "activations"
        public static let windowWait = "input window (rates)"
        public static let dacSerialization = "DAC serialization"
        public static let adcSerialization = "ADC serialization"
        public static let update = "activation update"
    }

    /// The ADC-CIM price list (the `adc_cim` block, including its `ann_*` keys).
    public var prices: ADCCIMPrices
    /// Read pulse of the device.
    public var read: ReadConditions
    /// Conductance levels of a cell (the device's `levels`): what a column sum can take.
    public var cellLevels: Int
    /// Report identifier.
    public var architecture: String { "adc-cim-ann" }

    public init(prices: ADCCIMPrices = .default, read: ReadConditions, cellLevels: Int) {
        self.prices = prices; self.read = read; self.cellLevels = Swift.max(2, cellLevels)
    }

    /// ISAAC ADC energy (pJ) at 4…10 bits, 32 nm (Accelergy `hwcomponents-library/isaac.py`, `IsaacADC`;
    /// Docs/cost-models.md §3): the relative cost of a resolution.
    static let isaacADCEnergy: [Int: Double] = [4: 0.79, 5: 0.99, 6: 1.20, 7: 1.42, 8: 1.67, 9: 1.97, 10: 2.38]

    /// Energy of one `bits`-bit conversion relative to the 8-bit price (the `adc_energy_per_conversion`).
    static func resolutionFactor(_ bits: Int) -> Double {
        let table = isaacADCEnergy
        let reference = table[8] ?? 1.67
        if bits < 4 { return (table[4] ?? 0.79) / reference }
        if let e = table[bits] { return e / reference }
        let growth = (table[10] ?? 2.38) / (table[9] ?? 1.97)
        return (table[10] ?? 2.38) * pow(growth, Double(bits - 10)) / reference
    }

    /// ADC bits for a tile summing `rows` rows of `levels`-level cells with 1-bit (bit-serial) inputs.
    static func sizedBits(rows: Int, levels: Int) -> Int {
        let maxSum = Double(Swift.max(1, rows) * Swift.max(1, levels - 1))
        return Swift.max(1, Int(log2(maxSum + 1).rounded(.up)))
    }

    public func price(_ a: Activity) -> CostEstimate {
        let p = prices, d = ADCCIMPrices.default
        let base = ADCCIMCost(prices: p, read: read)
        let v = read.readVoltage, t = base.readPulse
        let bits = Double(p.annInputBits)
        let conversionsPerVMM = p.adcPerInputBit ? bits : 1
        let rowsSummed = a.tiles.map(\.usedRows).max() ?? 1
        let adcBits = p.annADCBits ?? Self.sizedBits(rows: rowsSummed, levels: cellLevels)
        let perConversion = p.adcEnergyPerConversion * Self.resolutionFactor(adcBits)

        let drives = Double(a.tiles.reduce(0) { $0 + $1.usedRows }) * bits
        let values = Double(a.tiles.reduce(0) { $0 + base.convertedValues($1) })
        let conversions = values * conversionsPerVMM
        let neurons = Double(a.neuronCount)
        let arrayEnergy = v * v * t * a.tiles.reduce(0.0) { $0 + $1.conductanceTotal } * bits
        let energy: [CostComponent] =
            [
                CostComponent(
                    name: Component.dac, value: drives * p.dacEnergyPerDrive, count: drives,
                    confidence: .of(p.dacEnergyPerDrive, default: d.dacEnergyPerDrive, .high)),
                CostComponent(name: Component.array, value: arrayEnergy, count: drives, confidence: .physics),
                CostComponent(
                    name: Component.adc, value: conversions * perConversion, count: conversions,
                    confidence: .of(p.adcEnergyPerConversion, default: d.adcEnergyPerConversion, .high)),
                CostComponent(
                    name: Component.shiftAdd, value: conversions * p.shiftAddEnergy, count: conversions,
                    confidence: .of(p.shiftAddEnergy, default: d.shiftAddEnergy, .high)),
                CostComponent(
                    name: Component.activation, value: neurons * p.neuronUpdateEnergy, count: neurons,
                    confidence: .of(p.neuronUpdateEnergy, default: d.neuronUpdateEnergy, .medium)),
            ] + base.staticEnergy(a)

        let path = base.vmmPath(a, bits: bits)
        let compute: [CostComponent] = [
            CostComponent(
                name: ADCCIMCost.Component.inputLatency, value: p.inputLatency, count: 1,
                confidence: .of(p.inputLatency, default: d.inputLatency, .assumption)),
            CostComponent(name: Component.dacSerialization, value: path.dac, count: path.groups),
            CostComponent(name: Component.adcSerialization, value: path.adc, count: path.rounds),
            CostComponent(name: Component.update, value: path.update, count: Double(a.neuronLayerCount)),
        ]
        let streaming: [CostComponent] = [CostComponent(name: Component.windowWait, value: a.window, count: 1, confidence: .physics)] + compute

        var notes = [
            "Single-pass ANN mode: the same weights as an ANN with rate-coded \(p.annInputBits)-bit activations (spike counts over the window), one VMM per layer, \(adcBits)-bit ADCs (\(p.annADCBits == nil ? "sized to \(rowsSummed) rows × \(cellLevels) levels" : "set in the scenario")), one conversion per \(p.conversionUnit == .pair ? "differential pair" : "column")\(p.adcPerInputBit ? " and input bit" : ""). This is the fair ADC-CIM baseline; its accuracy is not simulated (assumed equal to the spiking network's).",
            "Streaming latency includes the whole \(fmt(a.window, "s")) window: a rate needs all of its input.",
        ]
        if adcBits > 10 {
            notes.append(
                "\(adcBits)-bit ADC energy extrapolated beyond the 10-bit ISAAC table (× \(Units.fixed(Self.resolutionFactor(11) / Self.resolutionFactor(10), significant: 3)) per bit)."
            )
        }
        return CostEstimate(
            architecture: architecture, energy: energy, latency: streaming, area: base.area(a), notes: notes,
            computeLatency: compute,
            latencyBasisNote: "Rate-coded ANN: streaming waits for the whole input window, compute runs one VMM per layer on buffered rates.",
            window: a.window)
    }
}

extension ADCCIMANNCost: NodeAnnotatedCostModel {
    /// As `ADCCIMCost`: ADC, DAC, shift-and-add at 32 nm; the activation update at 14 nm.
    public var sourceNodes: [String: SourceNode] {
        let n32 = SourceNode(.hp32, 0.9), n14 = SourceNode(.hp14, 0.8)
        return [
            Component.dac: n32, Component.adc: n32, Component.shiftAdd: n32, Component.dacSerialization: n32,
            Component.adcSerialization: n32, Component.activation: n14, Component.update: n14,
            ADCCIMCost.Component.adcs: n32, ADCCIMCost.Component.dacs: n32,
        ]
    }
}
