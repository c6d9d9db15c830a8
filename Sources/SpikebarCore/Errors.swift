/// Where a value came from in a user-supplied file: path, 1-based line and column, and the key path
/// inside the document (e.g. `device.levels`). Every user-facing error carries one when it can.
public struct SourceLocation: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var column: Int?
    public var keyPath: String

    public init(file: String, line: Int? = nil, column: Int? = nil, keyPath: String = "") {
        self.file = file; self.line = line; self.column = column; self.keyPath = keyPath
    }

    public var description: String {
        var s = file
        if let line { s += ":\(line)" }
        if let column { s += ":\(column)" }
        if !keyPath.isEmpty { s += ": \(keyPath)" }
        return s
    }
}

/// Errors Spikebar reports to users. Each names what is wrong and where; none is a crash.
public enum SpikebarError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A scenario (or other YAML/JSON input) is malformed or out of range.
    case invalidInput(SourceLocation, String)
    /// A file a scenario needs is missing or unreadable, with a hint on how to obtain it.
    case missingFile(path: String, referencedFrom: SourceLocation?, hint: String)
    /// A binary file is malformed at a byte offset.
    case corruptFile(path: String, offset: Int, String)
    /// Two inputs that must agree (weights vs network shape…) do not.
    case mismatch(String)
    /// A request that would exceed a configured resource budget.
    case resourceLimit(String)
    /// An input file is damaged (truncated, unfinished, a chunk lost) so that the result would be
    /// incomplete: what is missing and from which byte offset. The CLI exits 3 (not 2: the input was
    /// well-formed enough to start, and repair may recover it).
    case damaged(path: String, offset: Int?, String)

    public var description: String {
        switch self {
        case let .invalidInput(loc, msg): return "\(loc): \(msg)"
        case let .missingFile(path, from, hint):
            let origin = from.map { "\($0): " } ?? ""
            return "\(origin)file not found: \(path)\(hint.isEmpty ? "" : " (\(hint))")"
        case let .corruptFile(path, offset, msg): return "\(path): byte \(offset): \(msg)"
        case let .mismatch(msg): return msg
        case let .resourceLimit(msg): return msg
        case let .damaged(path, offset, msg): return "\(path): \(offset.map { "byte \($0): " } ?? "")damaged: \(msg)"
        }
    }
}

extension SpikebarError {
    /// The CLI's exit status for this error: 3 for a damaged input (`damaged`), 2 for everything else.
    public var exitStatus: Int32 {
        if case .damaged = self { return 3 }
        return 2
    }
}
