import Foundation
import SpikebarChip
import SpikebarCore
import SpikebarKernel
import SpikebarScenario
import SpikebarTwin
import Testing
import SpikebarTestSupport

/// Issue #19, peak memory: a connection that regenerates its conductances (`ConductanceRecipe`) is the
/// chip that stores them, bit for bit, for every reader — tiles, kernel, twin, parasitics, stuck cells.
@Suite struct ConductanceRecipeTests {
    /// 48 inputs × 2 layers, a few tiles per row block; device variants by `device`.
    func pair(_ device: String, tiles: String = "") throws -> (stored: Chip, regenerated: Chip, scenario: Scenario) {
        var yaml = tinyScenarioYAML(
            input: 48, layers: "[{name: hidden, size: 20}, {name: out, size: 6}]", gain: 20, device: device, tauCV: 0.1)
        yaml += "\ntiles: {rows: 16, cols: 16\(tiles)}\n"
        let s = try scenario(yaml).scenario
        let sizes = [48, 20, 6]
        let w = Chip.connectionPlan(network: s.network).enumerated().map { k, p in
            WeightMatrix.generated(inputs: sizes[p.from], outputs: sizes[p.to], mean: 0.1, std: 0.5, seed: 3, connection: k)
        }
        let stored = try Chip(scenario: s, weights: w, regenerateFrom: .max)
        let regenerated = try Chip(scenario: s, weights: w, regenerateFrom: 0)
        #expect(stored.connections.allSatisfy { $0.storesConductances })
        #expect(regenerated.connections.allSatisfy { !$0.storesConductances && $0.gPlus.isEmpty })
        #expect(regenerated.invariantViolations().isEmpty, "\(regenerated.invariantViolations())")
        return (stored, regenerated, s)
    }

    func expectSame(_ a: Chip, _ b: Chip, _ s: Scenario, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        #expect(a.tiles == b.tiles, sourceLocation: sourceLocation)
        #expect(a.programming == b.programming, sourceLocation: sourceLocation)
        for (x, y) in zip(a.connections, b.connections) {
            #expect(x.conductances.plus == y.conductances.plus && x.conductances.minus == y.conductances.minus, sourceLocation: sourceLocation)
            #expect(x.levelPlus == y.levelPlus && x.levelMinus == y.levelMinus, sourceLocation: sourceLocation)
        }
        var input = SpikeList()
        for k in 0..<400 { input.append(time: Int64(k) * 97_000_000, channel: Int32((k * 7) % 48)) }
        for timing in [Timing.exact, .grid(dt: 1e-4)] {
            let opts = RunOptions(window: 0.05, sample: 0, seed: 7, recordSpikes: true, reportingStep: 1e-3)
            let ra = EventKernel(chip: a, timing: timing, readNoise: true).run(input: input, options: opts)
            let rb = EventKernel(chip: b, timing: timing, readNoise: true).run(input: input, options: opts)
            #expect(ra.activity == rb.activity && ra.spikes == rb.spikes, sourceLocation: sourceLocation)
            #expect(ra.spikes.dropFirst().contains { $0.count > 0 }, "no spikes: the comparison shows nothing", sourceLocation: sourceLocation)
        }
        let ta = try? TwinNetwork(chip: a, network: s.network, dt: 1e-3, steps: 50)
        let tb = try? TwinNetwork(chip: b, network: s.network, dt: 1e-3, steps: 50)
        #expect(ta?.weights == tb?.weights && ta != nil, sourceLocation: sourceLocation)
    }

    @Test func onePulsePerCellAndReadNoise() throws {
        let (a, b, s) = try pair("programming_error: 3e-6, read_noise: 0.02")
        expectSame(a, b, s)
    }

    @Test func writeVerifyAndADayOfDrift() throws {
        let (a, b, s) = try pair("programming_error: 2e-6, read_noise: 0, physics: {model: hfo2}, time_since_programming: 1 d")
        #expect(a.programming.pulses > 2 * (48 * 20 + 20 * 6))  // write-verify: more than one pulse per cell
        expectSame(a, b, s)
    }

    @Test func parasiticTilesAndDifferentialArrays() throws {
        let (a, b, s) = try pair(
            "programming_error: 3e-6, read_noise: 0",
            tiles: ", mapping: differential_arrays, parasitics: {r_source: 200, r_neuron: 100, r_wire: 4}")
        #expect(a.parasitics() != nil)
        expectSame(a, b, s)
    }

    @Test func stuckCellsStoreTheConductancesFirst() throws {
        var (a, b, s) = try pair("programming_error: 3e-6, read_noise: 0")
        a.injectStuckCells(fraction: 0.05, seed: 11)
        b.injectStuckCells(fraction: 0.05, seed: 11)
        #expect(b.connections.allSatisfy { $0.storesConductances })
        #expect(a.stuckFraction > 0.02)
        expectSame(a, b, s)
    }
}
