import Foundation

/// An output folder of result files that one run owns (issue #22, class 1): a folder that already
/// holds **another** run's results is kept — the command refuses before it starts, unless `--force`.
///
/// "Which run" is a key the command derives from everything its results depend on (the scenario's
/// digest and every override: samples, seed, timing, …). After writing its results the command stores
/// the key in `<folder>/.spikebar-<command>.run`; a later run with the same key may overwrite them
/// (it writes the same bytes: runs are deterministic), one with another key may not. Results found
/// without a key file (written by an older spikebar, or by hand) count as another run's.
public struct ResultFolder: Sendable {
    public let path: String
    public let command: String
    public let runKey: String
    /// The result files the command writes, relative to the folder.
    public let files: [String]

    /// Where the run key is kept.
    public var keyFile: String { (path as NSString).appendingPathComponent(".spikebar-\(command).run") }

    /// Checks the folder before any work (creates it when missing): writable, no result file is a
    /// non-regular file or one of `inputs`, and no other run's results are there unless `force`.
    public init(path: String, command: String, runKey: String, files: [String], inputs: [String] = [], force: Bool) throws {
        self.path = path; self.command = command; self.runKey = runKey; self.files = files
        try OutputPath.checkFolder(path, what: "--out")
        for f in files {
            try OutputPath.checkFile((path as NSString).appendingPathComponent(f), what: "--out", inputs: inputs)
        }
        let existing = files.filter { FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent($0)) }
        guard !existing.isEmpty, !force else { return }
        let stored = (try? String(contentsOfFile: keyFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        guard stored != runKey else { return }
        throw SpikebarError.invalidInput(
            SourceLocation(file: path),
            "already holds \(existing.joined(separator: ", ")) of another \(command) (\(stored.map { "run key \($0)" } ?? "no run key") ≠ this run's \(runKey)); refusing to overwrite them: pass --force to replace them, or choose another --out"
        )
    }

    /// Records that the folder's results are this run's (after they are written).
    public func claim() throws {
        try DurableFile.write(runKey + "\n", to: keyFile)
    }

    /// A run key: FNV-1a 64 (hex) of the parts, separated so that ("ab","c") ≠ ("a","bc").
    public static func key(_ parts: [String]) -> String {
        var h = FNV1a64()
        for part in parts {
            h.add(bytesOf: part)
            h.add(byte: 0x1F)
        }
        return h.hex
    }
}
