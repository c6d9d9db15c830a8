import Foundation
import Testing
import SpikebarActivity
import SpikebarCost

// The Loihi-style cost model against closed forms on hand-built `Activity` values (public API only).

private func layer(_ name: String, size: Int, spikeCounts: [Int]? = nil, synapticEventsIn: Int = 0) -> LayerActivity {
    let counts = spikeCounts ?? [Int](repeating: 0, count: size)
    return LayerActivity(
        name: name, size: size, spikes: counts.reduce(0, +), synapticEventsIn: synapticEventsIn,
        neuronUpdates: 0, meanRate: 0, spikeCounts: counts)
}

/// A dense tile feeding `layer` (fan-in = the previous population's size).
private func denseTile(layer: Int, inputs: Int, outputs: Int) -> TileActivity {
    TileActivity(
        layer: layer, rows: inputs, cols: 2 * outputs, usedRows: inputs, usedCols: 2 * outputs, rowReads: 0,
        cellReads: 0, conductanceRead: 0, conductanceTotal: 0, concurrency: [], peakConcurrentRows: 0)
}

/// `sizes[0]` inputs, then dense layers; `steps` steps of 1 ms.
private func network(_ layers: [LayerActivity], steps: Int = 100, decisionTime: Double? = nil) -> Activity {
    let tiles = (1..<layers.count).map { denseTile(layer: $0, inputs: layers[$0 - 1].size, outputs: layers[$0].size) }
    return Activity(
        window: Double(steps) * 1e-3, dt: 1e-3, steps: steps, layers: layers, tiles: tiles,
        outputSpikeCounts: layers.last?.spikeCounts ?? [], firstOutputSpike: nil, decisionTime: decisionTime,
        predictedClass: nil)
}

/// 10 inputs → 3 hidden → 2 output, silent.
private func silent(steps: Int = 100) -> Activity {
    network([layer("input", size: 10), layer("hidden", size: 3), layer("output", size: 2)], steps: steps)
}

@Suite("Loihi cost model")
struct LoihiCostTests {
    let p = LoihiPrices.default

    @Test("zero activity costs exactly the per-step neuron access and update of every neuron")
    func zeroActivity() throws {
        let e = LoihiCost().price(silent())
        #expect(e.architecture == "loihi")
        // 5 neurons × 100 steps; every other term is a product with a zero count.
        #expect(e.totalEnergy == 500 * p.neuronAccessEnergy + 500 * p.neuronUpdateEnergy)
        #expect(e.staticEnergy == 0)
        for name in [
            LoihiCost.Component.synapticOps, LoihiCost.Component.spikeOut, LoihiCost.Component.messagesOut,
            LoihiCost.Component.hopsEastWest, LoihiCost.Component.hopsNorthSouth,
        ] {
            #expect(e.energy(named: name)?.value == 0, "\(name)")
        }
        // Static power: P × cores in use (input, hidden, output: 3) × window, kind static.
        var prices = p
        prices.staticPowerPerCore = 1e-3
        let s = LoihiCost(prices: prices).price(silent())
        #expect(s.staticEnergy == 1e-3 * 3 * 0.1)
        #expect(s.totalEnergy == e.totalEnergy + s.staticEnergy)
        // Latency: one step is the busiest core (hidden: 3 neurons × (access + update)) plus the 1-tile barrier;
        // no decision time, so all 100 steps: compute = 100 c, streaming = dt + 99·max(dt, c) + c.
        let c = 3 * (p.neuronAccessLatency + p.neuronUpdateLatency) + 0.6e-6
        #expect(close(e.totalComputeLatency, 100 * c))
        #expect(close(e.totalLatency, 0.1 + c))
        #expect(e.totalArea == 60e-6 && e.feasible && e.window == 0.1)
    }

    @Test("one input spike and one hidden spike add exactly the sum of their operations")
    func oneSpike() throws {
        let base = LoihiCost().price(silent()).totalEnergy
        let input = network([
            layer("input", size: 10, spikeCounts: [1] + [Int](repeating: 0, count: 9)),
            layer("hidden", size: 3, synapticEventsIn: 3), layer("output", size: 2),
        ])
        let e = LoihiCost().price(input)
        // One message to the hidden core (same tile: no hop), three synaptic operations, no soma cost for inputs.
        #expect(e.energy(named: LoihiCost.Component.messagesOut)?.count == 1)
        #expect(e.energy(named: LoihiCost.Component.synapticOps)?.value == 3 * p.synapseEnergy)
        #expect(e.energy(named: LoihiCost.Component.spikeOut)?.count == 0)
        #expect(close(e.totalEnergy, base + 3 * p.synapseEnergy + p.messageOutEnergy + p.messageInEnergy))

        let hidden = network([
            layer("input", size: 10, spikeCounts: [1] + [Int](repeating: 0, count: 9)),
            layer("hidden", size: 3, spikeCounts: [0, 1, 0], synapticEventsIn: 3),
            layer("output", size: 2, synapticEventsIn: 2),
        ])
        let h = LoihiCost().price(hidden)
        #expect(
            close(
                h.totalEnergy,
                e.totalEnergy + p.spikeOutEnergy + p.messageOutEnergy + p.messageInEnergy
                    + 2 * p.synapseEnergy))
        // An output spike pays its spike out only (no destination core).
        let output = network([
            layer("input", size: 10), layer("hidden", size: 3),
            layer("output", size: 2, spikeCounts: [1, 0]),
        ])
        #expect(close(LoihiCost().price(output).totalEnergy, base + p.spikeOutEnergy))
    }

    @Test("messages travel XY between tiles: E-W and N-S hops priced apart, chips extend the mesh along x")
    func meshHops() throws {
        var prices = p
        prices.coresPerTile = 1; prices.meshWidth = 2; prices.meshHeight = 2
        let cost = LoihiCost(prices: prices)
        // Core c → tile c: tile 0 (0,0) input, tile 1 (0,1) hidden, tile 2 (1,0) output; tile 4 is chip 1's first.
        #expect(cost.position(ofCore: 1) == (0, 1) && cost.position(ofCore: 2) == (1, 0))
        #expect(cost.position(ofCore: 4) == (2, 0) && cost.position(ofCore: 7) == (3, 1))
        let a = network([
            layer("input", size: 10, spikeCounts: [2] + [Int](repeating: 0, count: 9)),
            layer("hidden", size: 3, spikeCounts: [0, 0, 1], synapticEventsIn: 6),
            layer("output", size: 2, synapticEventsIn: 2),
        ])
        let e = cost.price(a)
        // Inputs: 2 × (0,0)→(0,1) = 2 N-S hops; hidden: (0,1)→(1,0) = 1 E-W + 1 N-S.
        #expect(e.energy(named: LoihiCost.Component.hopsEastWest)?.count == 1)
        #expect(e.energy(named: LoihiCost.Component.hopsNorthSouth)?.count == 3)
        #expect(e.energy(named: LoihiCost.Component.hopsNorthSouth)?.value == 3 * p.hopEnergyNorthSouth)
        #expect(e.energy(named: LoihiCost.Component.hopsEastWest)?.value == p.hopEnergyEastWest)
        // Three tiles in use → the "2 tiles" row of the barrier table.
        #expect(e.computeLatency.first { $0.name == LoihiCost.Component.stepSync }?.value == 100 * 1.0e-6)
    }

    @Test("placement respects the compartment and synapse-memory limits of a core")
    func placementLimits() throws {
        let cost = LoihiCost()
        // Fan-in 784: ⌊131 072 / 784⌋ = 167 neurons per core → 1000 neurons on 6 cores; fan-in 1000: 131 per
        // core, the 10 outputs on 1.
        let mnist = cost.place(network([layer("input", size: 784), layer("hidden", size: 1000), layer("output", size: 10)]))
        #expect(mnist.perCore == [1024, 167, 131])
        #expect(mnist.cores.map(\.count) == [1, 6, 1] && mnist.coreCount == 8 && mnist.tiles == 2 && mnist.chips == 1)
        #expect(mnist.cores[1] == Array(1...6))
        // Small fan-in: the 1024-compartment limit binds; 2000 inputs need 2 input cores.
        let wide = cost.place(network([layer("input", size: 2000), layer("hidden", size: 2048)]))
        #expect(wide.perCore == [1024, 65] && wide.cores.map(\.count) == [2, 32])
        let small = cost.place(network([layer("input", size: 10), layer("hidden", size: 2048)]))
        #expect(small.perCore == [1024, 1024] && small.cores.map(\.count) == [1, 2])
        // 129 cores: a second chip.
        let big = cost.place(network([layer("input", size: 10), layer("hidden", size: 128 * 1024)]))
        #expect(big.coreCount == 129 && big.chips == 2)
        #expect(cost.price(network([layer("input", size: 10), layer("hidden", size: 128 * 1024)], steps: 1)).totalArea == 2 * 60e-6)
        // A fan-in above one core's synapse memory is flagged, never silently placed.
        var tiny = LoihiPrices.default
        tiny.synapsesPerCore = 100
        let over = LoihiCost(prices: tiny)
        let a = network([layer("input", size: 784), layer("hidden", size: 4)])
        #expect(over.place(a).overfull == ["hidden"] && over.place(a).cores[1].count == 4)
        #expect(over.price(a).notes.contains { $0.hasPrefix("Infeasible as mapped: layer 'hidden'") })
        #expect(!over.price(a).feasible && cost.price(a).feasible)
        #expect(!cost.price(a).notes.contains { $0.hasPrefix("Infeasible") })
    }

    @Test("latency per step is the busiest core (neuron or message side) plus the barrier")
    func stepLatency() throws {
        // 10 input spikes over 10 steps into 3 hidden neurons: per step 1 message + 3 synaptic operations.
        let light = network(
            [
                layer("input", size: 10, spikeCounts: [Int](repeating: 1, count: 10)),
                layer("hidden", size: 3, synapticEventsIn: 30), layer("output", size: 2),
            ], steps: 10)
        let neuronSide = 3 * (p.neuronAccessLatency + p.neuronUpdateLatency)  // 29.1 ns
        let messageSide = p.messageInLatency + 3 * p.synapseLatency  // 27.4 ns
        #expect(neuronSide > messageSide)
        #expect(close(LoihiCost().price(light).totalComputeLatency, 10 * (neuronSide + 0.6e-6)))
        // Ten times the input: the message side of the hidden core is now the busiest.
        let heavy = network(
            [
                layer("input", size: 10, spikeCounts: [Int](repeating: 10, count: 10)),
                layer("hidden", size: 3, synapticEventsIn: 300), layer("output", size: 2),
            ], steps: 10)
        #expect(close(LoihiCost().price(heavy).totalComputeLatency, 10 * (10 * messageSide + 0.6e-6)))
        #expect(p.syncLatency(tiles: 0) == 0.6e-6 && p.syncLatency(tiles: 3) == 1.0e-6)
        #expect(p.syncLatency(tiles: 28) == 1.4e-6 && p.syncLatency(tiles: 29) == 1.8e-6 && p.syncLatency(tiles: 500) == 1.8e-6)
    }

    @Test("read-out at the decision step: compute n·c, streaming waits for each step's input; energy covers every step")
    func readOut() throws {
        var a = silent()
        a.decisionTime = 0.0205  // inside step 21
        let c = 3 * (p.neuronAccessLatency + p.neuronUpdateLatency) + 0.6e-6
        let e = LoihiCost().price(a)
        #expect(close(e.totalComputeLatency, 21 * c))
        #expect(close(e.totalLatency, 0.001 + 20 * 0.001 + c))
        #expect(e.totalEnergy == LoihiCost().price(silent()).totalEnergy)
        var window = p
        window.readOut = .window
        #expect(close(LoihiCost(prices: window).price(a).totalComputeLatency, 100 * c))
    }

    @Test("each component carries its price's confidence; a price set in the scenario is S; overheads off drops static power")
    func confidence() throws {
        let e = LoihiCost().price(silent())
        #expect(e.energy(named: LoihiCost.Component.synapticOps)?.confidence == .high)
        #expect(e.energy(named: LoihiCost.Component.staticPower)?.confidence == .assumption)
        #expect(e.latency(named: LoihiCost.Component.inputArrival)?.confidence == .physics)
        #expect(e.area(named: LoihiCost.Component.chips)?.confidence == .high)
        var set = p
        set.synapseEnergy = 24e-12
        set.staticPowerPerCore = 1e-3
        let s = LoihiCost(prices: set).price(silent())
        #expect(s.energy(named: LoihiCost.Component.synapticOps)?.confidence == .scenario)
        #expect(s.energy(named: LoihiCost.Component.neuronAccess)?.confidence == .high)
        #expect(LoihiCost(prices: set.withoutOverheads).price(silent()).staticEnergy == 0)
        #expect(s.staticEnergy > 0)
    }

    @Test("the loihi price list decodes strictly, and every key has a source with a confidence mark")
    func decoding() throws {
        let decoder = JSONDecoder()
        let lists = try decoder.decode(
            PriceLists.self,
            from: Data(
                #"""
                {"loihi": {"synapse_energy": 24e-12, "neurons_per_core": 512,
                           "timestep_sync_latency": [{"tiles": 1, "latency": 1e-6}, {"tiles": 8, "latency": 2e-6}]}}
                """#.utf8))
        #expect(lists.loihi.synapseEnergy == 24e-12 && lists.loihi.neuronsPerCore == 512)
        #expect(lists.loihi.messageOutEnergy == 111e-12)
        #expect(lists.loihi.syncLatency(tiles: 9) == 2e-6)
        #expect(try decoder.decode(PriceLists.self, from: JSONEncoder().encode(lists)) == lists)
        do {
            _ = try decoder.decode(PriceLists.self, from: Data(#"{"loihi": {"synaps_energy": 1e-12}}"#.utf8))
            Issue.record("unknown key accepted")
        } catch let DecodingError.dataCorrupted(context) {
            #expect(context.codingPath.map(\.stringValue) == ["loihi", "synaps_energy"])
        }
        for bad in [
            #"{"loihi": {"synapse_energy": -1}}"#, #"{"loihi": {"neurons_per_core": 0}}"#,
            #"{"loihi": {"timestep_sync_latency": []}}"#,
            #"{"loihi": {"timestep_sync_latency": [{"tiles": 4, "latency": 1e-6}, {"tiles": 2, "latency": 2e-6}]}}"#,
            #"{"loihi": {"timestep_sync_latency": [{"tiles": 1}]}}"#,
            #"{"loihi": {"timestep_sync_latency": [{"tiles": 1, "latency": 1e-6, "jitter": 0}]}}"#,
        ] {
            #expect(throws: DecodingError.self, "\(bad)") { try decoder.decode(PriceLists.self, from: Data(bad.utf8)) }
        }
        // The provenance table lists every YAML key once, each with an H / M / U / A mark.
        let keys = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(LoihiPrices.default)) as? [String: Any]).keys
        #expect(LoihiPrices.sources.map(\.key).sorted() == keys.sorted())
        #expect(LoihiPrices.sources.allSatisfy { [.high, .medium, .unverified, .assumption].contains($0.confidence) && !$0.source.isEmpty })
        // Every component of an estimate names the price it multiplies, and that price has a source.
        let e = LoihiCost().price(silent())
        for c in e.energy + e.latency + e.area {
            let key = try #require(LoihiCost.componentPrices[c.name], "\(c.name)")
            #expect(keys.contains(key), "\(c.name) → \(key)")
        }
    }
}
