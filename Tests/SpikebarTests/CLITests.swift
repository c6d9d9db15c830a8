import Foundation
import Testing
import SpikebarTestSupport

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
        let scenario = packageRoot().appendingPathComponent("Scenarios/untrained-784-128-10.yaml").path
        let r = try runCLI(["run", scenario, "--samples", "2", "--out", dir.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("rram-snn") && r.stdout.contains("adc-cim") && r.stdout.contains("dynap"))
        #expect(r.stdout.contains("rows active per step"))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("report.json").path))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("report.md").path))
    }
}

/// `--json` prints machine-readable output (and nothing else) on standard output.
@Suite struct CLIJSONTests {
    func dir(_ name: String) throws -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("spikebar-json-\(name)-\(getpid())")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }

    func parse(_ s: String) -> Any? { try? JSONSerialization.jsonObject(with: Data(s.utf8)) }

    @Test func runCompareAndValidatePrintValidJSON() throws {
        let d = try dir("cmds")
        let a = d.appendingPathComponent("a.yaml"), b = d.appendingPathComponent("b.yaml")
        try smallReportYAML(name: "a").write(to: a, atomically: true, encoding: .utf8)
        try smallReportYAML(name: "b", tiles: 8).write(to: b, atomically: true, encoding: .utf8)
        let run = try runCLI(["run", a.path, "--samples", "2", "--json", "--out", d.appendingPathComponent("run").path])
        #expect(run.status == 0, "\(run.stderr)")
        let report = parse(run.stdout) as? [String: Any]
        #expect(report?["architectures"] != nil)
        #expect(FileManager.default.fileExists(atPath: d.appendingPathComponent("run/report.html").path))
        let cmp = try runCLI(["compare", a.path, b.path, "--samples", "2", "--json", "--out", d.appendingPathComponent("cmp").path])
        #expect(cmp.status == 0, "\(cmp.stderr)")
        #expect((parse(cmp.stdout) as? [String: Any])?["scenarios"] != nil)
        #expect(FileManager.default.fileExists(atPath: d.appendingPathComponent("cmp/compare.html").path))
        let val = try runCLI(["validate", a.path, b.path, "--json"])
        #expect(val.status == 0, "\(val.stderr)")
        #expect((parse(val.stdout) as? [[String: Any]])?.count == 2)
        let quiet = try runCLI(["run", a.path, "--samples", "2", "--quiet", "--out", d.appendingPathComponent("quiet").path])
        #expect(quiet.status == 0 && quiet.stdout.isEmpty && quiet.stderr.isEmpty, "\(quiet.stdout) \(quiet.stderr)")
        let bad = try runCLI(["compare", a.path, "--json"])
        #expect(bad.status != 0 && bad.stderr.contains("at least two"))
    }

    /// No input at all, and the idle/bias energies switched off (`overheads: false`): the crossbar spends
    /// nothing, so the energy ratios to it have no meaning (x/0, and 0/0 for the crossbar itself); the
    /// reports are still written, and report.json leaves those ratios out instead of writing "inf" or
    /// "nan" (issue #22, class 6).
    @Test func runWithoutInputWritesReports() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spikebar-noinput-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = dir.appendingPathComponent("silent.yaml")
        try """
        seed: 7
        network: {input: 16, layers: [{name: hidden, size: 8}, {name: out, size: 4}]}
        weights: {source: generated, target_rate: 0}
        input: {source: uniform, max_rate: 0, window: 0.05, samples: 2}
        architectures: {overheads: false}
        """.write(to: file, atomically: true, encoding: .utf8)
        let r = try runCLI(["run", file.path, "--quiet", "--out", dir.path])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try String(contentsOf: dir.appendingPathComponent("report.json"), encoding: .utf8)
        #expect(!json.contains("\"inf\"") && !json.contains("\"nan\"") && !json.contains("energyRatioToRRAM"), "\(json.prefix(400))")
        // compare.json of two such chips: the energy ratios to a zero reference are absent too.
        let other = dir.appendingPathComponent("silent-8.yaml")
        try String(contentsOf: file, encoding: .utf8).appending("\ntiles: {rows: 8, cols: 8}\n").write(to: other, atomically: true, encoding: .utf8)
        let c = try runCLI(["compare", file.path, other.path, "--quiet", "--out", dir.appendingPathComponent("cmp").path])
        #expect(c.status == 0, "\(c.stderr)")
        let cj = try String(contentsOf: dir.appendingPathComponent("cmp/compare.json"), encoding: .utf8)
        #expect(!cj.contains("\"nan\"") && !cj.contains("\"inf\""), "\(cj.prefix(600))")
        let parsed = try JSONSerialization.jsonObject(with: Data(cj.utf8)) as? [String: Any]
        let second = ((parsed?["scenarios"] as? [[String: Any]])?.last?["architectures"] as? [[String: Any]])?.first
        #expect(second?["architecture"] as? String == "rram-snn" && second?["energyRatioToFirst"] == nil, "\(String(describing: second))")
    }
}
