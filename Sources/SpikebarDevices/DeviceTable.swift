import Foundation
import SpikebarCore

/// A device's per-level statistics read from a CSV file: the format users fill with their own
/// measurements (`Docs/devices.md#device-csv` documents it with a worked example).
///
/// ```text
/// # comments start with '#'; blank lines are skipped
/// level,g_mean,g_std,relax_std,drift_per_decade,spread_per_decade,flicker,rtn_amplitude,rtn_tau_up,rtn_tau_down
/// 0,10e-6,1e-6,1.7e-6,0.02,0.5e-6,0.02,0.3e-6,2e-3,5e-3
/// ```
///
/// One row per level, levels `0 … L−1` each exactly once (any order), conductances in S, times in s.
/// Rejected with `file:line`: a missing or repeated level, a negative (or non-finite) value, a table whose
/// `g_mean` does not increase strictly with the level, a malformed number, a wrong column count or header.
public enum DeviceTable {
    /// The columns, in the order the header must list them.
    public static let columns = [
        "level", "g_mean", "g_std", "relax_std", "drift_per_decade", "spread_per_decade",
        "flicker", "rtn_amplitude", "rtn_tau_up", "rtn_tau_down",
    ]

    /// Reads a device CSV file.
    public static func load(path: String) throws -> [DeviceLevel] {
        let data = try InputFile.read(path, hint: "the device table (CSV, Docs/devices.md#device-csv)")
        guard let text = String(data: data, encoding: .utf8) else {
            throw SpikebarError.invalidInput(SourceLocation(file: path), "not UTF-8 text")
        }
        return try parse(text, path: path)
    }

    /// Parses device CSV `text`; `path` names it in errors.
    public static func parse(_ text: String, path: String) throws -> [DeviceLevel] {
        var rows: [(line: Int, level: Int, values: [Double])] = []
        var sawHeader = false
        // Any line ending (LF, CRLF — one Character in Swift — or CR), and a leading byte-order mark.
        let body = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        for (n, raw) in body.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = n + 1
            let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let fields = trimmed.split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            func fail(_ message: String) -> SpikebarError {
                .invalidInput(SourceLocation(file: path, line: line), message)
            }
            if !sawHeader {
                guard fields == columns else {
                    throw fail("the header must be '\(columns.joined(separator: ","))'")
                }
                sawHeader = true
                continue
            }
            guard fields.count == columns.count else {
                throw fail("\(fields.count) values, expected \(columns.count) (\(columns.joined(separator: ",")))")
            }
            guard let level = Int(fields[0]), level >= 0 else {
                throw fail("level '\(fields[0])' is not a non-negative integer")
            }
            var values: [Double] = []
            for (k, f) in fields.enumerated().dropFirst() {
                guard let x = Double(f), x.isFinite else { throw fail("\(columns[k]): malformed number '\(f)'") }
                guard x >= 0 else { throw fail("\(columns[k]): negative value \(f)\(k == 1 ? " (a conductance must be ≥ 0 S)" : "")") }
                // Physical ranges (Docs/scenario-reference.md): conductances and their spreads ≤ 1 kS, RTN times ≤ 1e10 s.
                let upper = k >= 8 ? 1e10 : PhysicalRange.positive(unit: "S").upperBound
                guard x <= upper else { throw fail("\(columns[k]): \(f) is beyond the physical range (≤ \(upper))") }
                values.append(x)
            }
            rows.append((line, level, values))
        }
        guard sawHeader else { throw SpikebarError.invalidInput(SourceLocation(file: path), "no header line (\(columns.joined(separator: ",")))") }
        guard rows.count >= 2 else {
            throw SpikebarError.invalidInput(SourceLocation(file: path), "needs at least 2 levels, found \(rows.count)")
        }
        var byLevel = [Int: (line: Int, values: [Double])]()
        for r in rows {
            if let previous = byLevel[r.level] {
                throw SpikebarError.invalidInput(
                    SourceLocation(file: path, line: r.line), "level \(r.level) repeated (first at line \(previous.line))")
            }
            byLevel[r.level] = (r.line, r.values)
        }
        var levels: [DeviceLevel] = []
        for k in 0..<rows.count {
            guard let r = byLevel[k] else {
                let beyond = rows.first { $0.level >= rows.count }
                throw SpikebarError.invalidInput(
                    SourceLocation(file: path, line: beyond?.line),
                    "level \(k) is missing (levels must be 0…\(rows.count - 1), each once)")
            }
            let v = r.values
            if let last = levels.last, v[0] <= last.conductance {
                throw SpikebarError.invalidInput(
                    SourceLocation(file: path, line: r.line),
                    "g_mean of level \(k) (\(v[0]) S) must exceed that of level \(k - 1) (\(last.conductance) S): the table is not monotonic")
            }
            levels.append(
                DeviceLevel(
                    conductance: v[0], programmingStd: v[1], relaxationStd: v[2], driftPerDecade: v[3],
                    spreadPerDecade: v[4], flickerNoise: v[5], rtnAmplitude: v[6], rtnTauUp: v[7], rtnTauDown: v[8]))
        }
        return levels
    }

    /// The table as CSV text (the format `parse` reads).
    public static func csv(_ levels: [DeviceLevel]) -> String {
        var s = columns.joined(separator: ",") + "\n"
        for (k, l) in levels.enumerated() {
            let v = [
                l.conductance, l.programmingStd, l.relaxationStd, l.driftPerDecade, l.spreadPerDecade,
                l.flickerNoise, l.rtnAmplitude, l.rtnTauUp, l.rtnTauDown,
            ]
            s += "\(k)," + v.map { "\($0)" }.joined(separator: ",") + "\n"
        }
        return s
    }
}
