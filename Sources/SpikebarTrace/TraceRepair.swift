#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What `TraceRepair.repair` recovered and what it had to drop.
public struct TraceRepairReport: Sendable, CustomStringConvertible {
    public var input: String
    public var output: String
    /// Whether the input had a valid index (if so, "repair" only dropped damaged chunks).
    public var inputHadIndex: Bool
    public var chunksRecovered: Int
    public var eventsRecovered: Int
    /// Every problem found in the input, with byte offset and chunk number.
    public var problems: [TraceError]

    public var description: String {
        var s = "\(input) → \(output): recovered \(eventsRecovered) events in \(chunksRecovered) chunks"
        s += inputHadIndex ? " (input had an index)" : " (input had no valid index; chunks found by scanning)"
        for p in problems { s += "\n  - \(p)" }
        return s
    }
}

/// Whether two paths name the same existing file (same device and inode).
func sameFile(_ a: String, _ b: String) -> Bool {
    var sa = stat(), sb = stat()
    guard stat(a, &sa) == 0, stat(b, &sb) == 0 else { return false }
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino
}

/// Rewrites a damaged or unfinished trace (e.g. the `.partial` file of a killed writer) as a valid
/// one with an index, keeping every intact chunk and its boundaries.
public enum TraceRepair {
    public static func repair(input: String, output: String, level: Int = TraceWriter.defaultLevel) throws -> TraceRepairReport {
        let reader = try TraceReader(path: input)
        let largest = max(1, reader.chunks.map(\.eventCount).max() ?? 1)
        // `repair run.sbt.partial --out run.sbt` is the natural command after a killed `run --record`;
        // the writer's own temporary file would then be the input, truncated before it is read.
        let suffix = sameFile(input, output + ".partial") ? ".repair-partial" : ".partial"
        // Nothing lost: the damaged original stays where it is (issue #22).
        guard input != output, !sameFile(input, output) else {
            throw TraceError(
                .invalidArgument, path: output,
                "the output is the input itself; write the repaired trace to another file (the damaged original is kept)")
        }
        // What the damage took is written into the repaired trace's header (`TraceHeader.lostSpans`), so
        // that a replay of it still reports those inferences as damaged instead of calling them divergent.
        var lost = reader.lostSpans(includeRecorded: false)
        for i in reader.chunks.indices {
            do { _ = try reader.readChunk(i) } catch let e as TraceError { lost.append(reader.lostSpan(chunk: i, error: e)) }
        }
        var header = reader.header
        header.lostSpans += lost
        let writer = try TraceWriter(path: output, header: header, chunkEvents: largest, level: level, temporarySuffix: suffix)
        var chunks = 0, events = 0
        var lastTime = Int64.min
        var problems = try reader.forEachIntactChunk { c in
            // The scan keeps chunks in time order, so this only guards against a malformed index.
            guard let first = c.times.first, first >= lastTime else { return }
            for i in c.times.indices { try writer.append(time: c.times[i], address: c.addresses[i]) }
            try writer.flushChunk()
            lastTime = c.times[c.times.count - 1]
            chunks += 1; events += c.times.count
        }
        do { try writer.close() } catch { writer.discard(); throw error }
        problems.sort { ($0.offset ?? 0) < ($1.offset ?? 0) }
        return TraceRepairReport(
            input: input, output: output, inputHadIndex: reader.hasIndex,
            chunksRecovered: chunks, eventsRecovered: events, problems: problems)
    }
}
