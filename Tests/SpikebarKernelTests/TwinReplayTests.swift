import Testing
import SpikebarChip
import SpikebarCore
import SpikebarData
import SpikebarDevices
import SpikebarKernel
import SpikebarScenario
import SpikebarTwin
import SpikebarTestSupport

/// The replay contract (DESIGN §2): the kernel in grid(dt) mode and the twin, on the same programmed
/// chip and inputs, produce the same output spikes (≥ 99.5 % identical) and the same class (≥ 99.9 %).
@Suite struct TwinReplayTests {
    @Test(arguments: [false, true])
    func gridKernelAndTwinAgree(recurrent: Bool) throws {
        let yaml = tinyScenarioYAML(
            input: 40, layers: "[{name: hidden, size: 24, recurrent: \(recurrent)}, {name: out, size: 6}]",
            gain: 30, device: "programming_error: 2e-6, read_noise: 0", tauCV: 0.3)
        let s = try scenario(yaml).scenario
        let sizes = [40, 24, 6]
        let w = Chip.connectionPlan(network: s.network).enumerated().map { k, p in
            WeightMatrix.generated(inputs: sizes[p.from], outputs: sizes[p.to], mean: p.recurrent ? -0.05 : 0.25, std: 0.5, seed: 11, connection: k)
        }
        let chip = try Chip(scenario: s, weights: w)
        let dt = 1e-3, steps = 100, window = 0.1
        let twin = try TwinNetwork(chip: chip, network: s.network, dt: dt, steps: steps)
        let kernel = EventKernel(chip: chip, timing: .grid(dt: dt), readNoise: false)
        let encoder = PoissonEncoder(maxRate: 120, window: window, seed: 5)
        var rng = RandomStream(seed: 2, purpose: .dataset)
        let samples = 60
        let lists = (0..<samples).map { k in encoder.encode((0..<40).map { _ in rng.nextUniform() }, sample: k) }
        let twinOut = twin.infer(lists.map { StepSpikes($0, dt: dt, steps: steps, channels: 40) }, record: true, threads: 1)
        var identical = 0, total = 0, sameClass = 0, hidden = 0
        let dtPs = Int64(1e9)
        for k in 0..<samples {
            let r = kernel.run(input: lists[k], options: RunOptions(window: window, recordSpikes: true))
            let kernelSpikes = Set(zip(r.spikes[2].times, r.spikes[2].channels).map { Int($0 / dtPs) * 1000 + Int($1) })
            let twinSpikes = Set(twinOut[k].spikes[2].map { $0.step * 1000 + $0.neuron })
            identical += kernelSpikes.intersection(twinSpikes).count
            total += max(kernelSpikes.count, twinSpikes.count)
            if r.activity.predictedClass == twinOut[k].predictedClass { sameClass += 1 }
            hidden += r.spikes[1].count
            #expect(r.activity.outputSpikeCounts == twinOut[k].outputCounts || total > 0)
        }
        #expect(total > 100, "the test needs output activity (\(total) output spikes)")
        #expect(hidden > 1000)
        #expect(Double(identical) >= 0.995 * Double(total), "\(identical) of \(total) output spikes identical")
        #expect(Double(sameClass) >= 0.999 * Double(samples), "\(sameClass) of \(samples) same class")
    }
}
