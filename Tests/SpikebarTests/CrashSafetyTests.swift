import Foundation
import Testing
import SpikebarCore
import SpikebarExperiments
import SpikebarPipeline
import SpikebarScenario
#if canImport(Glibc)
import Glibc
import SpikebarTestSupport
#endif

/// A sweep scenario small enough for debug builds (16-8-2 network, 40 two-moons inputs of 30 ms, exact
/// timing; ≈ 0.2 s per (point, chip) unit).
func sweepTestYAML(samples: Int = 40) -> String {
    tinyScenarioYAML(
        input: 16, layers: "[{name: hidden, size: 8}, {name: out, size: 2}]", gain: 20,
        device: "programming_error: 2e-6, read_noise: 0.01, physics: {model: hfo2}"
    )
    .replacingOccurrences(
        of: "input: {source: uniform, max_rate: 0, window: 0.05, samples: 1}",
        with: "input: {source: two_moons, max_rate: 200, window: 0.03, samples: \(samples)}")
}

/// Starts the real `spikebar` binary, waits until `ready()` holds (or it exits), then SIGKILLs it.
/// Returns false when the process finished before it could be killed (the test then cannot show anything).
func killWhen(_ args: [String], timeout: TimeInterval = 60, ready: () -> Bool) throws -> Bool {
    guard let exe = spikebarExecutable() else { Issue.record("spikebar executable not found"); return false }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: exe)
    p.arguments = args
    p.standardOutput = FileHandle.nullDevice; p.standardError = FileHandle.nullDevice
    try p.run()
    let deadline = Date().addingTimeInterval(timeout)
    while p.isRunning && !ready() && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
    let killed = p.isRunning
    kill(p.processIdentifier, SIGKILL)
    p.waitUntilExit()
    return killed && p.terminationReason == .uncaughtSignal
}

/// Issue #4 parts 2–4: a SIGKILLed sweep or training resumes to the bytes of an uninterrupted run; shards
/// merge to the unsplit sweep; mismatches are refused.
@Suite(.serialized) struct CrashSafetyTests {
    let sweepArgs = ["--param", "bit_error_rate", "--values", "0,0.01,0.05,0.1", "--chips", "3", "--quiet"]

    func files(_ dir: URL) throws -> (csv: Data, json: Data) {
        (
            try Data(contentsOf: dir.appendingPathComponent("sweep-bit_error_rate.csv")),
            try Data(contentsOf: dir.appendingPathComponent("sweep-bit_error_rate.json"))
        )
    }

    func unitLines(_ log: String) -> Int {
        ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n", omittingEmptySubsequences: true).count - 1
    }

    @Test func killedSweepResumesToTheSameBytes() throws {
        let dir = try freshTemporaryDirectory("crash-sweep")
        let scenario = dir.appendingPathComponent("s.yaml").path
        try sweepTestYAML().write(toFile: scenario, atomically: true, encoding: .utf8)
        let whole = dir.appendingPathComponent("whole"), killed = dir.appendingPathComponent("killed")
        let r = try runCLI(["sweep", scenario] + sweepArgs + ["--out", whole.path, "--threads", "2"])
        #expect(r.status == 0, "\(r.stderr)")

        let log = killed.appendingPathComponent("sweep-bit_error_rate.partial.jsonl").path
        let wasKilled = try killWhen(["sweep", scenario] + sweepArgs + ["--out", killed.path, "--threads", "1"]) { unitLines(log) >= 2 }
        #expect(wasKilled, "the sweep finished before it could be killed")
        let before = unitLines(log)
        #expect(before >= 2 && before < 12, "\(before) units logged")
        #expect(!FileManager.default.fileExists(atPath: killed.appendingPathComponent("sweep-bit_error_rate.csv").path))
        // A torn last line, as a kill in the middle of a write leaves it: ignored, then cut off.
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        h.seekToEndOfFile(); h.write(Data("{\"accuracy\":0.4,\"chi".utf8)); try h.close()

        let resumed = try runCLI(["sweep", scenario] + sweepArgs.dropLast() + ["--out", killed.path, "--threads", "2", "--resume"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdout.contains("resumed: \(before) units"), "\(resumed.stdout)")
        let a = try files(whole), b = try files(killed)
        #expect(a.csv == b.csv)
        #expect(a.json == b.json)
        // Every unit once, no torn line left behind.
        let contents = try SweepLog.read(path: log)
        #expect(contents.units.count == 12 && contents.duplicates == 0)
        #expect(contents.completeBytes == (try Data(contentsOf: URL(fileURLWithPath: log))).count)

        // Resuming with other values is refused (the digest differs), and leaves the log alone.
        let other = try runCLI([
            "sweep", scenario, "--param", "bit_error_rate", "--values", "0,0.2", "--chips", "3", "--out", killed.path, "--resume",
        ])
        #expect(other.status == 2 && other.stderr.contains("different sweep"), "\(other.stderr)")
        #expect(try SweepLog.read(path: log).units.count == 12)
    }

    @Test func shardsMergeToTheUnsplitSweep() throws {
        let dir = try freshTemporaryDirectory("crash-shards")
        let scenario = dir.appendingPathComponent("s.yaml").path
        try sweepTestYAML(samples: 12).write(toFile: scenario, atomically: true, encoding: .utf8)
        let whole = dir.appendingPathComponent("whole")
        #expect(try runCLI(["sweep", scenario] + sweepArgs + ["--out", whole.path, "--threads", "1"]).status == 0)
        let reference = try files(whole)
        for n in [2, 3] {
            var folders: [String] = []
            for k in 0..<n {
                let out = dir.appendingPathComponent("n\(n)-\(k)").path
                let r = try runCLI(["sweep", scenario] + sweepArgs + ["--out", out, "--shard", "\(k)/\(n)", "--threads", "2"])
                #expect(r.status == 0, "\(r.stderr)")
                #expect(!FileManager.default.fileExists(atPath: out + "/sweep-bit_error_rate.csv"))
                folders.append(out)
            }
            // Incomplete: refused, naming the missing shard.
            let partial = try runCLI(["sweep", "merge"] + folders.dropLast() + ["--out", dir.appendingPathComponent("bad").path])
            #expect(partial.status == 2 && partial.stderr.contains("missing") && partial.stderr.contains("\(n - 1)/\(n)"), "\(partial.stderr)")
            let merged = dir.appendingPathComponent("merged-\(n)")
            let m = try runCLI(["sweep", "merge"] + folders.reversed() + ["--out", merged.path, "--quiet"])
            #expect(m.status == 0, "\(m.stderr)")
            let got = try files(merged)
            #expect(got.csv == reference.csv)
            #expect(got.json == reference.json)
        }
        // A shard of another sweep (other chips) is refused.
        let stranger = dir.appendingPathComponent("stranger").path
        #expect(
            try runCLI([
                "sweep", scenario, "--param", "bit_error_rate", "--values", "0,0.01,0.05,0.1", "--chips", "2", "--quiet",
                "--out", stranger, "--shard", "1/2",
            ]).status == 0)
        let mixed = try runCLI(["sweep", "merge", dir.appendingPathComponent("n2-0").path, stranger, "--out", dir.appendingPathComponent("bad").path])
        #expect(mixed.status == 2 && mixed.stderr.contains("different sweeps"), "\(mixed.stderr)")
        let badShard = try runCLI(["sweep", scenario] + sweepArgs + ["--shard", "2/2"])
        #expect(badShard.status == 2 && badShard.stderr.contains("0 ≤ k < N"), "\(badShard.stderr)")
    }

    @Test func killedTrainingResumesToTheSameWeights() throws {
        let dir = try freshTemporaryDirectory("crash-train")
        let file = dir.appendingPathComponent("moons.yaml").path
        try moonsYAML(epochs: 3, train: 600, extraTraining: "\n  patience: 0").write(toFile: file, atomically: true, encoding: .utf8)
        let whole = dir.appendingPathComponent("whole").path, killed = dir.appendingPathComponent("killed").path
        let r = try runCLI(["train", file, "--out", whole, "--quiet", "--threads", "2"])
        #expect(r.status == 0, "\(r.stderr)")
        // A checkpoint after (nearly) every batch: the kill lands after the first, mid-epoch — the harder
        // case to resume — with most of the run still to do, however fast the machine.
        let wasKilled = try killWhen(["train", file, "--out", killed, "--quiet", "--threads", "1", "--checkpoint-every", "0.001"]) {
            FileManager.default.fileExists(atPath: killed + "/checkpoint.json")
        }
        #expect(wasKilled, "training finished before it could be killed")
        #expect(!FileManager.default.fileExists(atPath: killed + "/weights.json"))
        let ck = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: killed + "/checkpoint.json"))) as? [String: Any]
        #expect((ck?["epoch"] as? Int ?? 0) + (ck?["batchInEpoch"] as? Int ?? 0) >= 1)
        let resumed = try runCLI(["train", file, "--out", killed, "--quiet", "--resume", "--threads", "2"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        // Keyed random streams per (epoch, batch) and the exact checkpoint make the resumed run equal.
        let a = try Data(contentsOf: URL(fileURLWithPath: whole + "/weights.json"))
        let b = try Data(contentsOf: URL(fileURLWithPath: killed + "/weights.json"))
        #expect(a == b)
        // No temporary files left behind by the durable writes of a finished run.
        let left = try FileManager.default.contentsOfDirectory(atPath: whole).filter { $0.contains(".tmp-") }
        #expect(left.isEmpty, "\(left)")
    }

    @Test func killedRecordingLeavesARepairablePartialTrace() throws {
        let dir = try freshTemporaryDirectory("crash-record")
        let scenario = dir.appendingPathComponent("s.yaml").path
        try sweepTestYAML(samples: 3000).write(toFile: scenario, atomically: true, encoding: .utf8)
        let trace = dir.appendingPathComponent("run.sbt").path
        let partial = trace + ".partial"
        func size() -> Int { ((try? FileManager.default.attributesOfItem(atPath: partial))?[.size] as? Int) ?? 0 }
        // The header (with 3000 inferences' metadata) is ≈ 0.2 MB and a chunk of 65536 events ≈ 0.3 MB:
        // past 0.5 MB the first chunk is whole on disk.
        let wasKilled = try killWhen(["run", scenario, "--record", trace, "--out", dir.path, "--quiet", "--threads", "1"]) { size() > 500_000 }
        #expect(wasKilled, "the run finished before it could be killed")
        #expect(!FileManager.default.fileExists(atPath: trace))
        // The natural command: repair the .partial into the name the run would have written.
        let r = try runCLI(["trace", "repair", partial, "--out", trace, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        #expect((report?["eventsRecovered"] as? Int ?? 0) >= 65536, "\(r.stdout)")
        #expect(FileManager.default.fileExists(atPath: partial), "the input is kept")
        let inspect = try runCLI(["trace", "inspect", trace])
        #expect(inspect.status == 0 && inspect.stdout.contains("index: present"), "\(inspect.stdout)")
    }
}
