import Foundation
import Testing
import SpikebarCost
import SpikebarPipeline
import SpikebarReport
import SpikebarScenario
import SpikebarTestSupport

// The papers' own architecture comparisons, reproduced from the scenario files shipped in Scenarios/
// (issue #16, point 7): every assumption is data in the scenario, every number comes from the models.

/// |x / reference − 1| ≤ tolerance.
private func within(_ x: Double, _ reference: Double, _ tolerance: Double) -> Bool { abs(x / reference - 1) <= tolerance }

@Suite("Papers' architecture comparisons")
struct PaperComparisonTests {
    @Test("seed 001 Table IV: spike-driven vs ADC-based mixed-signal — power 38.30×, latency 11.63×, area 5.33× (within 5 %)")
    func memPropTableIV() throws {
        let path = packageRoot().appendingPathComponent("Scenarios/memprop-table-iv.yaml").path
        let sim = try Simulation(loaded: try ScenarioLoader.load(path: path))
        let report = sim.report(sim.runAll(threads: 1), detail: false)
        let rram = try #require(report.architectures.first { $0.architecture == "rram-snn" })
        let adc = try #require(report.architectures.first { $0.architecture == "adc-cim" })
        let power = try #require(adc.meanPower) / (try #require(rram.meanPower))
        let latency = adc.computeLatency.mean / rram.computeLatency.mean
        let area = adc.area / rram.area
        #expect(within(power, 38.30, 0.05), "power ratio \(power)")
        #expect(within(latency, 11.63, 0.05), "latency ratio \(latency)")
        #expect(within(area, 5.33, 0.05), "area ratio \(area)")
        // The paper's absolute figures per tile: 21.45 µW of array power, 2.77×10⁻³ mm².
        #expect(within(try #require(rram.meanPower) / Double(report.tiles), 21.45e-6, 0.01))
        #expect(within(rram.area / Double(report.tiles), 2.77e-9, 0.01))
        // The assumption travels with the number.
        #expect(rram.meanBreakdown.notes.contains { $0.contains("ASSUMED operating point") })
    }

    @Test("seed 000 §VII: RRAM-SNN > 10× below DYNAP per inference, dominated by its reads, read energy ≈ 10× below DYNAP's communication")
    func seed000SectionVII() throws {
        let path = packageRoot().appendingPathComponent("Scenarios/seed000-vii.yaml").path
        let loaded = try ScenarioLoader.load(path: path, settings: [try ScenarioSetting(parsing: "input.samples=20")])
        let sim = try Simulation(loaded: loaded)
        let report = sim.report(sim.runAll(threads: 1), detail: false)
        let rram = try #require(report.architectures.first { $0.architecture == "rram-snn" }).meanBreakdown
        let dynap = try #require(report.architectures.first { $0.architecture == "dynap" }).meanBreakdown
        func sum(_ e: CostEstimate, _ names: [String]) -> Double { names.compactMap { e.energy(named: $0)?.value }.reduce(0, +) }
        let read = sum(rram, RRAMCrossbarCost.Component.readEnergy)
        let communication = sum(dynap, DynapCost.Component.communication)
        #expect(dynap.totalEnergy / rram.totalEnergy > 10, "per inference \(dynap.totalEnergy / rram.totalEnergy)×")
        #expect(read / rram.totalEnergy > 0.5, "read share \(read / rram.totalEnergy)")
        // "About one order of magnitude": within half a decade of 10×.
        let ratio = communication / read
        #expect(ratio > 10.0.squareRoot() && ratio < 10 * 10.0.squareRoot(), "communication / read \(ratio)×")
        // The same network as the quickstart's, spike for spike: the 10× longer pulse and the 10× lower
        // gain deliver the trained charge per read.
        var q = try ScenarioLoader.load(
            path: packageRoot().appendingPathComponent("Scenarios/quickstart.yaml").path,
            settings: [try ScenarioSetting(parsing: "input.samples=20")])
        q.scenario.simulation.timing = loaded.scenario.simulation.timing
        let quick = try Simulation(loaded: q)
        let a = quick.runAll(threads: 1), b = sim.runAll(threads: 1)
        #expect(a.map { $0.layers.map(\.spikes) } == b.map { $0.layers.map(\.spikes) })
        #expect(a.map(\.predictedClass) == b.map(\.predictedClass))
        // The assumption travels with the scenario.
        #expect(try String(contentsOfFile: path, encoding: .utf8).contains("ASSUMED read pulse of 1 µs"))
    }
}
