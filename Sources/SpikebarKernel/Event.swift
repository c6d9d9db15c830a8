import SpikebarCore

/// An entry of the kernel's priority queue. Ordered by time, then by the sequence number assigned when
/// it was scheduled (DESIGN §5: ties never depend on heap order). Input spikes are not queued: they are
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

    @inlinable static func < (a: Event, b: Event) -> Bool {
        a.time != b.time ? a.time < b.time : a.seq < b.seq
    }
    @inlinable static func == (a: Event, b: Event) -> Bool { a.time == b.time && a.seq == b.seq }
}
