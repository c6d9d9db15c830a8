import Foundation
import Testing
import SpikebarCost
import SpikebarCore
import SpikebarDevices
#if canImport(FoundationXML)
import FoundationXML
#endif
import SpikebarExperiments
import SpikebarPipeline
import SpikebarReport
import SpikebarScenario
import SpikebarTestSupport

/// Issue #20: Pareto fronts, units in scenario values, `--set` settings, sweep grids, the resolved-scenario
/// diff of `compare`, and the command line's conventions (exit codes, suggestions, help).
@Suite struct ParetoFrontTests {
    @Test func frontOfAHandMadeSet() {
        // (energy, accuracy): 0 and 2 and 4 trade energy for accuracy; 1 is dominated by 0 (more energy, less
        // accuracy); 3 is dominated by 2; 5 equals 4 (both stay); 6 is not finite.
        let pts: [(x: Double, y: Double)] = [(1, 0.80), (2, 0.70), (3, 0.90), (3.5, 0.85), (5, 0.95), (5, 0.95), (.nan, 0.99)]
        #expect(ParetoFront.indices(pts, x: .minimize, y: .maximize) == [0, 2, 4, 5])
        // (energy, latency), both minimised: the lower-left staircase.
        let el: [(x: Double, y: Double)] = [(1, 9), (2, 5), (3, 6), (4, 1), (4, 2), (0.5, 10)]
        #expect(ParetoFront.indices(el, x: .minimize, y: .minimize) == [0, 1, 3, 5])
        #expect(ParetoFront.indices([], x: .minimize, y: .minimize).isEmpty)
        #expect(ParetoFront.indices([(1, 1)], x: .minimize, y: .minimize) == [0])
    }

    @Test func designMetricsDeriveFromOneReading() {
        // Powers of two: every product and quotient is exact.
        let m = DesignMetrics(architecture: "x", energy: 0.5, latency: 0.25, area: 1, window: 0.125)
        #expect(m.power == 4)
        #expect(m.edp == 0.125)
    }
}

@Suite struct ScenarioUnitTests {
    @Test func quantitiesWithUnits() {
        #expect(Quantity.parse("100uS", unit: "S") == 100e-6)
        #expect(Quantity.parse("100 µS", unit: "S") == 100e-6)
        #expect(Quantity.parse("0.1V", unit: "V") == 0.1)
        #expect(Quantity.parse("100mV", unit: "V") == 0.1)
        #expect(Quantity.parse("100ns", unit: "s") == 100e-9)
        #expect(Quantity.parse("5min", unit: "s") == 300)
        #expect(Quantity.parse("1y", unit: "s") == 365.25 * 86_400)
        #expect(Quantity.parse("365d", unit: "s") == 31_536_000.0)
        #expect(Quantity.parse("1.5e3uS", unit: "S") == 1.5e-3)
        #expect(Quantity.parse("10kohm", unit: "Ω") == 1e4)
        #expect(Quantity.parse("50fJ", unit: "J") == 50e-15)
        #expect(Quantity.parse("1e-4", unit: "S") == 1e-4)
        #expect(Quantity.parse("100uA", unit: "S") == nil)
        #expect(Quantity.parse("100us", unit: "S") == nil)
        #expect(Quantity.parse("1kh", unit: "s") == nil)
        #expect(Quantity.parse("3 mm²", unit: "m²") == nil)
        #expect(parseDuration("1y") == 365.25 * 86_400)
    }

    @Test func scenarioValuesTakeUnitsAndBadUnitsNameFileLineKey() throws {
        let yaml = tinyScenarioYAML(device: "programming_error: 0, read_noise: 0")
            .replacingOccurrences(of: "g_max: 100e-6", with: "g_max: 100uS")
            .replacingOccurrences(of: "read_voltage: 0.1", with: "read_voltage: 100mV")
            .replacingOccurrences(of: "read_pulse: 100e-9", with: "read_pulse: 100ns")
        let l = try scenario(yaml)
        #expect(l.scenario.device.gMax == 100e-6)
        #expect(l.scenario.device.readVoltage == 0.1)
        #expect(l.scenario.device.readPulse == 100e-9)
        let bad = yaml.replacingOccurrences(of: "g_max: 100uS", with: "g_max: 100uA")
        do { _ = try scenario(bad, path: "/tmp/u.yaml"); Issue.record("100uA accepted as a conductance") } catch {
            let text = "\(error)"
            #expect(text.contains("/tmp/u.yaml:5") && text.contains("device.g_max") && text.contains("100uA") && text.contains("100uS"), "\(text)")
        }
    }

    @Test func settingsApplyToTheYAMLTreeAndNameThemselvesInErrors() throws {
        let yaml = smallReportYAML()
        let l = try ScenarioLoader.load(
            text: yaml, path: "/tmp/s.yaml",
            settings: [
                ScenarioSetting(keyPath: "tiles.rows", value: "32"),
                ScenarioSetting(keyPath: "network.layers[0].size", value: "64"),
                ScenarioSetting(keyPath: "architectures.adc_cim.columns_per_adc", value: "4"),
                ScenarioSetting(keyPath: "device.read_pulse", value: "50ns"),
            ])
        #expect(l.scenario.tiles.rows == 32 && l.scenario.network.layers[0].size == 64 && l.scenario.device.readPulse == 50e-9)
        #expect(l.scenario.architectures.adcCIM.columnsPerADC == 4)
        #expect(l.digest != (try ScenarioLoader.load(text: yaml, path: "/tmp/s.yaml")).digest)
        for (key, value, expected) in [
            ("tiles.rowz", "4", "--set tiles.rowz=4: tiles.rowz: unknown key 'rowz'"),
            ("tiles.rows", "0", "--set tiles.rows=0: tiles.rows: value 0 out of range"),
            ("network.layers[5].size", "4", "network.layers has 2 elements"),
            ("device.levels.x", "4", "device.levels holds a value"),
        ] {
            do {
                _ = try ScenarioLoader.load(text: yaml, path: "/tmp/s.yaml", settings: [ScenarioSetting(keyPath: key, value: value)])
                Issue.record("\(key)=\(value) accepted")
            } catch {
                #expect("\(error)".contains(expected), "\(error)")
            }
        }
    }

    @Test func gridAndZipSpecs() throws {
        let grid = try SweepSpec(sets: ["tiles.rows=32,64", "device.g_max=50uS,100uS,[1]"], zip: false)
        #expect(grid.points.count == 6 && grid.points[0] == ["32", "50uS"] && grid.points[5] == ["64", "[1]"])
        #expect(grid.stem == "sweep-rows+g_max")
        let zip = try SweepSpec(sets: ["tiles.rows=32,64", "tiles.cols=16,8"], zip: true)
        #expect(zip.points == [["32", "16"], ["64", "8"]])
        #expect(throws: SpikebarError.self) { try SweepSpec(sets: ["tiles.rows=32,64", "tiles.cols=16,8,4"], zip: true) }
        // One value is held fixed at every paired point.
        let held = try SweepSpec(sets: ["tiles.rows=32,64", "tiles.cols=16"], zip: true)
        #expect(held.points == [["32", "16"], ["64", "16"]])
        #expect(throws: SpikebarError.self) { try SweepSpec(sets: ["tiles.rows"], zip: false) }
        #expect(
            try SweepSpec(sets: ["architectures.rram_snn.x=1", "architectures.dynap.x=2"], zip: false).shortKeys
                == ["architectures.rram_snn.x", "architectures.dynap.x"])
        #expect(SweepSpec.number("100uS") == 100e-6 && SweepSpec.number("1h") == 3600 && SweepSpec.number("abc") == nil)
    }
}

@Suite struct DesignSpaceCLITests {
    func write(_ yaml: String, _ name: String, in dir: URL) throws -> String {
        let p = dir.appendingPathComponent(name).path
        try yaml.write(toFile: p, atomically: true, encoding: .utf8)
        return p
    }

    @Test func exitCodesSuggestionsAndHelp() throws {
        let usage = try runCLI(["run", "x.yaml", "--bogus"])
        #expect(usage.status == 2 && usage.stderr.contains("--bogus"), "\(usage.status) \(usage.stderr)")
        let typo = try runCLI(["rnu", "x.yaml"])
        #expect(typo.status == 2 && typo.stderr.contains("did you mean run?"), "\(typo.stderr)")
        let sub = try runCLI(["trace", "inpsect", "x.sbt"])
        #expect(sub.status == 2 && sub.stderr.contains("did you mean inspect?"), "\(sub.stderr)")
        let help = try runCLI(["help", "sweep"])
        #expect(
            help.status == 0 && help.stdout.contains("--param") && help.stdout.contains("--values") && help.stdout.contains("--set"), "\(help.stdout)"
        )
        let flag = try runCLI(["sweep", "--help"])
        #expect(flag.status == 0 && flag.stdout.contains("--zip"))
        let top = try runCLI(["--help"])
        #expect(top.status == 0 && top.stdout.contains("130 interrupted"))
    }

    @Test func sweepRefusesBadPointsBeforeAnyWorkAndWritesParetoOutputs() throws {
        let dir = try freshTemporaryDirectory("dse-sweep")
        let s = try write(sweepTestYAML(samples: 4), "s.yaml", in: dir)
        let out = dir.appendingPathComponent("out").path
        // The issue's case: a time sweep of a scenario without a drift model is refused before any work.
        let noPhysics = try write(sweepTestYAML(samples: 4).replacingOccurrences(of: ", physics: {model: hfo2}", with: ""), "np.yaml", in: dir)
        let r = try runCLI(["sweep", noPhysics, "--param", "time_since_programming", "--values", "0,1h", "--chips", "1", "--out", out])
        #expect(
            r.status == 2 && r.stderr.contains("--set device.time_since_programming=1h") && r.stderr.contains("needs device.physics"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out), "refused before creating any output")
        // A point that grows the network past the memory budget is refused up front, naming the point.
        let huge = try runCLI(["sweep", s, "--set", "network.layers[0].size=8,1000000", "--memory-budget", "200MiB", "--out", out])
        #expect(
            huge.status == 2 && huge.stderr.contains("point network.layers[0].size=1000000") && huge.stderr.contains("over the budget"),
            "\(huge.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
        let badKey = try runCLI(["sweep", s, "--set", "tiles.rowz=4,8", "--out", out + "2"])
        #expect(badKey.status == 2 && badKey.stderr.contains("unknown key 'rowz'"), "\(badKey.stderr)")
        // A 2 × 2 grid: one CSV row per point and architecture, Pareto charts in the HTML.
        let grid = try runCLI([
            "sweep", s, "--set", "tiles.rows=4,16", "--set", "device.read_pulse=50ns,100ns", "--chips", "1",
            "--out", out + "3", "--quiet",
        ])
        #expect(grid.status == 0, "\(grid.stderr)")
        let csv = try String(contentsOfFile: out + "3/sweep-rows+read_pulse.csv", encoding: .utf8)
        let rows = csv.split(separator: "\n")
        #expect(rows.first?.hasPrefix("tiles.rows,device.read_pulse,architecture,") == true)
        #expect(rows.count == 1 + 4 * PriceLists.default.models(read: .default).count, "\(csv)")
        #expect(rows.contains { $0.hasPrefix("16,50ns,adc-cim,") })
        let html = try String(contentsOfFile: out + "3/sweep-rows+read_pulse.html", encoding: .utf8)
        let doc = try XMLDocument(xmlString: html, options: [])
        #expect(try doc.nodes(forXPath: "//*[@id='chart-pareto-energy-accuracy']").count == 1)
        #expect(try doc.nodes(forXPath: "//*[@id='chart-pareto-energy-latency']").count == 1)
        #expect(try doc.nodes(forXPath: "//*[@id='table-pareto']").count == 1)
        let json =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "3/sweep-rows+read_pulse.json"))) as? [String: Any]
        #expect((json?["pareto"] as? [Any])?.count == PriceLists.default.models(read: .default).count)
    }

    @Test func compareDifferentNetworksListsTheResolvedDifferences() throws {
        let dir = try freshTemporaryDirectory("dse-compare")
        let a = try write(smallReportYAML(name: "a"), "a.yaml", in: dir)
        // Another hidden size, another read voltage, gains calibrated to a rate: recalibrated gains.
        let b = try write(
            smallReportYAML(name: "b", hidden: 24)
                .replacingOccurrences(of: "read_voltage: 0.1", with: "read_voltage: 50mV")
                .replacingOccurrences(of: "target_rate: 0", with: "target_rate: 20, target_output_rate: 10"), "b.yaml", in: dir)
        let out = dir.appendingPathComponent("cmp").path
        let r = try runCLI(["compare", a, b, "--samples", "2", "--out", out, "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let md = try String(contentsOfFile: out + "/compare.md", encoding: .utf8)
        let diffAt = try #require(md.range(of: "## What differs"))
        let tableAt = try #require(md.range(of: "rram-snn energy"))
        #expect(diffAt.lowerBound < tableAt.lowerBound, "the diff comes first")
        #expect(md.contains("`network.layers[0].size` | 20 | 24"), "\(md)")
        #expect(md.contains("`device.read_voltage` | 0.1 | 0.05"), "\(md)")
        #expect(md.contains("DPI synapse gains") && md.contains("recalibrated"), "\(md)")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/compare.json"))) as? [String: Any]
        #expect((json?["differences"] as? [Any])?.isEmpty == false)
        let html = try String(contentsOfFile: out + "/compare.html", encoding: .utf8)
        let doc = try XMLDocument(xmlString: html, options: [])
        #expect(try doc.nodes(forXPath: "//*[@id='table-differences']").count == 1)
        #expect(try doc.nodes(forXPath: "//*[@id='chart-pareto-energy-latency']").count == 1)
        // Ratios on a linear axis: no "log scale" in the compare bar charts.
        let energy = try doc.nodes(forXPath: "//*[@id='chart-compare-energy']").first?.xmlString ?? ""
        #expect(!energy.contains("log scale") && energy.contains("relative to"))
    }
}
