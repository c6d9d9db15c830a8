import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a user-named input file (scenario, weights, device table, dataset) whole, after checking that
/// it is a regular file of sane size.
///
/// Why: `FileManager.contents(atPath:)` reads whatever the path names — `/dev/zero` or `/dev/urandom`
/// never end and take all memory, a FIFO blocks for ever, a directory gives a confusing "missing" error.
/// A scenario may name any path, so each of these must be a clear error instead (the project's rule:
/// bad input gets an error, never a crash or a hang).
public enum InputFile {
    /// Largest input accepted (bytes): far above every real input (full MNIST is 55 MB gzip-compressed).
    public static let defaultLimit = 4 << 30

    /// The file's bytes. Throws `missingFile` when nothing is there, `invalidInput` for a directory,
    /// device, FIFO or socket, and `resourceLimit` above `limit` bytes.
    public static func read(
        _ path: String, hint: String, referencedFrom: SourceLocation? = nil,
        limit: Int = InputFile.defaultLimit
    ) throws -> Data {
        let st = try checkRegular(path, hint: hint, referencedFrom: referencedFrom, limit: limit)
        // Read with the bound, not by `st_size`: files of /proc and /sys report 0 bytes and then yield
        // any amount (issue #22: /proc/self/pagemap read as an input).
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw SpikebarError.missingFile(path: path, referencedFrom: referencedFrom, hint: hint)
        }
        defer { try? handle.close() }
        // A file that reports 0 bytes (procfs, sysfs) gets 64 MiB at most: no real input is such a file.
        let bound = st.st_size == 0 ? min(limit, 64 << 20) : limit
        let data: Data
        do { data = try handle.read(upToCount: bound + 1) ?? Data() } catch {
            throw SpikebarError.invalidInput(SourceLocation(file: path), "cannot read: \(error.localizedDescription); expected \(hint)")
        }
        guard data.count <= bound else {
            throw SpikebarError.resourceLimit("\(path): more than \(bound) bytes, the limit for an input file that reports \(st.st_size) bytes")
        }
        return data
    }

    /// The checks of `read` without reading: the path is a regular file (not a directory, device, FIFO or
    /// socket, which a library opening the path itself — libhdf5 — would block on or misread) of at most
    /// `limit` bytes. Returns its `stat`.
    @discardableResult
    public static func checkRegular(
        _ path: String, hint: String, referencedFrom: SourceLocation? = nil,
        limit: Int = InputFile.defaultLimit
    ) throws -> stat {
        var st = stat()
        guard stat(path, &st) == 0 else {
            throw SpikebarError.missingFile(path: path, referencedFrom: referencedFrom, hint: hint)
        }
        let kind = st.st_mode & S_IFMT
        guard kind == S_IFREG else {
            let what =
                kind == S_IFDIR
                ? "a directory"
                : kind == S_IFCHR || kind == S_IFBLK ? "a device" : kind == S_IFIFO ? "a FIFO" : kind == S_IFSOCK ? "a socket" : "not a regular file"
            throw SpikebarError.invalidInput(SourceLocation(file: path), "\(what), not a regular file; expected \(hint)")
        }
        guard Int(st.st_size) <= limit else {
            throw SpikebarError.resourceLimit("\(path): \(st.st_size) bytes, more than the \(limit)-byte limit for an input file")
        }
        return st
    }
}
