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
    public static func calibrateGains(
        scenario s: Scenario, weights: [WeightMatrix], initial: [Double], timing: Timing,
        inputs: InputSet, encoder: PoissonEncoder,
        progress: ((_ layer: Int, _ layers: Int) -> Void)? = nil
    ) throws -> [Double] {
        var gains = initial
        let samples = min(4, inputs.count)
        let spikes = (0..<samples).map { inputs.spikes($0, encoder: encoder) }
        let layers = s.network.layers.count
        // The crossbars are programmed once: a trial gain changes only the neurons' parameters, which
        // `Chip.sampleNeurons` draws exactly as `Chip.init` does (same seed, same stream), so the trial
        // chips are the ones the old per-trial programming built — without reprogramming every cell
        // L × 24 times (issue #22, class 8).
        var chip = try Chip(scenario: s, weights: weights, gains: gains)
        for l in 1...layers {
            let target = l == layers ? s.weights.targetOutputRate : s.weights.targetRate
            if target <= 0 { continue }
            progress?(l, layers)
            func rate(_ g: Double) throws -> Double {
                var trial = gains
                trial[l - 1] = g
                chip.neurons = Chip.sampleNeurons(scenario: s, gains: trial)
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
