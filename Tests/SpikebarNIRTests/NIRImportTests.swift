import Foundation
import SpikebarChip
import SpikebarCore
import SpikebarDevices
import SpikebarNIR
import SpikebarNIRMapping
import SpikebarNeurons
import SpikebarPipeline
import SpikebarScenario
import Testing
import SpikebarTestSupport

/// `spikebar nir import` (`NIRLayering`): a graph of dense CubaLIF layers as the chip's own network, the
/// inverse of `NIRExport.graph(chip:)` — checked in closed form on a round trip, and refused, naming the
/// node, where the chip cannot hold the graph.
struct NIRImportTests {
    /// Export a programmed chip, import it: every synapse's `gain · w` and every neuron's parameters come
    /// back (the weights rescaled into [−1, 1], the gain by the same factor).
    @Test func exportThenImportGivesTheChipBack() throws {
        let path = packageRoot().path + "/Scenarios/quickstart.yaml"
        let loaded = try ScenarioLoader.load(path: path)
        let sim = try Simulation(loaded: loaded)
        let dt = loaded.scenario.simulation.dt
        let graph = try NIRExport.graph(chip: sim.chip, dt: dt)
        let back = try NIRLayering(graph: graph, dt: dt, reset: .toResetPotential, device: loaded.scenario.device)
        #expect(back.network.input == 784 && back.network.layers.map(\.size) == [128, 10])
        #expect(back.network.layers.map(\.name) == ["hidden", "output"])
        let window = sim.chip.conductanceWindow
        for (k, c) in sim.chip.connections.enumerated() {
            let w = c.effectiveWeights(window: window)
            let layer = c.to - 1
            let original = sim.gains[layer], imported = back.gains[layer]
            var worst = 0.0
            for (i, x) in w.enumerated() { worst = max(worst, abs(Double(back.weights[k].values[i]) * imported - x * original)) }
            #expect(worst < 1e-5 * original, "connection \(k): gain·w differs by \(worst)")
            #expect(back.weights[k].values.allSatisfy { abs($0) <= 1 })
        }
        for (l, layer) in sim.chip.neurons.enumerated() {
            for (i, p) in layer.enumerated() {
                let mem = back.neurons.tauMem * back.timeConstants.memFactor[l][i], syn = back.neurons.tauSyn * back.timeConstants.synFactor[l][i]
                #expect(abs(mem - p.tauMem) < 1e-12 * p.tauMem && abs(syn - p.tauSyn) < 1e-12 * p.tauSyn)
            }
        }
        let p = sim.chip.neurons[0][0]
        #expect(back.neurons.threshold == p.threshold && back.neurons.reset == p.reset && back.neurons.refractory == p.refractory)
        #expect(back.neurons.resistance == p.resistance)
    }

    /// A layer with another threshold is scaled onto the first layer's: gain × θ₀/θ_l (closed form).
    @Test func aLayersThresholdFoldsIntoItsGain() throws {
        func cuba(_ n: Int, theta: Double) -> NIRNode {
            .neuron(
                NIRNeuron(
                    model: .cubaLIF, shape: [n], tauMem: Array(repeating: 0.02, count: n), tauSyn: Array(repeating: 0.005, count: n),
                    r: Array(repeating: 1, count: n), vLeak: Array(repeating: 0, count: n), vThreshold: Array(repeating: theta, count: n),
                    vReset: Array(repeating: 0, count: n), wIn: Array(repeating: 2, count: n)))
        }
        let g = chain(
            [
                ("w1", .linear(weight: NIRTensor(shape: [2, 3], values: [0.5, -0.25, 0, 1, 0.5, -2]))), ("a", cuba(2, theta: 1)),
                ("w2", .linear(weight: NIRTensor(shape: [1, 2], values: [0.5, 0.25]))), ("b", cuba(1, theta: 4)),
            ], input: [3])
        let device = RRAMDevice.default
        let q = device.chargePerUnitWeight
        let l = try NIRLayering(graph: g, dt: 1e-3, reset: .toResetPotential, device: device)
        #expect(abs(l.gains[0] - 2 * 1e-3 * 2 / q) < 1e-9 * l.gains[0])  // s = 2 (max |W|)
        #expect(abs(l.gains[1] - 0.5 * 1e-3 * 2 * 0.25 / q) < 1e-9 * l.gains[1])  // s = 0.5, k = 1/4
        #expect(l.weights[0].values == [0.25, 0.5, -0.125, 0.25, 0, -1])  // [in, out], / 2
    }

    /// What the chip cannot hold is refused, naming the node and why.
    @Test func whatTheChipCannotHoldIsRefusedByNode() throws {
        let device = RRAMDevice.default
        let cases: [(String, NIRRunOptions.Reset, String)] = [
            ("braille_noDelay_bias_zero.nir", .toResetPotential, "'fc1': has a bias"),
            ("cnn_sinabs.nir", .toResetPotential, "is IF"),
            ("lif_norse.nir", .toResetPotential, "is LIF"),
            ("braille_noDelay_bias_zero.nir", .subtract, "reset by subtraction"),
        ]
        for (file, reset, why) in cases {
            let g = try NIRGraph.read(path: fixture(file))
            do {
                _ = try NIRLayering(graph: g, dt: 1e-3, reset: reset, device: device, file: file)
                Issue.record("\(file) was imported")
            } catch let e as NIRError {
                #expect("\(e)".contains(why), "\(file): \(e)")
            }
        }
    }
}
