import Foundation

/// Deterministic parallel map: item `k`'s result lands at index `k` whatever the number of threads,
/// and each item must depend only on `k` (Spikebar's keyed random streams make inferences so).
public enum ParallelMap {
    public static func map<T: Sendable>(
        count: Int, threads: Int = 0, progress: (@Sendable (Int) -> Void)? = nil,
        _ body: @Sendable @escaping (Int) -> T
    ) -> [T] {
        let workers = max(1, min(count, threads > 0 ? threads : ProcessInfo.processInfo.activeProcessorCount))
        let box = ResultBox<T>(count: count)
        if workers == 1 {
            for k in 0..<count { box.set(k, body(k)); progress?(box.done) }
        } else {
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                var k = w
                while k < count {
                    box.set(k, body(k))
                    progress?(box.done)
                    k += workers
                }
            }
        }
        return box.values()
    }
}

/// Results written from several threads, each slot exactly once.
final class ResultBox<T>: @unchecked Sendable {
    private var slots: [T?]
    private let lock = NSLock()
    private(set) var done = 0
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ k: Int, _ v: T) { lock.lock(); slots[k] = v; done += 1; lock.unlock() }
    func values() -> [T] { slots.compactMap { $0 } }
}
