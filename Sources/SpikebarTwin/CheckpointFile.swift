import Foundation
import SpikebarCore

/// Where a training run keeps its `TrainingCheckpoint`, and the one rule by which a resumed run
/// (`spikebar train`, `nir train`, a MIF `train`) accepts it: readable, valid for the network's shapes
/// (`TrainingCheckpoint.validationProblem`), and of this training (`digest` of what the weights depend
/// on). Written to a temporary file, fsync'd and renamed (`DurableFile`): a SIGKILL or power cut leaves
/// the previous checkpoint or this one.
public struct CheckpointFile: Sendable {
    public var path: String
    /// Digest of what the weights depend on (`ResultFolder.key` of the scenario text and options).
    public var digest: String
    /// What the digest covers, in words, for the refusal ("this scenario text, --batch, --lr …").
    public var covers: String

    public init(path: String, digest: String, covers: String) {
        self.path = path; self.digest = digest; self.covers = covers
    }

    /// The checkpoint at `path` as written, nil when there is none; an unreadable file is an error
    /// naming it (never silently replaced).
    public func read() throws -> TrainingCheckpoint? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        // A regular file only (a FIFO, device or directory is refused, not read).
        let data = try InputFile.read(path, hint: "a training checkpoint")
        do { return try JSONDecoder().decode(TrainingCheckpoint.self, from: data) } catch {
            throw SpikebarError.invalidInput(SourceLocation(file: path), "not a training checkpoint (\(error)); move it away and train again")
        }
    }

    /// The checkpoint to resume: refused with a message naming the file when it is missing, unreadable,
    /// invalid for `shapes` or of another training.
    public func resume(shapes: [Int]) throws -> TrainingCheckpoint {
        guard let ck = try read() else {
            throw SpikebarError.missingFile(
                path: path, referencedFrom: nil, hint: "no checkpoint to resume; run without --resume (or give the same --out)")
        }
        try check(ck, shapes: shapes)
        return ck
    }

    /// Throws unless `ck` is valid for `shapes` and of this training.
    public func check(_ ck: TrainingCheckpoint, shapes: [Int]) throws {
        if let why = ck.validationProblem(shapes: shapes) {
            throw SpikebarError.invalidInput(SourceLocation(file: path), "cannot resume: \(why); move it away and train again")
        }
        guard ck.digest == digest else {
            throw SpikebarError.invalidInput(
                SourceLocation(file: path),
                "cannot resume: the checkpoint belongs to another training (digest \(ck.digest ?? "none") ≠ \(digest) of \(covers)); resume with the options it was started with, or start again without --resume"
            )
        }
    }

    /// Writes `ck` durably.
    public func save(_ ck: TrainingCheckpoint) throws {
        try DurableFile.write(try JSONEncoder().encode(ck), to: path)
    }
}
