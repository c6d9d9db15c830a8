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

    /// Runs one sample (pixel intensities in [0, 1] per input channel).
    public func run(_ x: [Double]) -> MIFKernelResult {
        let k = constants, T = steps
        let sizes = chip.populations.map(\.size)
        let L = sizes.count - 1
        var tileReads = [Int](repeating: 0, count: chip.tiles.count), tileCells = tileReads
        var tileG = [Double](repeating: 0, count: chip.tiles.count)
        var tileConcurrency = chip.tiles.map { [Int](repeating: 0, count: $0.rows) }
        var tilePeak = [Int](repeating: 0, count: chip.tiles.count)
        var synapticIn = [Int](repeating: 0, count: sizes.count)
        var spikeCounts = sizes.dropFirst().map { [Int](repeating: 0, count: $0) }
        var outputSpikes: [(step: Int, neuron: Int)] = []
        var energy = 0.0

        // Layer-1 drive h = Wᵀx: the column charge of a read is linear in its amplitude x_p·a(t_n).
        let n1 = sizes[1]
        var h = [Double](repeating: 0, count: n1)
        for p in 0..<sizes[0] where x[p] != 0 {
            let xp = x[p], row = p * n1
            for i in 0..<n1 { h[i] += xp * weights[0][row + i] }
        }
        let rest = k.rest
        var state = sizes.map { [MIFState](repeating: rest, count: $0) }
        var signal = sizes.map { [Double](repeating: 0, count: $0) }
        let activePixels = (0..<sizes[0]).filter { x[$0] != 0 }
        var readout = [Double](repeating: 0, count: sizes[L])
        var leader = -1, decisionStep: Int?, firstOutput: Int?
        var current = [Double](repeating: 0, count: sizes.max() ?? 0)
        var active: [Int] = []

        for n in 0..<T {
            for l in 1...L {
                let size = sizes[l], c = currentPerUnit[l - 1]
                let conn = chip.connections[l - 1]
                // The rows read this step and their drive amplitudes.
                active.removeAll(keepingCapacity: true)
                if l == 1 {
                    if alpha[n] > 0 { active = activePixels }
                } else {
                    for i in 0..<sizes[l - 1] where signal[l - 1][i] != 0 { active.append(i) }
                }
                record(
                    rows: active, connection: conn, amplitude: { l == 1 ? x[$0] * alpha[n] : signal[l - 1][$0] },
                    reads: &tileReads, cells: &tileCells, g: &tileG, concurrency: &tileConcurrency, peak: &tilePeak)
                synapticIn[l] += active.count * size
                if l == 1 {
                    let drive = c * alpha[n]
                    for i in 0..<size { current[i] = drive * h[i] }
                } else {
                    for j in 0..<size { current[j] = 0 }
                    for i in active {
                        let u = signal[l - 1][i], row = i * size
                        for j in 0..<size { current[j] += u * weights[l - 1][row + j] }
                    }
                    for j in 0..<size { current[j] *= c }
                }
                for i in 0..<size {
                    energy += k.stepEnergy(state[l][i])
                    let before = state[l][i].x1
                    k.step(&state[l][i], current: current[i])
                    let after = state[l][i].x1
                    signal[l][i] = k.signal(after)
                    if before < k.spikeThreshold && after >= k.spikeThreshold {
                        spikeCounts[l - 1][i] += 1
                        if l == L { outputSpikes.append((n, i)); if firstOutput == nil { firstOutput = n } }
                    }
                }
            }
            // Running readout; the decision time is when its argmax last changed.
            var best = 0
            for j in 0..<sizes[L] {
                readout[j] += readoutKind == .membrane ? state[L][j].v : state[L][j].x1
                if readout[j] > readout[best] { best = j }
            }
            if best != leader { leader = best; decisionStep = n }
        }
        let scale = readoutScale / Double(T)
        let logits = readout.map { $0 * scale }
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
                    name: chip.populations[l].name, size: sizes[l], spikes: total, synapticEventsIn: synapticIn[l],
                    neuronUpdates: sizes[l] * T, meanRate: Double(total) / Double(sizes[l]) / window,
                    spikeCounts: spikeCounts[l - 1]))
        }
        let tiles = chip.tiles.enumerated().map { t, tile in
            TileActivity(
                layer: chip.connections[tile.connection].to, rows: tile.rows, cols: tile.cols, usedRows: tile.usedRows,
                usedCols: tile.usedCols, rowReads: tileReads[t], cellReads: tileCells[t], conductanceRead: tileG[t],
                conductanceTotal: tile.totalConductance, concurrency: tileConcurrency[t], peakConcurrentRows: tilePeak[t])
        }
        let best = argmaxLowestIndex(logits)
        let activity = Activity(
            window: window, dt: dt, steps: T, layers: layers, tiles: tiles,
            outputSpikeCounts: spikeCounts[L - 1],
            firstOutputSpike: firstOutput.map { Double($0 + 1) * dt },
            decisionTime: decisionStep.map { Double($0 + 1) * dt }, predictedClass: best)
        return MIFKernelResult(
            activity: activity, logits: logits, spikeCounts: spikeCounts, outputSpikes: outputSpikes,
            neuronEnergy: energy)
    }

    /// Books the reads of `rows` (all in the same step, so concurrent on their tile) with their drive
    /// amplitudes: Σ G of a read row is weighted by amplitude², so `V_read²·t_read·ΣG` is its energy.
    private func record(
        rows: [Int], connection conn: Connection, amplitude: (Int) -> Double,
        reads: inout [Int], cells: inout [Int], g: inout [Double], concurrency: inout [[Int]], peak: inout [Int]
    ) {
        guard !rows.isEmpty else { return }
        var perTile: [Int: Int] = [:]
        for j in rows { for t in conn.rowTiles[j / conn.tileRows] { perTile[t, default: 0] += 1 } }
        for j in rows {
            let a = amplitude(j)
            for t in conn.rowTiles[j / conn.tileRows] {
                let tile = chip.tiles[t]
                reads[t] += 1
                cells[t] += tile.usedCols
                g[t] += tile.rowConductance[j - tile.rowStart] * a * a
            }
        }
        for (t, n) in perTile {
            concurrency[t][min(n, concurrency[t].count) - 1] += n
            if n > peak[t] { peak[t] = n }
        }
    }
}
