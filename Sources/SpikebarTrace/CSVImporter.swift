import Foundation
import SpikebarCore

/// Imports spike lists from CSV text: one event per line, `time,population,index`.
///
/// - `time`: a non-negative decimal number in the unit `Options.timeColumn` (seconds by default, e.g.
///   `0.0125` or `1.25e-2`; or integer-valued µs / ps). Decimals are converted exactly (no binary
///   floating point), then must be a whole number of picoseconds.
/// - `population`: a population name (letters first) or a 0-based population number.
/// - `index`: 0-based neuron index inside the population.
///
/// Blank lines and lines starting with `#` are ignored; a first line whose time field is not a
/// number is a column header. Lines need not be sorted (events are sorted by time, stably).
/// Errors are `SpikebarError.invalidInput` naming `file:line`.
///
/// Populations: given in `Options.populations`, or inferred — names in order of first appearance (or
/// numbers 0…max, named "0", "1"…), each sized max index + 1. Time unit of the trace: given, or the
/// coarsest of 1 s, 1 ms, 1 µs, 1 ns, 1 ps that divides every time.
public enum CSVImporter {
    public enum TimeColumn: String, Sendable, CaseIterable {
        case seconds = "s", milliseconds = "ms", microseconds = "us", nanoseconds = "ns", picoseconds = "ps"
        /// Picoseconds per unit of the column.
        public var picoseconds: Int64 {
            switch self {
            case .seconds: 1_000_000_000_000
            case .milliseconds: 1_000_000_000
            case .microseconds: 1_000_000
            case .nanoseconds: 1_000
            case .picoseconds: 1
            }
        }
    }

    public struct Options: Sendable {
        public var timeColumn: TimeColumn
        public var populations: [TracePopulation]?
        public var timeUnit: Int64?
        public init(timeColumn: TimeColumn = .seconds, populations: [TracePopulation]? = nil, timeUnit: Int64? = nil) {
            self.timeColumn = timeColumn; self.populations = populations; self.timeUnit = timeUnit
        }
    }

    /// The fields of one CSV line (RFC 4180 quoting: `"a,b"`, `""` for a quote inside), trimmed; nil
    /// for an unterminated quote. `spikebar trace cat` quotes names that need it, so they read back.
    static func fields(_ line: String) -> [String]? {
        var out: [String] = [], field = "", quoted = false, wasQuoted = false
        var it = line.makeIterator()
        while let ch = it.next() {
            if quoted {
                if ch == "\"" {
                    var peek = it
                    if peek.next() == "\"" { field.append("\""); it = peek } else { quoted = false }
                } else {
                    field.append(ch)
                }
            } else if ch == "\"" && field.trimmingCharacters(in: .whitespaces).isEmpty {
                quoted = true; wasQuoted = true; field = ""
            } else if ch == "," {
                out.append(wasQuoted ? field : field.trimmingCharacters(in: .whitespaces)); field = ""; wasQuoted = false
            } else if !(wasQuoted && ch.isWhitespace) {
                field.append(ch)
            }
        }
        if quoted { return nil }
        out.append(wasQuoted ? field : field.trimmingCharacters(in: .whitespaces))
        return out
    }

    /// Parses CSV text into a header and time-sorted events.
    public static func parse(text: String, file: String = "<csv>", options: Options = Options()) throws -> (TraceHeader, [TraceEvent]) {
        var raw: [(time: Int64, pop: Substring, index: Int, line: Int)] = []
        var lineNo = 0
        // Any line ending (LF, CRLF — one Character in Swift — or CR), and a leading byte-order mark.
        let body = text.hasPrefix("\u{FEFF}") ? Substring(text.dropFirst()) : Substring(text)
        var sawHeader = false
        for line in body.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            lineNo += 1
            let l = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if l.isEmpty || l.hasPrefix("#") { continue }
            let loc = SourceLocation(file: file, line: lineNo)
            guard let f = fields(l) else { throw SpikebarError.invalidInput(loc, "unterminated quoted field") }
            guard f.count == 3 else {
                throw SpikebarError.invalidInput(loc, "expected 3 fields time,population,index; got \(f.count)")
            }
            guard let t = exactPicoseconds(f[0], unit: options.timeColumn.picoseconds) else {
                // A column header: only before the first event, and only a word (`time_s`), never a
                // number the parser refuses (-1, nan, -0), which is an error on its line.
                if raw.isEmpty, !sawHeader, f[0].first?.isLetter == true, Double(f[0]) == nil { sawHeader = true; continue }
                throw SpikebarError.invalidInput(
                    loc, "time \"\(f[0])\" is not a non-negative number of \(options.timeColumn.rawValue) that is a whole number of picoseconds")
            }
            guard let idx = Int(f[2]), idx >= 0 else {
                throw SpikebarError.invalidInput(loc, "index \"\(f[2])\" is not a non-negative integer")
            }
            guard !f[1].isEmpty else { throw SpikebarError.invalidInput(loc, "empty population") }
            raw.append((t, Substring(f[1]), idx, lineNo))
        }
        // Populations.
        var pops: [TracePopulation]
        var popOf: [Substring: Int] = [:]
        if let given = options.populations {
            pops = given
            for (k, p) in given.enumerated() { popOf[Substring(p.name)] = k }
            for r in raw where popOf[r.pop] == nil {
                if let k = Int(r.pop), k >= 0, k < given.count {
                    popOf[r.pop] = k
                } else {
                    throw SpikebarError.invalidInput(
                        SourceLocation(file: file, line: r.line),
                        "unknown population \"\(r.pop)\" (known: \(given.map(\.name).joined(separator: ", ")))")
                }
            }
        } else {
            pops = []
            if !raw.isEmpty && raw.allSatisfy({ Int($0.pop) != nil }) {
                let maxK = raw.map { Int($0.pop) ?? 0 }.max() ?? 0
                guard maxK < 65536, raw.allSatisfy({ (Int($0.pop) ?? 0) >= 0 }) else {
                    throw SpikebarError.invalidInput(SourceLocation(file: file), "population numbers must be in 0..<65536")
                }
                pops = (0...maxK).map { TracePopulation(name: String($0), size: 0) }
                for r in raw { popOf[r.pop] = Int(r.pop) }
            } else {
                for r in raw where popOf[r.pop] == nil { popOf[r.pop] = pops.count; pops.append(TracePopulation(name: String(r.pop), size: 0)) }
            }
            for r in raw { let k = popOf[r.pop] ?? 0; pops[k].size = max(pops[k].size, r.index + 1) }
        }
        var events: [TraceEvent] = []
        events.reserveCapacity(raw.count)
        for r in raw {
            let k = popOf[r.pop] ?? 0  // invariant: every population was mapped above
            guard r.index < pops[k].size else {
                throw SpikebarError.invalidInput(
                    SourceLocation(file: file, line: r.line), "index \(r.index) outside population \(pops[k].name) (size \(pops[k].size))")
            }
            events.append(TraceEvent(time: r.time, population: k, index: r.index))
        }
        if !zip(events, events.dropFirst()).allSatisfy({ $0.time <= $1.time }) {
            events = events.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
        }
        let candidates: [Int64] = [1_000_000_000_000, 1_000_000_000, 1_000_000, 1_000, 1]
        let inferred = candidates.first { u in events.allSatisfy { $0.time % u == 0 } } ?? 1
        let unit = options.timeUnit ?? inferred
        let header = TraceHeader(populations: pops, metadata: "{\"source\":\"csv\"}", timeUnit: unit)
        if let p = header.validationProblem() { throw SpikebarError.invalidInput(SourceLocation(file: file), p) }
        return (header, events)
    }

    /// Reads and parses a CSV file.
    public static func `import`(path: String, options: Options = Options()) throws -> (TraceHeader, [TraceEvent]) {
        guard let d = FileManager.default.contents(atPath: path) else {
            throw SpikebarError.missingFile(path: path, referencedFrom: nil, hint: "CSV spike list")
        }
        return try parse(text: String(decoding: d, as: UTF8.self), file: path, options: options)
    }

    /// Parses a decimal `[digits][.digits][e[+-]digits]` exactly into picoseconds (`unit` ps per 1).
    /// Nil when malformed, negative, not a whole number of ps, or beyond Int64.
    static func exactPicoseconds(_ s: String, unit: Int64) -> Int64? {
        var mant = Substring(s), exp = 0
        if let e = mant.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            guard let x = Int(mant[mant.index(after: e)...]), abs(x) < 40 else { return nil }
            exp = x; mant = mant[..<e]
        }
        var digits = "", fracDigits = 0, seenDot = false
        for c in mant {
            if c == "." { if seenDot { return nil }; seenDot = true; continue }
            guard c.isASCII, c.isNumber else { return nil }
            digits.append(c); if seenDot { fracDigits += 1 }
        }
        guard !digits.isEmpty else { return nil }
        // value = digits · 10^(exp − fracDigits) · unit  (unit is a power of ten)
        var unitExp = 0, u = unit
        while u > 1 && u % 10 == 0 { u /= 10; unitExp += 1 }
        guard u == 1 else { return nil }
        var p = exp - fracDigits + unitExp
        var d = Substring(digits)
        while p < 0 { guard d.last == "0" else { return nil }; d = d.dropLast(); p += 1 }  // must be whole ps
        guard var v = d.isEmpty ? 0 : Int64(d) else { return nil }
        while p > 0 {
            let (m, o) = v.multipliedReportingOverflow(by: 10); guard !o else { return nil }
            v = m; p -= 1
        }
        return v
    }
}
