import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Helper threads that stay with one grid-mode inference (`RunOptions.deliveryThreads` > 1) and take
/// their part of each large step (`RunState.deliverInputRows`).
///
/// Why not `DispatchQueue` per step: handing a step to GCD and waiting for it cost ≈ 60 µs here, more
/// than a whole step of a 10⁵-neuron network (≈ 35 µs), so the second thread only paid at 10⁶. These
/// helpers wait for the next step by spinning on an atomic generation counter (yielding the core after a
/// short spin, so an oversubscribed machine is not starved, and sleeping on a semaphore when no step
/// comes for ≈ 50–100 µs), which hands a step over in well under a microsecond. The price: while large
/// steps follow each other, the T − 1 helpers keep their cores busy between them — what a user asks
/// for with `simulation.inference_threads`.
///
/// Which thread runs which part never changes a result: the parts touch disjoint memory and each
/// keeps the one-thread order of its own additions (see `RunState+GridColumns+Unsafe.swift`).
final class StepCrew: @unchecked Sendable {
    let helpers: Int
    private let generation = Atomic<Int>(0)
    private let finished = Atomic<Int>(0)
    private let exited = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)
    /// Helpers that stopped spinning and wait on `wake` (a step that is long in coming: the serial steps
    /// of a network whose steps are mostly below the grain, or the end of the inference).
    private let sleepers = Atomic<Int>(0)
    private let wake = DispatchSemaphore(value: 0)
    /// The step's work, part 0 on the caller; written before `generation` is bumped (release) and read
    /// by the helpers after they see the bump (acquire).
    private var job: (@Sendable (Int) -> Void)?

    init(helpers: Int) {
        self.helpers = helpers
        for b in 1...max(helpers, 1) where helpers > 0 {
            let t = Thread { [self] in self.serve(part: b) }
            t.stackSize = 1 << 20
            t.start()
        }
    }

    /// Runs `body(0)` here and `body(1)` … `body(helpers)` on the helpers; returns when all are done.
    func run(_ body: @escaping @Sendable (Int) -> Void) {
        job = body
        finished.store(0, ordering: .relaxed)
        generation.add(1, ordering: .sequentiallyConsistent)
        wakeSleepers()
        body(0)
        var spins = 0
        while finished.load(ordering: .acquiring) < helpers { StepCrew.pause(&spins) }
        job = nil
    }

    /// Ends the helpers (after the inference's last step) and waits for them to leave.
    func stop() {
        stopping.store(true, ordering: .sequentiallyConsistent)
        generation.add(1, ordering: .sequentiallyConsistent)
        wakeSleepers()
        var spins = 0
        while exited.load(ordering: .acquiring) < helpers { StepCrew.pause(&spins) }
    }

    private func serve(part b: Int) {
        var seen = 0
        while true {
            var spins = 0
            var now = generation.load(ordering: .acquiring)
            while now == seen {
                if spins < StepCrew.spinLimit {
                    StepCrew.pause(&spins)
                } else {
                    // Counted before the re-check, so a step published after it finds this helper
                    // counted and signals it (a signal for a helper that did not wait only makes a
                    // later wait return early, and the loop looks again).
                    sleepers.add(1, ordering: .sequentiallyConsistent)
                    if generation.load(ordering: .sequentiallyConsistent) == seen { wake.wait() }
                    spins = 0
                }
                now = generation.load(ordering: .acquiring)
            }
            seen = now
            if stopping.load(ordering: .acquiring) { break }
            job?(b)
            finished.add(1, ordering: .releasing)
        }
        exited.add(1, ordering: .releasing)
    }

    private func wakeSleepers() {
        let n = sleepers.exchange(0, ordering: .sequentiallyConsistent)
        for _ in 0..<n { wake.signal() }
    }

    /// Turns of `pause` before a waiting helper sleeps: ≈ 50–100 µs, a few steps of a large network.
    private static let spinLimit = 20_000

    /// Spin a while (a step is usually microseconds away), then give the core back at every turn.
    @inline(__always)
    private static func pause(_ spins: inout Int) {
        spins += 1
        if spins > 4_000 { sched_yield() }
    }
}
