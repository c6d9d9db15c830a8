import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import SpikebarCost
import SpikebarChip
import SpikebarCore
import SpikebarDevices
import SpikebarExperiments
import SpikebarKernel
import SpikebarPipeline
import SpikebarScenario
import SpikebarTwin
import SpikebarNeurons
import SpikebarTestSupport

/// `spikebar sweep` through the CLI.
@Suite struct SweepCLITests {
    @Test func sweepWritesCSVAndJSONAndRefusesBadValuesUpFront() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spikebar-sweep-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let yaml = tinyScenarioYAML(
            input: 16, layers: "[{name: hidden, size: 8}, {name: out, size: 2}]", gain: 20,
            device: "programming_error: 2e-6, read_noise: 0.01, physics: {model: hfo2}"
        )
        .replacingOccurrences(
            of: "input: {source: uniform, max_rate: 0, window: 0.05, samples: 1}",
            with: "input: {source: two_moons, max_rate: 200, window: 0.03, samples: 4}")
        let path = dir.appendingPathComponent("s.yaml").path
        try Data(yaml.utf8).write(to: URL(fileURLWithPath: path))
        let bad = try runCLI(["sweep", path, "--param", "bit_error_rate", "--values", "0,x", "--out", dir.path])
        #expect(
            bad.status == 2 && bad.stderr.contains("--set device.faults.bit_error_rate=x") && bad.stderr.contains("expected a number"),
            "\(bad.stderr)")
        let unknown = try runCLI(["sweep", path, "--param", "temperature", "--values", "1", "--out", dir.path])
        #expect(unknown.status == 2 && unknown.stderr.contains("time_since_programming"))
        // A negative time is refused before any point runs (no results log, no CSV).
        let negative = try runCLI(["sweep", path, "--param", "time_since_programming", "--values", "0,-1,1h", "--chips", "2", "--out", dir.path])
        #expect(negative.status == 2 && negative.stderr.contains("--set device.time_since_programming=-1"), "\(negative.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("sweep-time_since_programming.partial.jsonl").path))
        let r = try runCLI(["sweep", path, "--param", "time_since_programming", "--values", "0,1h", "--chips", "2", "--out", dir.path])
        #expect(r.status == 0, "\(r.stderr)")
        let csv = try String(contentsOfFile: dir.appendingPathComponent("sweep-time_since_programming.csv").path, encoding: .utf8)
        // One row per point and architecture.
        #expect(
            csv.split(separator: "\n").count == 1 + 2 * PriceLists.default.models(read: .default).count && csv.contains("\n1h,rram-snn,2,4,"),
            "\(csv)")
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("sweep-time_since_programming.json").path))
        // The HTML page: well-formed, with the Pareto and accuracy-vs-parameter charts.
        let html = try Data(contentsOf: dir.appendingPathComponent("sweep-time_since_programming.html"))
        let doc = try XMLDocument(data: html)
        let ids = Set(try doc.nodes(forXPath: "//@id").compactMap(\.stringValue))
        #expect(
            ids.isSuperset(of: [
                "chart-pareto-energy-accuracy", "chart-pareto-energy-latency", "table-pareto",
                "chart-sweep-accuracy", "chart-sweep-energy", "table-sweep", "command-line",
            ]))
    }
}
