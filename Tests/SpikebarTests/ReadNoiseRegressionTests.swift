import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import SpikebarCost
import SpikebarChip
import SpikebarCore
import SpikebarDevices
import SpikebarExperiments
import SpikebarKernel
import SpikebarPipeline
import SpikebarScenario
import SpikebarTwin
import SpikebarNeurons
import SpikebarTestSupport

/// Issue #8: read noise of the device physics, against its statistics.
@Suite struct ReadNoiseRegressionTests {
    /// Without device physics, the noisy branch adds only the white read noise: a vanishing `read_noise`
    /// gives the noise-off result in both timing modes (no stray RTN term from an empty table).
    @Test func vanishingReadNoiseEqualsNoiseOff() throws {
        let yaml = tinyScenarioYAML(
            input: 64, layers: "[{name: h, size: 32}, {name: out, size: 10}]", gain: 30,
            device: "programming_error: 0, read_noise: 1e-12"
        )
        .replacingOccurrences(
            of: "weights: {source: generated, target_rate: 0}", with: "weights: {source: generated, mean: 0.3, std: 0.5, target_rate: 0}")
        let s = try scenario(yaml).scenario
        let sizes = [64, 32, 10]
        let w = (0..<2).map { WeightMatrix.generated(inputs: sizes[$0], outputs: sizes[$0 + 1], mean: 0.3, std: 0.5, seed: 3, connection: $0) }
        let chip = try Chip(scenario: s, weights: w)
        var spikes = SpikeList()
        for k in 0..<400 { spikes.append(time: Int64(k) * 100_000_000, channel: Int32((k * 7) % 64)) }
        let opts = RunOptions(window: 0.05, sample: 0, seed: 7, recordSpikes: false, reportingStep: 1e-3)
        for timing in [Timing.exact, .grid(dt: 1e-3)] {
            let quiet = EventKernel(chip: chip, timing: timing, readNoise: false).run(input: spikes, options: opts).activity
            let noisy = EventKernel(chip: chip, timing: timing, readNoise: true).run(input: spikes, options: opts).activity
            #expect(quiet.outputSpikeCounts == noisy.outputSpikeCounts)
            #expect(quiet.outputSpikeCounts.reduce(0, +) > 0)
        }
    }
}
