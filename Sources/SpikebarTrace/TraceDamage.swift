import Foundation

/// A stretch of trace time whose events are (or may be) lost: a damaged chunk, chunks missing between
/// two intact ones, or the end of a truncated or unfinished file (issue #22, class 2: damage is never
/// called "identical"). Events at times in `from … to` (inclusive; `to` nil: to the end of the trace)
/// may be missing; whatever overlaps it cannot be trusted to be complete.
public struct LostSpan: Codable, Sendable, Equatable, CustomStringConvertible {
    /// Last intact time before the damage, picoseconds (`Int64.min` when nothing before it survived).
    public var fromPicoseconds: Int64
    /// First intact time after the damage, picoseconds; nil when nothing after it survived.
    public var toPicoseconds: Int64?
    /// Byte offset of the damage in the (original) file.
    public var offset: Int
    /// What is wrong there.
    public var problem: String

    public init(fromPicoseconds: Int64, toPicoseconds: Int64?, offset: Int, problem: String) {
        self.fromPicoseconds = fromPicoseconds; self.toPicoseconds = toPicoseconds; self.offset = offset; self.problem = problem
    }

    /// Whether the time slice `[start, end)` overlaps the lost span.
    public func overlaps(start: Int64, end: Int64) -> Bool {
        end > fromPicoseconds && (toPicoseconds.map { start <= $0 } ?? true)
    }

    public var description: String {
        let to = toPicoseconds.map { "\($0) ps" } ?? "the end"
        let from = fromPicoseconds == .min ? "the start" : "\(fromPicoseconds) ps"
        return "events between \(from) and \(to) lost at byte \(offset): \(problem)"
    }
}

extension TraceReader {
    /// The time spans this file has lost, from what opening it found (no chunk is decoded): every open
    /// issue lies between two intact chunks (or before the first / after the last), and a file without a
    /// valid index (a killed writer) may have lost everything after its last chunk. Spans a repair
    /// recorded in the header come first. A chunk that fails to decode later adds `lostSpan(chunk:)`.
    public func lostSpans(includeRecorded: Bool = true) -> [LostSpan] {
        var spans = includeRecorded ? header.lostSpans : []
        for issue in openIssues {
            let at = issue.offset ?? fileSize
            if issue.kind == .missingIndex {
                spans.append(
                    LostSpan(
                        fromPicoseconds: chunks.last?.lastTime ?? .min, toPicoseconds: nil, offset: at,
                        problem: "no valid index: the writer did not finish, later events may be missing"))
                continue
            }
            let before = chunks.last { $0.offset < at }, after = chunks.first { $0.offset > at }
            spans.append(
                LostSpan(
                    fromPicoseconds: before?.lastTime ?? .min, toPicoseconds: after?.firstTime,
                    offset: at, problem: issue.message))
        }
        return spans
    }

    /// The span lost when chunk `i` of the table cannot be decoded.
    public func lostSpan(chunk i: Int, error: TraceError) -> LostSpan {
        LostSpan(
            fromPicoseconds: i > 0 ? chunks[i - 1].lastTime : .min,
            toPicoseconds: i + 1 < chunks.count ? chunks[i + 1].firstTime : nil,
            offset: error.offset ?? chunks[i].offset, problem: error.message)
    }
}
