import SpikebarCore

/// A named group of neurons (a layer, a sensor) in a trace's address space, `size` addresses wide.
///
/// Populations are laid out back to back in header order: population `k` owns the global addresses
/// `offset(k) ..< offset(k) + size`, where `offset(k)` is the sum of the sizes before it.
public struct TracePopulation: Codable, Sendable, Equatable {
    /// Name shown by `spikebar trace inspect` (a layer name, "retina", "input"…).
    public var name: String
    /// Number of addresses (neurons, pixels × polarities…), ≥ 0.
    public var size: Int

    public init(name: String, size: Int) { self.name = name; self.size = size }
}

/// One spike: a time in picoseconds (as `SimTime`) and an address as (population, index in population).
public struct TraceEvent: Sendable, Equatable, Hashable {
    /// Picoseconds since the start of the trace (`SimTime.picoseconds`).
    public var time: Int64
    /// Position of the population in `TraceHeader.populations`.
    public var population: Int
    /// Index of the neuron inside its population, `0 ..< populations[population].size`.
    public var index: Int

    public init(time: Int64, population: Int, index: Int) {
        self.time = time; self.population = population; self.index = index
    }

    /// The event time as a `SimTime`.
    public var simTime: SimTime { SimTime(picoseconds: time) }
}

/// What a trace is about: its address space, time unit and provenance. Stored as JSON in the file
/// header (see `Docs/trace-format.md`).
public struct TraceHeader: Sendable, Equatable {
    /// The address space, in order; global address = offset of the population + index.
    public var populations: [TracePopulation]
    /// Digest of the scenario that produced the trace (free text, e.g. a SHA-256 hex string); empty if none.
    public var scenarioDigest: String
    /// Free-form metadata as a JSON text (an object by convention), e.g. sample boundaries of an import.
    public var metadata: String
    /// Picoseconds per time tick. Times are stored as integer ticks, so every event time must be a
    /// multiple of this unit: 1 for kernel output (ps), 1 000 000 for µs event cameras. Coarser units
    /// compress better.
    public var timeUnit: Int64
    /// What this trace lost to damage before `TraceRepair` rewrote it (empty for an intact recording):
    /// readers of a repaired trace still know which times are incomplete (issue #22).
    public var lostSpans: [LostSpan] = []

    public init(
        populations: [TracePopulation], scenarioDigest: String = "", metadata: String = "{}",
        timeUnit: Int64 = 1, lostSpans: [LostSpan] = []
    ) {
        self.populations = populations; self.scenarioDigest = scenarioDigest
        self.metadata = metadata; self.timeUnit = timeUnit; self.lostSpans = lostSpans
    }

    /// Total number of addresses (sum of population sizes).
    public var addressCount: Int { populations.reduce(0) { $0 + $1.size } }

    /// Start address of every population, plus the total at the end (`populations.count + 1` values).
    public var populationOffsets: [Int] {
        var o = [0]
        o.reserveCapacity(populations.count + 1)
        for p in populations { o.append(o[o.count - 1] + p.size) }
        return o
    }

    /// Largest address count a trace may have: addresses are stored as unsigned 32-bit integers.
    public static let maxAddressCount = Int(UInt32.max) + 1

    /// Why this header cannot be written, or nil.
    func validationProblem(forWriting: Bool = false) -> String? {
        if timeUnit < 1 { return "time unit must be ≥ 1 ps, got \(timeUnit)" }
        var total = 0
        var seen = Set<String>()
        for (k, p) in populations.enumerated() {
            if p.size < 0 { return "population \(k) (\(p.name)) has negative size \(p.size)" }
            // Names key the populations in `trace cat` output and `trace import --format csv`: two
            // with one name would merge on the round trip.
            if forWriting, !seen.insert(p.name).inserted { return "two populations are named '\(p.name)' (names must be unique)" }
            total += p.size
            if total > Self.maxAddressCount {
                return "address space exceeds 2^32 addresses (at population \(k), \(p.name))"
            }
        }
        return nil
    }
}

/// An error reading, writing or importing a trace. Names the file, the byte offset and, where it
/// applies, the chunk number, so a user can find the damage with a hex editor.
public struct TraceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The class of problem.
    public enum Kind: String, Sendable, Equatable {
        case io, badMagic, unsupportedVersion, corruptHeader, corruptChunk, checksumMismatch
        case truncated, corruptIndex, missingIndex, outOfOrder, invalidEvent, invalidArgument
    }
    public var kind: Kind
    public var path: String
    /// Byte offset in the file where the problem was found (nil when it is not about a place in a file).
    public var offset: Int?
    /// Chunk number (0-based, as written) the problem concerns, when known.
    public var chunk: Int?
    public var message: String

    public init(_ kind: Kind, path: String, offset: Int? = nil, chunk: Int? = nil, _ message: String) {
        self.kind = kind; self.path = path; self.offset = offset; self.chunk = chunk; self.message = message
    }

    public var description: String {
        var s = path
        if let offset { s += ": byte \(offset)" }
        if let chunk { s += " (chunk \(chunk))" }
        return s + ": " + message
    }
}
