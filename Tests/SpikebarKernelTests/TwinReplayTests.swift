import Testing
import SpikebarChip
import SpikebarCore
import SpikebarData
import SpikebarDevices
@testable import SpikebarKernel
import SpikebarScenario
import SpikebarTwin
import SpikebarTestSupport

/// The replay contract (DESIGN §2), by construction since issue #17: the kernel in grid(dt) mode (read
/// noise off) and the twin of the same programmed chip add the same read charges (`ReadCharge`) times
/// the same charge → current in the same order (`GridStepOrder`) with the same propagator, so every spike
/// of every population is the same, step for step — with and without recurrence and tile parasitics.
@Suite struct TwinReplayTests {
    @Test(arguments: [(false, false), (true, false), (true, true)])
    func gridKernelAndTwinAgree(recurrent: Bool, parasitics: Bool) throws {
        let yaml = tinyScenarioYAML(
            input: 40, layers: "[{name: hidden, size: 24, recurrent: \(recurrent)}, {name: out, size: 6}]",
            gain: 30, device: "programming_error: 2e-6, read_noise: 0", tauCV: 0.3)
        var s = try scenario(yaml).scenario
        if parasitics {
            s.tiles.rows = 16; s.tiles.cols = 16
            s.tiles.parasitics = CrossbarParasitics(sourceResistance: 2_000, neuronResistance: 2_000, wireResistance: 5)
        }
        let sizes = [40, 24, 6]
        let w = Chip.connectionPlan(network: s.network).enumerated().map { k, p in
            WeightMatrix.generated(inputs: sizes[p.from], outputs: sizes[p.to], mean: p.recurrent ? -0.05 : 0.25, std: 0.5, seed: 11, connection: k)
        }
        let chip = try Chip(scenario: s, weights: w)
        let dt = 1e-3, steps = 100, window = 0.1
        let twin = try TwinNetwork(chip: chip, network: s.network, dt: dt, steps: steps)
        let kernel = EventKernel(chip: chip, timing: .grid(dt: dt), readNoise: false)
        // The same numbers: every synapse's read charge and every neuron's charge → current, bit for bit.
        let compiled = CompiledNetwork(chip: chip, readNoise: false)
        for (k, c) in compiled.connections.enumerated() { #expect(Array(c.charge) == twin.weights[k]) }
        for l in 1..<compiled.layers.count { #expect(compiled.layers[l].chargeToCurrent == twin.layers[l - 1].inputScale) }
        let encoder = PoissonEncoder(maxRate: 120, window: window, seed: 5)
        var rng = RandomStream(seed: 2, purpose: .dataset)
        let samples = 60
        let lists = (0..<samples).map { k in encoder.encode((0..<40).map { _ in rng.nextUniform() }, sample: k) }
        let twinOut = twin.infer(lists.map { StepSpikes($0, dt: dt, steps: steps, channels: 40) }, record: true, threads: 1)
        var total = 0, hidden = 0, differing = 0
        let dtPs = Int64(1e9)
        for k in 0..<samples {
            let r = kernel.run(input: lists[k], options: RunOptions(window: window, recordSpikes: true))
            for l in 1...2 {
                let kernelSpikes = zip(r.spikes[l].times, r.spikes[l].channels).map { [Int($0 / dtPs), Int($1)] }
                let twinSpikes = twinOut[k].spikes[l].map { [$0.step, $0.neuron] }.sorted { ($0[0], $0[1]) < ($1[0], $1[1]) }
                if kernelSpikes != twinSpikes { differing += 1 }
            }
            #expect(r.activity.outputSpikeCounts == twinOut[k].outputCounts)
            #expect(r.activity.predictedClass == twinOut[k].predictedClass)
            total += r.spikes[2].count
            hidden += r.spikes[1].count
        }
        #expect(total > 100, "the test needs output activity (\(total) output spikes)")
        #expect(hidden > 1000)
        #expect(differing == 0, "\(differing) of \(2 * samples) (sample, layer) spike trains differ")
    }
}
