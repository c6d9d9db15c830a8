import HeapModule
import SpikebarActivity
import SpikebarChip
import SpikebarCore
import SpikebarDevices
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Mutable state of one inference. Neuron state is structure-of-arrays per population so that a row
/// read updates a contiguous block of neurons (see `RunState+Deliver.swift`, the hot loop).
struct RunState {
    let net: CompiledNetwork
    let options: RunOptions
    let windowPs: Int64

    /// Neuron state per population (index 0, the input, is empty).
    let states: [LayerState]
    /// The same states with their layer's constants, and the compiled connections, as raw-pointer views
    /// for the exact mode (no reference counting per event; the owners above and `net` outlive the run).
    let views: [LayerView]
    let connectionViews: [ConnectionView]

    // Activity counters.
    var spikeCounts: [[Int]]
    var synapticIn: [Int], updates: [Int]
    /// Tile reads, cells, conductance read, concurrency (and exact mode's reads in progress), with a
    /// raw view of them and of the tiles' static tables for the per-read bookkeeping.
    let tileCounters: TileCounters
    let tileCount: TileCountersView
    let tileTables: TileTablesView

    var heap = Heap<Event>()
    /// Exact mode: per layer, the time of the pending layer check (the earliest crossing-time lower
    /// bound among its neurons; Int64.max when none) and its version.
    var layerCheckTime: [Int64], layerCheckVersion: [UInt32]
    /// Row charges of a concurrent read under tile parasitics (`RunState+Parasitics.swift`); empty when unused.
    var parasiticScratch: [Double] = []
    var seq: UInt64 = 0
    var queueEvents = 0, staleEvents = 0, rowReads = 0
    var rng: RandomStream
    let noisy: Bool
    /// Grid mode with `deliveryThreads` > 1: the helper threads of this inference (`StepCrew`).
    var crew: StepCrew? = nil

    var recorded: [SpikeList]
    var probeSamples: [[ProbeSample]]

    // Output decision.
    var outputCounts: [Int]
    var leader = -1
    /// Spikes of each population so far, and the runaway guard's limit (`RunOptions.maxRatePerNeuron`).
    var populationSpikes: [Int]
    let spikeLimit: [Int]
    /// The first population that went over its limit; the run stops.
    var runaway: Int? = nil
    var firstOutput: Int64? = nil
    var decision: Int64? = nil

    init(net: CompiledNetwork, options: RunOptions, noise: Bool) {
        self.net = net
        self.options = options
        windowPs = Int64((options.window * 1e12).rounded())
        let sizes = net.populations.map(\.size)
        states = sizes.enumerated().map { LayerState(size: $0.offset == 0 ? 0 : $0.element) }
        views = zip(states, net.layers).map { $0.view($1.soa) }
        connectionViews = net.connections.map(\.view)
        layerCheckTime = [Int64](repeating: Int64.max, count: sizes.count)
        layerCheckVersion = [UInt32](repeating: 0, count: sizes.count)
        spikeCounts = sizes.map { [Int](repeating: 0, count: $0) }
        populationSpikes = sizes.map { _ in 0 }
        spikeLimit = sizes.map { n in
            let cap = options.maxRatePerNeuron * Double(n) * options.window
            return cap.isFinite && cap < 1e15 ? max(10_000, Int(cap)) : Int.max
        }
        synapticIn = [Int](repeating: 0, count: sizes.count)
        updates = synapticIn
        tileCounters = TileCounters(tiles: net.tiles.count)
        tileCount = tileCounters.view
        tileTables = net.tileTables.view
        rng = RandomStream(seed: options.seed, purpose: .readNoise, index: 0, sample: UInt64(options.sample))
        noisy = noise
        recorded = options.recordSpikes ? sizes.map { _ in SpikeList() } : []
        probeSamples = options.probes.map { _ in [] }
        outputCounts = [Int](repeating: 0, count: sizes.last ?? 0)
    }

    // MARK: - Spikes and reads (both modes)

    /// Bookkeeping of a spike of neuron `i` of population `p` at `t`; returns nothing, the caller
    /// delivers the reads (their order differs between modes).
    mutating func countSpike(_ p: Int, _ i: Int, _ t: Int64) {
        spikeCounts[p][i] += 1
        populationSpikes[p] += 1
        if populationSpikes[p] > spikeLimit[p], p > 0, runaway == nil { runaway = p }
        if options.recordSpikes { recorded[p].append(time: t, channel: Int32(i)) }
        if p == net.populations.count - 1 && p > 0 {
            if firstOutput == nil { firstOutput = t }
            outputCounts[i] += 1
            // Leader: argmax, ties to the lower index.
            var best = 0
            for k in 1..<outputCounts.count where outputCounts[k] > outputCounts[best] { best = k }
            if best != leader { leader = best; decision = t }
        }
    }

    /// Records the read of row `j` on the tiles of connection `k` at `t` (exact mode: concurrency by
    /// overlap of `[t, t + t_read)` pulses).
    mutating func readTilesExact(_ k: Int, row j: Int, at t: Int64) {
        let end = t + net.readPulsePicoseconds
        for tile32 in connectionViews[k].tiles(ofRow: j) {
            let tile = Int(tile32)
            tileBookkeeping(tile, row: j)
            let active = tileCount.startRead(tile, at: t, ending: end)
            tileCount.addConcurrency(tile, active, weight: 1)
        }
    }

    @inline(__always)
    mutating func tileBookkeeping(_ tile: Int, row j: Int) {
        tileCount.recordRead(tile, row: j, tables: tileTables)
        rowReads += 1
    }

    func addConcurrency(_ tile: Int, _ active: Int, weight: Int) {
        tileCount.addConcurrency(tile, active, weight: weight)
    }

    // MARK: - Result

    func result(timing: Timing) -> KernelResult {
        let dt: Double
        switch timing {
        case .exact: dt = options.reportingStep
        case let .grid(step): dt = step
        }
        let steps = max(1, Int((options.window / dt).rounded()))
        let layers = net.populations.enumerated().map { p, pop in
            LayerActivity(
                name: pop.name, size: pop.size, spikes: spikeCounts[p].reduce(0, +),
                synapticEventsIn: synapticIn[p], neuronUpdates: updates[p],
                meanRate: pop.size > 0 ? Double(spikeCounts[p].reduce(0, +)) / Double(pop.size) / options.window : 0,
                spikeCounts: spikeCounts[p])
        }
        let tiles = tileCounters.activities(of: net.tiles) { net.connections[$0.connection].to }
        let silent = outputCounts.allSatisfy { $0 == 0 }
        let activity = Activity(
            window: options.window, dt: dt, steps: steps, layers: layers, tiles: tiles,
            outputSpikeCounts: outputCounts,
            firstOutputSpike: firstOutput.map { Double($0) * 1e-12 },
            decisionTime: decision.map { Double($0) * 1e-12 },
            predictedClass: silent ? nil : leader,
            runaway: runaway.map { net.populations[$0].name })
        return KernelResult(
            activity: activity, spikes: recorded, probes: probeSamples,
            queueEvents: queueEvents, staleEvents: staleEvents, rowReads: rowReads)
    }
}
