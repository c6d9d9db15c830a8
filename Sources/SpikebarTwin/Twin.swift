import SpikebarChip
import SpikebarCore
import SpikebarDevices
import SpikebarNeurons

/// What the twin's loss reads from the output layer.
public enum Readout: String, Sendable, Codable, CaseIterable {
    /// Logit of class c = `readoutScale ×` number of spikes of output neuron c over the window — what
    /// the chip's decision (most spikes wins) reads.
    case spikeCount = "spike_count"
    /// Logit of class c = `readoutScale ×` the largest pre-threshold membrane potential (V) of output
    /// neuron c over the window.
    case maxMembrane = "max_membrane"
}

/// Neuron constants of one layer of the twin, structure-of-arrays (one entry per neuron): the chip's
/// `NeuronConstants` turned into the shared `StepPropagator` at the twin's step.
public struct TwinLayer: Sendable, Equatable {
    public var size: Int
    public var recurrent: Bool
    /// α = e^{−dt/τ_syn}, β = e^{−dt/τ_mem}, κ = c·(α − β) per neuron (`StepPropagator`).
    public var alpha: [Double], beta: [Double], kappa: [Double]
    public var refractorySteps: [Int32]
    /// θ and V_reset (V).
    public var threshold: [Double], reset: [Double]
    /// Synaptic current (A) one spike through a weight of 1 adds to neuron i:
    /// `RRAMDevice.chargePerUnitWeight · gain_i / τ_syn,i` — the chip's charge → current, per unit weight.
    public var inputScale: [Double]
    /// τ_syn, τ_mem (s) and c = R·τ_syn/(τ_syn − τ_mem) (Ω) per neuron: the chain rule of trainable time constants.
    public var tauSyn: [Double], tauMem: [Double], coupling: [Double]

    /// A layer of neurons with the given parameters, stepped at `dt` (s), fed through `device`'s pairs.
    public init(neurons: [NeuronParameters], recurrent: Bool, device: RRAMDevice, dt: Seconds) {
        size = neurons.count
        self.recurrent = recurrent
        let k = neurons.map(NeuronConstants.init)
        let p = k.map { StepPropagator($0, dt: dt) }
        alpha = p.map(\.alpha); beta = p.map(\.beta); kappa = p.map(\.kappa)
        refractorySteps = p.map { Int32(clamping: $0.refractorySteps) }
        threshold = k.map(\.threshold); reset = k.map(\.reset)
        let q = device.chargePerUnitWeight
        inputScale = k.map { q * $0.chargeToCurrent }
        tauSyn = k.map { 1 / $0.rateSyn }; tauMem = k.map { 1 / $0.rateMem }; coupling = k.map(\.coupling)
    }
}

/// The differentiable twin (DESIGN §2): the chip's network stepped in discrete time with the exact
/// exponential propagator (`StepPropagator`, shared with the kernel's grid mode), spike = Heaviside in
/// the forward pass and a fast-sigmoid surrogate derivative in the backward pass
/// (Zenke & Ganguli, Neural Comput. 30(6), 2018, doi:10.1162/neco_a_01086: `σ'(x) = 1/(1 + k|x|)²`).
///
/// Per step n, in the kernel's grid-mode order (`RunState+Grid.swift`):
/// 1. (n > 0) every neuron advances: `V ← βV + κI, I ← αI`, or, while refractory, `I ← αI, V ← V_reset`;
/// 2. input spikes binned to step n add `w · inputScale` to the first layer's I;
/// 3. layer by layer: neurons with `V ≥ θ` spike, reset and turn refractory; their spikes add to the next
///    layer's I (and to their own layer's through recurrent weights) at the same step.
///
/// Weights are in window units in [−1, 1] (`WeightMatrix`), one matrix per connection in
/// `Chip.connectionPlan` order, row-major by presynaptic neuron.
///
/// ```swift
/// let twin = try TwinNetwork(chip: chip, dt: 1e-3, steps: 100)       // replay a programmed chip
/// let out = twin.run(StepSpikes(input, dt: 1e-3, steps: 100, channels: 784))
/// ```
public struct TwinNetwork: Sendable {
    public var inputs: Int
    public var layers: [TwinLayer]
    /// Connections `(from, to, recurrent)` (population indices; 0 is the input), `Chip.connectionPlan` order.
    public var plan: [Connection]
    /// Weights (window units) per connection, `plan` order, `inputs × outputs` row-major.
    public var weights: [[Double]]
    public var dt: Seconds
    public var steps: Int
    public var readout: Readout
    /// Multiplies spike counts (or membrane maxima) into logits.
    public var readoutScale: Double
    /// Slope k of the fast-sigmoid surrogate, per volt of `V − θ`.
    public var surrogateSlope: Double
    /// Reset treated as a constant in the backward pass (the usual choice, e.g. snnTorch). Off only for
    /// gradient checks in smooth mode.
    public var detachReset: Bool = true
    /// Replaces the Heaviside spike by `F(x) = x/(1 + k|x|) + 1/k` (whose derivative is the surrogate)
    /// and disables refractoriness: a smooth network on which finite differences check the backward pass.
    public var smoothSpikes: Bool = false

    /// One crossbar connection of the twin.
    public struct Connection: Sendable, Equatable {
        public var from: Int, to: Int, recurrent: Bool
        public var inputs: Int, outputs: Int
    }

    /// Feed-forward connection into layer `l` (1-based population index) and its recurrent one, if any.
    public private(set) var feedForward: [Int] = []
    public private(set) var recurrentOf: [Int?] = []

    /// A twin of `network` with per-neuron parameters `neurons` (`neurons[l − 1]` for layer l, e.g.
    /// `Chip.sampleNeurons`) and weights in window units.
    public init(
        network: NetworkSpec, neurons: [[NeuronParameters]], device: RRAMDevice, weights: [WeightMatrix],
        dt: Seconds, steps: Int, readout: Readout = .spikeCount, readoutScale: Double = 1,
        surrogateSlope: Double = 10
    ) throws {
        guard neurons.count == network.layers.count else {
            throw SpikebarError.mismatch("twin: \(neurons.count) layers of neuron parameters for a network of \(network.layers.count) layers")
        }
        for (k, l) in network.layers.enumerated() where neurons[k].count != l.size {
            throw SpikebarError.mismatch("twin: layer \(l.name) has \(l.size) neurons but \(neurons[k].count) parameter sets")
        }
        guard steps >= 1, dt > 0 else { throw SpikebarError.mismatch("twin: needs dt > 0 and at least one step") }
        inputs = network.input
        layers = zip(network.layers, neurons).map { TwinLayer(neurons: $1, recurrent: $0.recurrent, device: device, dt: dt) }
        let sizes = [network.input] + network.layers.map(\.size)
        plan = Chip.connectionPlan(network: network).map {
            Connection(from: $0.from, to: $0.to, recurrent: $0.recurrent, inputs: sizes[$0.from], outputs: sizes[$0.to])
        }
        guard weights.count == plan.count else {
            throw SpikebarError.mismatch("twin: \(weights.count) weight matrices for \(plan.count) connections")
        }
        for (c, w) in zip(plan, weights) where w.inputs != c.inputs || w.outputs != c.outputs || w.values.count != c.inputs * c.outputs {
            throw SpikebarError.mismatch("twin: weights \(w.inputs)×\(w.outputs) for a \(c.inputs)×\(c.outputs) connection")
        }
        self.weights = weights.map { $0.values.map(Double.init) }
        self.dt = dt; self.steps = steps
        self.readout = readout; self.readoutScale = readoutScale; self.surrogateSlope = surrogateSlope
        index()
    }

    /// The twin of a programmed chip: its neurons, and as weights the charge each synapse delivers per
    /// read (`ReadCharge`, C — not window units) with each neuron's charge → current as its input scale:
    /// the numbers the kernel adds, in its order, so that the kernel's grid mode (read noise off) and this
    /// twin produce the same spikes bit for bit (the replay contract by construction). For inference only:
    /// its weights are not a weights file's.
    public init(chip: Chip, network: NetworkSpec, dt: Seconds, steps: Int, readout: Readout = .spikeCount) throws {
        let span = chip.conductanceWindow
        let programmed = chip.connections.map { $0.effectiveWeights(window: span) }
        let w = zip(chip.connections, programmed).map { c, v in WeightMatrix(inputs: c.inputs, outputs: c.outputs, values: v.map(Float.init)) }
        try self.init(
            network: network, neurons: chip.neurons, device: chip.device, weights: w, dt: dt, steps: steps,
            readout: readout)
        // The kernel's own numbers (the replay contract by construction): each synapse's read charge
        // (`ReadCharge`, C; with tile parasitics the single-row read of each cell attenuated as in the
        // kernel, Chip+Parasitics) times each neuron's charge → current (A/C), added in the kernel's order.
        let scale = chip.device.readVoltage * chip.device.readPulse
        let par = chip.parasitics()
        weights = chip.connections.enumerated().map { k, c in
            ReadCharge.of(c, scale: scale, attenuation: par.map { ($0.plus[k], $0.minus[k]) })
        }
        for l in layers.indices { layers[l].inputScale = chip.neurons[l].map { NeuronConstants($0).chargeToCurrent } }
    }

    mutating func index() {
        feedForward = Array(repeating: -1, count: layers.count + 1)
        recurrentOf = Array(repeating: nil, count: layers.count + 1)
        for (k, c) in plan.enumerated() {
            if c.recurrent { recurrentOf[c.to] = k } else { feedForward[c.to] = k }
        }
    }

    /// Replaces every layer's neuron parameters (e.g. time constants resampled per batch).
    public mutating func setNeurons(_ neurons: [[NeuronParameters]], device: RRAMDevice) {
        layers = zip(layers, neurons).map { TwinLayer(neurons: $1, recurrent: $0.recurrent, device: device, dt: dt) }
    }

    /// Weights as `WeightMatrix` values (the weights-file format).
    public var weightMatrices: [WeightMatrix] {
        zip(plan, weights).map { WeightMatrix(inputs: $0.inputs, outputs: $0.outputs, values: $1.map { Float($0) }) }
    }

    public var outputSize: Int { layers.last?.size ?? 0 }
    public var parameterCount: Int { weights.reduce(0) { $0 + $1.count } }
}
