import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import SpikebarCore
import SpikebarExperiments
import SpikebarKernel
import SpikebarPipeline
import SpikebarReport
import SpikebarScenario
import SpikebarTestSupport

/// A small scenario that fires (40 inputs at 150 Hz, 20 hidden, 4 outputs on 16×16 tiles), calibration
/// off so that it runs in well under a second in debug builds.
func smallReportYAML(name: String = "small", tiles: Int = 16, levels: Int = 8, hidden: Int = 20, timing: String = "exact") -> String {
    """
    name: \(name)
    seed: 7
    network: {input: 40, layers: [{name: hidden, size: \(hidden)}, {name: out, size: 4}]}
    neurons: {tau_mem: 20e-3, tau_syn: 5e-3, threshold: 1.0, reset: 0.0, refractory: 2e-3, membrane_resistance: 2e9, synapse_gain: 30}
    heterogeneity: {tau_cv: 0.3}
    device: {levels: \(levels), g_min: 10e-6, g_max: 100e-6, programming_error: 2e-6, read_voltage: 0.1, read_pulse: 100e-9, read_noise: 0.01}
    tiles: {rows: \(tiles), cols: \(tiles)}
    weights: {source: generated, mean: 0.25, std: 0.5, target_rate: 0}
    input: {source: uniform, max_rate: 150, window: 0.1, samples: 4}
    simulation: {timing: \(timing), dt: 1e-3}
    """
}

func smallRun(_ yaml: String = smallReportYAML(), path: String = "/tmp/spikebar-small.yaml") throws -> (sim: Simulation, report: RunReport) {
    let sim = try Simulation(loaded: try scenario(yaml, path: path))
    return (sim, sim.report(sim.runAll(threads: 1)))
}

@Suite struct HTMLReportTests {
    static let chartIDs = [
        "chart-energy", "chart-latency", "chart-decision-time", "chart-raster", "chart-rate",
        "chart-concurrency", "chart-column-current", "table-summary", "scenario", "command-line",
    ]

    @Test func htmlIsWellFormedWithTheChartsAndTheNumbersOfReportJSON() throws {
        let (_, report) = try smallRun()
        let html = HTMLReport.render(report, context: .init(commandLine: "spikebar run small.yaml --samples 4", scenarioText: smallReportYAML()))
        let doc = try XMLDocument(xmlString: html, options: [])  // throws unless well-formed
        /// The exact value (`data-value`) of the element with `data-key` = `key`.
        func value(_ key: String) throws -> Double? {
            try doc.nodes(forXPath: "//*[@data-key='\(key)']/@data-value").first?.stringValue.flatMap(Double.init)
        }
        func element(id: String) throws -> XMLElement? {
            try doc.nodes(forXPath: "//*[@id='\(id)']").first as? XMLElement
        }
        for id in Self.chartIDs { #expect(try element(id: id) != nil, "missing #\(id)") }
        // Every chart is an <svg> with content.
        for id in Self.chartIDs where id.hasPrefix("chart-") {
            let e = try element(id: id)
            #expect(e?.name == "svg", "#\(id) is \(e?.name ?? "nil")")
            #expect((e?.childCount ?? 0) > 3)
        }
        // Numbers: the exact values of report.json, read back independently of RunReport.
        let json = try JSONSerialization.jsonObject(with: ReportRenderer.json(report)) as? [String: Any]
        let archs = try #require(json?["architectures"] as? [[String: Any]])
        #expect(archs.count == 5)
        // "What this comparison assumes" comes first and carries report.json's assumption lines verbatim.
        let assumptions = try #require(json?["assumptions"] as? [String])
        #expect(!assumptions.isEmpty)
        let firstSection = try doc.nodes(forXPath: "(//*[local-name()='section'])[1]/@id").first?.stringValue
        #expect(firstSection == "assumptions")
        for (k, line) in assumptions.enumerated() {
            #expect(try element(id: "assumption-\(k)")?.stringValue == line)
        }
        for a in archs {
            let name = try #require(a["architecture"] as? String)
            let mean = try #require((a["energy"] as? [String: Any])?["mean"] as? Double)
            let ratio = try #require(a["energyRatioToRRAM"] as? Double)
            let shown = try #require(try doc.nodes(forXPath: "//*[@data-key='\(name).energy.mean']").first as? XMLElement)
            // JSONSerialization may parse the 17th digit differently: compare to 1e-15.
            func same(_ x: Double?, _ y: Double?) -> Bool {
                guard let x, let y else { return x == nil && y == nil }
                return abs(x - y) <= 1e-15 * max(abs(x), abs(y))
            }
            #expect(same(try value("\(name).energy.mean"), mean))
            #expect(shown.stringValue == Units.format(mean, "J"))
            #expect(same(try value("\(name).energyRatioToRRAM"), ratio))
            // The bar label of the energy chart carries the same mean and ratio.
            let labels = try doc.nodes(forXPath: "//*[@id='chart-energy']//*[local-name()='text']").map { $0.stringValue ?? "" }
            #expect(labels.contains(Units.format(mean, "J") + " · " + Units.fixed(ratio, significant: 3) + "×"), "\(labels)")
            // Both latency bases, power, EDP and the sourced share are the report's numbers.
            let streaming = try #require((a["latency"] as? [String: Any])?["mean"] as? Double)
            let compute = try #require((a["computeLatency"] as? [String: Any])?["mean"] as? Double)
            #expect(same(try value("\(name).latency.mean"), streaming))
            #expect(same(try value("\(name).computeLatency.mean"), compute))
            #expect(same(try value("\(name).energyDelayProduct"), a["energyDelayProduct"] as? Double))
            #expect(same(try value("\(name).meanPower"), a["meanPower"] as? Double))
            let sourced = try #require(a["confidence"] as? [String: Double])
            let share = (sourced["physics"] ?? 0) + (sourced["high"] ?? 0) + (sourced["medium"] ?? 0)
            #expect(abs((try value("\(name).confidence.sourced") ?? -1) - share) < 1e-12)
        }
        // The scenario is shown verbatim (collapsed) and the command line as given.
        #expect(try element(id: "scenario")?.name == "details")
        #expect(try element(id: "command-line")?.stringValue == "spikebar run small.yaml --samples 4")
        // The column-current statistics shown are the report's.
        let cc = try #require(report.detail?.columnCurrents)
        #expect(try value("columnCurrent.p95") == cc.p95)
        #expect(try value("columnCurrent.mean") == cc.mean)
        #expect(!html.contains("<script"))
    }

    @Test func detailIsConsistentWithTheActivity() throws {
        let (sim, report) = try smallRun()
        let d = try #require(report.detail)
        let k = try #require(report.inferences.firstIndex { $0.sample == d.sample })
        // Raster and rate bins count the spikes the kernel counted for that inference.
        for (p, pop) in d.raster.enumerated() {
            #expect(Double(pop.spikes) == report.inferences[k].activity.spikesPerLayer[p])
            let binned = d.rates.rates[p].reduce(0) { $0 + $1 } * Double(pop.size) * d.rates.binWidth
            #expect(abs(binned - Double(pop.spikes)) < 1e-6 * Double(max(1, pop.spikes)))
        }
        #expect(d.raster.last.map { $0.spikes > 0 } == true, "the shown inference has output spikes")
        // Concurrency histograms summed over the inferences add up to the row reads.
        let reads = d.tileConcurrency.reduce(0) { $0 + $1.counts.reduce(0, +) }
        #expect(Double(reads) == report.inferences.reduce(0) { $0 + $1.activity.rowReads })
        #expect(d.columnCurrents.samples > 0 && d.columnCurrents.counts.reduce(0, +) <= d.columnCurrents.samples)
        #expect(d.columnCurrents.p50 > 0 && d.columnCurrents.p50 <= d.columnCurrents.max)
        _ = sim
    }

    /// The column-current reconstruction finds, for every read, the same number of active rows as the
    /// kernel's concurrency histogram (exact and grid timing): it sees the reads the kernel made.
    @Test(arguments: ["exact", "grid"])
    func columnCurrentsReplayTheKernelsConcurrency(timing: String) throws {
        let sim = try Simulation(loaded: try scenario(smallReportYAML(timing: timing)))
        let r = sim.infer(0, recordSpikes: true)
        let (values, active) = sim.columnCurrents(spikes: r.spikes)
        for (t, tile) in r.activity.tiles.enumerated() {
            var h = [Int](repeating: 0, count: tile.concurrency.count)
            for a in active[t] where a >= 1 {
                if h.count < a { h += [Int](repeating: 0, count: a - h.count) }
                h[a - 1] += 1
            }
            #expect(h == tile.concurrency, "tile \(t): \(h) vs kernel \(tile.concurrency)")
        }
        #expect(values.count == r.activity.totalCellReads)
    }

    /// Inference 0's spikes kept from its run give the same charts as running it again (the report then
    /// runs nothing twice), and the same activities.
    @Test(arguments: ["exact", "grid"])
    func keptFirstSpikesEqualARerun(timing: String) throws {
        let sim = try Simulation(loaded: try scenario(smallReportYAML(timing: timing)))
        let (activities, first) = sim.runAllKeepingFirstSpikes(threads: 2)
        #expect(activities == sim.runAll(threads: 1))
        #expect(first != nil)
        let kept = sim.detail(activities, inference: 0, firstSpikes: first)
        let rerun = sim.detail(activities, inference: 0)
        #expect(kept != nil && kept == rerun)
    }

    /// Same scenario and seed ⇒ the same report.html bytes, whatever the thread count.
    @Test func htmlIsDeterministicWhateverTheThreads() throws {
        let sim = try Simulation(loaded: try scenario(smallReportYAML()))
        let context = HTMLReport.Context(commandLine: "spikebar run small.yaml", scenarioText: "x: 1")
        let one = HTMLReport.render(sim.report(sim.runAll(threads: 1)), context: context)
        let two = HTMLReport.render(sim.report(sim.runAll(threads: 2)), context: context)
        #expect(one == two)
        #expect(one.utf8.count > 10_000)
    }

    @Test func accuracyChartHasErrorBars() throws {
        let s = SVGChart.Series(name: "8 levels", x: [1, 2, 4], y: [80, 85, 90], low: [78, 83, 89], high: [82, 88, 91])
        let svg = SVGChart.accuracyVsParameter(id: "chart-accuracy", title: "Accuracy vs levels", series: [s], parameter: "levels", unit: "")
        let doc = try XMLDocument(xmlString: svg, options: [])
        let lines = try doc.nodes(forXPath: "//*[local-name()='line']")
        #expect(lines.count >= 9, "three whiskers with two caps each")
        #expect(try doc.nodes(forXPath: "//*[local-name()='circle']").count == 3)
    }
}

@Suite struct CompareTests {
    @Test func compareGivesRatiosToTheFirstScenario() throws {
        let a = try scenario(smallReportYAML(name: "tiles16"), path: "/tmp/spikebar-a.yaml")
        let b = try scenario(smallReportYAML(name: "tiles8", tiles: 8), path: "/tmp/spikebar-b.yaml")
        try Comparison.checkCompatible([a, b])
        let reports = try [a, b].map { l -> RunReport in
            let sim = try Simulation(loaded: l)
            return sim.report(sim.runAll(threads: 1), detail: false)
        }
        #expect(reports[1].tiles > reports[0].tiles)
        let c = CompareReport(reports: reports, chips: [a, b].map { Comparison.chipSettings($0.scenario) })
        #expect(c.scenarios.map(\.scenario) == ["tiles16", "tiles8"])
        for (m, arch) in c.scenarios[0].architectures.enumerated() {
            #expect(arch.energyRatioToFirst == 1)
            let other = c.scenarios[1].architectures[m]
            #expect(other.energy == reports[1].architectures[m].energy.mean)
            #expect(other.energyRatioToFirst == other.energy / arch.energy)
            #expect(other.areaRatioToFirst == reports[1].architectures[m].area / reports[0].architectures[m].area)
        }
        // Same spikes: the activity is the same network's on the same input.
        #expect(c.scenarios[0].meanActivity.spikes == c.scenarios[1].meanActivity.spikes)
        #expect(c.scenarios[1].architectures[0].areaRatioToFirst != 1, "smaller tiles change the crossbar area")
        let html = CompareRenderer.html(c, commandLine: "spikebar compare a.yaml b.yaml")
        let doc = try XMLDocument(xmlString: html, options: [])
        #expect(try doc.nodes(forXPath: "//*[@id='chart-compare-energy']").count == 1)
        #expect(try doc.nodes(forXPath: "//*[@id='table-compare']").count == 1)
        #expect(CompareRenderer.table(c).contains("tiles8"))
    }

    @Test func incompatibleScenariosAreRefusedWithTheReason() throws {
        let a = try scenario(smallReportYAML(name: "a"), path: "/tmp/spikebar-a.yaml")
        // Another hidden size sees the same input: comparable (issue #20).
        let b = try scenario(smallReportYAML(name: "b", hidden: 21), path: "/tmp/spikebar-b.yaml")
        try Comparison.checkCompatible([a, b])
        let wide = try scenario(smallReportYAML(name: "w").replacingOccurrences(of: "input: 40", with: "input: 42"), path: "/tmp/spikebar-w.yaml")
        #expect(throws: SpikebarError.self) { try Comparison.checkCompatible([a, wide]) }
        do { try Comparison.checkCompatible([a, wide]) } catch {
            #expect("\(error)".contains("network.input (40 vs 42"), "\(error)")
        }
        var c = a
        c.scenario.seed = 8
        do { try Comparison.checkCompatible([a, c]); Issue.record("different seeds accepted") } catch {
            #expect("\(error)".contains("seed"))
        }
        #expect(throws: SpikebarError.self) { try Comparison.checkCompatible([a]) }
    }
}
