import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Checks on every path a command writes to, made **before** the command starts its work (issue #22,
/// class 1): an output is a regular file Spikebar creates, never a device node, FIFO, socket or folder
/// that happens to sit at that path, never one of the command's own inputs, and its folder must be
/// writable — so that a long run is not lost to an output that could never have been written.
public enum OutputPath {
    /// What exists at `path` when it is not a regular file (nil: a regular file, a symlink to one, or nothing).
    public static func nonRegularKind(_ path: String) -> String? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        switch st.st_mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFDIR: return "a directory"
        case S_IFCHR, S_IFBLK: return "a device"
        case S_IFIFO: return "a FIFO"
        case S_IFSOCK: return "a socket"
        default: return "not a regular file"
        }
    }

    /// Whether two paths name the same existing file (same device and inode; hard links and symlinks included).
    public static func sameFile(_ a: String, _ b: String) -> Bool {
        var sa = stat(), sb = stat()
        guard stat(a, &sa) == 0, stat(b, &sb) == 0 else { return false }
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino
    }

    /// Checks that `path` may be written as an output file: not empty, not an existing non-regular file,
    /// not any of `inputs`, and in a folder that exists (or can be created) and is writable. `what` names
    /// the option in messages (`--record`, `--out`). Creates the folder when missing (as the writers do).
    public static func checkFile(_ path: String, what: String, inputs: [String] = []) throws {
        guard !path.isEmpty else { throw SpikebarError.invalidInput(SourceLocation(file: what), "empty output path") }
        guard !path.utf8.contains(0) else { throw SpikebarError.invalidInput(SourceLocation(file: what), "output path contains a NUL byte") }
        if let kind = nonRegularKind(path) {
            throw SpikebarError.invalidInput(
                SourceLocation(file: path),
                "\(what): \(kind), not a regular file; outputs are regular files that spikebar creates (refusing to replace it)")
        }
        for input in inputs where input == path || sameFile(input, path) {
            throw SpikebarError.invalidInput(
                SourceLocation(file: path),
                "\(what) names an input of this command (\(input)); refusing to overwrite an input")
        }
        let folder = (path as NSString).deletingLastPathComponent
        try checkFolder(folder.isEmpty ? "." : folder, what: what)
    }

    /// Checks that `folder` is (or can be created as) a writable directory: creates it when missing and
    /// probes it by creating and removing a file with `O_EXCL`.
    public static func checkFolder(_ folder: String, what: String) throws {
        guard !folder.isEmpty else { throw SpikebarError.invalidInput(SourceLocation(file: what), "empty output folder") }
        guard !folder.utf8.contains(0) else { throw SpikebarError.invalidInput(SourceLocation(file: what), "output folder contains a NUL byte") }
        if let kind = nonRegularKind(folder), kind != "a directory" {
            throw SpikebarError.invalidInput(SourceLocation(file: folder), "\(what): \(kind), not a folder")
        }
        var st = stat()
        if stat(folder, &st) == 0, st.st_mode & S_IFMT == S_IFREG {
            throw SpikebarError.invalidInput(SourceLocation(file: folder), "\(what): a regular file, not a folder")
        }
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw SpikebarError.invalidInput(SourceLocation(file: folder), "\(what): cannot create the folder: \(reason(error))")
        }
        let probe = (folder as NSString).appendingPathComponent(".spikebar-probe-\(getpid())-\(UInt32.random(in: 0 ... .max))")
        let fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw SpikebarError.invalidInput(SourceLocation(file: folder), "\(what): the folder is not writable: \(String(cString: strerror(errno)))")
        }
        close(fd)
        unlink(probe)
    }

    /// A short reason from a Foundation error (its underlying POSIX message when there is one).
    static func reason(_ error: Error) -> String {
        let ns = error as NSError
        if let u = ns.userInfo[NSUnderlyingErrorKey] as? NSError, u.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(u.code)))
        }
        return ns.localizedDescription
    }

    /// Whether `name` can be used as one path component of an output (a scenario name in
    /// `spikebar-out/<name>/`): nil when it can, else why not.
    public static func componentProblem(_ name: String) -> String? {
        if name.isEmpty { return "is empty" }
        if name == "." || name == ".." { return "'\(name)' names a folder, not a file name" }
        if name.utf8.count > 128 { return "is \(name.utf8.count) bytes long (at most 128: it becomes a folder name)" }
        if name.contains("/") || name.contains("\\") { return "contains a path separator ('/' or '\\'); it becomes a folder name" }
        if name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) { return "contains a control character (NUL, newline, …)" }
        if name.hasPrefix("-") { return "starts with '-' (it would read as an option)" }
        return nil
    }
}
