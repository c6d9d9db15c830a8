import Foundation
import Testing
import SpikebarActivity
import SpikebarCost

// Issue #16: idle and supply energy, the two latency bases, the single-pass ANN mode and the confidence of
// each price — each against a closed form on a hand-built `Activity`, through the public API.

private func tile(
    layer: Int, rows: Int = 128, cols: Int = 128, usedRows: Int, usedCols: Int, rowReads: Int = 0,
    conductanceRead: Double = 0, conductanceTotal: Double = 0
) -> TileActivity {
    TileActivity(
        layer: layer, rows: rows, cols: cols, usedRows: usedRows, usedCols: usedCols, rowReads: rowReads,
        cellReads: rowReads * usedCols, conductanceRead: conductanceRead, conductanceTotal: conductanceTotal,
        concurrency: rowReads > 0 ? [rowReads] : [], peakConcurrentRows: rowReads > 0 ? 1 : 0)
}

private func population(_ name: String, size: Int, spikes: Int = 0, synapticEventsIn: Int = 0) -> LayerActivity {
    LayerActivity(
        name: name, size: size, spikes: spikes, synapticEventsIn: synapticEventsIn, neuronUpdates: 0,
        meanRate: 0, spikeCounts: [Int](repeating: 0, count: size))
}

/// 10 inputs → 4 hidden → 2 outputs, two tiles, `reads` row reads on the first.
private func twoLayers(
    reads: Int = 3, inputSpikes: Int = 3, decisionTime: Double? = 0.02, window: Double = 0.1,
    steps: Int = 100
) -> Activity {
    Activity(
        window: window, dt: window / Double(steps), steps: steps,
        layers: [
            population("input", size: 10, spikes: inputSpikes), population("hidden", size: 4, spikes: 2, synapticEventsIn: 12),
            population("output", size: 2, spikes: 1, synapticEventsIn: 4),
        ],
        tiles: [
            tile(layer: 1, usedRows: 10, usedCols: 8, rowReads: reads, conductanceRead: 3e-4, conductanceTotal: 4e-3),
            tile(layer: 2, usedRows: 4, usedCols: 4, rowReads: 2, conductanceRead: 1e-4, conductanceTotal: 8e-4),
        ],
        outputSpikeCounts: [1, 0], firstOutputSpike: decisionTime, decisionTime: decisionTime, predictedClass: 0)
}

@Suite("Cost overheads and latency bases (issue #16)")
struct CostOverheadTests {
    @Test("RRAM-SNN: supply loss, column clamp, input decoding and bias power match their closed forms")
    func rramOverheads() throws {
        let read = ReadConditions(readVoltage: 0.1, readPulse: 100e-9)
        let p = RRAMCrossbarPrices.default
        let a = twoLayers()
        let e = RRAMCrossbarCost(prices: p, read: read).price(a)
        let sumG = 3e-4 + 1e-4, cellReads = Double(3 * 8 + 2 * 4)
        let heat = try #require(e.energy(named: RRAMCrossbarCost.Component.arrayRead))
        let loss = try #require(e.energy(named: RRAMCrossbarCost.Component.readSupplyLoss))
        // What the supply delivers: V_dd · V_read · t · ΣG = heat + loss.
        #expect(close(heat.value + loss.value, p.readSupplyVoltage * 0.1 * 100e-9 * sumG))
        #expect(close(loss.value, (p.readSupplyVoltage - 0.1) * 0.1 * 100e-9 * sumG))
        #expect(heat.confidence == .physics && loss.confidence == .assumption)
        #expect(close(e.energy(named: RRAMCrossbarCost.Component.columnClamp)?.value ?? -1, cellReads * p.columnClampPower * 100e-9))
        #expect(e.energy(named: RRAMCrossbarCost.Component.inputSpikes)?.value == 3 * p.inputSpikeEnergy)
        let bias = try #require(e.energy(named: RRAMCrossbarCost.Component.neuronStatic))
        #expect(bias.kind == .static && close(bias.value, p.staticPowerPerNeuron * 6 * 0.1))
        // Without overheads the same activity costs exactly the old event terms.
        let bare = RRAMCrossbarCost(prices: p.withoutOverheads, read: read).price(a)
        #expect(bare.staticEnergy == 0)
        #expect(bare.energy(named: RRAMCrossbarCost.Component.readSupplyLoss)?.value == 0)
        #expect(
            close(
                e.totalEnergy - bare.totalEnergy,
                loss.value + cellReads * p.columnClampPower * 100e-9
                    + 3 * p.inputSpikeEnergy + bias.value, rel: 1e-9))
        // Analog real time: the two latency bases are the same list.
        #expect(e.computeLatency == e.latency)
        #expect(close(e.meanPower ?? -1, e.totalEnergy / 0.1))
        #expect(close(e.energyDelayProduct, e.totalEnergy * e.totalLatency))
    }

    @Test("zero activity costs exactly the static energy on every architecture")
    func zeroActivityIsStatic() {
        let a = twoLayers(reads: 0, inputSpikes: 0, decisionTime: nil)
        var idle = a
        idle.tiles = idle.tiles.map {
            var t = $0; t.rowReads = 0; t.cellReads = 0; t.conductanceRead = 0; return t
        }
        idle.layers = idle.layers.map {
            var l = $0; l.spikes = 0; l.synapticEventsIn = 0; return l
        }
        let rram = RRAMCrossbarCost(prices: .default, read: .default).price(idle)
        let dynap = DynapCost(prices: .default).price(idle)
        #expect(rram.dynamicEnergy == 0 && rram.totalEnergy == rram.staticEnergy && rram.staticEnergy > 0)
        #expect(dynap.dynamicEnergy == 0 && dynap.totalEnergy == dynap.staticEnergy)
        // DYNAP biases every neuron of its used cores: 2 layers → 2 cores × 256 neurons.
        #expect(close(dynap.staticEnergy, DynapPrices.default.staticPowerPerNeuron * 512 * 0.1))
    }

    @Test("ADC-CIM: idle ADCs and state leakage over the window; one conversion per differential pair")
    func adcOverheads() throws {
        let p = ADCCIMPrices.default
        let a = twoLayers()
        let e = ADCCIMCost(prices: p, read: .default).price(a)
        // 2 tiles × ⌈128 / 8⌉ ADCs idle for the window; 6 neurons' state leaking.
        #expect(close(e.energy(named: ADCCIMCost.Component.adcIdle)?.value ?? -1, p.adcIdlePower * 32 * 0.1))
        #expect(close(e.energy(named: ADCCIMCost.Component.neuronStatic)?.value ?? -1, p.neuronStaticPower * 6 * 0.1))
        // Pairs: (8 + 4) / 2 values per step, 100 steps, 1 bit.
        #expect(e.energy(named: ADCCIMCost.Component.adc)?.count == 600)
        var columns = p
        columns.conversionUnit = .column
        #expect(ADCCIMCost(prices: columns, read: .default).price(a).energy(named: ADCCIMCost.Component.adc)?.count == 1200)
    }

    @Test("time-stepped streaming latency is at least the input it needs; compute latency is n steps back to back")
    func timeSteppedBases() throws {
        let model = ADCCIMCost(prices: .default, read: .default)
        for decision in [0.0005, 0.02, 0.0999] as [Double?] + [nil] {
            let a = twoLayers(decisionTime: decision)
            let e = model.price(a)
            let n = decision.map { Double(min(100, max(1, Int(($0 / a.dt).rounded(.up))))) } ?? 100
            // The input of the n steps has to arrive first.
            #expect(e.totalLatency >= n * a.dt)
            // Compute latency with buffered input is n times one step's critical path, below the streaming one.
            let perStep = model.price(twoLayers(decisionTime: nil, window: a.dt, steps: 1)).totalComputeLatency
            #expect(close(e.totalComputeLatency, n * perStep, rel: 1e-9))
            #expect(e.totalComputeLatency < e.totalLatency)
            // With a step shorter than dt: streaming = n·dt + one step's compute.
            #expect(close(e.totalLatency, n * a.dt + perStep, rel: 1e-9))
        }
    }

    @Test("single-pass ANN mode: one VMM per layer, ADC bits sized to the rows summed, streaming waits a window")
    func annMode() throws {
        let p = ADCCIMPrices.default
        let a = twoLayers()
        let model = ADCCIMANNCost(prices: p, read: .default, cellLevels: 8)
        let e = model.price(a)
        #expect(e.architecture == "adc-cim-ann")
        // 10 rows × 7 level steps = 70 → 7 bits; 8 input bits, bit-serial: (4 + 2) pairs × 8 conversions.
        let adc = try #require(e.energy(named: ADCCIMANNCost.Component.adc))
        #expect(adc.count == 48)
        #expect(close(adc.value, 48 * p.adcEnergyPerConversion * 1.42 / 1.67))
        let drives = e.energy.first { $0.name == ADCCIMANNCost.Component.dac }
        #expect(drives?.count == Optional(112.0), "\(e.energy.map { ($0.name, $0.count) })")
        #expect((e.energy(named: ADCCIMANNCost.Component.activation)?.count ?? -1) == 6.0)
        #expect(close(e.totalLatency, 0.1 + e.totalComputeLatency))
        // Far cheaper than 100 time steps of the SNN mode on the same weights.
        let snn = ADCCIMCost(prices: p, read: .default).price(a)
        #expect(e.dynamicEnergy < snn.dynamicEnergy / 5)
    }

    @Test("confidence shares add up and follow the prices: a price set in the scenario is marked S")
    func confidenceShares() {
        let a = twoLayers()
        let dynap = DynapCost(prices: DynapPrices.default.withoutOverheads).price(a)
        let c = dynap.confidence
        #expect(close(c.physics + c.high + c.medium + c.unverified + c.assumption + c.scenario, 1))
        #expect(c.unverified > 0.5, "DYNAP's per-operation energies are unverified recollections")
        var set = DynapPrices.default.withoutOverheads
        set.broadcastEnergy = 1e-9; set.spikeGenerationEnergy = 1e-10; set.r2HopEnergy = 1e-10; set.pulseExtenderEnergy = 1e-10
        let s = DynapCost(prices: set).price(a).confidence
        #expect(s.unverified == 0 && s.scenario > 0.5)
    }

    @Test("a DYNAP mapping beyond the CAM words is infeasible, and says so")
    func dynapInfeasible() {
        var a = twoLayers()
        a.layers[0].size = 784
        let e = DynapCost(prices: .default).price(a)
        #expect(!e.feasible)
        #expect(e.notes.contains { $0.hasPrefix("INFEASIBLE") })
        #expect(DynapCost(prices: .default).price(twoLayers()).feasible)
    }

    @Test("price lists: overheads switch off for every architecture at once; new keys decode strictly")
    func overheadsSwitch() throws {
        let decoder = JSONDecoder()
        let off = try decoder.decode(PriceLists.self, from: Data(#"{"overheads": false}"#.utf8))
        let a = twoLayers()
        for m in off.models(read: .default) { #expect(m.price(a).staticEnergy == 0, "\(m.architecture)") }
        let on = PriceLists.default.models(read: .default)
        // Every model but Loihi (no sourced static power: 0 by default, said in the report's assumptions).
        #expect(on.filter { $0.architecture != "loihi" }.allSatisfy { $0.price(a).staticEnergy > 0 })
        let p = try decoder.decode(
            PriceLists.self,
            from: Data(#"{"adc_cim": {"conversion_unit": "column", "ann_adc_bits": 6, "read_pulse": 25e-9, "layer_pipelining": true}}"#.utf8))
        #expect(p.adcCIM.conversionUnit == .column && p.adcCIM.annADCBits == 6 && p.adcCIM.readPulse == 25e-9 && p.adcCIM.layerPipelining)
        for bad in [
            #"{"adc_cim": {"conversion_unit": "row"}}"#, #"{"adc_cim": {"ann_adc_bits": 0}}"#,
            #"{"adc_cim": {"read_pulse": 0}}"#, #"{"rram_snn": {"read_supply_voltage": -1}}"#, #"{"overheads": "yes"}"#,
        ] {
            #expect(throws: DecodingError.self) { try decoder.decode(PriceLists.self, from: Data(bad.utf8)) }
        }
    }
}
