import SpikebarCore

/// An entry of the kernel's priority queue. Ordered by time, then by the sequence number assigned when
/// it was scheduled (DESIGN §5: ties never depend on heap order), in which crossings come before the
/// other kinds (`afterCrossings`). Input spikes are not queued: they are
/// merged from the sorted input list and count as scheduled before every queued event.
@usableFromInline
struct Event: Comparable {
    @usableFromInline enum Kind: UInt8 { case crossing, check, probe }
    @usableFromInline var time: Int64
    @usableFromInline var seq: UInt64
    @usableFromInline var kind: Kind
    /// Population of the neuron.
    @usableFromInline var population: Int32
    @usableFromInline var neuron: Int32
    /// For a crossing: the neuron's prediction version when scheduled; stale when it differs (lazy
    /// invalidation). For a probe: index of the probe.
    @usableFromInline var tag: UInt32

    /// Top bit of `seq` for every event but crossings: at equal times crossings come first
    /// (`RunState.schedule`).
    @usableFromInline static let afterCrossings: UInt64 = 1 << 63

    @inlinable static func < (a: Event, b: Event) -> Bool {
        a.time != b.time ? a.time < b.time : a.seq < b.seq
    }
    @inlinable static func == (a: Event, b: Event) -> Bool { a.time == b.time && a.seq == b.seq }
}
