import SpikebarActivity
import SpikebarChip
import SpikebarCore
import SpikebarDevices
import SpikebarNeurons

/// What the kernel did on one sample of a MIF network.
public struct MIFKernelResult: Sendable {
    /// Counts and sums for the cost models (`predictedClass` and `decisionTime` from the readout below).
    public var activity: Activity
    /// readoutScale × time-averaged x₁ of each output neuron (the twin's logits).
    public var logits: [Double]
    /// Spikes per neuron of every layer of neurons (x₁ rising through the spike threshold).
    public var spikeCounts: [[Int]]
    /// Output spikes as (step, neuron), step-major.
    public var outputSpikes: [(step: Int, neuron: Int)]
    /// Energy dissipated in the neurons' memristors over the window (J): Σ G·(V − E)²·dt.
    public var neuronEnergy: Joules
    /// Argmax of the logits, ties to the lower index.
    public var predictedClass: Int { argmaxLowestIndex(logits) }
}

/// The event kernel's engine for networks of memristive integrate-and-fire neurons
/// (Docs/mif-neurons.md, Docs/kernel.md "MIF neurons"): **grid mode** at the scenario's step `dt`.
///
/// Why grid mode and not exact event timing: the MIF neuron's ODE (two GMMS memristors) has no closed
/// form, and its spike is an analog waveform of the memristor state rather than a threshold event; the
/// model *is* its forward-Euler discretisation (`MIFConstants.step`, shared with the twin), so the
/// kernel advances every neuron one step at a time on the same grid. What stays event-driven is the
/// crossbar: in each step only rows whose driver is active are read — input pixels with non-zero
/// intensity while the alpha envelope is non-zero, hidden neurons whose spike memristor is above the
/// signal floor — and each read is recorded in the tile's `Activity` (reads, cells, Σ G weighted by the
/// squared drive amplitude, concurrency), exactly what the cost models price.
///
/// For the same chip and input, its currents are computed with the same expressions in the same order
/// as the twin's (`MIFNetwork`), so output spikes and decisions are bit-identical (checked by a test).
public struct MIFGridKernel: Sendable {
    public var chip: Chip
    public var constants: MIFConstants
    public var alpha: [Double]
    public var currentPerUnit: [Double]
    public var readoutScale: Double
    public var dt: Seconds, steps: Int
    public var readoutKind: MIFReadout
    /// Programmed weights `(G⁺ − G⁻)/(G_max − G_min)` per connection (window units, as the twin's).
    public var weights: [[Double]]

    public init(
        chip: Chip, parameters: MIFParameters, currentPerUnit: [Double], dt: Seconds, steps: Int,
        readoutScale: Double
    ) throws {
        guard chip.connections.allSatisfy({ !$0.recurrent }), currentPerUnit.count == chip.connections.count else {
            throw SpikebarError.mismatch("MIF kernel: needs a feed-forward chip with one gain per layer")
        }
        self.chip = chip
        constants = MIFConstants(parameters, dt: dt)
        alpha = MIFAlphaKernel.samples(steps: steps, dt: dt, tau: parameters.alphaTau)
        self.currentPerUnit = currentPerUnit; self.readoutScale = readoutScale
        self.dt = dt; self.steps = steps
        readoutKind = parameters.readout
        weights = chip.connections.map { $0.effectiveWeights(window: chip.conductanceWindow) }
    }

    /// The engine of this kernel: `GridEngine` with MIF neurons, reading only the active rows, every
    /// connection scaled by its layer's current per unit (`c · Σ_j u_j·w_ji`).
    var engine: GridEngine<MIFModel> {
        let sizes = chip.populations.map(\.size)
        return GridEngine<MIFModel>(
            sizes: sizes, constants: sizes.enumerated().map { l, n in l == 0 ? [] : Array(repeating: constants, count: n) },
            connections: chip.connections.enumerated().map { k, c in
                GridEngine<MIFModel>.Connection(
                    from: c.from, to: c.to, recurrent: false, inputs: c.inputs, outputs: c.outputs, w: weights[k],
                    scale: currentPerUnit[k])
            }, routing: .activeRows)
    }

    /// Runs one sample (pixel intensities in [0, 1] per input channel).
    public func run(_ x: [Double]) -> MIFKernelResult {
        let sizes = chip.populations.map(\.size)
        let L = sizes.count - 1, T = steps
        var input = MIFAlphaInput(x: x, alpha: alpha, weights: weights[0], outputs: sizes[1], currentPerUnit: currentPerUnit[0])
        var observer = MIFKernelObserver(chip: chip, constants: constants, readout: readoutKind, outputs: sizes[L], outputLayer: L)
        let r = engine.run(&input, steps: T, observer: &observer)
        let spikeCounts = Array(r.spikeCounts.dropFirst())
        let scale = readoutScale / Double(T)
        let logits = observer.readout.map { $0 * scale }
        let window = Double(T) * dt
        var layers = [
            LayerActivity(
                name: chip.populations[0].name, size: sizes[0], spikes: 0, synapticEventsIn: 0,
                neuronUpdates: 0, meanRate: 0, spikeCounts: [Int](repeating: 0, count: sizes[0]))
        ]
        for l in 1...L {
            let total = spikeCounts[l - 1].reduce(0, +)
            layers.append(
                LayerActivity(
                    name: chip.populations[l].name, size: sizes[l], spikes: total,
                    synapticEventsIn: observer.recorder.synapticEventsIn[l],
                    neuronUpdates: sizes[l] * T, meanRate: Double(total) / Double(sizes[l]) / window,
                    spikeCounts: spikeCounts[l - 1]))
        }
        let best = argmaxLowestIndex(logits)
        let activity = Activity(
            window: window, dt: dt, steps: T, layers: layers, tiles: observer.recorder.tiles,
            outputSpikeCounts: spikeCounts[L - 1],
            firstOutputSpike: observer.firstOutput.map { Double($0 + 1) * dt },
            decisionTime: observer.decisionStep.map { Double($0 + 1) * dt }, predictedClass: best)
        return MIFKernelResult(
            activity: activity, logits: logits, spikeCounts: spikeCounts, outputSpikes: observer.outputSpikes,
            neuronEnergy: observer.energy)
    }
}

/// What the MIF kernel books: the tiles' reads, each neuron's dissipation `Σ G·(V − E)²·dt` before its
/// step, output spikes, and the running readout (time sum of `v` or `x₁`) whose argmax's last change is
/// the decision time.
struct MIFKernelObserver: GridObserver {
    typealias Model = MIFModel
    var recorder: GridActivityRecorder
    let constants: MIFConstants, readoutKind: MIFReadout, outputLayer: Int
    var readout: [Double]
    var energy = 0.0
    var outputSpikes: [(step: Int, neuron: Int)] = []
    var firstOutput: Int?, decisionStep: Int?
    var leader = -1

    init(chip: Chip, constants: MIFConstants, readout: MIFReadout, outputs: Int, outputLayer: Int) {
        recorder = GridActivityRecorder(chip: chip)
        self.constants = constants; readoutKind = readout; self.outputLayer = outputLayer
        self.readout = [Double](repeating: 0, count: outputs)
    }

    mutating func read(connection k: Int, step n: Int, rows: [Int], amplitudes: [Double]) {
        recorder.read(connection: k, rows: rows, amplitudes: amplitudes)
    }
    mutating func willEmit(layer l: Int, neuron i: Int, state: MIFModel.State, _ k: MIFConstants) {
        energy += k.stepEnergy(state.neuron)
    }
    mutating func spiked(layer l: Int, neuron i: Int, step n: Int) {
        guard l == outputLayer else { return }
        outputSpikes.append((n, i))
        if firstOutput == nil { firstOutput = n }
    }
    mutating func stepEnded(_ n: Int, output: [MIFModel.State]) {
        // Running readout; the decision time is when its argmax last changed.
        var best = 0
        for j in readout.indices {
            readout[j] += readoutKind == .membrane ? output[j].neuron.v : output[j].neuron.x1
            if readout[j] > readout[best] { best = j }
        }
        if best != leader { leader = best; decisionStep = n }
    }
}
