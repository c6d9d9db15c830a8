import Foundation
import Testing

/// The command line as a user meets it: exit codes and messages.
@Suite struct CLITests {
    @Test func malformedScenarioExitsNonZeroWithLocation() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spikebar-cli-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = dir.appendingPathComponent("bad.yaml")
        try "seed: 1\nnetwork: {input: 4, layers: [{name: o, size: 2}]}\ninput: {source: uniform, windw: 0.1}\n"
            .write(to: file, atomically: true, encoding: .utf8)
        let r = try runCLI(["run", file.path, "--quiet", "--out", dir.path])
        #expect(r.status != 0 && r.status != -1, "status \(r.status) \(r.stderr)")
        #expect(r.stderr.contains("bad.yaml:3"))
        #expect(r.stderr.contains("input.windw"))
        let missing = try runCLI(["run", dir.appendingPathComponent("nope.yaml").path])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("nope.yaml"))
    }

    @Test func runWritesReports() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spikebar-run-\(getpid())")
        let scenario = packageRoot().appendingPathComponent("Scenarios/quickstart.yaml").path
        let r = try runCLI(["run", scenario, "--samples", "2", "--out", dir.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("rram-snn") && r.stdout.contains("adc-cim") && r.stdout.contains("dynap"))
        #expect(r.stdout.contains("rows active per step"))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("report.json").path))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("report.md").path))
    }
}
