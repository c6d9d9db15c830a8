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
            throw DecodingError.dataCorrupted(.init(
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
    public func decode(_ key: Key, default fallback: Double, in range: ClosedRange<Double>,
                       unit: String = "") throws -> Double {
        let value = try quantity(key, unit: unit) ?? fallback
        guard value.isFinite, range.contains(value) else {
            throw outOfRange(key, value: "\(value)", expected: describe(range, unit: unit))
        }
        return value
    }

    /// A `Double` that must be > 0 (times, conductances, capacitances), or `fallback` when absent.
    public func positive(_ key: Key, default fallback: Double, unit: String = "") throws -> Double {
        let value = try quantity(key, unit: unit) ?? fallback
        guard value.isFinite, value > 0 else {
            throw outOfRange(key, value: "\(value)", expected: "> 0\(unit.isEmpty ? "" : " \(unit)")")
        }
        return value
    }

    /// A `Double` that must be ≥ 0 (energies, areas, error magnitudes), or `fallback` when absent.
    public func nonNegative(_ key: Key, default fallback: Double, unit: String = "") throws -> Double {
        try decode(key, default: fallback, in: 0...Double.greatestFiniteMagnitude, unit: unit)
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
