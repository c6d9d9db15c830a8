import ArgumentParser
import Foundation
import SpikebarScenario
import SpikebarCore

// The CLI's output helpers in one place: progress on standard error, machine-readable JSON on standard
// output, and the command line as the reports quote it. Every command uses these, so `--quiet` and
// `--json` behave the same everywhere: JSON goes to stdout alone, progress and messages to stderr.

/// Progress on standard error: a bar with rate and ETA on a terminal, a plain line every few seconds
/// otherwise (logs, CI); nothing for work shorter than a second, nothing at all when disabled
/// (`--quiet`, `--json`). Rate and ETA are measured from the first finished unit, so that setup before
/// it (programming a chip, calibrating gains, loading data) does not make the first line over-promise.
final class ProgressLine: @unchecked Sendable {
    let total: Int, label: String, enabled: Bool
    let start = Date()
    var last = Date.distantPast
    var first: (at: Date, done: Int)?
    var shown = false
    let lock = NSLock()
    let tty = isatty(2) != 0

    init(total: Int, label: String, enabled: Bool) { self.total = total; self.label = label; self.enabled = enabled }

    /// `done` units of `total` finished (callable from any thread).
    func update(_ done: Int) {
        guard enabled else { return }
        lock.lock(); defer { lock.unlock() }
        let now = Date()
        let elapsed = now.timeIntervalSince(start)
        if first == nil, done > 0 { first = (now, done) }
        // Short work stays silent; a terminal redraws ten times a second, a log gets a line every 5 s.
        guard elapsed > 1, now.timeIntervalSince(last) > (tty ? 0.1 : 5) || done == total else { return }
        last = now
        shown = true
        let rate = Double(done) / elapsed
        let eta = ProgressLine.eta(done: done, total: total, now: now, first: &first)
        let width = 30, filled = total > 0 ? width * min(done, total) / total : width
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let text = "\(bar) \(done)/\(total) \(label)  \(Units.fixed(rate, significant: 3))/s  ETA \(eta)"
        FileHandle.standardError.write(
            Data((tty ? "\r\(text)\u{1B}[K" : "\(label): \(done)/\(total), \(Units.fixed(rate, significant: 3))/s, ETA \(eta)\n").utf8))
    }

    /// Time left for `total - done` units at the rate since `first` (set on the first call that sees
    /// progress); "…" until a unit has finished after it and half a second has passed.
    static func eta(done: Int, total: Int, now: Date, first: inout (at: Date, done: Int)?) -> String {
        if done >= total { return duration(0) }
        guard let f = first else {
            if done > 0 { first = (now, done) }
            return "…"
        }
        let span = now.timeIntervalSince(f.at)
        guard done > f.done, span >= 0.5 else { return "…" }
        return duration(Double(total - done) * span / Double(done - f.done))
    }

    /// Ends the bar's line on a terminal.
    func finish() {
        guard enabled, tty else { return }
        lock.lock(); defer { lock.unlock() }
        if shown { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    static func duration(_ s: Double) -> String {
        s >= 90 ? "\(Int(s / 60)) min \(Int(s.truncatingRemainder(dividingBy: 60))) s" : "\(Units.fixed(s, significant: 2)) s"
    }
}

/// A message on standard error unless quiet (progress notes of multi-step commands).
func note(_ message: String, quiet: Bool) {
    guard !quiet else { return }
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// Prints `value` as pretty JSON with sorted keys on standard output (the `--json` of every command).
func printJSON<T: Encodable>(_ value: T) throws {
    let enc = JSONEncoder.spikebar(pretty: true)
    FileHandle.standardOutput.write(try enc.encode(value))
    FileHandle.standardOutput.write(Data("\n".utf8))
}

/// The command line as reports quote it: `spikebar` and the arguments, shell-quoted where needed. The
/// executable's own path is replaced by `spikebar` so that the same command gives the same report.
func commandLineText(_ arguments: [String] = CommandLine.arguments) -> String {
    func quote(_ a: String) -> String {
        let safe = a.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || "-_./=:,+@%".unicodeScalars.contains($0) }
        return safe && !a.isEmpty ? a : "'" + a.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
    return (["spikebar"] + arguments.dropFirst().map(quote)).joined(separator: " ")
}

/// Options that override a scenario for one command (`run`, `compare`): applied the same way everywhere.
struct ScenarioOverrides: ParsableArguments {
    @Option(help: "Override the number of inferences.")
    var samples: Int?

    @Option(help: "Override the seed.")
    var seed: UInt64?

    @Option(help: "Worker threads (0 = all cores). Results do not depend on it.")
    var threads: Int?

    @Option(
        name: .customLong("set"),
        help:
            "key.path=value: set one scenario key before decoding (repeatable), checked like the file's own keys, e.g. --set architectures.same_node.node=HP45."
    )
    var sets: [String] = []

    /// Loads `path` with the `--set` settings applied (they are part of the scenario's digest).
    func load(path: String, requireWeightsFile: Bool = true) throws -> LoadedScenario {
        let settings = try sets.map { try ScenarioSetting(parsing: $0) }
        return settings.isEmpty
            ? try ScenarioLoader.load(path: path, requireWeightsFile: requireWeightsFile)
            : try ScenarioLoader.load(path: path, settings: settings, requireWeightsFile: requireWeightsFile)
    }

    func apply(to loaded: inout LoadedScenario) throws {
        if let samples {
            guard samples >= 1 else { throw ValidationError("--samples must be ≥ 1") }
            loaded.scenario.input.samples = samples
            loaded.scenario.input.samplesGiven = true
        }
        if let seed { loaded.scenario.seed = seed }
        if let threads { loaded.scenario.simulation.threads = threads }
    }
}
