import SpikebarCore
import SpikebarActivity

/// Loihi-style digital neurosynaptic chip (DESIGN §4), priced per operation as SANA-FE counts them on its
/// Loihi description (`LoihiPrices`; SANA-FE source lines in Docs/cost-models.md §5).
///
/// **Placement.** The input population first, on `⌈inputs / inputs_per_core⌉` input cores (SANA-FE's
/// `loihi_inputs` units: spike generators with no soma cost); then each layer of neurons on fresh
/// consecutive cores, `k_l = min(neurons_per_core, ⌊synapses_per_core / fanIn_l⌋)` neurons per core
/// (neuron `i` on the layer's core `i / k_l`). Core `c` sits on tile `c / cores_per_tile`; tile `t` of chip
/// `t / (W·H)` at `x = chip·W + (t mod W·H) / H`, `y = t mod H` (SANA-FE's column-major tile numbering;
/// further chips extend the mesh along x).
///
/// **Per inference** (`S` = `activity.steps` time steps, `N` = neurons of the layers):
/// ```
/// E_syn    = Σ_layers synapticEventsIn · E_syn                     one look-up + accumulate per synapse
/// E_access = N · S · E_access,  E_update = N · S · E_update         every neuron, every step
/// E_spike  = Σ_{neuron layers} spikes · E_spike_out
/// messages = Σ_{populations, cores s} spikes_s · |D|                one message per destination core
/// E_msg    = messages · (E_msg_out + E_msg_in)
/// E_hops   = Σ spikes_s · Σ_{d∈D} (|x_s − x_d| · E_EW + |y_s − y_d| · E_NS)
/// E_static = P_core · cores · window                                (kind .static)
/// ```
/// `D` = the cores of the next layer, plus the layer's own cores when its tiles show all-to-all
/// recurrence. Output-layer spikes pay the spike out but send no message (read-out not priced).
///
/// **Latency** (SANA-FE's `simple` timing model on the run's mean per-step counts, plus its barrier):
/// ```
/// per core c:  t_neuron = n_c·(t_access + t_update) + (spikes_c / S)·(t_spike + |D|·t_msg_out)
///              t_msg    = (messagesIn_c / S)·t_msg_in + (synapticOps_c / S)·t_syn
/// c = max_c max(t_neuron, t_msg) + t_sync(tiles in use)             one step's critical path
/// compute   = n · c                                                 input buffered (SANA-FE's sim_time, n = S)
/// streaming = dt + (n − 1)·max(dt, c) + c                           input arriving in real time
/// ```
/// with `n` the steps up to the read-out (`read_out: decision`: the step holding the decision time).
/// **Area** = chips × chip area.
///
/// ```swift
/// let estimate = LoihiCost(prices: .default).price(activity)
/// estimate.energy(named: LoihiCost.Component.synapticOps)?.value   // 35.5 pJ × synaptic events
/// ```
public struct LoihiCost: CostModel {
    /// Component names of the breakdowns.
    public enum Component {
        public static let synapticOps = "synapse operations"
        public static let neuronAccess = "neuron state access"
        public static let neuronUpdate = "neuron updates"
        public static let spikeOut = "spike out"
        public static let messagesOut = "routing: messages sent"
        public static let messagesIn = "routing: messages received"
        public static let hopsEastWest = "routing: mesh hops E-W"
        public static let hopsNorthSouth = "routing: mesh hops N-S"
        public static let staticPower = "static power"
        public static let stepProcessing = "time-step processing (busiest core)"
        public static let stepSync = "time-step barrier"
        public static let inputArrival = "input arrival (real time)"
        public static let chips = "chips"
    }

    /// The price (YAML key of `LoihiPrices`) each energy, latency and area component multiplies: with
    /// `LoihiPrices.sources` it gives every component's confidence mark. The busiest-core latency mixes
    /// the per-operation latencies; its key is the dominant one in SANA-FE's pipeline for dense layers.
    public static let componentPrices: [String: String] = [
        Component.synapticOps: "synapse_energy", Component.neuronAccess: "neuron_access_energy",
        Component.neuronUpdate: "neuron_update_energy", Component.spikeOut: "spike_out_energy",
        Component.messagesOut: "message_out_energy", Component.messagesIn: "message_in_energy",
        Component.hopsEastWest: "hop_energy_east_west", Component.hopsNorthSouth: "hop_energy_north_south",
        Component.staticPower: "static_power_per_core", Component.stepProcessing: "synapse_latency",
        Component.stepSync: "timestep_sync_latency", Component.chips: "chip_area",
        Component.inputArrival: "read_out",
    ]

    /// The price list (from the scenario).
    public var prices: LoihiPrices
    /// Report identifier.
    public var architecture: String { "loihi" }

    public init(prices: LoihiPrices = .default) { self.prices = prices }

    /// Where each population sits.
    public struct Placement: Sendable, Equatable {
        /// `cores[l]` = global core indices of population `l` (`l = 0`: the input's cores).
        public var cores: [[Int]]
        /// Neurons (or input units) per core of population `l`: neuron `i` is on `cores[l][i / perCore[l]]`.
        public var perCore: [Int]
        /// Cores in use, chips needed, distinct tiles holding a core in use.
        public var coreCount: Int, chips: Int, tiles: Int
        /// Layers whose fan-in alone exceeds one core's synapse memory (names).
        public var overfull: [String]
    }

    /// Places `a`'s populations on cores (see the type's documentation).
    public func place(_ a: Activity) -> Placement {
        let p = prices
        var next = 0
        var cores: [[Int]] = [], perCore: [Int] = [], overfull: [String] = []
        for (l, layer) in a.layers.enumerated() {
            var k: Int
            if l == 0 {
                k = p.inputsPerCore
            } else {
                let fanIn = Swift.max(1, a.fanIn(ofLayer: l))
                k = Swift.min(p.neuronsPerCore, p.synapsesPerCore / fanIn)
                if k == 0 { overfull.append(layer.name); k = 1 }
            }
            let n = ceilDiv(layer.size, k)
            cores.append(Array(next..<(next + n)))
            perCore.append(k)
            next += n
        }
        let tiles = Set((0..<next).map { $0 / p.coresPerTile }).count
        return Placement(
            cores: cores, perCore: perCore, coreCount: next,
            chips: Swift.max(1, ceilDiv(next, p.coresPerChip)), tiles: tiles, overfull: overfull)
    }

    /// Mesh position of the tile holding core `c`.
    public func position(ofCore c: Int) -> (x: Int, y: Int) {
        let p = prices
        let tile = c / p.coresPerTile
        let perChip = p.meshWidth * p.meshHeight
        let local = tile % perChip
        return ((tile / perChip) * p.meshWidth + local / p.meshHeight, local % p.meshHeight)
    }

    /// Spikes emitted from each core of population `l` (per-neuron counts when available, else spread
    /// evenly over the population's cores).
    func spikesPerCore(_ layer: LayerActivity, cores: [Int], perCore: Int) -> [Double] {
        guard !cores.isEmpty else { return [] }
        if layer.spikeCounts.count == layer.size, layer.size > 0 {
            var out = [Double](repeating: 0, count: cores.count)
            for (i, n) in layer.spikeCounts.enumerated() { out[Swift.min(cores.count - 1, i / perCore)] += Double(n) }
            return out
        }
        return [Double](repeating: Double(layer.spikes) / Double(cores.count), count: cores.count)
    }

    public func price(_ a: Activity) -> CostEstimate {
        let p = prices
        let placement = place(a)
        let steps = Double(a.steps), perStep = 1 / Double(Swift.max(1, a.steps))
        let neurons = Double(a.neuronCount)

        func isRecurrent(_ l: Int) -> Bool {
            l >= 1 && l < a.layers.count && a.fanIn(ofLayer: l) >= a.layers[l - 1].size + a.layers[l].size
        }
        func destinations(of l: Int) -> [Int] {
            var d = l + 1 < placement.cores.count ? placement.cores[l + 1] : []
            if isRecurrent(l) { d += placement.cores[l] }
            return d
        }

        // Per core: busy time per step (neuron side / message side), and network counts.
        var neuronTime = [Double](repeating: 0, count: placement.coreCount)
        var messageTime = [Double](repeating: 0, count: placement.coreCount)
        var spikesOut = 0.0, messages = 0.0, hopsEW = 0.0, hopsNS = 0.0
        for (l, layer) in a.layers.enumerated() {
            let cores = placement.cores[l]
            let k = placement.perCore[l]
            let targets = destinations(of: l)
            let perCoreSpikes = spikesPerCore(layer, cores: cores, perCore: k)
            if l >= 1 {
                spikesOut += Double(layer.spikes)
                // Synaptic events land on the layer's cores in proportion to the neurons each holds.
                for (j, c) in cores.enumerated() {
                    let held = Double(Swift.min(k, layer.size - j * k))
                    neuronTime[c] += held * (p.neuronAccessLatency + p.neuronUpdateLatency)
                    let synOps = Double(layer.synapticEventsIn) * held / Double(layer.size)
                    messageTime[c] += synOps * perStep * p.synapseLatency
                }
            }
            for (j, s) in cores.enumerated() {
                let spikes = perCoreSpikes[j]
                guard spikes > 0 else { continue }
                let from = position(ofCore: s)
                messages += spikes * Double(targets.count)
                var ew = 0, ns = 0
                for d in targets {
                    let to = position(ofCore: d)
                    ew += abs(from.x - to.x); ns += abs(from.y - to.y)
                    messageTime[d] += spikes * perStep * p.messageInLatency
                }
                hopsEW += spikes * Double(ew); hopsNS += spikes * Double(ns)
                neuronTime[s] += spikes * perStep * ((l >= 1 ? p.spikeOutLatency : 0) + Double(targets.count) * p.messageOutLatency)
            }
        }

        let synapticEvents = Double(a.totalSynapticEvents)
        let neuronSteps = neurons * steps
        let coresInUse = Double(placement.coreCount)
        let d = LoihiPrices.default
        func conf(_ key: String, _ value: Double, _ fallback: Double) -> PriceConfidence {
            p.confidence(key, value, default: fallback)
        }
        let energy = [
            CostComponent(
                name: Component.synapticOps, value: synapticEvents * p.synapseEnergy, count: synapticEvents,
                confidence: conf("synapse_energy", p.synapseEnergy, d.synapseEnergy)),
            CostComponent(
                name: Component.neuronAccess, value: neuronSteps * p.neuronAccessEnergy, count: neuronSteps,
                confidence: conf("neuron_access_energy", p.neuronAccessEnergy, d.neuronAccessEnergy)),
            CostComponent(
                name: Component.neuronUpdate, value: neuronSteps * p.neuronUpdateEnergy, count: neuronSteps,
                confidence: conf("neuron_update_energy", p.neuronUpdateEnergy, d.neuronUpdateEnergy)),
            CostComponent(
                name: Component.spikeOut, value: spikesOut * p.spikeOutEnergy, count: spikesOut,
                confidence: conf("spike_out_energy", p.spikeOutEnergy, d.spikeOutEnergy)),
            CostComponent(
                name: Component.messagesOut, value: messages * p.messageOutEnergy, count: messages,
                confidence: conf("message_out_energy", p.messageOutEnergy, d.messageOutEnergy)),
            CostComponent(
                name: Component.messagesIn, value: messages * p.messageInEnergy, count: messages,
                confidence: conf("message_in_energy", p.messageInEnergy, d.messageInEnergy)),
            CostComponent(
                name: Component.hopsEastWest, value: hopsEW * p.hopEnergyEastWest, count: hopsEW,
                confidence: conf("hop_energy_east_west", p.hopEnergyEastWest, d.hopEnergyEastWest)),
            CostComponent(
                name: Component.hopsNorthSouth, value: hopsNS * p.hopEnergyNorthSouth, count: hopsNS,
                confidence: conf("hop_energy_north_south", p.hopEnergyNorthSouth, d.hopEnergyNorthSouth)),
            CostComponent(
                name: Component.staticPower, value: p.staticPowerPerCore * coresInUse * a.window,
                count: coresInUse, kind: .static,
                confidence: conf("static_power_per_core", p.staticPowerPerCore, d.staticPowerPerCore)),
        ]

        // One step's critical path c = busiest core + barrier; n steps up to the read-out. Streaming: step k's
        // input is complete at (k + 1)·dt, so the last of n steps finishes at dt + (n − 1)·max(dt, c) + c
        // (the ADC-CIM rule). Compute: n · c, the steps back to back (SANA-FE's sim_time for n = steps).
        let busiest = zip(neuronTime, messageTime).reduce(0.0) { Swift.max($0, Swift.max($1.0, $1.1)) }
        let sync = p.syncLatency(tiles: Swift.max(1, placement.tiles))
        let stepTime = busiest + sync
        let n = Double(stepsToReadOut(a))
        let last = n > 0 ? 1.0 : 0.0
        let wait = n > 0 ? a.dt + (n - 1) * Swift.max(a.dt, stepTime) : 0
        let processingConfidence = conf("synapse_latency", p.synapseLatency, d.synapseLatency)
        let syncConfidence: PriceConfidence = p.timestepSyncLatency == d.timestepSyncLatency ? .high : .scenario
        let computeLatency = [
            CostComponent(name: Component.stepProcessing, value: n * busiest, count: n, confidence: processingConfidence),
            CostComponent(name: Component.stepSync, value: n * sync, count: n, confidence: syncConfidence),
        ]
        let latency = [
            CostComponent(name: Component.inputArrival, value: wait, count: n, confidence: .physics),
            CostComponent(name: Component.stepProcessing, value: last * busiest, count: last, confidence: processingConfidence),
            CostComponent(name: Component.stepSync, value: last * sync, count: last, confidence: syncConfidence),
        ]
        let chips = Double(placement.chips)
        let area = [
            CostComponent(
                name: Component.chips, value: chips * p.chipArea, count: chips,
                confidence: conf("chip_area", p.chipArea, d.chipArea))
        ]

        var notes: [String] = []
        let layout = placement.cores.dropFirst().map { "\($0.count)" }.joined(separator: " + ")
        let limits = a.layers.indices.dropFirst().map { "\(placement.perCore[$0])" }.joined(separator: "/")
        notes.append(
            "Placement: input on \(placement.cores.first?.count ?? 0) core(s), layers on \(layout) core(s) (≤ \(limits) neurons per core: \(p.neuronsPerCore) compartments or \(p.synapsesPerCore) synapses ÷ fan-in), \(placement.tiles) tile(s), \(placement.chips) chip(s) of \(p.coresPerChip) cores."
        )
        for name in placement.overfull {
            notes.append(
                "Infeasible as mapped: layer '\(name)' has a fan-in above one core's synapse memory (\(p.synapsesPerCore) synapses); priced at one neuron per core. Loihi would need its fan-in split over several compartments (dendritic tree), not priced."
            )
        }
        let perStepEnergy = neurons * (p.neuronAccessEnergy + p.neuronUpdateEnergy)
        let total = energy.reduce(0.0) { $0 + $1.value }
        if total > 0 {
            notes.append(
                "Time-stepped: \(a.steps) steps of \(fmt(a.dt, "s")); every neuron's state is read and updated every step (\(fmt(perStepEnergy, "J")) per step, \(Units.fixed(100 * perStepEnergy * steps / total, significant: 3)) % of the energy) even with no input spike. SANA-FE charges the \(fmt(p.neuronUpdateEnergy, "J")) update only on steps where a neuron's potential is non-zero or it receives input."
            )
        }
        notes.append(
            "Output read after \(Int(n)) of \(a.steps) steps (\(p.readOut == .decision && a.decisionTime != nil ? "the step holding the decision time, as credited to every architecture" : "the whole window")); \(fmt(stepTime, "s")) per step (busiest core + barrier, SANA-FE's simple timing model on per-step means). Energy is priced over all \(a.steps) steps."
        )
        notes.append(
            "Per-operation prices: SANA-FE arch/loihi.yaml after Davies et al. 2018 (Intel 14 nm); the other architectures are priced at their own nodes."
        )
        if placement.chips > 1 {
            notes.append("\(placement.chips) chips: chip-to-chip links are priced as more hops of one mesh (an underestimate).")
        }
        if p.staticPowerPerCore == 0 {
            notes.append(
                "Not priced: static/leakage power (static_power_per_core = 0: no sourced figure, and SANA-FE prices none), the embedded x86 cores / host that inject inputs and read outputs."
            )
        }
        return CostEstimate(
            architecture: architecture, energy: energy, latency: latency, area: area, notes: notes,
            computeLatency: computeLatency,
            latencyBasisNote:
                "Time-stepped: streaming waits for each step's input (k·dt) before computing it; compute has the whole input buffered and runs the steps back to back.",
            window: a.window, feasible: placement.overfull.isEmpty)
    }

    /// Steps run before the output is read: up to the step holding the decision time (`read_out: decision`,
    /// when there is one), else all of them.
    func stepsToReadOut(_ a: Activity) -> Int {
        guard a.steps > 0 else { return 0 }
        guard prices.readOut == .decision, let t = a.decisionTime, a.dt > 0 else { return a.steps }
        return Swift.min(a.steps, Swift.max(1, Int((t / a.dt).rounded(.up))))
    }
}

extension LoihiCost: NodeAnnotatedCostModel {
    /// Every per-operation price, the time-step latencies and the chip area: Intel 14 nm (Davies et al. 2018),
    /// taken at 0.8 V (the nominal supply assumed for HP 14 nm). Not scaled: static power, input arrival.
    public var sourceNodes: [String: SourceNode] {
        let n = SourceNode(.hp14, 0.8)
        return [
            Component.synapticOps: n, Component.neuronAccess: n, Component.neuronUpdate: n, Component.spikeOut: n,
            Component.messagesOut: n, Component.messagesIn: n, Component.hopsEastWest: n, Component.hopsNorthSouth: n,
            Component.stepProcessing: n, Component.stepSync: n, Component.chips: n,
        ]
    }
}
