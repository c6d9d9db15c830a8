import Foundation
import SpikebarCore
import SpikebarScenario

/// What a design-space sweep varies: scenario key paths and, per point, the value of each
/// (`spikebar sweep --set tiles.rows=64,128 --set device.g_max=50uS,100uS`). Several `--set` make a
/// grid (every combination, the first key varying slowest); `--zip` pairs them (the k-th value of each
/// key, all lists the same length; a key with one value is held fixed). Values are YAML text, checked by the scenario loader exactly as in
/// a file (`ScenarioSetting`).
public struct SweepSpec: Codable, Sendable, Equatable {
    /// Key paths, in command-line order.
    public var keys: [String]
    /// One list per point: the value text of each key.
    public var points: [[String]]
    /// `grid` or `zip`.
    public var mode: String

    public init(keys: [String], points: [[String]], mode: String) { self.keys = keys; self.points = points; self.mode = mode }

    /// The sweep of `--set` texts (`key.path=v1,v2,…`): a grid, or paired values with `zip`.
    public init(sets: [String], zip: Bool) throws {
        var axes: [(key: String, values: [String])] = []
        for text in sets {
            let setting = try ScenarioSetting(parsing: text)
            let values = SweepSpec.splitValues(setting.value)
            guard !values.isEmpty, !values.contains(where: \.isEmpty) else {
                throw SpikebarError.invalidInput(SourceLocation(file: "--set \(text)"), "give one or more comma-separated values (key.path=v1,v2,…)")
            }
            guard !axes.contains(where: { $0.key == setting.keyPath }) else {
                throw SpikebarError.invalidInput(
                    SourceLocation(file: "--set \(text)"), "\(setting.keyPath) is set twice; give its values in one --set")
            }
            axes.append((setting.keyPath, values))
        }
        guard !axes.isEmpty else { throw SpikebarError.invalidInput(SourceLocation(file: "--set"), "nothing to sweep: give --set key.path=v1,v2,…") }
        keys = axes.map(\.key)
        if zip {
            // A key with one value is held fixed at every point; the others pair up and share one length.
            let n = axes.map(\.values.count).max() ?? 1
            let paired = axes.filter { $0.values.count > 1 }
            if let first = paired.first, let other = paired.first(where: { $0.values.count != first.values.count }) {
                throw SpikebarError.invalidInput(
                    SourceLocation(file: "--zip"),
                    "paired values need lists of the same length (or one value, held fixed): \(first.key) has \(first.values.count), \(other.key) has \(other.values.count)"
                )
            }
            points = (0..<n).map { k in axes.map { $0.values.count == 1 ? $0.values[0] : $0.values[k] } }
            mode = "zip"
        } else {
            points = axes.reduce([[]]) { acc, axis in acc.flatMap { prefix in axis.values.map { prefix + [$0] } } }
            mode = "grid"
        }
    }

    /// Splits `v1,v2,[a, b]` at top-level commas (a flow list's commas stay inside it).
    static func splitValues(_ text: String) -> [String] {
        var out: [String] = [], current = "", depth = 0
        for ch in text {
            if ch == "[" || ch == "{" { depth += 1 }
            if ch == "]" || ch == "}" { depth -= 1 }
            if ch == ",", depth == 0 { out.append(current.trimmingCharacters(in: .whitespaces)); current = "" } else { current.append(ch) }
        }
        out.append(current.trimmingCharacters(in: .whitespaces))
        return out
    }

    /// The settings of point `p`.
    public func settings(_ p: Int) -> [ScenarioSetting] {
        zip(keys, points[p]).map { ScenarioSetting(keyPath: $0, value: $1) }
    }

    /// `tiles.rows=64, device.g_max=50uS`.
    public func label(_ p: Int) -> String { settings(p).map(\.description).joined(separator: ", ") }

    /// Short names of the keys: the last path component, or the whole path where two keys share it.
    public var shortKeys: [String] {
        let last = keys.map { k in String(k.split(separator: ".").last ?? Substring(k)) }
        return keys.indices.map { i in last.filter { $0 == last[i] }.count > 1 ? keys[i] : last[i] }
    }

    /// File stem of the outputs: `sweep-<keys joined by +>` (`sweep-time_since_programming`,
    /// `sweep-rows+columns_per_adc`).
    public var stem: String {
        "sweep-" + shortKeys.map { String($0.map { $0.isLetter || $0.isNumber || "_.[]-".contains($0) ? $0 : "_" }) }.joined(separator: "+")
    }

    /// The number a value stands for, for chart axes (`100uS` → 1e-4, `1h` → 3600), nil when none.
    public static func number(_ text: String) -> Double? {
        if let x = Double(text), x.isFinite { return x }
        for unit in ["s", "S", "V", "Ω", "J", "F", "Hz", "W", "A"] {
            if let x = Quantity.parse(text, unit: unit) { return x }
        }
        return nil
    }
}
