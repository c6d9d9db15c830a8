import Foundation

/// Idle scratch objects kept for reuse across calls, shared between threads: a bounded list behind a
/// lock. Used where fresh scratch memory per call cost more in page faults than the call's own work
/// (trace decoders, `ChunkDecoderPool`; twin workspaces and gradient buffers, `TwinScratchPool`).
///
/// Reuse must not change results: users overwrite an item before reading it. At most `capacity` items
/// are kept; `give` drops the rest (and whatever the caller decides is too large to keep).
public final class ReusePool<Item>: @unchecked Sendable {
    public let capacity: Int
    private let lock = NSLock()
    private var idle: [Item] = []

    public init(capacity: Int) { self.capacity = capacity }

    /// The most recently returned idle item for which `fits` holds, removed from the pool; nil if none.
    public func take(where fits: (Item) -> Bool = { _ in true }) -> Item? {
        lock.lock(); defer { lock.unlock() }
        guard let i = idle.lastIndex(where: fits) else { return nil }
        return idle.remove(at: i)
    }

    /// Returns an item no one uses any more (dropped when the pool is full).
    public func give(_ item: Item) {
        lock.lock(); defer { lock.unlock() }
        if idle.count < capacity { idle.append(item) }
    }
}
