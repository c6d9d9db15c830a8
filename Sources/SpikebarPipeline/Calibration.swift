import SpikebarChip
import SpikebarCore
import SpikebarData
import SpikebarKernel
import SpikebarScenario

extension Simulation {
    /// Sets each layer's DPI gain so that its mean firing rate on the first inputs matches the
    /// scenario's target (hidden layers: `target_rate`, output: `target_output_rate`).
    ///
    /// An untrained network's activity — and so every architecture ratio — is set by its weight scale;
    /// a fixed scale would give a silent or saturated chip. On silicon the same knob is the DPI gain
    /// bias, tuned per core. Layers are calibrated in order (a layer's rate depends only on the layers
    /// before it) by bisection on log(gain), 24 iterations, on up to 4 samples, read noise off.
    static func calibrateGains(scenario s: Scenario, weights: [WeightMatrix], initial: [Double], timing: Timing,
                               inputs: InputSet, encoder: PoissonEncoder) throws -> [Double] {
        var gains = initial
        let samples = min(4, inputs.count)
        let spikes = (0..<samples).map { inputs.spikes($0, encoder: encoder) }
        let layers = s.network.layers.count
        for l in 1...layers {
            let target = l == layers ? s.weights.targetOutputRate : s.weights.targetRate
            if target <= 0 { continue }
            func rate(_ g: Double) throws -> Double {
                var trial = gains
                trial[l - 1] = g
                let chip = try Chip(scenario: s, weights: weights, gains: trial)
                let kernel = EventKernel(chip: chip, timing: timing, readNoise: false)
                var total = 0.0
                for (k, input) in spikes.enumerated() {
                    let r = kernel.run(input: input, options: RunOptions(window: s.input.window, sample: inputs.sampleIDs[k], seed: s.seed))
                    total += r.activity.layers[l].meanRate
                }
                return total / Double(spikes.count)
            }
            var lo = log(1e-3), hi = log(1e5)
            for _ in 0..<24 {
                let mid = (lo + hi) / 2
                if try rate(exp(mid)) < target { lo = mid } else { hi = mid }
            }
            gains[l - 1] = exp(hi)
        }
        return gains
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
