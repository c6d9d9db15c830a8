import Foundation
import SpikebarCore
import SpikebarExperiments
import SpikebarPipeline
import Testing
import SpikebarTestSupport

/// Issue #17 point 7: `evaluate --chips` and `sweep --transfers` are one experiment (`ChipTransfers`) on
/// the durable results log every unit-wise experiment uses (`ExperimentLog`).
@Suite struct ChipTransfersLogTests {
    func experiment() throws -> (ChipTransfers, TrainingSetup) {
        let s = try smallTwoMoonsTrainingSetup()
        let w = s.initialWeights()
        return (ChipTransfers(setup: s, scenario: s.scenario, weights: w, gains: nil, samples: 30, stuckFraction: 0.02, threads: 2), s)
    }

    @Test func aKilledRunResumesToTheSameChipsAndTheSameSummary() throws {
        let (e, _) = try experiment()
        let dir = try freshTemporaryDirectory("chip-transfers")
        let path = dir.appendingPathComponent("chips.partial.jsonl").path
        let log = ChipTransfers.Log(path: path, resume: false, scenarioDigest: "d", what: "test")
        let whole = try e.run(chips: 6, log: log, threads: 2)
        #expect(whole == (try e.run(chips: 6, threads: 1)))  // the log changes nothing, nor the thread count
        #expect(whole.map(\.unit) == Array(0..<6))
        // A kill after three chips, in the middle of the fourth line.
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.split(separator: "\n")
        try (lines[0...3].joined(separator: "\n") + "\n" + lines[4].prefix(9)).write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try ExperimentLog<ChipTransfersLogHeader>.read(path: path).units.count == 3)
        var resumeLog = log
        resumeLog.resume = true
        final class Todo: @unchecked Sendable { let lock = NSLock(); var counts: [Int] = [] }
        let todo = Todo()
        let resumed = try e.run(
            chips: 6, log: resumeLog, threads: 2,
            progress: { _, n in
                todo.lock.lock(); todo.counts.append(n); todo.lock.unlock()
            })
        #expect(resumed == whole)
        #expect(todo.counts == [3, 3, 3])  // only the chips missing from the log ran
        let after = try ExperimentLog<ChipTransfersLogHeader>.read(path: path)
        #expect(after.units.count == 6 && after.duplicates == 0)
        let a = ChipTransfers.Statistics(units: whole, points: 30), b = ChipTransfers.Statistics(units: resumed, points: 30)
        #expect(a == b)
        #expect(a.correct.allSatisfy { (0...6).contains($0) })
        #expect(abs(a.mean - a.accuracies.reduce(0, +) / 6) < 1e-15)
    }

    @Test func aLogOfAnotherRunOrADamagedLineIsRefusedNamingIt() throws {
        let (e, _) = try experiment()
        let dir = try freshTemporaryDirectory("chip-transfers-refused")
        let path = dir.appendingPathComponent("chips.partial.jsonl").path
        _ = try e.run(chips: 3, log: .init(path: path, resume: false, scenarioDigest: "d", what: "test"), threads: 1)
        // Another number of chips is another run (its digest differs): refused, the log left alone.
        #expect(throws: SpikebarError.self) {
            try e.run(chips: 4, log: .init(path: path, resume: true, scenarioDigest: "d", what: "test"), threads: 1)
        }
        #expect(try ExperimentLog<ChipTransfersLogHeader>.read(path: path).units.count == 3)
        // A unit line whose results do not fit the run: named with its byte offset.
        var text = try String(contentsOfFile: path, encoding: .utf8)
        let offset = text.utf8.count
        text += "{\"correct\":\"10x\",\"unit\":2}\n"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        do {
            _ = try ExperimentLog<ChipTransfersLogHeader>.read(path: path)
            Issue.record("a damaged line was accepted")
        } catch let error as SpikebarError {
            #expect("\(error)".contains("\(offset)") && "\(error)".contains("chip 2"), "\(error)")
        }
    }

    /// `evaluate`'s kernel runs on the experiment log: the log changes no figure, and an evaluation killed in
    /// the middle of a block's line resumes to the same accuracies, replay and costs, running only the
    /// missing blocks; a log of another evaluation is refused.
    @Test func aKilledEvaluationResumesToTheSameFigures() throws {
        let (_, setup) = try experiment()
        let w = setup.initialWeights()
        let dir = try freshTemporaryDirectory("evaluate-log")
        let log = TwinEvaluation.Log.inFolder(dir.path, resume: false, scenarioDigest: "d")
        func figures(_ e: TwinEvaluation) throws -> Data {
            var e = e
            e.seconds = 0
            return try JSONEncoder.spikebar().encode(e)
        }
        let plain = try TwinEvaluation.run(setup: setup, weights: w, gains: nil, weightsName: "w", samples: 16, threads: 2)
        let logged = try TwinEvaluation.run(setup: setup, weights: w, gains: nil, weightsName: "w", samples: 16, threads: 1, log: log)
        #expect(try figures(plain) == figures(logged))
        let text = try String(contentsOfFile: log.path, encoding: .utf8)
        let lines = text.split(separator: "\n")
        #expect(lines.count == 1 + 16)  // header + one line per block (16 samples: blocks of 1)
        try (lines.prefix(6).joined(separator: "\n") + "\n" + lines[6].prefix(30)).write(toFile: log.path, atomically: true, encoding: .utf8)
        let ran = RanSamples()
        var resume = log
        resume.resume = true
        let resumed = try TwinEvaluation.run(
            setup: setup, weights: w, gains: nil, weightsName: "w", samples: 16, threads: 2, log: resume, progress: { _, _ in ran.tick() })
        #expect(try figures(resumed) == figures(plain))
        #expect(ran.count == 16 - 5)  // only the 11 blocks the log lacked
        #expect(throws: SpikebarError.self) {
            try TwinEvaluation.run(
                setup: setup, weights: w, gains: nil, weightsName: "w", samples: 16, exact: false, threads: 1, log: resume)
        }
    }

    /// `evaluate --shard` splits a `--chips` run only, and `--resume` continues the logs of a LIF network's
    /// or an NIR scenario's evaluation only (a MIF one keeps none): refused before any work otherwise.
    @Test func evaluateRefusesResumeOrShardWithoutChips() throws {
        let r = try runCLI(["evaluate", "Scenarios/mif-mnist.yaml", "--resume", "--out", try freshTemporaryDirectory("resume-refused").path])
        #expect(r.status == 2 && r.stderr.contains("the evaluation of a MIF network keeps no results log"), "\(r.status) \(r.stderr)")
        let sharded = try runCLI([
            "evaluate", "Scenarios/randman-nhc.yaml", "--shard", "0/2", "--out", try freshTemporaryDirectory("shard-refused").path,
        ])
        #expect(sharded.status == 2 && sharded.stderr.contains("--shard splits a --chips run"), "\(sharded.stderr)")
        // `retrain` alike, and --chip with --chips.
        let retrain = try runCLI(["retrain", "Scenarios/randman-nhc.yaml", "--resume", "--out", try freshTemporaryDirectory("retrain-refused").path])
        #expect(retrain.status == 2 && retrain.stderr.contains("--resume continues or splits a --chips run"), "\(retrain.stderr)")
        let both = try runCLI(["retrain", "Scenarios/randman-nhc.yaml", "--chips", "2", "--chip", "1"])
        #expect(both.status == 2 && both.stderr.contains("--chip and --chips exclude each other"), "\(both.stderr)")
        let huge = try runCLI(["retrain", "Scenarios/randman-nhc.yaml", "--chips", "1000000000000"])
        #expect(huge.status == 2 && huge.stderr.contains("--chips must be in 1 … 100000"), "\(huge.stderr)")
        // The weights read may not be a file the run writes.
        let dir = try freshTemporaryDirectory("retrain-clash")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("retrained"), withIntermediateDirectories: true)
        let input = dir.appendingPathComponent("retrained/chip-1.json").path
        try Data("{}".utf8).write(to: URL(fileURLWithPath: input))
        let clash = try runCLI(["retrain", "Scenarios/two-moons-hardware-aware.yaml", "--weights", input, "--chips", "2", "--out", dir.path])
        #expect(clash.status == 2 && clash.stderr.contains("which this run writes"), "\(clash.stderr)")
        #expect(try String(contentsOfFile: input, encoding: .utf8) == "{}")
    }

    /// Shards run elsewhere: a resumed whole run in a folder holding their logs programs no chip again and
    /// gives the unsplit result; a shard log of another run is refused.
    @Test func shardLogsCombineIntoTheWholeRun() throws {
        let (e, _) = try experiment()
        let dir = try freshTemporaryDirectory("chip-transfers-shards")
        func log(_ name: String, shard: SweepShard? = nil, resume: Bool = false, harvest: [String] = []) -> ChipTransfers.Log {
            .init(path: dir.appendingPathComponent(name).path, resume: resume, scenarioDigest: "d", what: "test", shard: shard, harvest: harvest)
        }
        let a = try e.run(chips: 7, log: log("transfers.shard-0-of-2.jsonl", shard: SweepShard(index: 0, count: 2)), threads: 2)
        let b = try e.run(chips: 7, log: log("transfers.shard-1-of-2.jsonl", shard: SweepShard(index: 1, count: 2)), threads: 1)
        #expect(a.map(\.unit) == [0, 2, 4, 6] && b.map(\.unit) == [1, 3, 5])
        let shards = ["transfers.shard-0-of-2.jsonl", "transfers.shard-1-of-2.jsonl"].map { dir.appendingPathComponent($0).path }
        final class Todo: @unchecked Sendable { var calls = 0 }
        let todo = Todo()
        let whole = try e.run(
            chips: 7, log: log("transfers.partial.jsonl", resume: true, harvest: shards), threads: 2, progress: { _, _ in todo.calls += 1 })
        #expect(todo.calls == 0)  // every chip came from the shard logs
        #expect(whole == (try e.run(chips: 7, threads: 2)))
        #expect(try ExperimentLog<ChipTransfersLogHeader>.read(path: dir.appendingPathComponent("transfers.partial.jsonl").path).units.count == 7)
        // A shard of a run with another number of chips: refused, naming it.
        _ = try e.run(chips: 5, log: log("other.jsonl", shard: SweepShard(index: 0, count: 2)), threads: 1)
        let other = dir.appendingPathComponent("other.jsonl").path
        do {
            _ = try e.run(chips: 7, log: log("transfers.partial.jsonl", resume: true, harvest: [other]), threads: 1)
            Issue.record("a shard log of another run was taken")
        } catch let error as SpikebarError {
            #expect("\(error)".contains("other.jsonl"), "\(error)")
        }
    }
}

/// Counts progress callbacks (one per test sample run).
private final class RanSamples: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    var count: Int { lock.lock(); defer { lock.unlock() }; return n }
    func tick() { lock.lock(); n += 1; lock.unlock() }
}

/// Issue #22 on the experiment logs: a header read back holds any integers. Negative counts, a block
/// size that overflows ⌈samples/block⌉ or a sweep whose points × chips overflows are refused at byte 0
/// naming the header — never a trap.
@Suite struct DamagedLogHeaderTests {
    func refused<H: ExperimentLogHeader>(_: H.Type, _ header: String, unit: String) throws -> Bool {
        let dir = try freshTemporaryDirectory("damaged-header-\(H.logFormat)")
        let path = dir.appendingPathComponent("log.jsonl").path
        try (header + "\n" + unit + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        do { _ = try ExperimentLog<H>.read(path: path) } catch let e as SpikebarError { return "\(e)".contains("byte 0") }
        return false
    }

    @Test func countsThatCannotBeAreRefusedAtByteZero() throws {
        #expect(
            try refused(
                ChipRetrainingLogHeader.self,
                #"{"chips":-1,"digest":"x","format":"spikebar-retrain-log","scenario":"s","seed":7,"testSamples":200,"version":1}"#,
                unit: #"{"accuracyAfter":0.5,"accuracyBefore":0.5,"accuracyFaultFree":0.5,"stuckFraction":0.1,"unit":0,"weightsDigest":"ab"}"#))
        #expect(
            try refused(
                ChipTransfersLogHeader.self,
                #"{"chips":2,"digest":"x","format":"spikebar-chip-transfers-log","samples":-3,"scenario":"s","seed":7,"version":1,"what":"t"}"#,
                unit: #"{"correct":"","unit":0}"#))
        // Huge but consistent (⌈samples/block⌉ would overflow as (samples + block − 1)/block): read without a
        // trap, the unit refused at its own line.
        _ = try refused(
            TwinEvaluationLogHeader.self,
            #"{"architectures":[],"block":9223372036854775807,"classes":2,"digest":"x","exact":false,"format":"spikebar-evaluate-log","samples":9223372036854775807,"scenario":"s","seed":1,"version":1}"#,
            unit: #"{"unit":0}"#)
        #expect(
            try refused(
                TwinEvaluationLogHeader.self,
                #"{"architectures":[],"block":0,"classes":2,"digest":"x","exact":false,"format":"spikebar-evaluate-log","samples":4,"scenario":"s","seed":1,"version":1}"#,
                unit: #"{"unit":0}"#))
        #expect(
            try refused(
                NIRScenarioEvaluationLogHeader.self,
                #"{"chips":9223372036854775807,"digest":"x","format":"spikebar-nir-evaluate-log","rows":4,"samples":3,"scenario":"s","version":1}"#,
                unit: #"{"unit":0}"#))
    }
}
