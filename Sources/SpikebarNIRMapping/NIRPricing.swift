import Foundation
import SpikebarActivity
import SpikebarChip
import SpikebarCore
import SpikebarCost
import SpikebarDevices
import SpikebarNIR

/// `spikebar nir price`: one run of an NIR graph (`NIRProgram`, ideal weights) turned into the
/// architecture-agnostic `Activity` under a convolution mapping (`ConvolutionMapping`) and priced by every
/// cost model (`PriceLists.models`), as `spikebar run` prices a scenario.
///
/// - Populations (`Activity.layers`): the graph's Input, then every neuron node in execution order.
/// - Tiles: every weight node (Affine, Linear, Conv) laid out by `NIRTileLayout`; a tile's `layer` is the
///   first neuron population its outputs reach (through pooling, flatten, scale).
/// - Row reads: one per input *event* per row the layout reads for it (an input value of n spikes in a
///   step is n events, as an event-driven crossbar reads once per spike; a non-integer input counts one).
///   Pooling and flatten are address remapping in the spike router: they add no array read.
/// - Concurrency (grid mode): the row reads of one tile in one time step count as concurrent.
public enum NIRPricing {
    /// The priced run.
    public struct Result: Sendable {
        public var activity: Activity
        public var estimates: [CostEstimate]
        public var run: NIRRunResult
        /// Time (s) of each step of a continuous-time run (exact timing of a graph with leak or bias:
        /// input events and threshold crossings); nil for runs whose steps are frames or input events.
        public var stepTimes: [Seconds]? = nil
    }

    /// Runs `frames` (one per `bin` seconds, grid mode) and prices the run; `device` gives g_min, g_max and the read pulse.
    public static func price(
        program: NIRProgram, frames: [[Double]], bin: Seconds, mapping: ConvolutionMapping,
        tiles: TileSpec = .default, device: RRAMDevice = .default,
        prices: PriceLists = .default, spikes: ((_ node: Int, _ step: Int, _ output: [Double]) -> Void)? = nil
    ) throws -> Result {
        let inputSpikes = frames.reduce(0) { acc, f in acc + f.reduce(0) { $0 + ($1 == $1.rounded() && $1 > 0 ? Int($1) : ($1 != 0 ? 1 : 0)) } }
        return try price(
            program: program, steps: frames.count, stepEnd: { Double($0 + 1) * bin }, window: Double(frames.count) * bin,
            bin: bin, inputSpikes: inputSpikes, mapping: mapping, tiles: tiles, device: device, prices: prices
        ) {
            try program.run(frames: frames, observe: $0, spikes: spikes)
        }
    }

    /// Grid mode on sparse frames (`NIREvaluation.sparseFrames`): the same run and price as
    /// `price(program:frames:…)` on the equivalent dense frames, with memory that follows the events.
    public static func price(
        program: NIRProgram, sparseFrames steps: [[(index: Int, value: Double)]], bin: Seconds, mapping: ConvolutionMapping,
        tiles: TileSpec = .default, device: RRAMDevice = .default,
        prices: PriceLists = .default, spikes: ((_ node: Int, _ step: Int, _ output: [Double]) -> Void)? = nil
    ) throws -> Result {
        let inputSpikes = steps.reduce(0) { $0 + $1.count }
        return try price(
            program: program, steps: steps.count, stepEnd: { Double($0 + 1) * bin }, window: Double(steps.count) * bin,
            bin: bin, inputSpikes: inputSpikes, mapping: mapping, tiles: tiles, device: device, prices: prices
        ) {
            try program.run(sparse: steps, observe: $0, spikes: spikes)
        }
    }

    /// Exact mode: runs the events one step per distinct event time (`NIREvaluation.eventSteps`; graphs
    /// without leak or delay) and prices the run. Decision and first-spike times are the event times
    /// (µs resolution); reads of one tile at the same event time count as concurrent; the time-stepped
    /// architectures still step at `bin` over the same window (up to the last event, or `window`).
    public static func price(
        program: NIRProgram, events: SpikeList, bin: Seconds, mapping: ConvolutionMapping,
        tiles: TileSpec = .default, device: RRAMDevice = .default,
        prices: PriceLists = .default, window fixedWindow: Seconds? = nil,
        spikes: ((_ node: Int, _ step: Int, _ output: [Double]) -> Void)? = nil
    ) throws -> Result {
        if let refusal = NIREvaluation.exactModeRefusal(program) { throw refusal }
        if NIREvaluation.hasDynamics(program) {
            // State changes between events (leak, bias): the continuous-time run.
            return try priceContinuous(
                program: program, events: events, bin: bin, mapping: mapping, tiles: tiles, device: device, prices: prices,
                window: fixedWindow, spikes: spikes)
        }
        let steps = NIREvaluation.eventSteps(events, channels: program.inputCount)
        var times: [Seconds] = []
        var last: Int64? = nil
        for (t, c) in zip(events.times, events.channels) where c >= 0 && Int(c) < program.inputCount {
            if t != last { times.append(Double(t) * 1e-12); last = t }
        }
        let window = fixedWindow ?? max(bin, times.last ?? 0)
        let inputSpikes = steps.reduce(0) { $0 + $1.count }
        return try price(
            program: program, steps: steps.count, stepEnd: { times[$0] }, window: window, bin: bin,
            gridSteps: Int((window / bin).rounded(.up)), inputSpikes: inputSpikes, mapping: mapping, tiles: tiles,
            device: device, prices: prices
        ) {
            try program.run(sparse: steps, observe: $0, spikes: spikes)
        }
    }

    /// Exact timing of a graph with leak or bias (`NIRProgram.runEventDriven`): the run in continuous
    /// time (graph time = seconds · `dt`/`bin`), then priced as the time-stepped runs are, one "step" per
    /// event time.
    static func priceContinuous(
        program: NIRProgram, events: SpikeList, bin: Seconds, mapping: ConvolutionMapping, tiles: TileSpec, device: RRAMDevice,
        prices: PriceLists, window fixedWindow: Seconds?, spikes: ((_ node: Int, _ step: Int, _ output: [Double]) -> Void)?
    ) throws -> Result {
        let scale = program.options.dt / bin  // graph time units per second
        var input: [(time: Double, channel: Int)] = []
        for (t, c) in zip(events.times, events.channels) where c >= 0 && Int(c) < program.inputCount {
            input.append((Double(t) * 1e-12 * scale, Int(c)))
        }
        let window = fixedWindow ?? max(bin, (input.last?.time ?? 0) / scale)
        var observed: [(node: Int, step: Int, input: [Double])] = []
        let (run, times) = try program.runEventDriven(
            events: input, until: window * scale, observe: { observed.append(($0, $1, $2)) }, spikes: spikes)
        var result = try price(
            program: program, steps: run.steps, stepEnd: { times[$0] / scale }, window: window, bin: bin,
            gridSteps: Int((window / bin).rounded(.up)), inputSpikes: input.count, mapping: mapping, tiles: tiles,
            device: device, prices: prices
        ) { observe in
            if let observe { for o in observed { observe(o.node, o.step, o.input) } }
            return run
        }
        result.stepTimes = times.map { $0 / scale }
        return result
    }

    /// The pricing of one run: `execute(observe)` runs it; `stepEnd(t)` is the time (s) at which step t's
    /// output is known; `gridSteps` the steps a time-stepped architecture runs (default: `steps`).
    static func price(
        program: NIRProgram, steps stepCount: Int, stepEnd: (Int) -> Seconds, window: Seconds, bin: Seconds,
        gridSteps: Int? = nil, inputSpikes: Int, mapping: ConvolutionMapping, tiles: TileSpec,
        device: RRAMDevice, prices: PriceLists,
        execute: (((_ node: Int, _ step: Int, _ input: [Double]) -> Void)?) throws -> NIRRunResult
    ) throws -> Result {
        guard tiles.rows >= 1, tiles.cols >= (tiles.mapping == .columns ? 2 : 1) else {
            throw SpikebarError.mismatch("tiles must have ≥ 1 row and ≥ 2 columns (got \(tiles.rows)×\(tiles.cols))")
        }
        let nodes = program.nodes
        // Populations: the Input, then every neuron node.
        var population: [Int: Int] = [program.inputIndex: 0]
        var populationNodes = [program.inputIndex]
        for (j, n) in nodes.enumerated() { if case .neuron = n.operation { population[j] = populationNodes.count; populationNodes.append(j) } }
        // Layer fed by each weight node: first population reached downstream.
        var consumers = Array(repeating: [Int](), count: nodes.count)
        for (j, n) in nodes.enumerated() { for i in n.inputs { consumers[i.source].append(j) } }
        func layerReached(from j: Int) -> Int {
            var queue = consumers[j], seen = Set(queue), k = 0
            while k < queue.count {
                let q = queue[k]; k += 1
                if case .neuron = nodes[q].operation, let l = population[q] { return l }
                for c in consumers[q] where !seen.contains(c) { seen.insert(c); queue.append(c) }
            }
            return max(1, populationNodes.count - 1)
        }
        var layouts: [Int: (layout: NIRTileLayout, firstTile: Int, layer: Int)] = [:]
        var tileList: [NIRTileLayout.Tile] = [], tileLayer: [Int] = []
        for (j, n) in nodes.enumerated() {
            guard let layout = NIRTileLayout(n.operation, mapping: mapping, spec: tiles, device: device) else {
                continue
            }
            let layer = layerReached(from: j)
            layouts[j] = (layout, tileList.count, layer)
            tileList += layout.tiles
            tileLayer += Array(repeating: layer, count: layout.tiles.count)
        }
        var reads = Array(repeating: 0, count: tileList.count), cells = reads
        var conductance = Array(repeating: 0.0, count: tileList.count)
        var stepReads = reads
        var histogram = Array(repeating: [Int](), count: tileList.count)
        var touched: [Int] = []
        var synapticIn = Array(repeating: 0, count: populationNodes.count)
        var step = 0
        func closeStep() {
            for t in touched {
                let r = stepReads[t]
                if histogram[t].count < r { histogram[t] += Array(repeating: 0, count: r - histogram[t].count) }
                histogram[t][r - 1] += r
                stepReads[t] = 0
            }
            touched.removeAll(keepingCapacity: true)
        }
        let run = try execute { j, t, input in
            if t != step { closeStep(); step = t }
            guard let l = layouts[j] else { return }
            for (m, x) in input.enumerated() where x != 0 {
                let events = x == x.rounded() && x > 0 ? Int(x) : 1
                synapticIn[l.layer] += events * l.layout.fanOut[m]
                for read in l.layout.reads[m] {
                    let t = l.firstTile + read.tile
                    if stepReads[t] == 0 { touched.append(t) }
                    stepReads[t] += events
                    reads[t] += events
                    cells[t] += events * tileList[t].usedCols
                    conductance[t] += Double(events) * read.conductance
                }
            }
        }
        closeStep()
        var layers: [LayerActivity] = []
        for (p, j) in populationNodes.enumerated() {
            let size = nodes[j].outputShape.reduce(1, *)
            if p == 0 {
                layers.append(
                    LayerActivity(
                        name: nodes[j].name, size: size, spikes: inputSpikes, synapticEventsIn: 0, neuronUpdates: 0,
                        meanRate: window > 0 ? Double(inputSpikes) / Double(size) / window : 0, spikeCounts: []))
                continue
            }
            let a = run.nodes[j]
            let spiking: Bool
            if case let .neuron(s) = nodes[j].operation { spiking = s.threshold != nil } else { spiking = false }
            let counts = spiking ? a.outputTotals.map { Int($0.rounded()) } : Array(repeating: 0, count: size)
            let spikes = counts.reduce(0, +)
            layers.append(
                LayerActivity(
                    name: nodes[j].name, size: size, spikes: spikes, synapticEventsIn: synapticIn[p],
                    neuronUpdates: size * stepCount,
                    meanRate: window > 0 ? Double(spikes) / Double(size) / window : 0, spikeCounts: counts))
        }
        let tileActivity = tileList.indices.map { t in
            TileActivity(
                layer: tileLayer[t], rows: tileList[t].rows, cols: tileList[t].cols, usedRows: tileList[t].usedRows,
                usedCols: tileList[t].usedCols, rowReads: reads[t], cellReads: cells[t], conductanceRead: conductance[t],
                conductanceTotal: tileList[t].conductanceTotal, concurrency: histogram[t], peakConcurrentRows: histogram[t].count)
        }
        let activity = Activity(
            window: window, dt: bin, steps: gridSteps ?? stepCount, layers: layers, tiles: tileActivity,
            outputSpikeCounts: run.outputCounts.map { Int($0.rounded()) },
            firstOutputSpike: run.firstOutputStep.map(stepEnd),
            decisionTime: run.decisionStep.map(stepEnd), predictedClass: run.predictedClass)
        let models = prices.models(read: ReadConditions(readVoltage: device.readVoltage, readPulse: device.readPulse), cellLevels: device.levels)
        return Result(activity: activity, estimates: models.map { $0.price(activity) }, run: run)
    }
}
