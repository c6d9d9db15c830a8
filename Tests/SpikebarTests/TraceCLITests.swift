import Foundation
import Testing
import SpikebarTrace
import SpikebarTestSupport

/// `spikebar run --record` and `spikebar trace replay` as a user meets them: files and exit codes.
@Suite struct TraceCLITests {
    /// `trace cat --population` prints one population's spikes (by name or number) and names the
    /// populations when asked for one the trace does not have.
    @Test func catFiltersByPopulation() throws {
        let trace = packageRoot().appendingPathComponent("Traces/quickstart-5-inferences.sbt").path
        let hidden = try runCLI(["trace", "cat", trace, "--population", "hidden"])
        #expect(hidden.status == 0, "\(hidden.stderr)")
        let rows = hidden.stdout.split(separator: "\n").dropFirst()
        #expect(rows.count == 1149 && rows.allSatisfy { $0.contains(",hidden,") })
        let two = try runCLI(["trace", "cat", trace, "--population", "2", "--population", "hidden", "--json"])
        #expect(two.stdout.split(separator: "\n").count == 1149 + 38 && !two.stdout.contains("\"input\""))
        let bad = try runCLI(["trace", "cat", trace, "--population", "retina"])
        #expect(bad.status != 0 && bad.stderr.contains("0 input, 1 hidden, 2 output"), "\(bad.stderr)")
    }

    @Test func recordThenReplayExitCodes() throws {
        let dir = try temporaryDirectory("cli-replay")
        defer { try? FileManager.default.removeItem(at: dir) }
        let scenario = try fastQuickstart(in: dir, samples: 2)
        let trace = dir.appendingPathComponent("run.sbt").path
        let rec = try runCLI(["run", scenario, "--record", trace, "--quiet", "--out", dir.path])
        #expect(rec.status == 0, "\(rec.stderr)")
        #expect(FileManager.default.fileExists(atPath: trace))

        let ok = try runCLI(["trace", "replay", trace])
        #expect(ok.status == 0, "\(ok.stdout) \(ok.stderr)")
        #expect(ok.stdout.contains("inferences: 2") && ok.stdout.contains("identical: yes"), "\(ok.stdout)")
        let json = try runCLI(["trace", "replay", trace, scenario, "--json"])
        #expect(json.status == 0)
        let parsed = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(parsed?["identical"] as? Bool == true)

        // One output spike moved 1 ps later: exit 1 and the first differing event.
        let tampered = dir.appendingPathComponent("tampered.sbt").path
        try rewriteTrace(trace, to: tampered) { events in
            guard let i = events.lastIndex(where: { $0.population == 2 }) else { return }
            events[i].time += 1
        }
        let bad = try runCLI(["trace", "replay", tampered])
        #expect(bad.status == 1, "\(bad.stdout) \(bad.stderr)")
        #expect(bad.stdout.contains("first divergence") && bad.stdout.contains("population output"), "\(bad.stdout)")

        // Not a recorded run, and a changed scenario: exit 2 with a message; --force overrides the digest.
        let plain = try runCLI(["trace", "replay", packageRoot().appendingPathComponent("Traces/poisson-100x20Hz.sbt").path])
        #expect(plain.status == 2 && plain.stderr.contains("not a recorded run"), "\(plain.stderr)")
        try (String(contentsOfFile: scenario, encoding: .utf8) + "# edited\n").write(toFile: scenario, atomically: true, encoding: .utf8)
        let changed = try runCLI(["trace", "replay", trace])
        #expect(changed.status == 2 && changed.stderr.contains("--force"), "\(changed.stderr)")
        let forced = try runCLI(["trace", "replay", trace, "--force"])
        #expect(forced.status == 0, "\(forced.stderr)")
    }
}
