import SpikebarCore
import SpikebarDevices

/// How a layer's signed weights sit on crossbar tiles (DESIGN §3).
public enum DifferentialMapping: String, Sendable, Codable, CaseIterable {
    /// `G⁺` and `G⁻` in two adjacent columns of the same tile: a tile holds `cols/2` neurons.
    case columns = "differential_columns"
    /// `G⁺` and `G⁻` in the same column of two twin tiles: a tile pair holds `cols` neurons.
    case arrays = "differential_arrays"
}

/// Crossbar tile geometry and weight mapping.
public struct TileSpec: Sendable, Codable, Equatable {
    public var rows: Int, cols: Int
    public var mapping: DifferentialMapping
    /// Read-path parasitics and chip-to-chip corner (Docs/circuits.md); nil: ideal reads.
    public var parasitics: CrossbarParasitics?
    public static let `default` = TileSpec(rows: 128, cols: 128, mapping: .columns)
    public init(rows: Int, cols: Int, mapping: DifferentialMapping, parasitics: CrossbarParasitics? = nil) {
        self.rows = rows; self.cols = cols; self.mapping = mapping; self.parasitics = parasitics
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case rows, cols, mapping, parasitics }
    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        rows = try c.decode(.rows, default: 128, in: 1...65_536)
        cols = try c.decode(.cols, default: 128, in: 1...65_536)
        mapping = try c.choice(.mapping, default: .columns)
        parasitics = try c.decodeIfPresent(CrossbarParasitics.self, forKey: .parasitics)
        if mapping == .columns, cols < 2 { throw c.invalid(.cols, "differential_columns needs at least 2 columns") }
    }
}
