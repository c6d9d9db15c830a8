import Foundation
import Testing
import SpikebarCore
import SpikebarPipeline
import SpikebarScenario
import SpikebarTestSupport

/// Issue #4 parts 3 and 5: byte-identical reports and traces whatever the thread count; inputs over the
/// memory budget refused up front with an estimate.
@Suite struct ScaleTests {
    @Test func reportAndTraceAreTheSameBytesWithOneOrAllThreads() throws {
        let dir = try freshTemporaryDirectory("scale-threads")
        let scenario = dir.appendingPathComponent("s.yaml").path
        try sweepTestYAML(samples: 24).write(toFile: scenario, atomically: true, encoding: .utf8)
        var reports: [Data] = [], traces: [Data] = []
        for threads in ["1", "0", "3"] {
            let out = dir.appendingPathComponent("t\(threads)").path
            let r = try runCLI([
                "run", scenario, "--threads", threads, "--record", dir.appendingPathComponent("t\(threads).sbt").path, "--out", out, "--quiet",
            ])
            #expect(r.status == 0, "\(r.stderr)")
            reports.append(try Data(contentsOf: URL(fileURLWithPath: out + "/report.json")))
            traces.append(try Data(contentsOf: dir.appendingPathComponent("t\(threads).sbt")))
        }
        #expect(reports[0].count > 1000 && traces[0].count > 100)
        #expect(reports.allSatisfy { $0 == reports[0] })
        #expect(traces.allSatisfy { $0 == traces[0] })
    }

    func hugeYAML() -> String {
        tinyScenarioYAML(input: 1_000_000, layers: "[{name: out, size: 1000000}]")
    }

    @Test func hugeNetworkIsRefusedInMillisecondsWithAnEstimate() throws {
        let loaded = try scenario(hugeYAML())
        let start = Date()
        let estimate = MemoryEstimate.of(loaded)
        // 10¹² synapses × 56 B.
        #expect(estimate.total >= 1e12 * MemoryEstimate.bytesPerSynapse)
        #expect(throws: SpikebarError.self) { try MemoryBudget.check(estimate, budget: 8 * 1_073_741_824, source: "test", what: "huge") }
        #expect(Date().timeIntervalSince(start) < 0.1)
        do {
            try MemoryBudget.check(estimate, budget: 8 * 1_073_741_824, source: "--memory-budget", what: "huge")
        } catch let SpikebarError.resourceLimit(message) {
            #expect(message.contains("synapses") && message.contains("--memory-budget") && message.contains("TB"), "\(message)")
        }
        // The tiny scenario fits a 64 MiB budget.
        let tiny = try scenario(tinyScenarioYAML())
        try MemoryBudget.check(MemoryEstimate.of(tiny), budget: try MemoryBudget.parse("64MiB", source: "test"), source: "test", what: "tiny")
        #expect(try MemoryBudget.parse("8GiB", source: "t") == 8 * 1_073_741_824)
        #expect(try MemoryBudget.parse("2e9", source: "t") == 2e9)
        #expect(throws: SpikebarError.self) { try MemoryBudget.parse("lots", source: "t") }
    }

    @Test func cliRefusesHugeNetworksBeforeAllocating() throws {
        let dir = try freshTemporaryDirectory("scale-budget")
        let file = dir.appendingPathComponent("huge.yaml").path
        try hugeYAML().write(toFile: file, atomically: true, encoding: .utf8)
        let start = Date()
        let r = try runCLI(["run", file, "--out", dir.path, "--memory-budget", "16GiB"])
        #expect(r.status == 2 && r.stderr.contains("over the budget of") && r.stderr.contains("--memory-budget"), "\(r.stderr)")
        let s = try runCLI(["sweep", file, "--param", "read_noise", "--values", "0", "--out", dir.path])
        #expect(s.status == 2 && s.stderr.contains("over the budget"), "\(s.stderr)")
        #expect(Date().timeIntervalSince(start) < 10)
        let bad = try runCLI(["run", file, "--memory-budget", "plenty"])
        #expect(bad.status == 2 && bad.stderr.contains("not a memory size"), "\(bad.stderr)")
        // Training workspaces count: 10⁵ hidden neurons × 50 steps × 2 threads × 24 B = 240 MB of BPTT
        // workspace alone, over 256 MiB with the chip and the twin's weights.
        let train = dir.appendingPathComponent("train.yaml").path
        try moonsYAML().replacingOccurrences(of: "{name: hidden, size: 8}", with: "{name: hidden, size: 100000}")
            .write(toFile: train, atomically: true, encoding: .utf8)
        let t = try runCLI(["train", train, "--out", dir.path, "--memory-budget", "256MiB", "--threads", "2"])
        #expect(t.status == 2 && t.stderr.contains("BPTT workspace: 2 threads × 50 steps × 100018 neurons"), "\(t.stderr)")
    }
}
