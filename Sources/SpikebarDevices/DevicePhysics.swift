import Foundation
import SpikebarCore

/// The multi-level cell physics over time (scenario `device.physics`): per-level statistics (the
/// built-in HfO₂ 1T1R model, or a user's measured CSV table), the relaxation/drift time model, and
/// write-verify programming. Absent, the cell keeps the simple model of `RRAMDevice` (one-shot
/// Gaussian programming, `read_noise` only, no time evolution).
public struct DevicePhysics: Sendable, Equatable, Codable {
    /// Where the per-level statistics come from.
    public enum Model: String, Sendable, Codable, CaseIterable {
        /// `DeviceLevel.hfo2` at each of the device's evenly spaced levels.
        case hfo2
        /// A device CSV (`DeviceTable`), named by `table`.
        case table
    }
    public var model: Model
    /// The CSV file as written in the scenario (relative to it) and its rows once loaded (the scenario
    /// loader reads it; nil until then).
    public var tableFile: String?
    public var table: [DeviceLevel]?
    /// Relaxation and retention drift.
    public var time: DeviceTimeModel
    /// Write-verify programming; nil programs each cell with one pulse (Gaussian error).
    public var writeVerify: WriteVerify?

    public init(
        model: Model = .hfo2, tableFile: String? = nil, table: [DeviceLevel]? = nil,
        time: DeviceTimeModel = DeviceTimeModel(), writeVerify: WriteVerify? = WriteVerify()
    ) {
        self.model = model; self.tableFile = tableFile; self.table = table; self.time = time; self.writeVerify = writeVerify
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case model, table, relaxationTime = "relaxation_time", driftOnset = "drift_onset", writeVerify = "write_verify"
    }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        tableFile = try c.decodeIfPresent(String.self, forKey: .table)
        model = try c.choice(.model, default: tableFile == nil ? .hfo2 : .table)
        if model == .table, tableFile == nil { throw c.invalid(.table, "model: table needs a device CSV file (table: my-device.csv)") }
        if model == .hfo2, tableFile != nil { throw c.invalid(.table, "a table file needs model: table (or no model key)") }
        table = nil
        let d = DeviceTimeModel()
        time = DeviceTimeModel(
            relaxationTime: try c.positive(.relaxationTime, default: d.relaxationTime, unit: "s", in: 1e-12...1e10),
            driftOnset: try c.positive(.driftOnset, default: d.driftOnset, unit: "s", in: 1e-12...1e10))
        if let on = try? c.decodeIfPresent(Bool.self, forKey: .writeVerify) {
            writeVerify = on ? WriteVerify() : nil
        } else {
            writeVerify = try c.decode(.writeVerify, default: WriteVerify())
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(model, forKey: .model)
        try c.encodeIfPresent(tableFile, forKey: .table)
        try c.encode(time.relaxationTime, forKey: .relaxationTime)
        try c.encode(time.driftOnset, forKey: .driftOnset)
        if let writeVerify { try c.encode(writeVerify, forKey: .writeVerify) } else { try c.encode(false, forKey: .writeVerify) }
    }
}

/// Stuck devices (scenario `device.faults`): each cell is stuck, independently, with probability
/// `bitErrorRate`; a stuck cell sits at the highest level (stuck at LRS, "stuck-on") with probability
/// `highFraction`, else at the lowest (stuck at HRS, "stuck-off"), whatever it was programmed to. The
/// draw is fixed per chip sample (`Chip.injectStuckCells`). Failure modes as measured on TiO₂
/// crossbars by Drolet et al. (`../shared/data/tio2-passive-crossbar/`); rates are scenario data.
public struct DeviceFaults: Sendable, Equatable, Codable {
    public var bitErrorRate: Double
    public var highFraction: Double

    public init(bitErrorRate: Double = 0, highFraction: Double = 0.5) {
        self.bitErrorRate = bitErrorRate; self.highFraction = highFraction
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case bitErrorRate = "bit_error_rate", highFraction = "high_fraction" }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        bitErrorRate = try c.decode(.bitErrorRate, default: 0, in: 0...1)
        highFraction = try c.decode(.highFraction, default: 0.5, in: 0...1)
    }
}

/// Parses a duration: a number of seconds, or a number with a unit `ps ns us µs ms s min h d y`
/// (`"5 s"`, `"1h"`, `"1 d"`, `"1y"` = 365.25 d; `Quantity.parse`). Nil when malformed or negative.
public func parseDuration(_ text: String) -> Seconds? {
    Quantity.parseNonNegative(text, unit: "s")
}
