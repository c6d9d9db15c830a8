import SpikebarData
import SpikebarScenario

extension Scenario {
    /// The rate code of the scenario's input (`input.max_rate`, `window`, `time_resolution`, keyed by the
    /// seed): one rule for every command that turns intensities into spikes — `run`, training, sweeps.
    public var inputEncoder: PoissonEncoder {
        PoissonEncoder(maxRate: input.maxRate, window: input.window, seed: seed, resolution: input.timeResolution)
    }

    /// Frames of `simulation.dt` over the input window: what an NIR graph runs in grid timing, and what
    /// `nir train` frames its training digits into (one rule for both).
    public var gridFrames: Int { Int((input.window / simulation.dt).rounded()) }
}
