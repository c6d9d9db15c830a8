import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Crash-safe file writes (issue #4 part 2). A result file is either absent, or the previous version, or
/// the complete new version — never half written — even when the process is SIGKILLed or the machine
/// loses power: the bytes go to a temporary file in the same folder, are `fsync`ed, renamed over the
/// final name (atomic on POSIX file systems) and the folder is `fsync`ed so the rename itself is durable.
/// `Data.write(options: .atomic)` renames too but does not sync, so after a power cut the new name can
/// point at an empty file.
public enum DurableFile {
    static func errnoText() -> String { String(cString: strerror(errno)) }

    static func failure(_ path: String, _ what: String) -> SpikebarError {
        .resourceLimit("cannot \(what) \(path): \(errnoText()) (check free disk space and permissions)")
    }

    /// Writes `data` to `path` atomically and durably (temporary `path.tmp-<pid>`, fsync, rename, fsync
    /// of the folder).
    public static func write(_ data: Data, to path: String) throws {
        let temporary = path + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure(temporary, "create") }
        do {
            try writeAll(fd: fd, data, path: temporary)
            guard fsync(fd) == 0 else { throw failure(temporary, "sync") }
        } catch {
            close(fd); unlink(temporary)
            throw error
        }
        close(fd)
        guard rename(temporary, path) == 0 else {
            let e = failure(path, "rename \(temporary) onto")
            unlink(temporary)
            throw e
        }
        syncFolder(of: path)
    }

    /// Writes `text` (UTF-8) to `path` atomically and durably.
    public static func write(_ text: String, to path: String) throws { try write(Data(text.utf8), to: path) }

    /// `fsync` of the folder holding `path`, so that a rename or a new file survives a power cut.
    /// Best effort: some file systems refuse to open folders for syncing, and the data is safe anyway.
    public static func syncFolder(of path: String) {
        let folder = (path as NSString).deletingLastPathComponent
        let fd = open(folder.isEmpty ? "." : folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 { _ = fsync(fd); close(fd) }
    }

    static func writeAll(fd: Int32, _ data: Data, path: String) throws {
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            guard let base = raw.baseAddress else { return }
            var done = 0
            while done < raw.count {
                let n = Glibc_write_(fd, base + done, raw.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw failure(path, "write")
                }
                done += n
            }
        }
    }
}

/// An append-only log of complete lines, each `fsync`ed before `append` returns: after a SIGKILL every
/// line whose `append` returned is on disk; at worst the last line is torn (no trailing newline), which
/// readers ignore (`DurableLog.completeLines`) and `open(path:resume:)` cuts off before appending.
public final class DurableLog: @unchecked Sendable {
    public let path: String
    private let fd: Int32
    private let lock = NSLock()

    /// Opens `path` for appending. With `truncateTo`, first cuts the file to that many bytes (dropping a
    /// torn last line before new lines follow it).
    public init(path: String, truncateTo: Int? = nil) throws {
        self.path = path
        let f = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard f >= 0 else { throw DurableFile.failure(path, "open for appending") }
        if let truncateTo, ftruncate(f, off_t(truncateTo)) != 0 {
            let e = DurableFile.failure(path, "truncate")
            close(f)
            throw e
        }
        fd = f
        DurableFile.syncFolder(of: path)
    }

    deinit { close(fd) }

    /// Appends `line` and a newline in one `write` and syncs. Thread-safe; lines never interleave.
    public func append(_ line: String) throws {
        lock.lock(); defer { lock.unlock() }
        try DurableFile.writeAll(fd: fd, Data((line + "\n").utf8), path: path)
        guard fsync(fd) == 0 else { throw DurableFile.failure(path, "sync") }
    }

    /// The complete (newline-terminated) lines of `data` with the byte offset of each, and the length of
    /// the complete part: a torn last line (a writer killed mid-write) is left out.
    public static func completeLines(_ data: Data) -> (lines: [(offset: Int, text: Substring)], completeBytes: Int) {
        let bytes = [UInt8](data)
        var lines: [(Int, Substring)] = []
        var start = 0
        for (k, b) in bytes.enumerated() where b == 0x0A {
            lines.append((start, Substring(String(decoding: bytes[start..<k], as: UTF8.self))))
            start = k + 1
        }
        return (lines, start)
    }
}

@inline(__always) private func Glibc_write_(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int { write(fd, p, n) }
