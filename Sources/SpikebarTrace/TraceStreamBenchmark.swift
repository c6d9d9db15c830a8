import Foundation
import SpikebarCore

/// Streams a synthetic Poisson trace of any length through `TraceWriter` to a file and back through
/// `TraceReader`, generating and checking events on the fly: the memory of both ends stays bounded by
/// one chunk whatever the trace length (issue #5: "memory bounded while streaming a 10⁹-event trace").
///
/// Events: `neurons` independent Poisson processes of `rateHz`, times quantised to `resolution` ps,
/// events of one tick ordered by address (as `TraceBenchmark.poissonEvents`). The read side recomputes
/// an order-sensitive digest of (time, address) and compares it with the write side's.
public enum TraceStreamBenchmark {
    public struct Result: Sendable, Codable {
        public var events: Int
        public var fileBytes: Int
        public var bytesPerEvent: Double
        public var encodeSeconds: Double, decodeSeconds: Double
        public var encodeEventsPerSecond: Double, decodeEventsPerSecond: Double
        /// Peak resident set size (VmHWM) before writing, after writing and after reading, bytes.
        public var peakRSSBefore: Int?, peakRSSAfterWrite: Int?, peakRSSAfterRead: Int?
        /// The digest of what was read equals the digest of what was written.
        public var identical: Bool
    }

    public static func run(
        events: Int, neurons: Int = 1000, rateHz: Double = 20, resolution: Int64 = 1_000_000,
        path: String, seed: UInt64 = 1, progress: (Int) -> Void = { _ in }
    ) throws -> Result {
        let before = TraceBenchmark.peakRSSBytes()
        let header = TraceHeader(
            populations: [TracePopulation(name: "poisson", size: neurons)],
            metadata: "{\"source\":\"TraceStreamBenchmark\"}", timeUnit: resolution)
        var rng = RandomStream(seed: seed, purpose: .benchmark)
        let total = Double(neurons) * rateHz
        let ticksPerSecond = 1e12 / Double(resolution)
        var writeDigest: UInt64 = 0xcbf29ce484222325
        func mix(_ d: inout UInt64, _ t: Int64, _ a: UInt32) {
            d = (d ^ UInt64(bitPattern: t)) &* 0x100000001b3
            d = (d ^ UInt64(a)) &* 0x100000001b3
        }
        let writer = try TraceWriter(path: path, header: header)
        writer.syncOnClose = false
        var group: [UInt32] = []  // addresses of the current tick, sorted before writing
        var groupTick: Int64 = -1
        var t = 0.0
        func flushGroup() throws {
            group.sort()
            for a in group {
                try writer.append(time: groupTick * resolution, address: a)
                mix(&writeDigest, groupTick * resolution, a)
            }
            group.removeAll(keepingCapacity: true)
        }
        let t0 = DispatchTime.now().uptimeNanoseconds
        for k in 0..<events {
            t += rng.nextExponential(rate: total)
            let tick = Int64((t * ticksPerSecond).rounded(.down))
            if tick != groupTick { try flushGroup(); groupTick = tick }
            group.append(UInt32(rng.next() % UInt64(neurons)))
            if k & 0xFFFFF == 0 { progress(k) }
        }
        try flushGroup()
        try writer.close()
        let encode = Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9
        let afterWrite = TraceBenchmark.peakRSSBytes()

        let t1 = DispatchTime.now().uptimeNanoseconds
        let reader = try TraceReader(path: path)
        var readDigest: UInt64 = 0xcbf29ce484222325
        var read = 0
        try reader.forEachChunk { chunk in
            for (time, a) in zip(chunk.times, chunk.addresses) { mix(&readDigest, time, a) }
            read += chunk.times.count
        }
        let decode = Double(DispatchTime.now().uptimeNanoseconds - t1) * 1e-9
        let size = reader.fileSize
        return Result(
            events: events, fileBytes: size, bytesPerEvent: Double(size) / Double(max(1, events)),
            encodeSeconds: encode, decodeSeconds: decode,
            encodeEventsPerSecond: Double(events) / encode, decodeEventsPerSecond: Double(read) / decode,
            peakRSSBefore: before, peakRSSAfterWrite: afterWrite, peakRSSAfterRead: TraceBenchmark.peakRSSBytes(),
            identical: read == events && readDigest == writeDigest)
    }
}
