import Foundation
import SpikebarCore

/// The header line of an experiment's results log: what the units belong to (issue #17, point 7: every
/// experiment made of independent units — a sweep's (point, chip) pairs, `sweep --transfers`' and
/// `evaluate --chips`' programmed chips — runs on one durable log, `ExperimentLog`).
public protocol ExperimentLogHeader: Codable, Sendable, Equatable {
    /// One unit's result, one JSON line of the log.
    associatedtype Unit: Codable, Sendable, Equatable
    /// The format name and version this header writes and reads.
    static var logFormat: String { get }
    static var logVersion: Int { get }
    /// What one experiment of this log is called in messages ("sweep").
    static var kind: String { get }
    var format: String { get }
    var version: Int { get }
    /// Digest of everything the units depend on: resume and merge refuse logs whose digest differs.
    var digest: String { get }
    /// The slice this log holds (nil: all units).
    var shard: SweepShard? { get set }
    var unitCount: Int { get }
    /// The experiment in words, for error messages.
    var summary: String { get }
    /// What a rerun with the same result needs, for the digest-mismatch message.
    var sameExperimentHint: String { get }
    /// Why this header cannot be an experiment's (a negative count, …), or nil: read back like user input.
    var headerProblem: String? { get }
    /// The index of `u`.
    static func index(of u: Unit) -> Int
    /// Unit `t` in words ("3 (point 1, chip 1)").
    func describe(unit t: Int) -> String
    /// Why `u` cannot be a result of this experiment, or nil: every value read back is checked like user
    /// input (issue #22), since a resume trusts it.
    func problem(_ u: Unit) -> String?
}

extension ExperimentLogHeader {
    /// The units this log is responsible for.
    public var units: [Int] { (0..<unitCount).filter { shard?.contains($0) ?? true } }
    public func describe(unit t: Int) -> String { "\(t)" }
    public var headerProblem: String? { nil }
}

/// Where an experiment keeps its results log and what a run does with it: the file, whether to continue it
/// (`--resume`), the slice of units it holds (`--shard k/N`), and the logs of other slices whose units count
/// as done (`ExperimentLog.run`'s `harvest`). One naming rule for every experiment (`inFolder`).
public struct ExperimentLogPlace: Sendable, Equatable {
    public var path: String
    public var resume: Bool
    public var shard: SweepShard?
    public var harvest: [String]
    public init(path: String, resume: Bool, shard: SweepShard? = nil, harvest: [String] = []) {
        self.path = path; self.resume = resume; self.shard = shard; self.harvest = harvest
    }

    /// The log of a run writing into folder `dir` with file stem `stem` (`transfers`, `chips`, `retrain`,
    /// `evaluate`), named as a sweep's (`SweepLog.fileName`: `<stem>.partial.jsonl`,
    /// `<stem>.shard-k-of-N.jsonl`); resuming the whole run also takes the shard logs in the folder.
    public static func inFolder(_ dir: String, stem: String, shard: SweepShard?, resume: Bool) -> ExperimentLogPlace {
        ExperimentLogPlace(
            path: (dir as NSString).appendingPathComponent(SweepLog.fileName(stem, shard: shard)), resume: resume, shard: shard,
            harvest: resume && shard == nil ? SweepLog.shardLogs(in: dir, stem: stem) : [])
    }
}

/// The append-only results log of an experiment: a header line (`Header`) then one JSON line per finished
/// unit (`Header.Unit`), each fsync'd before the next unit is reported. A SIGKILL at any moment loses at
/// most the units in flight; a torn last line is ignored, any other unreadable line is an error at its
/// byte offset. `SweepLog` (sweeps) and `ChipTransfersLog` (transfers, chip Monte-Carlo) are its instances.
public enum ExperimentLog<Header: ExperimentLogHeader> {
    /// What a log holds: its header, its units (first occurrence of each unit index), units repeated
    /// in it, and the bytes up to the last complete line.
    public struct Contents: Sendable {
        public var header: Header
        public var units: [Header.Unit]
        public var duplicates: Int
        public var completeBytes: Int
    }

    /// Reads a log.
    public static func read(path: String) throws -> Contents {
        guard FileManager.default.fileExists(atPath: path) else {
            throw SpikebarError.missingFile(path: path, referencedFrom: nil, hint: "no \(Header.logFormat) results log here")
        }
        // A regular file only (a FIFO, device or directory is refused, not read).
        let data = try InputFile.read(path, hint: "a \(Header.logFormat) results log")
        let (lines, complete) = DurableLog.completeLines(data)
        guard let first = lines.first else {
            throw SpikebarError.corruptFile(path: path, offset: 0, "empty results log (no complete header line)")
        }
        let decoder = JSONDecoder()
        let header: Header
        do { header = try decoder.decode(Header.self, from: Data(first.text.utf8)) } catch {
            throw SpikebarError.corruptFile(path: path, offset: 0, "not a \(Header.logFormat) header (\(error))")
        }
        guard header.format == Header.logFormat, header.version == Header.logVersion else {
            throw SpikebarError.corruptFile(
                path: path, offset: 0,
                "unsupported log format \(header.format) version \(header.version) (this spikebar reads \(Header.logFormat) version \(Header.logVersion))"
            )
        }
        // Every count in a header is read back like user input: a negative unit count would make the
        // range checks below trap.
        guard header.unitCount >= 0 else {
            throw SpikebarError.corruptFile(path: path, offset: 0, "the header says \(header.unitCount) units (\(header.summary))")
        }
        if let why = header.headerProblem { throw SpikebarError.corruptFile(path: path, offset: 0, "header: \(why)") }
        var seen = Set<Int>(), units: [Header.Unit] = [], duplicates = 0
        for line in lines.dropFirst() {
            let u: Header.Unit
            do { u = try decoder.decode(Header.Unit.self, from: Data(line.text.utf8)) } catch {
                throw SpikebarError.corruptFile(path: path, offset: line.offset, "not a unit line of \(Header.logFormat) (\(error))")
            }
            let t = Header.index(of: u)
            guard (0..<header.unitCount).contains(t) else {
                throw SpikebarError.corruptFile(
                    path: path, offset: line.offset, "unit \(t) does not belong to this \(Header.kind) of \(header.unitCount) units")
            }
            if let why = header.problem(u) {
                throw SpikebarError.corruptFile(path: path, offset: line.offset, "unit \(header.describe(unit: t)): \(why)")
            }
            if seen.insert(t).inserted { units.append(u) } else { duplicates += 1 }
        }
        return Contents(header: header, units: units, duplicates: duplicates, completeBytes: complete)
    }

    static func line<T: Encodable>(_ x: T) throws -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try enc.encode(x), as: UTF8.self)
    }

    /// What `run` did.
    public struct Outcome: Sendable {
        /// Every unit of the log's slice, finished (from the log or just computed), in unit order.
        public var units: [Header.Unit]
        /// Units found in the log (`--resume`) and units computed now.
        public var reused: Int, computed: Int
    }

    /// Runs the units of `header`'s slice with results log `path`, unit t computed by `unit(t)` on up
    /// to `threads` workers. Without `resume` the log starts afresh; with it, an existing log must carry
    /// the same digest and shard, its torn last line is cut off and only the missing units run (no log:
    /// start afresh). With `resume`, the logs at `harvest` (other slices of the same experiment: shards run
    /// elsewhere, their logs copied here) give their units too — each must carry the same digest — and
    /// those units are appended to this log. `progress(done, todo)` after each unit. The first error a
    /// unit throws stops the run after the units in flight (their results are logged).
    public static func run(
        header: Header, path: String, resume: Bool, harvest: [String] = [], threads: Int,
        progress: (@Sendable (Int, Int) -> Void)? = nil, unit: @escaping @Sendable (Int) throws -> Header.Unit
    ) throws -> Outcome {
        let (finished, log, todo) = try open(header: header, path: path, resume: resume, harvest: harvest)
        let errors = ErrorBox()
        let counter = Counter()
        let computed: [Header.Unit?] = ParallelMap.map(count: todo.count, threads: threads) { k in
            guard errors.first == nil else { return nil }
            do {
                let u = try unit(todo[k])
                try log.append(try line(u))
                progress?(counter.increment(), todo.count)
                return u
            } catch {
                errors.record(error)
                return nil
            }
        }
        if let e = errors.first { throw e }
        let all = finished + computed.compactMap { $0 }
        return Outcome(units: all.sorted { Header.index(of: $0) < Header.index(of: $1) }, reused: finished.count, computed: todo.count)
    }

    /// `run` for an experiment whose units run one after another on the calling thread (each may use every
    /// core itself): the same log, resume and harvest, and `unit` need not be sendable.
    public static func runInOrder(
        header: Header, at place: ExperimentLogPlace, progress: ((Int, Int) -> Void)? = nil, unit: (Int) throws -> Header.Unit
    ) throws -> Outcome {
        var header = header
        header.shard = place.shard
        let (finished, log, todo) = try open(header: header, path: place.path, resume: place.resume, harvest: place.harvest)
        var computed: [Header.Unit] = []
        for t in todo {
            let u = try unit(t)
            try log.append(try line(u))
            computed.append(u)
            progress?(computed.count, todo.count)
        }
        let all = finished + computed
        return Outcome(units: all.sorted { Header.index(of: $0) < Header.index(of: $1) }, reused: finished.count, computed: todo.count)
    }

    /// Refuses a resumed run whose log at `place` holds another experiment (digest) or another slice —
    /// what `run` checks, for a caller to check before it starts any work. Nothing to check without
    /// `resume` or without a complete header line.
    public static func checkResumable(_ header: Header, at place: ExperimentLogPlace) throws {
        guard place.resume, FileManager.default.fileExists(atPath: place.path),
            !DurableLog.completeLines(try InputFile.read(place.path, hint: "a \(Header.logFormat) results log")).lines.isEmpty
        else { return }
        var header = header
        header.shard = place.shard
        try requireSame(try read(path: place.path).header, as: header, path: place.path)
    }

    static func requireSame(_ old: Header, as header: Header, path: String) throws {
        guard old.digest == header.digest else {
            throw SpikebarError.mismatch(
                "\(path) belongs to a different \(Header.kind) (digest \(old.digest): \(old.summary)); this one has digest \(header.digest). \(header.sameExperimentHint)"
            )
        }
        guard old.shard == header.shard else {
            throw SpikebarError.mismatch(
                "\(path) holds shard \(old.shard?.description ?? "none"), this run is shard \(header.shard?.description ?? "none")")
        }
    }

    /// Opens the log for a run: the units it already holds (and those harvested from other slices, appended
    /// to it), the log to append to, and the units still to run, in order.
    private static func open(
        header: Header, path: String, resume: Bool, harvest: [String]
    ) throws -> (finished: [Header.Unit], log: DurableLog, todo: [Int]) {
        var finished: [Header.Unit] = []
        let log: DurableLog
        // A log without one complete line (emptied, or cut inside its header) holds no result: start afresh.
        let hasHeader =
            resume && FileManager.default.fileExists(atPath: path)
            ? !DurableLog.completeLines(try InputFile.read(path, hint: "a \(Header.logFormat) results log")).lines.isEmpty : false
        if resume, hasHeader {
            let old = try read(path: path)
            try requireSame(old.header, as: header, path: path)
            let mine = Set(header.units)
            finished = old.units.filter { mine.contains(Header.index(of: $0)) }
            log = try DurableLog(path: path, truncateTo: old.completeBytes)
        } else {
            try DurableFile.write(try line(header) + "\n", to: path)
            log = try DurableLog(path: path)
        }
        if resume {
            let mine = Set(header.units)
            var have = Set(finished.map(Header.index(of:)))
            for other in harvest where other != path {
                let c = try read(path: other)
                guard c.header.digest == header.digest else {
                    throw SpikebarError.mismatch(
                        "\(other) belongs to a different \(Header.kind) (digest \(c.header.digest): \(c.header.summary)); this one has digest \(header.digest). Move it away, or run with the options it was written with"
                    )
                }
                for u in c.units where mine.contains(Header.index(of: u)) && !have.contains(Header.index(of: u)) {
                    try log.append(try line(u))
                    finished.append(u)
                    have.insert(Header.index(of: u))
                }
            }
        }
        let done = Set(finished.map(Header.index(of:)))
        let todo = header.units.filter { !done.contains($0) }
        return (finished, log, todo)
    }

    /// `run` at `place`: the header takes the place's slice.
    public static func run(
        header: Header, at place: ExperimentLogPlace, threads: Int, progress: (@Sendable (Int, Int) -> Void)? = nil,
        unit: @escaping @Sendable (Int) throws -> Header.Unit
    ) throws -> Outcome {
        var header = header
        header.shard = place.shard
        return try run(
            header: header, path: place.path, resume: place.resume, harvest: place.harvest, threads: threads, progress: progress, unit: unit)
    }

    /// What `merge` found.
    public struct Merged: Sendable {
        public var header: Header
        public var units: [Header.Unit]
        /// Logs read, and units present in more than one of them (identical, so harmless).
        public var files: [String]
        public var duplicates: Int
    }

    /// Combines the logs `contents` (read from `files`): refuses logs of different experiments (digests),
    /// units with conflicting results, and an incomplete union (listing the missing units and the shards
    /// that own them).
    public static func merge(_ logs: [(file: String, contents: Contents)], mergeHint: String) throws -> Merged {
        guard let first = logs.first else {
            throw SpikebarError.missingFile(path: "", referencedFrom: nil, hint: "no results log to merge")
        }
        var byUnit: [Int: Header.Unit] = [:], duplicates = 0
        for (file, c) in logs {
            guard c.header.digest == first.contents.header.digest else {
                throw SpikebarError.mismatch(
                    "\(file) (digest \(c.header.digest), \(c.header.summary)) and \(first.file) (digest \(first.contents.header.digest), \(first.contents.header.summary)) are slices of different \(Header.kind)s; \(mergeHint)"
                )
            }
            for u in c.units {
                let t = Header.index(of: u)
                if let old = byUnit[t] {
                    guard old == u else {
                        throw SpikebarError.mismatch(
                            "unit \(c.header.describe(unit: t)) has different results in \(file) and another log: the runs were not deterministic or the inputs changed; rerun that shard"
                        )
                    }
                    duplicates += 1
                } else {
                    byUnit[t] = u
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
            let list = missing.prefix(10).map { header.describe(unit: $0) }.joined(separator: ", ")
            throw SpikebarError.mismatch(
                "\(missing.count) of \(header.unitCount) units are missing: \(list)\(missing.count > 10 ? ", …" : "")\(owners)")
        }
        return Merged(
            header: header, units: (0..<header.unitCount).compactMap { byUnit[$0] }, files: logs.map(\.file), duplicates: duplicates)
    }
}

/// The first error thrown on any worker.
final class ErrorBox: @unchecked Sendable {
    private let lock = NSLock()
    private var error: Error?
    var first: Error? { lock.lock(); defer { lock.unlock() }; return error }
    func record(_ e: Error) { lock.lock(); if error == nil { error = e }; lock.unlock() }
}
