import Foundation
import Testing
import SpikebarCost
import SpikebarPipeline
import SpikebarReport
import SpikebarScenario

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
}
