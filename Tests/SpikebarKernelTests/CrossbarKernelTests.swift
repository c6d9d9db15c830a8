import Foundation
import Testing
import SpikebarChip
import SpikebarCore
import SpikebarDevices
import SpikebarScenario
import SpikebarTwin
@testable import SpikebarKernel
import SpikebarTestSupport

/// Tile parasitics in the kernel and the twin (Docs/circuits.md §3, §6).
@Suite struct CrossbarKernelTests {
    static func chip(parasitics: String?) throws -> Chip {
        var yaml = tinyScenarioYAML(input: 32, layers: "[{name: out, size: 16}]")
        yaml += "\ntiles: {rows: 16, cols: 16\(parasitics.map { ", parasitics: {\($0)}" } ?? "")}\n"
        let s = try scenario(yaml).scenario
        let w = [WeightMatrix(inputs: 32, outputs: 16, values: (0..<512).map { Float(($0 * 7 % 15) - 7) / 7 })]
        return try Chip(scenario: s, weights: w)
    }

    @Test func parasiticsOffLeavesChargesUnchanged() throws {
        let c = try Self.chip(parasitics: nil)
        let net = CompiledNetwork(chip: c, readNoise: false)
        let scale = c.device.readVoltage * c.device.readPulse
        #expect(net.parasitics == nil)
        #expect(Array(net.connections[0].charge) == zip(c.connections[0].gPlus, c.connections[0].gMinus).map { scale * ($0 - $1) })
        #expect(net.connections[0].chargePlus.isEmpty)
    }

    @Test func singleRowFactorsAreFoldedIntoCharges() throws {
        let c = try Self.chip(parasitics: "r_source: 200, r_neuron: 100, r_wire: 4")
        let net = CompiledNetwork(chip: c, readNoise: false)
        let k = c.connections[0]
        let a = Chip.parasiticAttenuation(
            gPlus: k.gPlus, gMinus: k.gMinus, inputs: 32, outputs: 16, spec: c.tileSpec,
            model: c.tileSpec.parasitics!)
        let scale = c.device.readVoltage * c.device.readPulse
        for i in k.gPlus.indices {
            let expected = scale * (k.gPlus[i] * a.plus[i] - k.gMinus[i] * a.minus[i])
            #expect(abs(net.connections[0].charge[i] - expected) <= 1e-12 * scale * (k.gPlus[i] + k.gMinus[i]))
            #expect(a.plus[i] < 1 && a.plus[i] > 0.3)
        }
        // The twin of the programmed chip reads the same charges, bit for bit (`ReadCharge`).
        let twin = try TwinNetwork(
            chip: c, network: try scenario(tinyScenarioYAML(input: 32, layers: "[{name: out, size: 16}]")).scenario.network,
            dt: 1e-3, steps: 10)
        #expect(twin.weights[0] == Array(net.connections[0].charge))
    }

    @Test func concurrentReadsAreAttenuatedFurther() throws {
        let c = try Self.chip(parasitics: "r_source: 50, r_neuron: 200, r_wire: 1")
        let net = CompiledNetwork(chip: c, readNoise: false)
        var st = RunState(net: net, options: RunOptions(window: 0.01), noise: false)
        st.readTilesExact(0, row: 3, at: 1_000)
        let alone = st.concurrentCharges(0, row: 3)
        #expect(!alone)  // alone on its tile: the compiled charges apply
        for j in 0..<8 { st.readTilesExact(0, row: j + 4, at: 1_000) }
        let together = st.concurrentCharges(0, row: 11)
        #expect(together)  // 9 rows of the tile at once
        let base = 11 * 16
        let par = try #require(net.parasitics)
        // 16 neurons on 16-column tiles with differential columns: 8 per tile, tiles 0 and 1.
        for i in 0..<16 {
            let tile = i / 8, local = i % 8
            let fp = par.model.concurrencyFactor(active: 9, meanG: par.meanPlus[tile][local], rows: 16)
            let fm = par.model.concurrencyFactor(active: 9, meanG: par.meanMinus[tile][local], rows: 16)
            #expect(fp < 1 && fp > 0.5 && fm < 1 && fm > 0.5)
            let expected = net.connections[0].chargePlus[base + i] * fp - net.connections[0].chargeMinus[base + i] * fm
            #expect(st.parasiticScratch[i] == expected)
        }
    }

    @Test func scenarioBlockIsValidated() throws {
        let bad = tinyScenarioYAML() + "\ntiles: {rows: 16, cols: 16, parasitics: {r_source: 10, r_wires: 1}}\n"
        #expect(throws: (any Error).self) { try scenario(bad) }
        let negative = tinyScenarioYAML() + "\ntiles: {rows: 16, cols: 16, parasitics: {r_source: -1}}\n"
        #expect(throws: (any Error).self) { try scenario(negative) }
        let ok = try scenario(
            tinyScenarioYAML()
                + "\ntiles: {rows: 16, cols: 16, parasitics: {r_source: 10, r_neuron: 5, r_wire: 0.5, corner_k: -3, corner_sigma: 0.05}}\n")
        #expect(ok.scenario.tiles.parasitics?.cornerScale == 1 - 3 * 0.05)
    }
}
