/// SI units used throughout Spikebar. Inside the models every physical quantity is a `Double` in the
/// SI base unit named by its alias (DESIGN §5); reports convert for display only.
public typealias Seconds = Double
/// Electrical conductance, siemens (S).
public typealias Siemens = Double
/// Energy, joules (J).
public typealias Joules = Double
/// Electric potential, volts (V).
public typealias Volts = Double
/// Current, amperes (A).
public typealias Amperes = Double
/// Charge, coulombs (C).
public typealias Coulombs = Double
/// Resistance, ohms (Ω).
public typealias Ohms = Double
/// Area, square metres (m²).
public typealias SquareMetres = Double
/// Frequency, hertz (Hz).
public typealias Hertz = Double
/// Power, watts (W).
public typealias Watts = Double

/// Engineering-notation formatting for reports (pJ, µs, mm²…).
public enum Units {
    public static let prefixes: [(Double, String)] = [
        (1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k"), (1, ""), (1e-3, "m"), (1e-6, "µ"),
        (1e-9, "n"), (1e-12, "p"), (1e-15, "f"), (1e-18, "a"),
    ]

    /// `value` with an SI prefix and `unit`, four significant digits: `format(3.2e-12, "J")` → `"3.200 pJ"`.
    public static func format(_ value: Double, _ unit: String) -> String {
        if value == 0 { return "0 \(unit)" }
        if !value.isFinite { return "\(value) \(unit)" }
        let magnitude = abs(value)
        for (scale, prefix) in prefixes where magnitude >= scale * 0.9995 {
            return "\(fixed(value / scale, significant: 4)) \(prefix)\(unit)"
        }
        return "\(fixed(value / 1e-18, significant: 4)) a\(unit)"
    }

    public static func format(seconds: Double) -> String { format(seconds, "s") }

    /// Area in mm² (the unit chip architects quote), four significant digits.
    public static func format(area: SquareMetres) -> String { "\(fixed(area * 1e6, significant: 4)) mm²" }

    /// `x` with `significant` significant digits, no exponent for the ranges reports use.
    public static func fixed(_ x: Double, significant: Int) -> String {
        if x == 0 { return "0" }
        if !x.isFinite { return "\(x)" }
        let digitsBefore = Int((log10(abs(x))).rounded(.down)) + 1
        let decimals = Swift.max(0, significant - digitsBefore)
        return String(format: "%.\(decimals)f", x)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
