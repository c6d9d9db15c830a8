import Foundation
import Testing
import SpikebarCore
import SpikebarChip
import SpikebarPipeline
import SpikebarReport
import SpikebarScenario
import SpikebarTestSupport

@Suite struct DeterminismTests {
    func quickstart(samples: Int = 3, seed: UInt64? = nil, threads: Int = 1) throws -> LoadedScenario {
        var l = try ScenarioLoader.load(path: packageRoot().appendingPathComponent("Scenarios/untrained-784-128-10.yaml").path)
        l.scenario.input.samples = samples
        l.scenario.input.window = 0.03
        l.scenario.simulation.threads = threads
        if let seed { l.scenario.seed = seed }
        return l
    }

    func reportJSON(_ l: LoadedScenario) throws -> Data {
        let sim = try Simulation(loaded: l)
        return try ReportRenderer.json(sim.report(sim.runAll(threads: l.scenario.simulation.threads)))
    }

    @Test func sameSeedSameBytesWhateverTheThreads() throws {
        let a = try reportJSON(quickstart(threads: 1))
        let b = try reportJSON(quickstart(threads: 2))
        #expect(a == b)
        #expect(a.count > 1000)
    }

    @Test func differentSeedDifferentConductances() throws {
        let a = try Simulation(loaded: quickstart(seed: 1)).chip
        let b = try Simulation(loaded: quickstart(seed: 2)).chip
        #expect(a.connections[0].gPlus != b.connections[0].gPlus)
        let a2 = try Simulation(loaded: quickstart(seed: 1)).chip
        #expect(a.connections[0].gPlus == a2.connections[0].gPlus)
    }

    /// Generated weights are calibrated so that hidden neurons fire at a realistic rate (10–50 Hz).
    @Test func calibratedHiddenRateIsRealistic() throws {
        var l = try quickstart(samples: 4)
        l.scenario.input.window = 0.1
        let sim = try Simulation(loaded: l)
        let r = sim.report(sim.runAll())
        let hidden = r.meanActivity.meanRatePerLayer[1]
        #expect(hidden >= 10 && hidden <= 50, "hidden rate \(hidden) Hz")
        #expect(r.meanActivity.rowActivityPerStep > 0 && r.meanActivity.rowActivityPerStep < 0.2)
    }
}

/// `ReusePool`, the scratch reuse behind trace decoders and twin workspaces: bounded, and `take(where:)`
/// hands out only a fitting item, the most recently returned first, each at most once, under threads.
@Suite struct ReusePoolTests {
    final class Box { let size: Int; init(_ s: Int) { size = s } }

    @Test func boundedAndMatching() {
        let pool = ReusePool<Box>(capacity: 3)
        let a = Box(1), b = Box(2), c = Box(1), d = Box(3)
        for x in [a, b, c, d] { pool.give(x) }  // d is dropped: the pool holds 3
        #expect(pool.take { $0.size == 3 } == nil)
        #expect(pool.take { $0.size == 1 } === c)
        #expect(pool.take { $0.size == 1 } === a)
        #expect(pool.take { $0.size == 1 } == nil)
        #expect(pool.take() === b && pool.take() == nil)
    }

    @Test func eachItemGoesToOneTakerAtATime() {
        let pool = ReusePool<Box>(capacity: 64)
        for s in 0..<8 { pool.give(Box(s)) }
        let taken = ParallelTally()
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            for _ in 0..<2_000 {
                guard let x = pool.take() else { continue }
                taken.enter(ObjectIdentifier(x))
                taken.leave(ObjectIdentifier(x))
                pool.give(x)
            }
        }
        #expect(taken.clashes == 0)
    }

    /// Counts items held by two takers at once.
    final class ParallelTally: @unchecked Sendable {
        private let lock = NSLock()
        private var held = Set<ObjectIdentifier>()
        private(set) var clashes = 0
        func enter(_ id: ObjectIdentifier) { lock.lock(); if !held.insert(id).inserted { clashes += 1 }; lock.unlock() }
        func leave(_ id: ObjectIdentifier) { lock.lock(); held.remove(id); lock.unlock() }
    }
}
