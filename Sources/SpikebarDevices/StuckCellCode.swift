/// The stuck-cell code of one differential synapse, one byte per synapse in `Connection.stuck` and in the
/// stuck maps fault-aware retraining reads: bit 0 `G⁺` stuck, bit 1 `G⁺` stuck high (LRS), bit 2 `G⁻`
/// stuck, bit 3 `G⁻` stuck high. The one place the code is written and read (chip faults, passive
/// arrays, the twin's calibration).
public enum StuckCellCode {
    /// The bits of a stuck `G⁺` cell (high: at the top level, LRS; else at the bottom, HRS).
    @inlinable public static func plus(high: Bool) -> UInt8 { high ? 0b0011 : 0b0001 }
    /// The bits of a stuck `G⁻` cell.
    @inlinable public static func minus(high: Bool) -> UInt8 { high ? 0b1100 : 0b0100 }
    /// Whether `G⁺` is stuck high (true), stuck low (false), or free (nil).
    @inlinable public static func plusStuckHigh(_ code: UInt8) -> Bool? { code & 0b0001 != 0 ? code & 0b0010 != 0 : nil }
    /// Whether `G⁻` is stuck high (true), stuck low (false), or free (nil).
    @inlinable public static func minusStuckHigh(_ code: UInt8) -> Bool? { code & 0b0100 != 0 ? code & 0b1000 != 0 : nil }
    /// Cells stuck in the pair (0, 1 or 2).
    @inlinable public static func stuckCells(_ code: UInt8) -> Int { Int(code & 1) + Int((code >> 2) & 1) }
    /// Whether a cell with a fresh uniform draw `u ∈ [0, 1)` sticks high, `highFraction` of the time (the
    /// convention the chip's fault injection and the twin's training share).
    @inlinable public static func sticksHigh(_ u: Double, highFraction: Double) -> Bool { u >= 1 - highFraction }
}
