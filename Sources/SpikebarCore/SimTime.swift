/// Simulation time of the event kernel: an integer count of picoseconds.
///
/// Integer time gives exact event ordering and bit-exact replay (DESIGN §5): two events at the same
/// `SimTime` are ordered by their sequence number, never by floating-point noise. `Int64` picoseconds
/// span ±106 days, far beyond any inference window.
public struct SimTime: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// Picoseconds since the start of the inference window.
    public var picoseconds: Int64

    @inlinable public init(picoseconds: Int64) { self.picoseconds = picoseconds }

    /// The integer time at or after `seconds` (ceil), so that a threshold crossing scheduled at the
    /// returned time is never earlier than the continuous-time crossing it stands for.
    /// Saturating: a time beyond ±2⁶³ ps becomes `.max` / `.min`, NaN becomes `.max` (never a trap;
    /// user values are range-checked before they get here, issue #22).
    @inlinable public static func ceiling(seconds: Double) -> SimTime {
        SimTime(picoseconds: saturating((seconds * 1e12).rounded(.up)))
    }

    /// The nearest integer time to `seconds` (saturating like `ceiling`).
    @inlinable public static func nearest(seconds: Double) -> SimTime {
        SimTime(picoseconds: saturating((seconds * 1e12).rounded()))
    }

    /// `x` picoseconds as an Int64, clamped to its range (NaN: `Int64.max`, "never").
    @inlinable public static func saturating(_ x: Double) -> Int64 {
        if let v = Int64(exactly: x) { return v }
        if x.isNaN || x > 0 { return .max }
        return .min
    }

    public static let zero = SimTime(picoseconds: 0)
    public static let max = SimTime(picoseconds: Int64.max)

    /// Seconds, as a `Double` (exact for |t| < 2⁵³ ps ≈ 2.5 h).
    @inlinable public var seconds: Double { Double(picoseconds) * 1e-12 }

    @inlinable public static func < (a: SimTime, b: SimTime) -> Bool { a.picoseconds < b.picoseconds }
    @inlinable public static func + (a: SimTime, b: SimTime) -> SimTime { SimTime(picoseconds: a.picoseconds &+ b.picoseconds) }
    @inlinable public static func - (a: SimTime, b: SimTime) -> SimTime { SimTime(picoseconds: a.picoseconds &- b.picoseconds) }

    public var description: String { Units.format(seconds: seconds) }

    public init(from decoder: Decoder) throws {
        picoseconds = try decoder.singleValueContainer().decode(Int64.self)
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(picoseconds)
    }
}
