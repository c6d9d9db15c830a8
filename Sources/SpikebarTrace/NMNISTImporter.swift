import Foundation
import SpikebarCore

/// Imports N-MNIST recordings (Orchard et al. 2015, "Converting static image datasets to spiking
/// neuromorphic datasets using saccades", Front. Neurosci. 9:437, doi:10.3389/fnins.2015.00437).
///
/// `.bin` layout, 5 bytes (40 bits) per event: byte 0 = x (0…33), byte 1 = y (0…33), bit 7 of byte 2 =
/// polarity (1 = ON), the remaining 23 bits of bytes 2–4 = timestamp in µs, big-endian.
///
/// Trace layout: one population `"retina"` of 34·34·2 = 2312 addresses,
/// `index = (polarity · 34 + y) · 34 + x`; time unit 1 µs (10⁶ ps).
public enum NMNISTImporter {
    public static let width = 34, height = 34
    public static let population = TracePopulation(name: "retina", size: 34 * 34 * 2)
    public static let timeUnit: Int64 = 1_000_000

    /// One event as stored in the file.
    public struct RawEvent: Sendable, Equatable {
        public var x: Int, y: Int, polarity: Int, timestampMicroseconds: Int
        public init(x: Int, y: Int, polarity: Int, timestampMicroseconds: Int) {
            self.x = x; self.y = y; self.polarity = polarity; self.timestampMicroseconds = timestampMicroseconds
        }
    }

    /// The address of a pixel and polarity in the `"retina"` population.
    public static func index(x: Int, y: Int, polarity: Int) -> Int { (polarity * height + y) * width + x }

    /// Inverse of `index(x:y:polarity:)`.
    public static func pixel(index: Int) -> (x: Int, y: Int, polarity: Int) {
        (index % width, (index / width) % height, index / (width * height))
    }

    /// Parses the 5-byte records; errors name the byte offset of the bad record.
    public static func decodeRaw(data: [UInt8], path: String = "<data>") throws -> [RawEvent] {
        guard data.count % 5 == 0 else {
            throw TraceError(
                .truncated, path: path, offset: data.count - data.count % 5,
                "N-MNIST file length \(data.count) is not a multiple of 5 bytes (last event incomplete)")
        }
        var out: [RawEvent] = []
        out.reserveCapacity(data.count / 5)
        var o = 0
        while o < data.count {
            let x = Int(data[o]), y = Int(data[o + 1])
            guard x < width, y < height else {
                throw TraceError(.invalidEvent, path: path, offset: o, "N-MNIST event \(o / 5): pixel (\(x), \(y)) outside 34×34")
            }
            let p = Int(data[o + 2] >> 7)
            let t = (Int(data[o + 2] & 0x7F) << 16) | (Int(data[o + 3]) << 8) | Int(data[o + 4])
            out.append(RawEvent(x: x, y: y, polarity: p, timestampMicroseconds: t))
            o += 5
        }
        return out
    }

    /// Trace events of one recording (population 0, time in ps), sorted by time (stable; the files
    /// are already sorted, the sort only guards against stray out-of-order records).
    public static func decode(data: [UInt8], path: String = "<data>", offsetMicroseconds: Int64 = 0) throws -> [TraceEvent] {
        var ev = try decodeRaw(data: data, path: path).map {
            TraceEvent(
                time: (Int64($0.timestampMicroseconds) + offsetMicroseconds) * timeUnit, population: 0,
                index: index(x: $0.x, y: $0.y, polarity: $0.polarity))
        }
        if !zip(ev, ev.dropFirst()).allSatisfy({ $0.time <= $1.time }) {
            ev = ev.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
        }
        return ev
    }

    /// Largest `.bin` file read (bytes): 16 MiB, 3.3 M events — about 300× the largest recording of the
    /// N-MNIST set (≈ 10,000 events, 50 KB) — so that a wrong or hostile file cannot make the importer
    /// hold gigabytes of events (issue #22, class 5).
    public static let maxFileBytes = 16 << 20

    /// Reads and decodes one `.bin` file (a regular file of at most `maxFileBytes`).
    public static func `import`(binPath: String, offsetMicroseconds: Int64 = 0) throws -> [TraceEvent] {
        let d: Data
        do {
            d = try InputFile.read(binPath, hint: "an N-MNIST .bin recording", limit: maxFileBytes)
        } catch {
            throw TraceError(.io, path: binPath, "cannot read N-MNIST file: \(error)")
        }
        return try decode(data: [UInt8](d), path: binPath, offsetMicroseconds: offsetMicroseconds)
    }

    /// One sample of a concatenated import, recorded in the trace metadata.
    public struct Sample: Codable, Sendable, Equatable {
        public var file: String
        /// Start of the sample in the trace, µs; its events are at `startMicroseconds + timestamp`.
        public var startMicroseconds: Int64
        public var events: Int
    }

    /// Writes several recordings into one trace, back to back: sample k+1 starts 1 µs after the last
    /// event of sample k (a sample without events takes 1 µs); `TraceReader.events(from:to:)` with a
    /// sample's start and the next sample's start returns exactly that sample. The metadata JSON lists the samples:
    /// `{"source":"N-MNIST","samples":[{"file":…,"startMicroseconds":…,"events":…},…]}`.
    @discardableResult
    public static func writeTrace(
        files: [String], output: String, chunkEvents: Int = TraceWriter.defaultChunkEvents,
        level: Int = TraceWriter.defaultLevel, scenarioDigest: String = "",
        progress: ((Int) -> Void)? = nil
    ) throws -> [Sample] {
        var samples: [Sample] = []
        var all: [[TraceEvent]] = []
        // Metadata goes in the header, written first, so samples are decoded before writing.
        // Memory: the decoded events of all files (N-MNIST recordings are small); fine for imports.
        var start: Int64 = 0
        for f in files {
            let ev = try `import`(binPath: f, offsetMicroseconds: start)
            samples.append(Sample(file: (f as NSString).lastPathComponent, startMicroseconds: start, events: ev.count))
            all.append(ev)
            start = (ev.last.map { $0.time / timeUnit } ?? start) + 1
            progress?(samples.count)
        }
        struct Meta: Codable { var source: String; var samples: [Sample] }
        let enc = JSONEncoder.spikebar()
        let meta = String(decoding: try enc.encode(Meta(source: "N-MNIST", samples: samples)), as: UTF8.self)
        let w = try TraceWriter(
            path: output,
            header: TraceHeader(
                populations: [population], scenarioDigest: scenarioDigest,
                metadata: meta, timeUnit: timeUnit),
            chunkEvents: chunkEvents, level: level)
        do {
            for ev in all { try w.append(contentsOf: ev) }
            try w.close()
        } catch { w.discard(); throw error }
        return samples
    }
}
