/// Physical quantities written with a unit, as scenario files and command-line values take them:
/// `100uS`, `0.1 V`, `100ns`, `50fJ`, `1y`. Inside the models every quantity is a plain `Double` in the
/// SI base unit (`Units.swift`); this only reads text.
///
/// A value is a number, optionally followed (with or without a space) by an SI prefix and the unit
/// symbol the key expects. Prefixes: `a f p n u µ m k M G T` (`u` is the ASCII µ). Times also take
/// `min`, `h`, `d` and `y` (the Julian year, 365.25 d, as IEC 80000-3 defines the year "a").
/// Ω may be written `ohm`. Areas (m²) take no unit suffix: the square of a prefix misleads.
/// A unit other than the expected one is an error, never a silent conversion.
public enum Quantity {
    /// SI prefixes a unit symbol may carry.
    static let prefixes: [(String, Double)] = [
        ("a", 1e-18), ("f", 1e-15), ("p", 1e-12), ("n", 1e-9), ("u", 1e-6), ("µ", 1e-6), ("μ", 1e-6),
        ("m", 1e-3), ("k", 1e3), ("M", 1e6), ("G", 1e9), ("T", 1e12),
    ]

    /// Time units beyond the prefixed second (s).
    static let timeUnits: [(String, Double)] = [("min", 60), ("h", 3600), ("d", 86_400), ("y", 365.25 * 86_400)]

    /// The symbols a value of `unit` may be written with (for messages).
    public static func examples(_ unit: String) -> String {
        switch unit {
        case "s": return "100ns, 5 ms, 1h, 365d, 1y"
        case "S": return "100uS, 2e-6 S"
        case "V": return "0.1V, 100 mV"
        case "Ω": return "5ohm, 10 kΩ"
        case "J": return "50fJ, 1.2 pJ"
        case "F": return "1pF"
        case "Hz": return "100Hz, 1 kHz"
        case "W": return "10uW"
        case "A": return "1nA"
        default: return "a number"
        }
    }

    /// Whether `unit` takes prefixed symbols (`Quantity.parse` accepts suffixes for it).
    public static func acceptsSuffix(_ unit: String) -> Bool {
        ["s", "S", "V", "Ω", "J", "F", "Hz", "W", "A"].contains(unit)
    }

    /// The value of `text` in the SI base unit `unit` (`"s"`, `"S"`, `"V"`, `"Ω"`, `"J"`, `"F"`, `"Hz"`,
    /// `"W"`, `"A"`), or nil when it is neither a number nor a number with that unit. A bare number is
    /// taken in the base unit. Non-finite numbers are nil.
    public static func parse(_ text: String, unit: String) -> Double? {
        let t = text.trimmingCharacters(in: .whitespaces)
        if let x = Double(t) { return x.isFinite ? x : nil }
        guard acceptsSuffix(unit) else { return nil }
        var symbols: [(String, Double)] = [(unit, 1)]
        if unit == "Ω" { symbols.append(("ohm", 1)) }
        if unit == "s" { symbols += timeUnits }
        // Longest symbol first, so that `min` is not read as `m` + `in`.
        for (symbol, scale) in symbols.sorted(by: { $0.0.count > $1.0.count }) where t.hasSuffix(symbol) {
            let head = String(t.dropLast(symbol.count)).trimmingCharacters(in: .whitespaces)
            if let x = Double(head), x.isFinite { return x * scale }
            // Prefixed units (not the extra time units: `kh` is no time).
            guard scale == 1 else { continue }
            for (p, factor) in prefixes where head.hasSuffix(p) {
                let number = String(head.dropLast(p.count)).trimmingCharacters(in: .whitespaces)
                if let x = scaled(number, by: factor) { return x }
            }
        }
        return nil
    }

    /// `number` × `factor` (a power of ten) read as one decimal literal, so that `100uS` is the same
    /// `Double` as `100e-6` (multiplying 100 by 1e-6 is not).
    static func scaled(_ number: String, by factor: Double) -> Double? {
        guard Double(number)?.isFinite == true else { return nil }
        let shift = Int(log10(factor).rounded())
        let parts = number.lowercased().split(separator: "e", maxSplits: 1, omittingEmptySubsequences: false)
        let exponent = parts.count == 2 ? Int(parts[1]) : 0
        guard let exponent, let x = Double("\(parts[0])e\(exponent + shift)"), x.isFinite else { return nil }
        return x
    }

    /// `parse` for text that must not be negative (times, conductances).
    public static func parseNonNegative(_ text: String, unit: String) -> Double? {
        guard let x = parse(text, unit: unit), x >= 0 else { return nil }
        return x
    }
}

import Foundation
