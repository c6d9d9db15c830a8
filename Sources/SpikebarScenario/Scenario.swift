import SpikebarCore
import SpikebarDevices
import SpikebarNeurons
import SpikebarChip
import SpikebarCost
import SpikebarNIR

/// A scenario: everything one `spikebar run` needs, as data (DESIGN §7). Decoded from YAML by
/// `ScenarioLoader`, which rejects unknown keys and reports errors as `file:line: key.path: message`.
/// Every key, unit, default and range: Docs/scenario-reference.md.
public struct Scenario: Sendable, Codable {
    /// Display name (defaults to the file name without extension).
    public var name: String
    /// Seed of every random draw (DESIGN §5): same seed ⇒ bit-identical outputs.
    public var seed: UInt64
    /// The network as layers of neurons (`network: { input, layers }`). For an NIR scenario
    /// (`nir` set) the graph is the network, and this is an empty placeholder no command reads: every
    /// command that simulates layers refuses the scenario by its neuron model (`.nir`).
    public var network: NetworkSpec
    /// The network taken from an NIR graph (`network: { nir: graph.nir, … }`); nil for layers.
    public var nir: NIRNetworkSpec?
    /// The neuron model of every layer and its parameters (`neurons: { model: lif | mif, … }`).
    public var neurons: NeuronModelSpec
    public var heterogeneity: Heterogeneity
    public var device: RRAMDevice
    public var tiles: TileSpec
    public var weights: WeightSpec
    public var input: InputSpec
    public var simulation: SimulationSpec
    /// Price lists of the architectures the run is compared on.
    public var architectures: PriceLists
    /// What `spikebar train` / `evaluate` do (nil: the scenario is not for training).
    public var training: TrainingSpec?
    /// Trained per-neuron time-constant settings from the weights file (not a scenario key; set by the
    /// commands that load trained weights). nil: the chip's τ are its own draws.
    public var tunedTimeConstants: TunedTimeConstants? = nil

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, seed, network, neurons, heterogeneity, device, tiles, weights, input, simulation, architectures, training
    }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(.name, default: "")
        // The name becomes a folder (`spikebar-out/<name>/`): no separators, `..`, control characters.
        if !name.isEmpty, let why = OutputPath.componentProblem(name) { throw c.invalid(.name, "the scenario name \(why)") }
        seed = try c.decode(.seed, default: 1)
        if c.contains(.network), try NIRNetworkSpec.Probe(from: c.superDecoder(forKey: .network)).namesGraph {
            nir = try NIRNetworkSpec(from: c.superDecoder(forKey: .network))
            network = NetworkSpec(input: 0, layers: [])
            if c.contains(.neurons) {
                throw c.invalid(.neurons, "the neurons come from the NIR graph (network.nir: every node's model and parameters); remove this section")
            }
            neurons = .nirGraph
            // The graph's parameters exactly unless a spread is asked for on top.
            heterogeneity = try c.decode(.heterogeneity, default: Heterogeneity(tauCV: 0))
        } else {
            network = try c.decode(NetworkSpec.self, forKey: .network)
            neurons = try c.decode(.neurons, default: .lifDPI(.default))
            heterogeneity = try c.decode(.heterogeneity, default: .default)
        }
        device = try c.decode(.device, default: .default)
        tiles = try c.decode(.tiles, default: .default)
        weights = try c.decode(.weights, default: .default)
        input = try c.decode(InputSpec.self, forKey: .input)
        simulation = try c.decode(.simulation, default: .default)
        architectures = try c.decode(.architectures, default: PriceLists())
        training = try c.decodeIfPresent(TrainingSpec.self, forKey: .training)
        if device.ideal, nir == nil {
            throw c.invalid(.device, "ideal: true is for networks from an NIR graph (network.nir): a network of layers is programmed on levels")
        }
        if nir != nil {
            if c.contains(.weights) { throw c.invalid(.weights, "the weights come from the NIR graph (network.nir); remove this section") }
            if c.contains(.training) {
                throw c.invalid(.training, "networks from an NIR graph are not trained by Spikebar yet: train in the framework and export the graph")
            }
            if [.twoMoons, .randman].contains(input.source) {
                throw c.invalid(
                    .input,
                    "source: \(input.source.rawValue) draws its samples from a training section; an NIR network takes nmnist, mnist, trace, uniform or synthetic input"
                )
            }
            return  // the input's channel count is checked against the graph when it is read
        }
        if input.source == .nmnist, network.input != 2312 {
            throw c.invalid(.network, "input has \(network.input) channels but N-MNIST recordings have 2312 (2 polarities × 34 × 34)")
        }
        if training?.calibration.parasitics == true, tiles.parasitics == nil {
            throw c.invalid(.training, "calibration.parasitics needs a tiles.parasitics block (r_source, r_neuron, r_wire)")
        }
        if let g = training?.gains, g.count != network.layers.count {
            throw c.invalid(.training, "gains has \(g.count) values but the network has \(network.layers.count) layers of neurons")
        }
        if let g = weights.synapseGains, g.count != network.layers.count {
            throw c.invalid(.weights, "synapse_gains has \(g.count) values but the network has \(network.layers.count) layers of neurons")
        }
        if let m = neurons.mif {
            if network.layers.contains(where: \.recurrent) { throw c.invalid(.network, "MIF neurons support feed-forward layers only") }
            if m.gains.count != network.layers.count {
                throw c.invalid(.neurons, "gains has \(m.gains.count) values but the network has \(network.layers.count) layers of neurons")
            }
        }
        if input.source == .mnist, network.input != 784 {
            throw c.invalid(.network, "input has \(network.input) channels but MNIST digits have 784 pixels")
        }
        if input.source == .twoMoons, network.input % 2 != 0 {
            throw c.invalid(.input, "two_moons input needs an even number of input channels (network.input is \(network.input))")
        }
        if input.source == .randman, training?.randman == nil {
            throw c.invalid(.input, "source: randman needs a training: section with dataset: randman (its task parameters)")
        }
        if let r = training?.randman, r.classes > network.layers.last?.size ?? 0 {
            throw c.invalid(.training, "randman.classes is \(r.classes) but the output layer has fewer neurons")
        }
        if input.source == .synthetic, let k = input.classes, k > network.layers.last?.size ?? 0 {
            throw c.invalid(.input, "synthetic input has \(k) classes but the output layer has fewer neurons")
        }
    }
}

extension Scenario {
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(seed, forKey: .seed)
        if let nir { try c.encode(nir, forKey: .network) } else { try c.encode(network, forKey: .network) }
        try c.encode(neurons, forKey: .neurons)
        try c.encode(heterogeneity, forKey: .heterogeneity)
        try c.encode(device, forKey: .device)
        try c.encode(tiles, forKey: .tiles)
        try c.encode(weights, forKey: .weights)
        try c.encode(input, forKey: .input)
        try c.encode(simulation, forKey: .simulation)
        try c.encode(architectures, forKey: .architectures)
        try c.encodeIfPresent(training, forKey: .training)
    }

    /// The MIF parameters when the layers are MIF neurons (nil for LIF + DPI).
    public var mif: MIFParameters? { neurons.mif }

    /// The nominal LIF + DPI neuron the chip's neurons are drawn around. A MIF scenario has none: its
    /// chip is programmed without LIF neurons (`Chip(spec:)`), and every command that would simulate
    /// LIF neurons refuses it (`requireNeuronModel`), so the default here is never simulated.
    public var lifNeurons: NeuronParameters {
        get { neurons.lifDPI ?? .default }
        set { neurons = .lifDPI(newValue) }
    }

    /// What the chip is programmed from (`Chip(spec:weights:)`).
    public var chipSpec: ChipSpec {
        ChipSpec(
            seed: seed, network: network, neurons: lifNeurons, heterogeneity: heterogeneity, device: device,
            tiles: tiles, tunedTimeConstants: tunedTimeConstants)
    }

    /// Refuses, before any work, a scenario whose neuron model `command` cannot simulate.
    public func requireNeuronModel(_ supported: Set<NeuronModelKind>, for command: String) throws {
        guard !supported.contains(neurons.kind) else { return }
        let can = NeuronModelKind.allCases.filter(supported.contains).map(\.description).joined(separator: " or ")
        throw SpikebarError.mismatch("\(command): scenario '\(name)' has \(neurons.kind.description); \(command) simulates \(can) only")
    }
}

extension Chip {
    /// Programs the chip a LIF + DPI scenario describes (`Chip(spec:weights:gains:chipSample:)` on
    /// `scenario.chipSpec`). A scenario of another neuron model is refused, by type: the chip's
    /// event kernel and twin step LIF + DPI neurons (MIF chips: `MIFPipeline`).
    public init(
        scenario: Scenario, weights: [WeightMatrix], gains: [Double]? = nil, chipSample: Int = 0,
        regenerateFrom: Int = Chip.regenerationThreshold
    ) throws {
        try scenario.requireNeuronModel([.lifDPI], for: "programming an event-kernel chip")
        try self.init(spec: scenario.chipSpec, weights: weights, gains: gains, chipSample: chipSample, regenerateFrom: regenerateFrom)
    }

    /// `Chip.sampleNeurons(spec:)` for a scenario.
    public static func sampleNeurons(scenario: Scenario, gains: [Double]? = nil, chipSample: Int = 0) -> [[NeuronParameters]] {
        sampleNeurons(spec: scenario.chipSpec, gains: gains, chipSample: chipSample)
    }
}
