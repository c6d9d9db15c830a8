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
public struct SweepLogHeader: Codable, Sendable, Equatable {
    public var format = "spikebar-sweep-log"
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

    public var unitCount: Int { sweep.points.count * chips }
    /// The units this log is responsible for.
    public var units: [Int] { (0..<unitCount).filter { shard?.contains($0) ?? true } }
}

/// The append-only results log of a sweep: `<stem>.partial.jsonl` (or
/// `<stem>.shard-<k>-of-<N>.jsonl`, stem `SweepSpec.stem`) in the output folder, a header line (`SweepLogHeader`) then
/// one JSON line per finished unit (`SweepUnit`), each fsync'd before the next unit is reported. A
/// SIGKILL at any moment loses at most the units in flight; a torn last line is ignored.
public enum SweepLog {
    /// The log's file name for output stem `stem` (`SweepSpec.stem`) and `shard`.
    public static func fileName(_ stem: String, shard: SweepShard?) -> String {
        if let shard { return "\(stem).shard-\(shard.index)-of-\(shard.count).jsonl" }
        return "\(stem).partial.jsonl"
    }

    /// Whether `name` is a sweep log's file name.
    public static func isLogName(_ name: String) -> Bool { name.hasPrefix("sweep-") && name.hasSuffix(".jsonl") }

    /// What a log holds: its header, its units (first occurrence of each unit index), units repeated
    /// in it, and the bytes up to the last complete line.
    public struct Contents: Sendable {
        public var header: SweepLogHeader
        public var units: [SweepUnit]
        public var duplicates: Int
        public var completeBytes: Int
    }

    /// Reads a log; a torn last line is left out, any other unreadable line is an error at its byte offset.
    public static func read(path: String) throws -> Contents {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SpikebarError.missingFile(path: path, referencedFrom: nil, hint: "no sweep results log here")
        }
        let (lines, complete) = DurableLog.completeLines(data)
        guard let first = lines.first else {
            throw SpikebarError.corruptFile(path: path, offset: 0, "empty sweep log (no complete header line)")
        }
        let decoder = JSONDecoder()
        struct Version: Decodable { var format: String?; var version: Int? }
        if let v = try? decoder.decode(Version.self, from: Data(first.text.utf8)), v.format == "spikebar-sweep-log", v.version == 1 {
            throw SpikebarError.corruptFile(
                path: path, offset: 0, "a sweep log of an older spikebar (version 1, one device parameter); rerun the sweep without --resume")
        }
        let header: SweepLogHeader
        do { header = try decoder.decode(SweepLogHeader.self, from: Data(first.text.utf8)) } catch {
            throw SpikebarError.corruptFile(path: path, offset: 0, "not a sweep results log header (\(error))")
        }
        guard header.format == "spikebar-sweep-log", header.version == 2 else {
            throw SpikebarError.corruptFile(path: path, offset: 0, "unsupported log format \(header.format) version \(header.version)")
        }
        var seen = Set<Int>(), units: [SweepUnit] = [], duplicates = 0
        for line in lines.dropFirst() {
            let u: SweepUnit
            do { u = try decoder.decode(SweepUnit.self, from: Data(line.text.utf8)) } catch {
                throw SpikebarError.corruptFile(path: path, offset: line.offset, "not a sweep unit line (\(error))")
            }
            guard (0..<header.unitCount).contains(u.unit), u.point == u.unit / header.chips, u.chip == u.unit % header.chips else {
                throw SpikebarError.corruptFile(
                    path: path, offset: line.offset,
                    "unit \(u.unit) (point \(u.point), chip \(u.chip)) does not belong to this sweep of \(header.unitCount) units")
            }
            // Every value read back is checked like user input (issue #22): a line a resume trusts must hold
            // a result this sweep could have produced.
            if let why = problem(u, header: header) {
                throw SpikebarError.corruptFile(path: path, offset: line.offset, "unit \(u.unit): \(why)")
            }
            if seen.insert(u.unit).inserted { units.append(u) } else { duplicates += 1 }
        }
        return Contents(header: header, units: units, duplicates: duplicates, completeBytes: complete)
    }

    /// Why `u` cannot be a result of the sweep of `header`, or nil.
    static func problem(_ u: SweepUnit, header: SweepLogHeader) -> String? {
        if u.point >= header.sweep.points.count { return "point \(u.point) is not one of the sweep's \(header.sweep.points.count) points" }
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

    static func line<T: Encodable>(_ x: T) throws -> String {
        let enc = JSONEncoder(); enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try enc.encode(x), as: UTF8.self)
    }

    /// What `run` did.
    public struct Outcome: Sendable {
        /// Every unit of the log's slice, finished (from the log or just computed), in unit order.
        public var units: [SweepUnit]
        /// Units found in the log (`--resume`) and units computed now.
        public var reused: Int, computed: Int
    }

    /// Runs the units of `header`'s slice with results log `path`. Without `resume` the log starts
    /// afresh; with it, an existing log must carry the same digest and shard, its torn last line is cut
    /// off and only the missing units run (no log: start afresh). `progress(done, todo)` after each unit.
    public static func run(
        work: SweepWork, header: SweepLogHeader, path: String, resume: Bool, threads: Int,
        progress: (@Sendable (Int, Int) -> Void)? = nil
    ) throws -> Outcome {
        var finished: [SweepUnit] = []
        let log: DurableLog
        // A log without one complete line (emptied, or cut inside its header) holds no result: start afresh.
        let hasHeader = FileManager.default.contents(atPath: path).map { !DurableLog.completeLines($0).lines.isEmpty } ?? false
        if resume, hasHeader {
            let old = try read(path: path)
            guard old.header.digest == header.digest else {
                throw SpikebarError.mismatch(
                    "\(path) belongs to a different sweep (digest \(old.header.digest): \(old.header.sweep.keys.joined(separator: ", ")) over \(old.header.sweep.points.count) points × \(old.header.chips) chips, seed \(old.header.seed)); this one has digest \(header.digest). Resume with the same scenario, weights, --set (or --param/--values), --chips and --samples, or start again without --resume"
                )
            }
            guard old.header.shard == header.shard else {
                throw SpikebarError.mismatch(
                    "\(path) holds shard \(old.header.shard?.description ?? "none"), this run is shard \(header.shard?.description ?? "none")")
            }
            let mine = Set(header.units)
            finished = old.units.filter { mine.contains($0.unit) }
            log = try DurableLog(path: path, truncateTo: old.completeBytes)
        } else {
            try DurableFile.write(try line(header) + "\n", to: path)
            log = try DurableLog(path: path)
        }
        let done = Set(finished.map(\.unit))
        let todo = header.units.filter { !done.contains($0) }
        let errors = ErrorBox()
        let counter = Counter()
        let computed: [SweepUnit] = ParallelMap.map(count: todo.count, threads: threads) { k in
            let u = work.unit(todo[k])
            do { try log.append(try line(u)) } catch { errors.record(error) }
            progress?(counter.increment(), todo.count)
            return u
        }
        if let e = errors.first { throw e }
        return Outcome(units: (finished + computed).sorted { $0.unit < $1.unit }, reused: finished.count, computed: computed.count)
    }

    /// What `merge` found.
    public struct Merged: Sendable {
        public var header: SweepLogHeader
        public var units: [SweepUnit]
        /// Logs read, and units present in more than one of them (identical, so harmless).
        public var files: [String]
        public var duplicates: Int
    }

    /// Combines the logs at `paths` (files, or folders searched for `sweep-*.jsonl`, optionally only
    /// those with output stem `stem`): refuses logs of different sweeps (digests), units with conflicting results,
    /// and an incomplete union (listing the missing units and the shards that own them).
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
        guard let first = logs.first else {
            throw SpikebarError.missingFile(
                path: paths.joined(separator: " "), referencedFrom: nil,
                hint: "no \(stem ?? "sweep-*").*.jsonl results log found")
        }
        var byUnit: [Int: SweepUnit] = [:], duplicates = 0
        for (file, c) in logs {
            guard c.header.digest == first.contents.header.digest else {
                throw SpikebarError.mismatch(
                    "\(file) (digest \(c.header.digest), \(c.header.scenario), \(c.header.sweep.stem), \(c.header.sweep.points.count) points × \(c.header.chips) chips) and \(first.file) (digest \(first.contents.header.digest), \(first.contents.header.scenario), \(first.contents.header.sweep.stem), \(first.contents.header.sweep.points.count) points × \(first.contents.header.chips) chips) are slices of different sweeps; merge only the shards of one sweep (--stem picks one)"
                )
            }
            for u in c.units {
                if let old = byUnit[u.unit] {
                    guard old == u else {
                        throw SpikebarError.mismatch(
                            "unit \(u.unit) (point \(u.point), chip \(u.chip)) has different results in \(file) and another log: the runs were not deterministic or the inputs changed; rerun that shard"
                        )
                    }
                    duplicates += 1
                } else {
                    byUnit[u.unit] = u
                }
            }
            duplicates += c.duplicates
        }
        var header = first.contents.header
        header.shard = nil
        let missing = (0..<header.unitCount).filter { byUnit[$0] == nil }
        if !missing.isEmpty {
            let shardCounts = Set(logs.compactMap { $0.contents.header.shard?.count })
            let owners =
                shardCounts.count == 1
                ? " — shards \(Set(missing.map { $0 % shardCounts.first! }).sorted().map { "\($0)/\(shardCounts.first!)" }.joined(separator: ", ")) are incomplete; run them (again) with --resume"
                : ""
            let list = missing.prefix(10).map { "\($0) (point \($0 / header.chips), chip \($0 % header.chips))" }.joined(separator: ", ")
            throw SpikebarError.mismatch(
                "\(missing.count) of \(header.unitCount) units are missing: \(list)\(missing.count > 10 ? ", …" : "")\(owners)")
        }
        return Merged(header: header, units: (0..<header.unitCount).compactMap { byUnit[$0] }, files: logs.map(\.file), duplicates: duplicates)
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

/// The first error thrown on any worker.
final class ErrorBox: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var first: Error?
    func record(_ e: Error) { lock.lock(); if first == nil { first = e }; lock.unlock() }
}
