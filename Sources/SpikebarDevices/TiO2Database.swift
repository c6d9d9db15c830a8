import Foundation
import SpikebarCore

/// The measured database of TiO₂ passive (0T1R) 8×8 crossbars of Drolet et al., "Hardware-aware training
/// techniques for improving robustness of ex-situ neural network transfer onto passive TiO₂ ReRAM
/// crossbars" (arXiv 2305.18495, 2023; data from the authors' public repository, MIT licence), as laid out
/// in `shared/data/tio2-passive-crossbar/` (`Docs/passive-arrays.md#the-database`):
///
/// - `bias-disturbance-samples.csv` — header `devices_programmed_after,delta_conductance_S`; one measured
///   conductance change (S, signed) of a device per row, taken when `k` devices have been programmed after
///   it in the same crossbar under the V/3 scheme. The change is the device's total change since it was
///   programmed (cumulative: its mean and spread grow with `k`).
/// - `bias-disturbance-stats.csv` — header `devices_programmed_after,mean_S,std_S`; the mean and standard
///   deviation of those changes per `k`, `k = 1 … K` without gaps; `nan,nan` marks a `k` with no measurement.
/// - `stuck-devices/*.csv` — resistance maps (Ω) of crossbars with failed devices, `;`-separated: line 1 the
///   programming settings' names, line 2 their values (the first two are rows and columns), line 3 the
///   rows × columns resistances, row-major.
///
/// Every file is validated: a malformed or non-finite number, a negative `k`, a negative standard deviation,
/// a gap in `k`, a negative resistance or a wrong count is rejected with `file:line`.
public struct TiO2Database: Sendable, Equatable {
    /// Measured changes (S) per `k` (devices programmed after): `samples[k]`, empty when none.
    public var samples: [[Double]]
    /// Mean and standard deviation (S) per `k`: `stats[k]`, nil when not measured (index 0 unused).
    public var stats: [Stats?]
    /// Resistance maps of crossbars with failed devices.
    public var deadMaps: [DeadMap]
    /// The folder it was read from.
    public var directory: String

    public struct Stats: Sendable, Equatable { public var mean: Double, std: Double }

    /// Conductances (S) of the maps' HRS failures (G < 100 µS) and LRS failures (G > 1 mS), ascending:
    /// what `failure_values: maps` draws from.
    public var hrsFailureConductances: [Double], lrsFailureConductances: [Double]

    public init(samples: [[Double]], stats: [Stats?], deadMaps: [DeadMap], directory: String) {
        self.samples = samples; self.stats = stats; self.deadMaps = deadMaps; self.directory = directory
        let g = deadMaps.flatMap(\.resistances).map { 1 / $0 }
        hrsFailureConductances = g.filter { $0 < TiO2Database.hrsFailureBelow }.sorted()
        lrsFailureConductances = g.filter { $0 > TiO2Database.lrsFailureAbove }.sorted()
    }

    /// Classification thresholds of the dead-crossbar maps (S): below the window's HRS end (10 kΩ), and
    /// above twice its LRS end (1 kΩ) — "far below 2 kΩ" in shared/data/README.md.
    public static let hrsFailureBelow = 1e-4, lrsFailureAbove = 1e-3

    /// One crossbar's resistances (Ω), row-major.
    public struct DeadMap: Sendable, Equatable {
        public var name: String
        public var rows: Int, columns: Int
        public var resistances: [Double]
    }

    /// Where the data comes from, for messages when it is missing.
    public static let origin =
        "the public repository of Drolet et al. (arXiv 2305.18495), converted as described in shared/data/README.md; put it in ../shared/data/tio2-passive-crossbar/ or set device.passive.data"

    public static let folderName = "tio2-passive-crossbar"

    /// The largest `k` with measured samples (0 when none).
    public var maxSampleK: Int { samples.lastIndex(where: { !$0.isEmpty }) ?? 0 }
    /// The largest `k` with statistics (0 when none).
    public var maxStatsK: Int { stats.lastIndex(where: { $0 != nil }) ?? 0 }

    /// Reads the three parts from `directory` (the `tio2-passive-crossbar` folder).
    public static func load(directory: String) throws -> TiO2Database {
        let samplesPath = directory + "/bias-disturbance-samples.csv"
        let statsPath = directory + "/bias-disturbance-stats.csv"
        let samples = try parseSamples(try read(samplesPath), path: samplesPath)
        let stats = try parseStats(try read(statsPath), path: statsPath)
        var maps: [DeadMap] = []
        let stuckDir = directory + "/stuck-devices"
        if let names = try? FileManager.default.contentsOfDirectory(atPath: stuckDir) {
            for name in names.sorted() where name.hasSuffix(".csv") {
                let p = stuckDir + "/" + name
                maps.append(try parseDeadMap(try read(p), path: p, name: String(name.dropLast(4))))
            }
        }
        return TiO2Database(samples: samples, stats: stats, deadMaps: maps, directory: directory)
    }

    static func read(_ path: String) throws -> String {
        let data = try InputFile.read(path, hint: "part of the TiO₂ passive-crossbar database: \(origin)")
        guard let text = String(data: data, encoding: .utf8) else {
            throw SpikebarError.invalidInput(SourceLocation(file: path), "not UTF-8 text")
        }
        return text
    }

    /// Data lines of a CSV with the given header: (line number, fields).
    static func rows(_ text: String, path: String, header: [String], separator: Character = ",") throws -> [(Int, [String])] {
        var out: [(Int, [String])] = []
        var sawHeader = false
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let t = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if t.isEmpty || t.hasPrefix("#") { continue }
            let f = t.split(separator: separator, omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            if !sawHeader {
                guard f == header else {
                    throw SpikebarError.invalidInput(SourceLocation(file: path, line: n + 1), "the header must be '\(header.joined(separator: ","))'")
                }
                sawHeader = true; continue
            }
            guard f.count == header.count else {
                throw SpikebarError.invalidInput(
                    SourceLocation(file: path, line: n + 1), "\(f.count) values, expected \(header.count) (\(header.joined(separator: ",")))")
            }
            out.append((n + 1, f))
        }
        guard sawHeader else {
            throw SpikebarError.invalidInput(
                SourceLocation(file: path, line: 1), "empty file: expected the header '\(header.joined(separator: ","))'")
        }
        return out
    }

    static func k(_ text: String, path: String, line: Int) throws -> Int {
        guard let k = Int(text), k >= 1 else {
            throw SpikebarError.invalidInput(SourceLocation(file: path, line: line), "devices_programmed_after: '\(text)' is not a positive integer")
        }
        guard k <= 1_000_000 else {
            throw SpikebarError.invalidInput(SourceLocation(file: path, line: line), "devices_programmed_after: \(k) is implausibly large")
        }
        return k
    }

    static func number(_ text: String, field: String, path: String, line: Int) throws -> Double {
        guard let x = Double(text), x.isFinite else {
            throw SpikebarError.invalidInput(SourceLocation(file: path, line: line), "\(field): malformed number '\(text)'")
        }
        return x
    }

    /// Parses `bias-disturbance-samples.csv`.
    public static func parseSamples(_ text: String, path: String) throws -> [[Double]] {
        var out: [[Double]] = [[]]
        for (line, f) in try rows(text, path: path, header: ["devices_programmed_after", "delta_conductance_S"]) {
            let kk = try k(f[0], path: path, line: line)
            let d = try number(f[1], field: "delta_conductance_S", path: path, line: line)
            // A change larger than 1 mS exceeds the whole 100–500 µS window twice: a unit error.
            guard abs(d) < 1e-3 else {
                throw SpikebarError.invalidInput(
                    SourceLocation(file: path, line: line), "delta_conductance_S: \(d) S is larger than 1 mS (is it in µS?)")
            }
            if out.count <= kk { out += Array(repeating: [], count: kk + 1 - out.count) }
            out[kk].append(d)
        }
        guard out.count > 1 else { throw SpikebarError.invalidInput(SourceLocation(file: path), "no samples") }
        return out
    }

    /// Parses `bias-disturbance-stats.csv`: `k = 1 … K`, each once, in order; `nan,nan` = not measured.
    public static func parseStats(_ text: String, path: String) throws -> [Stats?] {
        var out: [Stats?] = [nil]
        for (line, f) in try rows(text, path: path, header: ["devices_programmed_after", "mean_S", "std_S"]) {
            let kk = try k(f[0], path: path, line: line)
            guard kk == out.count else {
                throw SpikebarError.invalidInput(
                    SourceLocation(file: path, line: line),
                    kk < out.count
                        ? "devices_programmed_after \(kk) repeated or out of order"
                        : "devices_programmed_after jumps to \(kk): k = \(out.count) is missing")
            }
            if f[1].lowercased() == "nan" && f[2].lowercased() == "nan" { out.append(nil); continue }
            let mean = try number(f[1], field: "mean_S", path: path, line: line)
            let std = try number(f[2], field: "std_S", path: path, line: line)
            guard std >= 0 else {
                throw SpikebarError.invalidInput(SourceLocation(file: path, line: line), "std_S: negative standard deviation \(std)")
            }
            out.append(Stats(mean: mean, std: std))
        }
        guard out.count > 1 else { throw SpikebarError.invalidInput(SourceLocation(file: path), "no statistics") }
        return out
    }

    /// Parses one `stuck-devices/*.csv` resistance map.
    public static func parseDeadMap(_ text: String, path: String, name: String) throws -> DeadMap {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        func fields(_ n: Int) -> [String] {
            lines[n].split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        guard lines.count >= 3 else {
            throw SpikebarError.invalidInput(
                SourceLocation(file: path, line: lines.count), "expected 3 lines (settings header, settings, resistances)")
        }
        let settings = fields(1)
        guard settings.count >= 2 else {
            throw SpikebarError.invalidInput(SourceLocation(file: path, line: 2), "expected the rows and columns first")
        }
        let rowsN = try number(settings[0], field: "n_rows", path: path, line: 2),
            colsN = try number(settings[1], field: "n_columns", path: path, line: 2)
        guard rowsN >= 1, colsN >= 1, rowsN == rowsN.rounded(), colsN == colsN.rounded(), rowsN * colsN <= 1_000_000 else {
            throw SpikebarError.invalidInput(SourceLocation(file: path, line: 2), "n_rows and n_columns must be positive integers")
        }
        let values = fields(2)
        let count = Int(rowsN) * Int(colsN)
        guard values.count == count else {
            throw SpikebarError.invalidInput(
                SourceLocation(file: path, line: 3), "\(values.count) resistances, expected \(Int(rowsN)) × \(Int(colsN)) = \(count)")
        }
        let r = try values.enumerated().map { i, t -> Double in
            let x = try number(t, field: "resistance \(i + 1)", path: path, line: 3)
            guard x > 0 else { throw SpikebarError.invalidInput(SourceLocation(file: path, line: 3), "resistance \(i + 1): \(x) Ω is not positive") }
            return x
        }
        return DeadMap(name: name, rows: Int(rowsN), columns: Int(colsN), resistances: r)
    }

    /// Failure statistics of the dead-crossbar maps (`Docs/passive-arrays.md#stuck-devices`): a device
    /// above 10 kΩ (G < 100 µS, below the HRS end of the window) counts as an HRS failure, one below
    /// 1 kΩ (G > 1 mS, twice the LRS end) as an LRS failure.
    public struct DeadMapSummary: Sendable, Equatable, Codable {
        public var devices: Int
        public var hrsFailures: Int, lrsFailures: Int
        /// Median conductance (S) of each failure class (0 when none).
        public var hrsMedianG: Double, lrsMedianG: Double
    }

    public func deadMapSummary() -> DeadMapSummary {
        let hrs = hrsFailureConductances, lrs = lrsFailureConductances
        return DeadMapSummary(
            devices: deadMaps.reduce(0) { $0 + $1.resistances.count }, hrsFailures: hrs.count, lrsFailures: lrs.count,
            hrsMedianG: hrs.isEmpty ? 0 : hrs[hrs.count / 2], lrsMedianG: lrs.isEmpty ? 0 : lrs[lrs.count / 2])
    }

    /// The database folder: `explicit` (relative to the scenario's folder), else
    /// `$SPIKEBAR_DATA/tio2-passive-crossbar`, else the first `../shared/data/tio2-passive-crossbar` found
    /// walking up from the working directory and from the scenario's folder. Nil when none exists.
    public static func locate(explicit: String?, scenarioPath: String) -> String? {
        let fm = FileManager.default
        let base = URL(fileURLWithPath: scenarioPath).deletingLastPathComponent()
        func isDir(_ p: String) -> Bool { var d: ObjCBool = false; return fm.fileExists(atPath: p, isDirectory: &d) && d.boolValue }
        if let explicit {
            let p = explicit.hasPrefix("/") ? explicit : base.appendingPathComponent(explicit).standardizedFileURL.path
            return isDir(p) ? p : nil
        }
        var candidates: [String] = []
        if let env = ProcessInfo.processInfo.environment["SPIKEBAR_DATA"], !env.isEmpty { candidates.append(env + "/" + folderName) }
        for start in [URL(fileURLWithPath: fm.currentDirectoryPath), base] {
            var dir = start
            for _ in 0..<4 {
                candidates.append(dir.appendingPathComponent("../shared/data/" + folderName).standardizedFileURL.path);
                dir = dir.deletingLastPathComponent()
            }
        }
        return candidates.first(where: isDir)
    }
}
