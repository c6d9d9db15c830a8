#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Thin wrapper over a POSIX file descriptor: positioned reads for the reader (no shared cursor, so
/// seeking is free) and full writes for the writer. Every failure becomes a `TraceError` naming the path.
final class PosixFile {
    let path: String
    private(set) var fd: Int32
    /// Contents of an in-memory "file" (`inMemory`), read instead of `fd`: lets the fuzz targets and
    /// tests feed bytes to the reader without a temporary file per input.
    private let memory: [UInt8]?

    private init(path: String, fd: Int32, memory: [UInt8]? = nil) { self.path = path; self.fd = fd; self.memory = memory }

    /// A read-only file whose contents are `bytes`; `path` only names it in errors.
    static func inMemory(_ bytes: [UInt8], path: String) -> PosixFile { PosixFile(path: path, fd: -1, memory: bytes) }

    static func errnoText() -> String { String(cString: strerror(errno)) }

    static func openForReading(_ path: String) throws -> PosixFile {
        let fd = open(path, O_RDONLY)
        if fd < 0 { throw TraceError(.io, path: path, "cannot open for reading: \(errnoText())") }
        return PosixFile(path: path, fd: fd)
    }

    /// Creates (or empties) `path` for writing, holding an exclusive `flock` on it for the life of the
    /// descriptor: a second writer to the same path fails here instead of interleaving its chunks with
    /// the first one's (issue #22). A `.partial` file left by a killed writer holds no lock (the kernel
    /// drops it with the process) and is simply reused. Refuses anything that is not a regular file.
    static func createForWriting(_ path: String) throws -> PosixFile {
        var st = stat()
        if stat(path, &st) == 0, st.st_mode & S_IFMT != S_IFREG {
            throw TraceError(.invalidArgument, path: path, "not a regular file (a device, FIFO, socket or folder); refusing to write a trace over it")
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)
        if fd < 0 { throw TraceError(.io, path: path, "cannot create: \(errnoText())") }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            _ = Glibc_close(fd)
            throw TraceError(
                .invalidArgument, path: path, "another process is writing this trace (the file is locked); refusing to interleave with it")
        }
        if ftruncate(fd, 0) != 0 {
            let e = TraceError(.io, path: path, "cannot truncate: \(errnoText())")
            _ = Glibc_close(fd)
            throw e
        }
        return PosixFile(path: path, fd: fd)
    }

    func size() throws -> Int {
        if let memory { return memory.count }
        var st = stat()
        if fstat(fd, &st) != 0 { throw TraceError(.io, path: path, "cannot stat: \(PosixFile.errnoText())") }
        return Int(st.st_size)
    }

    /// Reads exactly `count` bytes at `offset` into `buffer` (resized); fewer bytes means end of file.
    func read(at offset: Int, count: Int, into buffer: inout [UInt8]) throws -> Int {
        if buffer.count < count { buffer = [UInt8](repeating: 0, count: count) }
        if let memory {
            guard offset >= 0, offset < memory.count, count > 0 else { return 0 }
            let n = min(count, memory.count - offset)
            buffer.withUnsafeMutableBufferPointer { dst in
                memory.withUnsafeBufferPointer { src in
                    dst.baseAddress!.update(from: src.baseAddress! + offset, count: n)  // invariant: n ≥ 1, both non-empty
                }
            }
            return n
        }
        var done = 0
        try buffer.withUnsafeMutableBytes { raw in
            while done < count {
                // invariant: count > done ≥ 0, so the buffer is non-empty
                let r = pread(fd, raw.baseAddress! + done, count - done, off_t(offset + done))
                if r < 0 {
                    if errno == EINTR { continue }
                    throw TraceError(.io, path: path, offset: offset + done, "read failed: \(PosixFile.errnoText())")
                }
                if r == 0 { break }
                done += r
            }
        }
        return done
    }

    func read(at offset: Int, count: Int) throws -> [UInt8] {
        var b = [UInt8](repeating: 0, count: count)
        let n = try read(at: offset, count: count, into: &b)
        return Array(b[0..<n])
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < bytes.count {
            let r = Glibc_write(fd, bytes.baseAddress! + done, bytes.count - done)  // invariant: count > done ≥ 0
            if r < 0 {
                if errno == EINTR { continue }
                throw TraceError(.io, path: path, "write failed: \(PosixFile.errnoText())")
            }
            done += r
        }
    }

    func write(_ bytes: [UInt8]) throws { try bytes.withUnsafeBytes { try write($0) } }

    func sync() throws {
        if fsync(fd) != 0 { throw TraceError(.io, path: path, "fsync failed: \(PosixFile.errnoText())") }
    }

    func close() {
        if fd >= 0 { _ = Glibc_close(fd); fd = -1 }
    }

    deinit { close() }
}

// The methods above shadow the C functions' names; these aliases reach the C ones.
@inline(__always) private func Glibc_write(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int { write(fd, p, n) }
@inline(__always) private func Glibc_close(_ fd: Int32) -> Int32 { close(fd) }

/// Renames `from` over `to`, refusing when `to` exists and is not a regular file (a device node, FIFO,
/// socket or folder is never replaced by a trace).
func renameFile(_ from: String, _ to: String) throws {
    var st = stat()
    if lstat(to, &st) == 0, st.st_mode & S_IFMT != S_IFREG, st.st_mode & S_IFMT != S_IFLNK {
        throw TraceError(.invalidArgument, path: to, "not a regular file (a device, FIFO, socket or folder); the trace stays in \(from)")
    }
    if stat(to, &st) == 0, st.st_mode & S_IFMT != S_IFREG {
        throw TraceError(.invalidArgument, path: to, "a link to something that is not a regular file; the trace stays in \(from)")
    }
    if rename(from, to) != 0 {
        throw TraceError(.io, path: to, "cannot rename \(from) into place: \(PosixFile.errnoText())")
    }
}

func removeFile(_ path: String) { _ = unlink(path) }
