/// Helpers for strict, validating `Decodable` types (scenario files, price lists, device tables).
///
/// Scenario types decode with these so that an unknown key, a wrong type or an out-of-range value is
/// a `DecodingError` carrying the full coding path; the scenario loader turns that path into
/// `file:line: key.path` (DESIGN §7: typos never pass silently).

/// A coding key with any string or integer value: lists the keys actually present in a mapping.
public struct AnyCodingKey: CodingKey, Hashable, Sendable {
    public var stringValue: String
    public var intValue: Int?
    public init(stringValue: String) { self.stringValue = stringValue; self.intValue = nil }
    public init(intValue: Int) { self.stringValue = "\(intValue)"; self.intValue = intValue }
}

extension Decoder {
    /// Throws when the mapping being decoded has a key that `K` does not list.
    /// The error's coding path ends at the offending key, so it can be located in the file.
    public func rejectUnknownKeys<K: CodingKey & CaseIterable>(_: K.Type) throws {
        let known = Set(K.allCases.map(\.stringValue))
        let present = try container(keyedBy: AnyCodingKey.self)
        for key in present.allKeys where !known.contains(key.stringValue) {
            let expected = K.allCases.map(\.stringValue).sorted().joined(separator: ", ")
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: codingPath + [key],
                    debugDescription: "unknown key '\(key.stringValue)' (expected one of: \(expected))"))
        }
    }
}

extension KeyedDecodingContainer {
    /// The value for `key`, or `fallback` when the key is absent.
    public func decode<T: Decodable>(_ key: Key, default fallback: T) throws -> T {
        try decodeIfPresent(T.self, forKey: key) ?? fallback
    }

    /// A `Double` that must lie in `range` (inclusive), or `fallback` when absent.
    public func decode(
        _ key: Key, default fallback: Double, in range: ClosedRange<Double>,
        unit: String = ""
    ) throws -> Double {
        let value = try quantity(key, unit: unit) ?? fallback
        guard value.isFinite, range.contains(value) else {
            throw outOfRange(key, value: "\(value)", expected: describe(range, unit: unit))
        }
        return value
    }

    /// A `Double` that must be > 0 (times, conductances, capacitances), or `fallback` when absent. It
    /// must also lie in the physical range of its unit (`PhysicalRange`), or in `range` when given:
    /// every accepted value is one the models compute with without overflow (issue #22).
    public func positive(_ key: Key, default fallback: Double, unit: String = "", in range: ClosedRange<Double>? = nil) throws -> Double {
        let value = try quantity(key, unit: unit) ?? fallback
        let r = range ?? PhysicalRange.positive(unit: unit)
        guard value.isFinite, value > 0, r.contains(value) else {
            throw outOfRange(key, value: "\(value)", expected: describe(r, unit: unit) + PhysicalRange.note(unit: unit))
        }
        return value
    }

    /// A `Double` that must be ≥ 0 (energies, areas, error magnitudes), or `fallback` when absent, at
    /// most the upper end of its unit's physical range (`PhysicalRange`), or in `range` when given.
    public func nonNegative(_ key: Key, default fallback: Double, unit: String = "", in range: ClosedRange<Double>? = nil) throws -> Double {
        let r = range ?? 0...PhysicalRange.positive(unit: unit).upperBound
        let value = try quantity(key, unit: unit) ?? fallback
        guard value.isFinite, r.contains(value) else {
            throw outOfRange(key, value: "\(value)", expected: describe(r, unit: unit) + PhysicalRange.note(unit: unit))
        }
        return value
    }

    /// A number for `key`, or a number with `unit` (`100uS`, `0.1 V`, `100ns`, `1y`: `Quantity.parse`), in
    /// the SI base unit; nil when the key is absent. A string that is neither is an error naming the
    /// unit the key takes.
    public func quantity(_ key: Key, unit: String) throws -> Double? {
        guard contains(key) else { return nil }
        if let x = try? decodeIfPresent(Double.self, forKey: key) { return x }
        guard let text = try? decode(String.self, forKey: key) else {
            return try decodeIfPresent(Double.self, forKey: key)  // rethrows the type error
        }
        if let x = Quantity.parse(text, unit: unit) { return x }
        if Quantity.acceptsSuffix(unit) {
            throw invalid(key, "'\(text)' is not a value in \(unit) (a number in \(unit), or with a unit: \(Quantity.examples(unit)))")
        }
        throw invalid(key, "expected a number\(unit.isEmpty ? "" : " (in \(unit))"), got '\(text)'")
    }

    /// An `Int` that must lie in `range`, or `fallback` when absent.
    public func decode(_ key: Key, default fallback: Int, in range: ClosedRange<Int>) throws -> Int {
        let value = try decodeIfPresent(Int.self, forKey: key) ?? fallback
        guard range.contains(value) else {
            let upper = range.upperBound == Int.max ? "" : " … \(range.upperBound)"
            throw outOfRange(key, value: "\(value)", expected: "\(range.lowerBound)\(upper.isEmpty ? " or more" : upper)")
        }
        return value
    }

    /// An error located at `key`: the scenario loader reports it as `file:line: path.to.key: message`.
    public func invalid(_ key: Key, _ message: String) -> DecodingError {
        DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: message)
    }

    private func outOfRange(_ key: Key, value: String, expected: String) -> DecodingError {
        invalid(key, "value \(value) out of range (expected \(expected))")
    }

    private func describe(_ r: ClosedRange<Double>, unit: String) -> String {
        let u = unit.isEmpty ? "" : " \(unit)"
        if r.upperBound == .greatestFiniteMagnitude { return "≥ \(r.lowerBound)\(u)" }
        return "\(r.lowerBound) … \(r.upperBound)\(u)"
    }
}

extension KeyedDecodingContainer {
    /// One of an enumeration's string values; the error lists the allowed ones.
    public func choice<T>(_ key: Key, default fallback: T? = nil) throws -> T
    where T: RawRepresentable & CaseIterable, T.RawValue == String {
        guard let raw = try decodeIfPresent(String.self, forKey: key) else {
            if let fallback { return fallback }
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "missing"))
        }
        guard let value = T(rawValue: raw) else {
            let allowed = T.allCases.map(\.rawValue).joined(separator: ", ")
            throw invalid(key, "'\(raw)' is not one of: \(allowed)")
        }
        return value
    }
}

/// The documented physical range of a scenario or price-list quantity by its unit
/// (Docs/scenario-reference.md, "Physical ranges"; issue #22, class 3): wide enough for every device and
/// circuit in the literature, narrow enough that no model overflows to ±inf, divides to NaN or converts
/// a time beyond `SimTime`'s ±9.2·10⁶ s. A key with a tighter physics-given range checks it itself.
public enum PhysicalRange {
    /// Range of a value > 0 in `unit` (a value ≥ 0 uses 0 … the same upper end).
    public static func positive(unit: String) -> ClosedRange<Double> {
        switch unit {
        case "s": return 1e-15...1e5  // 1 fs … 27.8 h: kernel times, ps integers with 92× headroom to Int64
        case "S": return 1e-15...1e3  // 1 fS … 1 kS: conductances (devices, wires)
        case "Ω": return 1e-3...1e15  // 1 mΩ … 1 PΩ
        case "V": return 1e-6...1e3  // 1 µV … 1 kV
        case "F": return 1e-21...1  // 1 zF … 1 F
        case "Hz": return 1e-6...1e12  // rates and clocks up to 1 THz
        case "J": return 1e-24...1  // energy per event: 1 yJ … 1 J
        case "W": return 1e-15...1e3  // static power
        case "m²": return 1e-24...1  // areas up to a square metre
        default: return 1e-12...1e12  // dimensionless gains and factors
        }
    }

    static func note(unit: String) -> String {
        unit == "s" ? "; times are integer picoseconds in the kernel" : ""
    }
}
