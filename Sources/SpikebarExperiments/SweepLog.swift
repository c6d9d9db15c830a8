import Foundation
import SpikebarCore

/// A slice of a sweep's units for one machine: `index` in `0 ..< count` (0-based, like Slurm's
/// `$SLURM_ARRAY_TASK_ID` for `--array=0-(N-1)` and Kubernetes' `$JOB_COMPLETION_INDEX`). Shard `k` of
/// `N` runs the units `t` with `t mod N == k`: interleaved, so every shard gets a mix of cheap and
/// expensive points.
public struct SweepShard: Codable, Sendable, Equatable, CustomStringConvertible {
    public var index: Int
    public var count: Int

    public init(index: Int, count: Int) { self.index = index; self.count = count }

    /// Parses `k/N` (0 ≤ k < N).
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let k = Int(parts[0].trimmingCharacters(in: .whitespaces)),
            let n = Int(parts[1].trimmingCharacters(in: .whitespaces)), n >= 1, (0..<n).contains(k)
        else {
            throw SpikebarError.invalidInput(SourceLocation(file: "--shard"), "expected k/N with 0 ≤ k < N (0-based, e.g. 0/4 … 3/4), got '\(text)'")
        }
        self.init(index: k, count: n)
    }

    public func contains(_ unit: Int) -> Bool { unit % count == index }
    public var description: String { "\(index)/\(count)" }
}

/// The header line of a sweep results log: what the units belong to. `digest` covers the scenario
/// text and everything the units depend on (`SweepWork.fingerprint`); resume and merge refuse logs
/// whose digest differs.
public struct SweepLogHeader: ExperimentLogHeader {
    public typealias Unit = SweepUnit
    public static let logFormat = "spikebar-sweep-log"
    public static let logVersion = 2
    public static let kind = "sweep"
    public var format = SweepLogHeader.logFormat
    /// 2: any scenario keys (`sweep`); version 1 logs (one device parameter) are refused with a message.
    public var version = 2
    public var digest: String
    public var scenario: String
    /// Scenario file and the digest of its text, for the HTML report's provenance.
    public var scenarioFile: String
    public var scenarioDigest: String
    /// The swept keys and the values of every point.
    public var sweep: SweepSpec
    public var chips: Int
    /// Inputs per chip and where they come from (`scenario` or `test`).
    public var samples: Int
    public var inputs: String
    public var seed: UInt64
    /// The slice this log holds (nil: all units).
    public var shard: SweepShard?

    public init(
        digest: String, scenario: String, scenarioFile: String, scenarioDigest: String, sweep: SweepSpec,
        chips: Int, samples: Int, inputs: String, seed: UInt64, shard: SweepShard?
    ) {
        self.digest = digest; self.scenario = scenario; self.scenarioFile = scenarioFile; self.scenarioDigest = scenarioDigest
        self.sweep = sweep; self.chips = chips; self.samples = samples; self.inputs = inputs
        self.seed = seed; self.shard = shard
    }

    /// points × chips; −1 (invalid) for a negative or overflowing count read back from a damaged header.
    public var unitCount: Int {
        let (n, overflow) = sweep.points.count.multipliedReportingOverflow(by: chips)
        return chips >= 0 && !overflow ? n : -1
    }
    public var summary: String {
        "\(scenario), \(sweep.stem): \(sweep.keys.joined(separator: ", ")) over \(sweep.points.count) points × \(chips) chips, seed \(seed)"
    }
    public var sameExperimentHint: String {
        "Resume with the same scenario, weights, --set (or --param/--values), --chips and --samples, or start again without --resume"
    }
    public static func index(of u: SweepUnit) -> Int { u.unit }
    public func describe(unit t: Int) -> String { "\(t) (point \(t / chips), chip \(t % chips))" }

    /// Why `u` cannot be a result of this sweep, or nil.
    public func problem(_ u: SweepUnit) -> String? {
        guard u.point == u.unit / chips, u.chip == u.unit % chips else {
            return "point \(u.point), chip \(u.chip) does not belong to this sweep of \(unitCount) units"
        }
        if u.point >= sweep.points.count { return "point \(u.point) is not one of the sweep's \(sweep.points.count) points" }
        for m in u.architectures ?? [] {
            for (name, x) in [("energy", m.energy), ("latency", m.latency), ("area", m.area)] where !(x.isFinite && x >= 0) {
                return "\(m.architecture) \(name) \(x) is not a finite value ≥ 0"
            }
        }
        if let a = u.accuracy, !(a.isFinite && (0...1).contains(a)) { return "accuracy \(a) is not in 0 … 1" }
        if let s = u.stuckFraction, !(s.isFinite && (0...1).contains(s)) { return "stuck fraction \(s) is not in 0 … 1" }
        for (name, x) in [("energy", u.energy), ("programming energy", u.programmingEnergy)] {
            if let x, !(x.isFinite && x >= 0) { return "\(name) \(x) is not a finite value ≥ 0" }
        }
        if let p = u.pulses, p < 0 { return "negative pulse count \(p)" }
        if let f = u.failures, f < 0 { return "negative failure count \(f)" }
        return nil
    }
}

/// The results log of a sweep (`ExperimentLog` with `SweepLogHeader`): `<stem>.partial.jsonl` (or
/// `<stem>.shard-<k>-of-<N>.jsonl`, stem `SweepSpec.stem`) in the output folder, a header line then one
/// `SweepUnit` per finished (point, chip) unit.
public enum SweepLog {
    public typealias Contents = ExperimentLog<SweepLogHeader>.Contents
    public typealias Outcome = ExperimentLog<SweepLogHeader>.Outcome
    public typealias Merged = ExperimentLog<SweepLogHeader>.Merged

    /// The log's file name for output stem `stem` (`SweepSpec.stem`) and `shard`.
    public static func fileName(_ stem: String, shard: SweepShard?) -> String {
        if let shard { return "\(stem).shard-\(shard.index)-of-\(shard.count).jsonl" }
        return "\(stem).partial.jsonl"
    }

    /// The shard logs of output stem `stem` in folder `dir` (`<stem>.shard-k-of-N.jsonl`), sorted; none when
    /// the folder cannot be listed.
    public static func shardLogs(in dir: String, stem: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [])
            .filter { $0.hasPrefix("\(stem).shard-") && $0.hasSuffix(".jsonl") }.sorted().map { (dir as NSString).appendingPathComponent($0) }
    }

    /// Whether `name` is a sweep log's file name.
    public static func isLogName(_ name: String) -> Bool { name.hasPrefix("sweep-") && name.hasSuffix(".jsonl") }

    /// Reads a sweep log (a version 1 log, of one device parameter, is refused with its own message).
    public static func read(path: String) throws -> Contents {
        if FileManager.default.fileExists(atPath: path), let data = try? InputFile.read(path, hint: "a sweep results log"),
            let first = DurableLog.completeLines(data).lines.first
        {
            struct Version: Decodable { var format: String?; var version: Int? }
            if let v = try? JSONDecoder().decode(Version.self, from: Data(first.text.utf8)), v.format == SweepLogHeader.logFormat, v.version == 1 {
                throw SpikebarError.corruptFile(
                    path: path, offset: 0, "a sweep log of an older spikebar (version 1, one device parameter); rerun the sweep without --resume")
            }
        }
        return try ExperimentLog<SweepLogHeader>.read(path: path)
    }

    /// Runs the units of `header`'s slice (`ExperimentLog.run`) with `work`.
    public static func run(
        work: SweepWork, header: SweepLogHeader, path: String, resume: Bool, threads: Int,
        progress: (@Sendable (Int, Int) -> Void)? = nil
    ) throws -> Outcome {
        try ExperimentLog<SweepLogHeader>.run(header: header, path: path, resume: resume, threads: threads, progress: progress) { work.unit($0) }
    }

    /// Combines the logs at `paths` (files, or folders searched for `sweep-*.jsonl`, optionally only
    /// those with output stem `stem`), as `ExperimentLog.merge`.
    public static func merge(paths: [String], stem: String? = nil) throws -> Merged {
        var files: [String] = []
        for p in paths {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: p, isDirectory: &isDir) else {
                throw SpikebarError.missingFile(path: p, referencedFrom: nil, hint: "give the folders the shards wrote (--out) or their .jsonl logs")
            }
            if isDir.boolValue {
                let names = try FileManager.default.contentsOfDirectory(atPath: p).filter(isLogName).sorted()
                files += names.map { (p as NSString).appendingPathComponent($0) }
            } else {
                files.append(p)
            }
        }
        var logs = try files.map { (file: $0, contents: try read(path: $0)) }
        if let stem { logs = logs.filter { $0.contents.header.sweep.stem == stem } }
        guard !logs.isEmpty else {
            throw SpikebarError.missingFile(
                path: paths.joined(separator: " "), referencedFrom: nil,
                hint: "no \(stem ?? "sweep-*").*.jsonl results log found")
        }
        return try ExperimentLog<SweepLogHeader>.merge(logs, mergeHint: "merge only the shards of one sweep (--stem picks one)")
    }
}

extension DeviceSweep {
    /// The sweep of a complete set of units described by `header`.
    public static func aggregate(header: SweepLogHeader, units: [SweepUnit]) -> DeviceSweep {
        aggregate(
            scenario: header.scenario, spec: header.sweep, chips: header.chips, samples: header.samples, seed: header.seed,
            units: units)
    }
}
