import Foundation

/// Deterministic parallel map: item `k`'s result lands at index `k` whatever the number of threads,
/// and each item must depend only on `k` (Spikebar's keyed random streams make inferences so). The one
/// scheduler of the project: the kernel's inferences, the sweeps and both twins' mini-batches use it.
public enum ParallelMap {
    public static func map<T: Sendable>(
        count: Int, threads: Int = 0, progress: (@Sendable (Int) -> Void)? = nil,
        _ body: @Sendable @escaping (Int) -> T
    ) -> [T] {
        withWorkspaces(count: count, threads: threads, workspace: {}, progress: progress) { _, k in body(k) }
    }

    /// The same scheduling with a workspace per worker: `count` units on up to `threads` workers (0: all
    /// cores), worker `w` taking units `w, w + workers, …` with one workspace of its own (made by
    /// `workspace`, handed to `release` when the worker is done); result k lands at index k, so a
    /// caller's reduction order never depends on the thread count. `progress` gets the units done so far.
    public static func withWorkspaces<W, T>(
        count: Int, threads: Int = 0, workspace: @escaping () -> W, release: ((W) -> Void)? = nil,
        progress: ((Int) -> Void)? = nil, _ body: @escaping (W, Int) -> T
    ) -> [T] {
        let workers = max(1, min(count, threads > 0 ? threads : ProcessInfo.processInfo.activeProcessorCount))
        let box = ResultBox<T>(count: count)
        if workers == 1 {
            let ws = workspace()
            for k in 0..<count { box.set(k, body(ws, k)); progress?(box.done) }
            release?(ws)
        } else {
            // The closures run on several threads; each unit touches only its own slot and workspace.
            nonisolated(unsafe) let f = body
            nonisolated(unsafe) let make = workspace
            nonisolated(unsafe) let done = release
            nonisolated(unsafe) let report = progress
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                let ws = make()
                var k = w
                while k < count {
                    box.set(k, f(ws, k))
                    report?(box.done)
                    k += workers
                }
                done?(ws)
            }
        }
        return box.values()
    }
}

/// Results written from several threads, each slot exactly once (under a lock).
final class ResultBox<T>: @unchecked Sendable {
    private var slots: [T?]
    private let lock = NSLock()
    private(set) var done = 0
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ k: Int, _ v: T) { lock.lock(); slots[k] = v; done += 1; lock.unlock() }
    func values() -> [T] { slots.compactMap { $0 } }
}
