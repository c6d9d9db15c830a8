import Foundation
import Testing
import SpikebarCore
import SpikebarDevices
import SpikebarPipeline
import SpikebarReport
import SpikebarScenario
import SpikebarTestSupport

/// The one-time programming cost in the run report: pulses × energy per pulse, and the inference count at
/// which the RRAM-SNN inference energy catches up with it.
@Suite struct ProgrammingCostTests {
    @Test func programmingEnergyIsPulsesTimesPulseEnergyAndBreakEvenFollows() throws {
        var l = try ScenarioLoader.load(path: packageRoot().appendingPathComponent("Scenarios/untrained-784-128-10.yaml").path)
        l.scenario.input.samples = 2
        l.scenario.input.window = 0.02
        let sim = try Simulation(loaded: l)
        let report = sim.report(sim.runAll(threads: 1))
        let p = try #require(report.programming)
        // Without write-verify: one pulse per cell, both cells of every differential pair.
        let cells = 784 * 128 * 2 + 128 * 10 * 2
        #expect(p.cells == cells)
        #expect(p.pulses == cells)
        #expect(abs(p.energy - Double(cells) * WriteVerify().pulseEnergy) <= 1e-18)
        let rram = try #require(report.architectures.first)
        let breakEven = try #require(p.breakEvenInferences)
        #expect(abs(breakEven * rram.energy.mean - p.energy) <= 1e-9 * p.energy)
        #expect(ReportRenderer.markdown(report).contains("write pulses"))
    }
}
