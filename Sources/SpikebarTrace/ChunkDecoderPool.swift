import SpikebarCore

/// Idle chunk decoders shared by the trace readers of a process: a reader takes one when it opens
/// and gives it back when it is released.
///
/// Why: a decoder's zstd context and scratch buffers (about 1.5 MB for 65,536-event chunks: the
/// compressed chunk, the byte planes, the per-population streams) are fresh memory for every new
/// reader, and the page faults of first touching it cost more than decoding a small trace does:
/// opening and decoding the 234,015-event recorded quickstart run took 2.18 ms with a fresh decoder
/// per reader and 1.50 ms with a reused one (`Docs/performance.md`, trace decoding). Reading many
/// traces one after the other (a dataset of recordings, `bench trace`'s repeats, the fuzzer) pays it
/// once. zstd's manual recommends the same for its contexts ("reuse context for each new
/// decompression"). A decoder holds no state from one chunk to the next, so reuse cannot change what
/// is decoded.
///
/// Memory: at most `capacity` idle decoders are kept, and none whose buffers exceed
/// `largestRetainedBytes` (a chunk of 2²⁴ events would otherwise pin ~370 MB after its reader is gone).
final class ChunkDecoderPool: @unchecked Sendable {
    static let shared = ChunkDecoderPool()
    /// Idle decoders kept: enough for one reader per core of a typical workstation.
    static let capacity = 16
    /// Largest scratch (bytes) an idle decoder may keep: 8 MB ≈ a 300,000-event chunk.
    static let largestRetainedBytes = 8 << 20

    private let idle = ReusePool<ChunkDecoder>(capacity: ChunkDecoderPool.capacity)

    /// An idle decoder, or a new one when there is none.
    func take() throws -> ChunkDecoder {
        try idle.take() ?? ChunkDecoder()
    }

    /// Returns a decoder that no reader uses any more.
    func give(_ d: ChunkDecoder) {
        if d.retainedBytes <= Self.largestRetainedBytes { idle.give(d) }
    }
}
