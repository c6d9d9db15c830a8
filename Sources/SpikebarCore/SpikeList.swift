/// A time-sorted list of spikes of one population: what encoders produce, what the kernel consumes and
/// emits, what traces store. Structure of arrays: `times[k]` (ps) and `channels[k]`.
///
/// Invariant: `times` is non-decreasing and `times.count == channels.count`; spikes with equal times
/// keep their insertion order (the kernel's tie-break).
public struct SpikeList: Sendable, Equatable, Codable {
    public private(set) var times: [Int64]
    public private(set) var channels: [Int32]

    public init() { times = []; channels = [] }

    /// Builds a list from unsorted spikes, ordered by (time, channel) so that the result does not depend
    /// on the order the spikes were generated in.
    public init(unsorted spikes: [(time: Int64, channel: Int32)]) {
        let sorted = spikes.sorted { $0.time != $1.time ? $0.time < $1.time : $0.channel < $1.channel }
        times = sorted.map(\.time)
        channels = sorted.map(\.channel)
    }

    public var count: Int { times.count }
    public var isEmpty: Bool { times.isEmpty }

    /// Appends a spike no earlier than the last one; returns false (and appends nothing) otherwise.
    @discardableResult
    public mutating func append(time: Int64, channel: Int32) -> Bool {
        if let last = times.last, time < last { return false }
        times.append(time); channels.append(channel)
        return true
    }

    /// The spikes earlier than `end` (ps): a window cut of a recording.
    public func prefix(before end: Int64) -> SpikeList {
        var k = times.count
        while k > 0 && times[k - 1] >= end { k -= 1 }
        var out = SpikeList()
        out.times = Array(times[..<k]); out.channels = Array(channels[..<k])
        return out
    }

    public mutating func reserveCapacity(_ n: Int) { times.reserveCapacity(n); channels.reserveCapacity(n) }
}
