import SpikebarCore
import SpikebarActivity

/// Price list of a DYNAP-style mixed-signal processor (Moradi, Qiao, Stefanini & Indiveri, "A scalable
/// multicore architecture with heterogeneous memory structures for dynamic neuromorphic asynchronous
/// processors (DYNAPs)", IEEE TBioCAS 12(1), 2018, doi:10.1109/TBCAS.2017.2759700, arXiv:1708.04198).
///
/// Organisation: `cores_per_chip` cores × `neurons_per_core` analog neurons, `cam_words_per_neuron`
/// CAM synapse words (fan-in) and `sram_words_per_neuron` SRAM destination words (fan-out, one per
/// destination chip) per neuron; routers R1 (core), R2 (chip, tree to its cores), R3 (2-D chip mesh).
///
/// **Confidence.** The per-operation energies are the values recalled for Moradi et al. 2018 and were
/// NOT found in a checkable source (confidence U); R3 energy, the encoding energy and all latencies
/// are stated assumptions. Docs/cost-models.md lists each one; override them in the scenario once read
/// in the paper.
public struct DynapPrices: Codable, Sendable, Equatable {
    /// Neurons per core. Default 256.
    public var neuronsPerCore: Int
    /// Cores per chip. Default 4.
    public var coresPerChip: Int
    /// CAM words (presynaptic addresses) per neuron: the fan-in limit. Default 64.
    public var camWordsPerNeuron: Int
    /// SRAM destination words per neuron: how many chips one spike can target. Default 4 (U).
    public var sramWordsPerNeuron: Int
    /// Energy to generate one spike in a neuron (J). Default 883 pJ (Moradi 2018, U).
    public var spikeGenerationEnergy: Double
    /// Energy to encode a spike and append its destinations at R1 (SRAM lookup) (J). Default 0:
    /// no verified figure (assumed included in the generation figure).
    public var encodingEnergy: Double
    /// Energy of one R2 traversal (route an event to other cores of a chip) (J). Default 360 pJ (U).
    public var r2HopEnergy: Double
    /// Energy of one R3 mesh hop between chips (J). Default 360 pJ: placeholder = R2 (no figure found;
    /// an inter-chip hop drives pads and likely costs more).
    public var r3HopEnergy: Double
    /// Energy to broadcast one event to one destination core (CAM search of its 256 × 64 words) (J).
    /// Default 6.84 nJ (Moradi 2018, U).
    public var broadcastEnergy: Double
    /// Energy of one pulse extension + synapse (DPI) activation, per synaptic event (J). Default 324 pJ (U).
    public var pulseExtenderEnergy: Double
    /// Latency of spike encoding at R1 (s). Default 20 ns (assumption).
    public var encodingLatency: Double
    /// Latency of one R2 traversal (s). Default 20 ns (assumption).
    public var r2HopLatency: Double
    /// Latency of one R3 mesh hop (s). Default 40 ns (assumption).
    public var r3HopLatency: Double
    /// Latency of a CAM broadcast and match in a core (s). Default 30 ns (assumption).
    public var broadcastLatency: Double
    /// Area of one chip (m²). Default 98 mm²: DYNAP-SE2 (Richter et al. 2024, 180 nm, 1024 neurons; M).
    public var chipArea: Double
    /// Static bias power per analog neuron (W), charged for every neuron of every allocated core (a
    /// core's neurons are biased together) over the window. Default 5 nW: the RRAM-SNN's figure (same
    /// DPI + LIF circuits, seed 000 §VII; assumption A).
    public var staticPowerPerNeuron: Double

    public init(
        neuronsPerCore: Int = 256, coresPerChip: Int = 4, camWordsPerNeuron: Int = 64,
        sramWordsPerNeuron: Int = 4, spikeGenerationEnergy: Double = 883e-12, encodingEnergy: Double = 0,
        r2HopEnergy: Double = 360e-12, r3HopEnergy: Double = 360e-12, broadcastEnergy: Double = 6.84e-9,
        pulseExtenderEnergy: Double = 324e-12, encodingLatency: Double = 20e-9,
        r2HopLatency: Double = 20e-9, r3HopLatency: Double = 40e-9, broadcastLatency: Double = 30e-9,
        chipArea: Double = 98e-6, staticPowerPerNeuron: Double = 5e-9
    ) {
        self.staticPowerPerNeuron = staticPowerPerNeuron
        self.neuronsPerCore = neuronsPerCore; self.coresPerChip = coresPerChip
        self.camWordsPerNeuron = camWordsPerNeuron; self.sramWordsPerNeuron = sramWordsPerNeuron
        self.spikeGenerationEnergy = spikeGenerationEnergy; self.encodingEnergy = encodingEnergy
        self.r2HopEnergy = r2HopEnergy; self.r3HopEnergy = r3HopEnergy; self.broadcastEnergy = broadcastEnergy
        self.pulseExtenderEnergy = pulseExtenderEnergy; self.encodingLatency = encodingLatency
        self.r2HopLatency = r2HopLatency; self.r3HopLatency = r3HopLatency
        self.broadcastLatency = broadcastLatency; self.chipArea = chipArea
    }

    /// The documented defaults.
    public static let `default` = DynapPrices()

    enum CodingKeys: String, CodingKey, CaseIterable {
        case neuronsPerCore = "neurons_per_core"
        case coresPerChip = "cores_per_chip"
        case camWordsPerNeuron = "cam_words_per_neuron"
        case sramWordsPerNeuron = "sram_words_per_neuron"
        case spikeGenerationEnergy = "spike_generation_energy"
        case encodingEnergy = "encoding_energy"
        case r2HopEnergy = "r2_hop_energy"
        case r3HopEnergy = "r3_hop_energy"
        case broadcastEnergy = "broadcast_energy"
        case pulseExtenderEnergy = "pulse_extender_energy"
        case encodingLatency = "encoding_latency"
        case r2HopLatency = "r2_hop_latency"
        case r3HopLatency = "r3_hop_latency"
        case broadcastLatency = "broadcast_latency"
        case chipArea = "chip_area"
        case staticPowerPerNeuron = "static_power_per_neuron"
    }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = Self.default
        neuronsPerCore = try c.decode(.neuronsPerCore, default: d.neuronsPerCore, in: 1...1_000_000)
        coresPerChip = try c.decode(.coresPerChip, default: d.coresPerChip, in: 1...1_000_000)
        camWordsPerNeuron = try c.decode(.camWordsPerNeuron, default: d.camWordsPerNeuron, in: 1...1_000_000)
        sramWordsPerNeuron = try c.decode(.sramWordsPerNeuron, default: d.sramWordsPerNeuron, in: 1...1_000_000)
        spikeGenerationEnergy = try c.nonNegative(.spikeGenerationEnergy, default: d.spikeGenerationEnergy, unit: "J")
        encodingEnergy = try c.nonNegative(.encodingEnergy, default: d.encodingEnergy, unit: "J")
        r2HopEnergy = try c.nonNegative(.r2HopEnergy, default: d.r2HopEnergy, unit: "J")
        r3HopEnergy = try c.nonNegative(.r3HopEnergy, default: d.r3HopEnergy, unit: "J")
        broadcastEnergy = try c.nonNegative(.broadcastEnergy, default: d.broadcastEnergy, unit: "J")
        pulseExtenderEnergy = try c.nonNegative(.pulseExtenderEnergy, default: d.pulseExtenderEnergy, unit: "J")
        encodingLatency = try c.nonNegative(.encodingLatency, default: d.encodingLatency, unit: "s")
        r2HopLatency = try c.nonNegative(.r2HopLatency, default: d.r2HopLatency, unit: "s")
        r3HopLatency = try c.nonNegative(.r3HopLatency, default: d.r3HopLatency, unit: "s")
        broadcastLatency = try c.nonNegative(.broadcastLatency, default: d.broadcastLatency, unit: "s")
        chipArea = try c.nonNegative(.chipArea, default: d.chipArea, unit: "m²")
        staticPowerPerNeuron = try c.nonNegative(.staticPowerPerNeuron, default: d.staticPowerPerNeuron, unit: "W")
    }

    /// The list without the overhead terms (bias power), `architectures.overheads: false`.
    public var withoutOverheads: DynapPrices {
        var p = self
        p.staticPowerPerNeuron = 0
        return p
    }

    /// True when any per-operation energy still has its unverified default.
    var usesUnverifiedEnergies: Bool {
        let d = Self.default
        return spikeGenerationEnergy == d.spikeGenerationEnergy || r2HopEnergy == d.r2HopEnergy
            || r3HopEnergy == d.r3HopEnergy || broadcastEnergy == d.broadcastEnergy
            || pulseExtenderEnergy == d.pulseExtenderEnergy
    }
}

/// DYNAP-style event-routing processor (DESIGN §4): analog neurons and synapses, AER events routed by
/// hierarchical routers and matched in per-neuron CAMs.
///
/// **Placement.** Layer after layer, each layer of neurons starts on a fresh core (a core's neurons share
/// their bias parameters) and fills consecutive cores; cores fill chips in order; chips sit on a
/// `⌈√chips⌉`-wide 2-D mesh (row-major). Input spikes are injected off-chip through the R3 port of the
/// chip that holds layer 1's first core.
///
/// **Per spike** of a neuron on core `s` (chip `k`) towards the cores `D` of the next layer (plus its
/// own layer's cores when the tiles show all-to-all recurrence):
/// ```
/// generation + encoding (R1)                         (on-chip sources only)
/// R2: 1 if some d ∈ D is not s (on-chip multicast and exit), + 1 per remote destination chip
/// R3: Σ_{remote chips c} |x_c − x_k| + |y_c − y_k|    (XY routing, one packet per destination chip)
/// broadcast: |D| (one CAM search per destination core)
/// ```
/// and per synaptic event one pulse extension. Output-layer spikes pay generation and encoding only
/// (read-out routing is not priced). Latency = decision time (or window) + Σ_layers worst-case path
/// (encoding + R2/R3 hops + CAM match). Area = chips × chip area.
///
/// ```swift
/// let estimate = DynapCost(prices: .default).price(activity)
/// estimate.notes.forEach { print($0) }   // e.g. the CAM fan-in warning for a 784-input layer
/// ```
public struct DynapCost: CostModel {
    /// Component names of the breakdowns.
    public enum Component {
        public static let spikeGeneration = "spike generation"
        public static let encoding = "encoding (R1)"
        public static let r2 = "R2 routing"
        public static let r3 = "R3 routing"
        public static let broadcast = "CAM broadcast"
        public static let pulseExtender = "pulse extender + synapse"
        public static let decisionTime = "decision time"
        public static let window = "window (no decision)"
        public static let routing = "routing on critical path"
        public static let camMatch = "CAM match on critical path"
        public static let chips = "chips"
        public static let neuronStatic = "neuron bias (all neurons of used cores)"
        /// The asynchronous digital communication (seed 000 §VII's "communication protocol"): encoding,
        /// routing and the CAM broadcasts that deliver each event (spike generation and the analog
        /// synapse are not communication).
        public static let communication = [encoding, r2, r3, broadcast]
    }

    /// The price list (from the scenario).
    public var prices: DynapPrices
    /// Report identifier.
    public var architecture: String { "dynap" }

    public init(prices: DynapPrices = .default) { self.prices = prices }

    /// Where each layer of neurons sits: global core indices, and the chip count.
    struct Placement {
        /// `cores[l]` = global core indices of population `l` (empty for the input, `l = 0`).
        var cores: [[Int]]
        var chips: Int
        var meshWidth: Int
        func chip(ofCore c: Int, coresPerChip: Int) -> Int { c / coresPerChip }
        func position(ofChip k: Int) -> (x: Int, y: Int) { (k % meshWidth, k / meshWidth) }
        func distance(_ a: Int, _ b: Int) -> Int {
            let p = position(ofChip: a), q = position(ofChip: b)
            return abs(p.x - q.x) + abs(p.y - q.y)
        }
    }

    func place(_ a: Activity) -> Placement {
        let npc = prices.neuronsPerCore
        var next = 0
        var cores: [[Int]] = [[]]
        for layer in a.neuronLayers {
            let n = Swift.max(1, ceilDiv(layer.size, npc))
            cores.append(Array(next..<(next + n)))
            next += n
        }
        let chips = Swift.max(1, ceilDiv(next, prices.coresPerChip))
        var width = 1
        while width * width < chips { width += 1 }
        return Placement(cores: cores, chips: chips, meshWidth: width)
    }

    /// Routing of one spike: hop counts and the worst-case path latency to any destination core.
    struct Route {
        var r2 = 0.0, r3 = 0.0, broadcasts = 0.0, destinationChips = 0
        var pathLatency = 0.0
    }

    /// One spike from `sourceCore` (nil: external input entering at `entryChip`) to `destinations`.
    func route(from sourceCore: Int?, entryChip: Int, to destinations: [Int], placement: Placement) -> Route {
        let p = prices
        var r = Route()
        guard !destinations.isEmpty else { return r }
        let sourceChip = sourceCore.map { placement.chip(ofCore: $0, coresPerChip: p.coresPerChip) } ?? entryChip
        let chips = Set(destinations.map { placement.chip(ofCore: $0, coresPerChip: p.coresPerChip) })
        r.destinationChips = chips.count
        r.broadcasts = Double(destinations.count)
        var worst = 0.0
        if let s = sourceCore {
            // On-chip source: R2 once if the event leaves its core, + (R3 hops + destination R2) per remote chip.
            let leavesCore = destinations.contains { $0 != s }
            if leavesCore { r.r2 += 1 }
            for chip in chips where chip != sourceChip {
                let hops = Double(placement.distance(sourceChip, chip))
                r.r3 += hops; r.r2 += 1
                worst = Swift.max(worst, 2 * p.r2HopLatency + hops * p.r3HopLatency)
            }
            if chips.contains(sourceChip), leavesCore { worst = Swift.max(worst, p.r2HopLatency) }
            r.pathLatency = p.encodingLatency + worst + p.broadcastLatency
        } else {
            // External input: one R3 hop into the entry chip, then mesh hops and one R2 per destination chip.
            r.r3 += 1
            for chip in chips {
                let hops = Double(placement.distance(sourceChip, chip))
                r.r3 += hops; r.r2 += 1
                worst = Swift.max(worst, (1 + hops) * p.r3HopLatency + p.r2HopLatency)
            }
            r.pathLatency = worst + p.broadcastLatency
        }
        return r
    }

    /// Spikes emitted from each core of population `l`'s placement (per-neuron counts when available,
    /// else spread evenly over the layer's cores).
    func spikesPerCore(_ layer: LayerActivity, cores: [Int]) -> [(core: Int, spikes: Double)] {
        guard !cores.isEmpty else { return [] }
        if layer.spikeCounts.count == layer.size, layer.size > 0 {
            var perCore = [Double](repeating: 0, count: cores.count)
            for (i, n) in layer.spikeCounts.enumerated() {
                perCore[Swift.min(cores.count - 1, i / prices.neuronsPerCore)] += Double(n)
            }
            return zip(cores, perCore).map { ($0, $1) }
        }
        let share = Double(layer.spikes) / Double(cores.count)
        return cores.map { ($0, share) }
    }

    public func price(_ a: Activity) -> CostEstimate {
        let p = prices
        let placement = place(a)
        let entryChip =
            placement.cores.count > 1
            ? placement.chip(ofCore: placement.cores[1].first ?? 0, coresPerChip: p.coresPerChip) : 0
        var notes: [String] = []

        // Recurrence: tiles of layer l hold (previous + own size) inputs per neuron.
        func isRecurrent(_ l: Int) -> Bool {
            l >= 1 && l < a.layers.count && a.fanIn(ofLayer: l) >= a.layers[l - 1].size + a.layers[l].size
        }
        func destinations(of l: Int) -> [Int] {
            var d = l + 1 < placement.cores.count ? placement.cores[l + 1] : []
            if isRecurrent(l), l < placement.cores.count { d += placement.cores[l] }
            return d
        }

        var onChipSpikes = 0.0, r2 = 0.0, r3 = 0.0, broadcasts = 0.0
        var routingLatency = 0.0, matchLatency = 0.0
        var fanOutWarned = false
        for (l, layer) in a.layers.enumerated() {
            let targets = destinations(of: l)
            let sources: [(core: Int?, spikes: Double)] =
                l == 0
                ? [(nil, Double(layer.spikes))]
                : spikesPerCore(layer, cores: placement.cores[l]).map { ($0.core, $0.spikes) }
            if l >= 1 { onChipSpikes += Double(layer.spikes) }
            var worstPath = 0.0
            for source in sources {
                let r = route(from: source.core, entryChip: entryChip, to: targets, placement: placement)
                r2 += source.spikes * r.r2; r3 += source.spikes * r.r3
                broadcasts += source.spikes * r.broadcasts
                worstPath = Swift.max(worstPath, r.pathLatency)
                if r.destinationChips > p.sramWordsPerNeuron, !fanOutWarned {
                    fanOutWarned = true
                    notes.append(
                        "Layer '\(layer.name)' targets \(r.destinationChips) chips per spike but a neuron has \(p.sramWordsPerNeuron) SRAM destination words: infeasible without relay neurons."
                    )
                }
            }
            if !targets.isEmpty, l + 1 < a.layers.count {
                routingLatency += Swift.max(0, worstPath - p.broadcastLatency)
                matchLatency += p.broadcastLatency
            }
        }
        let synapticEvents = Double(a.totalSynapticEvents)
        let d = DynapPrices.default
        let biasedNeurons = Double(placement.cores.reduce(0) { $0 + $1.count } * p.neuronsPerCore)
        let energy: [CostComponent] = [
            CostComponent(
                name: Component.spikeGeneration, value: onChipSpikes * p.spikeGenerationEnergy,
                count: onChipSpikes, confidence: .of(p.spikeGenerationEnergy, default: d.spikeGenerationEnergy, .unverified)),
            CostComponent(
                name: Component.encoding, value: onChipSpikes * p.encodingEnergy, count: onChipSpikes,
                confidence: .of(p.encodingEnergy, default: d.encodingEnergy, .assumption)),
            CostComponent(
                name: Component.r2, value: r2 * p.r2HopEnergy, count: r2,
                confidence: .of(p.r2HopEnergy, default: d.r2HopEnergy, .unverified)),
            CostComponent(
                name: Component.r3, value: r3 * p.r3HopEnergy, count: r3,
                confidence: .of(p.r3HopEnergy, default: d.r3HopEnergy, .assumption)),
            CostComponent(
                name: Component.broadcast, value: broadcasts * p.broadcastEnergy, count: broadcasts,
                confidence: .of(p.broadcastEnergy, default: d.broadcastEnergy, .unverified)),
            CostComponent(
                name: Component.pulseExtender, value: synapticEvents * p.pulseExtenderEnergy,
                count: synapticEvents, confidence: .of(p.pulseExtenderEnergy, default: d.pulseExtenderEnergy, .unverified)),
            CostComponent(
                name: Component.neuronStatic, value: p.staticPowerPerNeuron * biasedNeurons * a.window,
                count: biasedNeurons, kind: .static,
                confidence: .of(p.staticPowerPerNeuron, default: d.staticPowerPerNeuron, .assumption)),
        ]

        let transitions = Double(a.neuronLayerCount)
        let latency: [CostComponent] = [
            a.decisionTime.map { CostComponent(name: Component.decisionTime, value: $0, count: 1, confidence: .physics) }
                ?? CostComponent(name: Component.window, value: a.window, count: 1, confidence: .physics),
            CostComponent(name: Component.routing, value: routingLatency, count: transitions),
            CostComponent(name: Component.camMatch, value: matchLatency, count: transitions),
        ]
        let area = [
            CostComponent(
                name: Component.chips, value: Double(placement.chips) * p.chipArea,
                count: Double(placement.chips), confidence: .of(p.chipArea, default: d.chipArea, .medium))
        ]
        var feasible = true

        // Feasibility: CAM fan-in.
        for l in 1..<Swift.max(1, a.layers.count) {
            let layer = a.layers[l]
            let fanIn = a.fanIn(ofLayer: l)
            guard fanIn > p.camWordsPerNeuron else { continue }
            let split = ceilDiv(fanIn, p.camWordsPerNeuron)
            let coresNow = ceilDiv(layer.size, p.neuronsPerCore)
            let coresSplit = ceilDiv(layer.size * split, p.neuronsPerCore)
            let extraCores = coresSplit - coresNow
            let totalCores = placement.cores.reduce(0) { $0 + $1.count }
            let extraChips = ceilDiv(totalCores + extraCores, p.coresPerChip) - ceilDiv(totalCores, p.coresPerChip)
            feasible = false
            notes.append(
                "INFEASIBLE as mapped: layer '\(layer.name)' has fan-in \(fanIn) > \(p.camWordsPerNeuron) CAM words per neuron. It needs \(split) CAM banks per neuron: splitting each neuron into \(split) sub-neurons of ≤ \(p.camWordsPerNeuron) inputs costs \(layer.size * (split - 1)) extra neurons (\(extraCores) extra cores, \(extraChips) extra chip(s) with this layer alone split) plus a summing stage the analog neurons do not compute exactly. Energies here price the ideal mapping."
            )
        }
        notes.append(
            "Placement: \(placement.cores.dropFirst().map { "\($0.count)" }.joined(separator: " + ")) cores on \(placement.chips) chip(s) (\(p.coresPerChip) cores × \(p.neuronsPerCore) neurons per chip), \(placement.meshWidth)-wide mesh; input injected at chip \(entryChip)."
        )
        if p.usesUnverifiedEnergies {
            notes.append(
                "DYNAP per-operation energies (Moradi et al. 2018: 883 pJ generation, 324 pJ pulse extension, 6.84 nJ broadcast, 360 pJ R2) are UNVERIFIED recollections; R3 = R2 and all latencies are placeholders (Docs/cost-models.md)."
            )
        }
        if a.decisionTime == nil {
            notes.append("No decision time (output silent or still changing): latency uses the full window.")
        }
        notes.append("Not priced: bias generators, off-chip read-out of output spikes, FPGA/host injection of inputs.")
        return CostEstimate(
            architecture: architecture, energy: energy, latency: latency, area: area, notes: notes,
            computeLatency: latency, latencyBasisNote: RRAMCrossbarCost.realTimeLatencyNote,
            window: a.window, feasible: feasible)
    }
}

extension DynapCost: NodeAnnotatedCostModel {
    /// DYNAP-SE's asynchronous digital routing and spike encoding, 180 nm at 1.8 V (Moradi et al. 2018;
    /// Richter et al. 2024): spike generation, encoding, R2/R3 routing, CAM broadcast and their latencies.
    /// Not scaled: the analog pulse extender and synapse, bias power, the chip area (mixed-signal, mostly
    /// analog synapses and capacitors).
    public var sourceNodes: [String: SourceNode] {
        let n = SourceNode(.n180, 1.8)
        return [
            Component.spikeGeneration: n, Component.encoding: n, Component.r2: n, Component.r3: n, Component.broadcast: n,
            Component.routing: n, Component.camMatch: n,
        ]
    }
}
