import SpikebarCore

/// An assumed operating point of the crossbar arrays, priced instead of the simulated reads: a fraction
/// `duty` of all cells conducts at `cell_voltage` through `cell_resistance` for the whole window.
///
/// This is how seed 001 (MEMprop, §V-A, eq. 3) estimates the power of its spike-driven arrays — "2 % of
/// neurons spiking at any given time", 57.5 mV across a device of 50.5 kΩ on average — and how its
/// Table IV prices the same arrays on the ADC-based design. A scenario that reproduces such an analytic
/// comparison states it here (`architectures.assumed_array_power`); every estimate priced with it says
/// so in its notes, and the component's confidence is `S` (set in the scenario).
///
/// ```
/// P_array = duty · N_cells · V_cell² / R_cell          N_cells = Σ_tiles rows · cols
/// E_array = P_array · window
/// ```
public struct AssumedArrayPower: Codable, Sendable, Equatable {
    /// Fraction of the cells conducting at any time (0 … 1).
    public var duty: Double
    /// Mean voltage across a conducting cell (V).
    public var cellVoltage: Double
    /// Mean resistance of a cell (Ω).
    public var cellResistance: Double

    public init(duty: Double, cellVoltage: Double, cellResistance: Double) {
        self.duty = duty; self.cellVoltage = cellVoltage; self.cellResistance = cellResistance
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case duty
        case cellVoltage = "cell_voltage"
        case cellResistance = "cell_resistance"
    }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        duty = try c.decode(.duty, default: -1, in: 0...1)
        cellVoltage = try c.decode(.cellVoltage, default: -1, in: 0...100, unit: "V")
        cellResistance = try c.positive(.cellResistance, default: -1, unit: "Ω")
    }

    /// Power of arrays holding `cells` cells (W).
    public func power(cells: Double) -> Watts { duty * cells * (cellVoltage * cellVoltage) / cellResistance }

    /// The note every estimate priced with it carries.
    public var note: String {
        "Array power from the scenario's ASSUMED operating point, not the simulated reads: \(Units.fixed(duty * 100, significant: 3)) % of all cells at \(fmt(cellVoltage, "V")) through \(fmt(cellResistance, "Ω")) for the whole window (seed 001 §V-A, eq. 3)."
    }
}
