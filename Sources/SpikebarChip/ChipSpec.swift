import SpikebarCore
import SpikebarDevices
import SpikebarNeurons

/// Everything a chip is programmed from, apart from the weights: the network's topology, the
/// neurons' nominal parameters and their spread, the device, the tiles and the seed of every draw.
///
/// The scenario (`SpikebarScenario`) composes it from its sections (`Scenario.chipSpec`); the chip
/// never sees the scenario schema, its YAML or its price lists, so the kernel and the twin link
/// neither (the dependency rule in `Package.swift`, Docs/architecture.md).
public struct ChipSpec: Sendable, Equatable {
    /// Seed of every random draw (programming error, time constants, faults): same seed ⇒ same chip.
    public var seed: UInt64
    public var network: NetworkSpec
    /// Nominal LIF + DPI neuron of every layer (a MIF chip's neurons are not in the chip: their
    /// parameters travel with the MIF kernel, `MIFGridKernel`).
    public var neurons: NeuronParameters
    /// Per-neuron spread of τ_mem, τ_syn (lognormal, `tau_cv`).
    public var heterogeneity: Heterogeneity
    public var device: RRAMDevice
    public var tiles: TileSpec
    /// Trained per-neuron time-constant settings (nil: the chip's τ are its own draws).
    public var tunedTimeConstants: TunedTimeConstants?

    public init(
        seed: UInt64, network: NetworkSpec, neurons: NeuronParameters, heterogeneity: Heterogeneity,
        device: RRAMDevice, tiles: TileSpec, tunedTimeConstants: TunedTimeConstants? = nil
    ) {
        self.seed = seed; self.network = network; self.neurons = neurons; self.heterogeneity = heterogeneity
        self.device = device; self.tiles = tiles; self.tunedTimeConstants = tunedTimeConstants
    }
}
