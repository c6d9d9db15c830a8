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

/// One block of a connection on the tiles: presynaptic rows `[rowStart, rowStart + usedRows)` and
/// postsynaptic neurons `[neuronStart, neuronStart + neurons)`, held by one tile (differential columns)
/// or one tile pair (differential arrays).
public struct TileBlock: Sendable, Equatable {
    public var rowStart: Int, usedRows: Int
    public var neuronStart: Int, neurons: Int
}

extension TileSpec {
    /// The tile-layout rule — the one place it lives (programming, passive arrays, parasitics):

    /// Neurons one tile holds: `cols/2` with differential columns (G⁺, G⁻ side by side), `cols` with
    /// differential arrays (a tile pair).
    public var neuronsPerTile: Int { mapping == .columns ? cols / 2 : cols }

    /// The blocks an `inputs × outputs` connection is cut into, row blocks outer, neuron blocks inner:
    /// the order of the chip's tiles.
    public func blocks(inputs: Int, outputs: Int) -> [TileBlock] {
        var out: [TileBlock] = []
        for rowStart in stride(from: 0, to: inputs, by: rows) {
            for neuronStart in stride(from: 0, to: outputs, by: neuronsPerTile) {
                out.append(
                    TileBlock(
                        rowStart: rowStart, usedRows: Swift.min(rows, inputs - rowStart),
                        neuronStart: neuronStart, neurons: Swift.min(neuronsPerTile, outputs - neuronStart)))
            }
        }
        return out
    }

    /// The physical column of neuron `n`'s `G⁺` (`positive`) or `G⁻` cell in its tile: `2n` / `2n + 1` with
    /// differential columns, `n` (of the plus or the minus tile) with differential arrays.
    @inlinable public func column(neuron n: Int, positive: Bool) -> Int {
        mapping == .columns ? 2 * n + (positive ? 0 : 1) : n
    }

    /// Columns a block of `neurons` uses in one tile.
    @inlinable public func usedColumns(neurons: Int) -> Int { mapping == .columns ? 2 * neurons : neurons }
}
