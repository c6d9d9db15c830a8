import SpikebarCore

/// What one inference did on the chip, independent of any architecture (DESIGN §4).
///
/// The event kernel fills an `Activity`; cost models (`SpikebarCost`) price it. It holds counts and
/// sums only — never energies — so that the same run can be priced on several architectures and a new
/// architecture is a new cost model, not a kernel change (the SANA-FE / Accelergy split).
public struct Activity: Codable, Sendable, Equatable {
    /// Length of the inference window (s): input is presented for this long.
    public var window: Seconds
    /// Step of the time-stepped twin and baselines (s); `steps = window / dt`.
    public var dt: Seconds
    /// Number of time steps a time-stepped architecture runs for the same window.
    public var steps: Int
    /// One entry per population: input first, then each layer of neurons.
    public var layers: [LayerActivity]
    /// One entry per crossbar tile.
    public var tiles: [TileActivity]
    /// Output spike count per output neuron (the class scores).
    public var outputSpikeCounts: [Int]
    /// Time of the first output spike (s), nil when the output layer stayed silent.
    public var firstOutputSpike: Seconds?
    /// Earliest time after which the leading output class (argmax of cumulative spike counts, ties to the
    /// lower index) no longer changes (s): when reading the output would already give the final answer.
    public var decisionTime: Seconds?
    /// Argmax of `outputSpikeCounts` (ties to the lower index); nil when the output layer stayed silent.
    public var predictedClass: Int?
    /// Name of the population whose rate passed the kernel's runaway guard (`RunOptions.maxRatePerNeuron`),
    /// which stopped the inference early; nil for every normal run. Its figures are not results.
    public var runaway: String?

    public init(
        window: Seconds, dt: Seconds, steps: Int, layers: [LayerActivity], tiles: [TileActivity],
        outputSpikeCounts: [Int], firstOutputSpike: Seconds?, decisionTime: Seconds?,
        predictedClass: Int?, runaway: String? = nil
    ) {
        self.runaway = runaway
        self.window = window; self.dt = dt; self.steps = steps; self.layers = layers; self.tiles = tiles
        self.outputSpikeCounts = outputSpikeCounts; self.firstOutputSpike = firstOutputSpike
        self.decisionTime = decisionTime; self.predictedClass = predictedClass
    }

    /// Spikes emitted by all populations, input included.
    public var totalSpikes: Int { layers.reduce(0) { $0 + $1.spikes } }
    /// Row reads on all tiles.
    public var totalRowReads: Int { tiles.reduce(0) { $0 + $1.rowReads } }
    /// Synaptic events: one per (presynaptic spike, postsynaptic neuron) pair delivered — the unit
    /// Brian2 and NEST count, so throughput figures compare with them.
    public var totalSynapticEvents: Int { layers.reduce(0) { $0 + $1.synapticEventsIn } }
    /// Cells read: every cell of every read row (a differential pair is two cells).
    public var totalCellReads: Int { tiles.reduce(0) { $0 + $1.cellReads } }
    /// Peak number of rows read concurrently on any one tile.
    public var peakConcurrentRows: Int { tiles.map(\.peakConcurrentRows).max() ?? 0 }

    /// Fraction of (row, step) slots that were read: row reads divided by the reads an every-row,
    /// every-step architecture performs (`Σ_tiles usedRows × steps`). Every architecture ratio in a
    /// report depends on it, so reports print it next to the energies.
    public var rowActivityPerStep: Double {
        let slots = tiles.reduce(0.0) { $0 + Double($1.usedRows) * Double(steps) }
        return slots > 0 ? Double(totalRowReads) / slots : 0
    }
}

/// Activity of one population (the input or a layer of neurons).
public struct LayerActivity: Codable, Sendable, Equatable {
    /// Name from the scenario (`input`, `hidden`, `output`…).
    public var name: String
    /// Number of neurons (or input channels).
    public var size: Int
    /// Spikes emitted by this population.
    public var spikes: Int
    /// Synaptic events delivered *into* this population (0 for the input).
    public var synapticEventsIn: Int
    /// Neuron state updates the kernel performed in this population (exact-mode integrations or grid steps).
    public var neuronUpdates: Int
    /// Mean firing rate per neuron over the window (Hz).
    public var meanRate: Hertz
    /// Spike count of each neuron.
    public var spikeCounts: [Int]

    public init(
        name: String, size: Int, spikes: Int, synapticEventsIn: Int, neuronUpdates: Int,
        meanRate: Hertz, spikeCounts: [Int]
    ) {
        self.name = name; self.size = size; self.spikes = spikes; self.synapticEventsIn = synapticEventsIn
        self.neuronUpdates = neuronUpdates; self.meanRate = meanRate; self.spikeCounts = spikeCounts
    }
}

/// Activity of one crossbar tile.
public struct TileActivity: Codable, Sendable, Equatable {
    /// Index of the layer this tile feeds (1 = first layer of neurons).
    public var layer: Int
    /// Physical size of the tile.
    public var rows: Int, cols: Int
    /// Rows and columns holding weights (a layer's last tiles can be partly used).
    public var usedRows: Int, usedCols: Int
    /// Number of row reads (word-line pulses).
    public var rowReads: Int
    /// Cells read: `usedCols` per row read.
    public var cellReads: Int
    /// Σ G over every cell of every read row (S): the read energy is `V_read² · t_read` times this.
    public var conductanceRead: Siemens
    /// Σ G over every programmed cell of the tile (S): what an all-rows read draws per step.
    public var conductanceTotal: Siemens
    /// `concurrency[k]` = number of reads that found `k + 1` rows active on the tile (itself included).
    public var concurrency: [Int]
    /// Largest number of rows active at once.
    public var peakConcurrentRows: Int

    public init(
        layer: Int, rows: Int, cols: Int, usedRows: Int, usedCols: Int, rowReads: Int, cellReads: Int,
        conductanceRead: Siemens, conductanceTotal: Siemens, concurrency: [Int], peakConcurrentRows: Int
    ) {
        self.layer = layer; self.rows = rows; self.cols = cols; self.usedRows = usedRows; self.usedCols = usedCols
        self.rowReads = rowReads; self.cellReads = cellReads; self.conductanceRead = conductanceRead
        self.conductanceTotal = conductanceTotal; self.concurrency = concurrency
        self.peakConcurrentRows = peakConcurrentRows
    }
}
