import Foundation
import Testing
import SpikebarActivity
import SpikebarCost

// Cost models price hand-built `Activity` values through the public API only.

/// A tile of `layer` with the given counts.
private func tile(
    layer: Int, rows: Int = 128, cols: Int = 128, usedRows: Int, usedCols: Int, rowReads: Int = 0,
    conductanceRead: Double = 0, conductanceTotal: Double = 0
) -> TileActivity {
    TileActivity(
        layer: layer, rows: rows, cols: cols, usedRows: usedRows, usedCols: usedCols, rowReads: rowReads,
        cellReads: rowReads * usedCols, conductanceRead: conductanceRead,
        conductanceTotal: conductanceTotal, concurrency: rowReads > 0 ? [rowReads] : [],
        peakConcurrentRows: rowReads > 0 ? 1 : 0)
}

private func population(
    _ name: String, size: Int, spikes: Int = 0, synapticEventsIn: Int = 0,
    spikeCounts: [Int]? = nil
) -> LayerActivity {
    LayerActivity(
        name: name, size: size, spikes: spikes, synapticEventsIn: synapticEventsIn, neuronUpdates: 0,
        meanRate: 0, spikeCounts: spikeCounts ?? [Int](repeating: 0, count: size))
}

private func activity(
    window: Double = 0.1, dt: Double = 1e-3, steps: Int = 100, layers: [LayerActivity],
    tiles: [TileActivity], decisionTime: Double? = nil
) -> Activity {
    Activity(
        window: window, dt: dt, steps: steps, layers: layers, tiles: tiles,
        outputSpikeCounts: [Int](repeating: 0, count: layers.last?.size ?? 0), firstOutputSpike: nil,
        decisionTime: decisionTime, predictedClass: nil)
}

/// |a − b| ≤ rel · max(|a|, |b|).

/// 10 inputs → 2 neurons on one 128 × 128 tile, zero spikes: the idle chip.
private func idleActivity(steps: Int) -> Activity {
    activity(
        window: Double(steps) * 1e-3, steps: steps,
        layers: [population("input", size: 10), population("output", size: 2)],
        tiles: [tile(layer: 1, usedRows: 10, usedCols: 4, conductanceTotal: 1.7e-3)])
}

@Suite("Cost models")
struct CostModelTests {

    // MARK: RRAM-SNN

    @Test("one row read: array energy is V_read² · ΣG · t_read, total adds the driver energies")
    func oneRowRead() throws {
        // Powers of two with short mantissas: every product below is exact in binary64, so `==` holds
        // whatever the multiplication order (the model evaluates (V·V)·t·ΣG).
        let read = ReadConditions(readVoltage: 0.125, readPulse: 0x1p-23)  // 125 mV, ≈ 119 ns
        let sumG = 0x1.8p-14  // ≈ 91.6 µS over 4 cells
        let a = activity(
            layers: [population("input", size: 10, spikes: 1), population("output", size: 2)],
            tiles: [
                tile(
                    layer: 1, usedRows: 10, usedCols: 4, rowReads: 1,
                    conductanceRead: sumG, conductanceTotal: 10 * sumG)
            ],
            decisionTime: 0.02)
        let prices = RRAMCrossbarPrices.default.withoutOverheads  // the overhead terms: CostOverheadTests
        let e = RRAMCrossbarCost(prices: prices, read: read).price(a)
        #expect(e.architecture == "rram-snn")

        let array = try #require(e.energy(named: RRAMCrossbarCost.Component.arrayRead))
        #expect(array.value == read.readVoltage * read.readVoltage * sumG * read.readPulse)
        #expect(array.count == 1)

        // Driver energies as configured: one word-line pulse and four bit-line swings at V_read.
        let wordLine = 1 * (prices.wordLineCapacitance * prices.wordLineVoltage * prices.wordLineVoltage)
        let bitLines = 4 * (prices.bitLineCapacitance * read.readVoltage * read.readVoltage)
        #expect(e.energy(named: RRAMCrossbarCost.Component.wordLineDrivers)?.value == wordLine)
        #expect(e.energy(named: RRAMCrossbarCost.Component.bitLineCharge)?.value == bitLines)
        // No neuron spiked and static power is 0 by default: the total is exactly these three, summed in
        // the model's component order (the remaining components are +0, which is exact).
        #expect(e.totalEnergy == array.value + wordLine + bitLines)
        #expect(e.dynamicEnergy == e.totalEnergy)
        #expect(e.energy.allSatisfy { !$0.name.contains("ADC") && !$0.name.contains("DAC") })

        // Latency: (no input latency) + decision time + one layer × t_read, on both bases.
        #expect(e.totalLatency == 0 + 0.02 + 1 * read.readPulse)
        #expect(e.totalComputeLatency == e.totalLatency)
        // Area: 128 × 128 cells + 2 neurons + 1 periphery.
        #expect(
            close(
                e.totalArea, 16384 * prices.cellArea + 2 * prices.neuronArea + prices.tilePeripheryArea,
                rel: 1e-15))
    }

    @Test("neuron spikes cost the per-spike neuron energy; static power is reported apart")
    func rramNeuronAndStatic() throws {
        var prices = RRAMCrossbarPrices.default
        prices.staticPowerPerNeuron = 2e-9
        let a = activity(
            window: 0.05,
            layers: [
                population("input", size: 4, spikes: 0),
                population("hidden", size: 3, spikes: 7),
            ],
            tiles: [tile(layer: 1, usedRows: 4, usedCols: 6)])
        let e = RRAMCrossbarCost(prices: prices, read: .default).price(a)
        #expect(e.energy(named: RRAMCrossbarCost.Component.neuronSpikes)?.value == 7 * 3.6e-12)
        let stat = try #require(e.energy(named: RRAMCrossbarCost.Component.neuronStatic))
        #expect(stat.kind == .static)
        #expect(stat.value == 2e-9 * 3 * 0.05)
        #expect(e.dynamicEnergy == 7 * 3.6e-12)
        #expect(e.latency(named: RRAMCrossbarCost.Component.window)?.value == 0.05)  // no decision time
    }

    // MARK: Zero activity

    @Test("zero activity: RRAM dynamic energy is exactly 0, ADC-CIM pays steps × its per-step cost")
    func zeroActivity() {
        let a = idleActivity(steps: 100)
        let read = ReadConditions.default
        var rramPrices = RRAMCrossbarPrices.default
        rramPrices.staticPowerPerNeuron = 1e-9  // static energy must not leak into the dynamic total
        let rram = RRAMCrossbarCost(prices: rramPrices, read: read).price(a)
        #expect(rram.dynamicEnergy == 0)
        #expect(rram.staticEnergy > 0)
        #expect(rram.totalEnergy == rram.staticEnergy)  // zero activity costs exactly the static energy

        // The time-stepped SNN mode's event energies, per column, without the idle/leakage terms.
        var p = ADCCIMPrices.default.withoutOverheads
        p.conversionUnit = .column
        let adc = ADCCIMCost(prices: p, read: read).price(a)
        #expect(adc.totalEnergy > 0)
        // Per step, by hand (1 input bit): 10 row drives, the all-rows array read, 4 conversions and
        // 4 shift-adds, 2 neuron updates.
        let v = read.readVoltage, t = read.readPulse
        let perStep =
            10 * p.dacEnergyPerDrive + v * v * t * 1.7e-3 + 4 * p.adcEnergyPerConversion
            + 4 * p.shiftAddEnergy + 2 * p.neuronUpdateEnergy
        // The model sums steps × component, this sums components then × steps: same value up to a few ulps.
        #expect(close(adc.totalEnergy, 100 * perStep, rel: 1e-12))
        #expect(adc.dynamicEnergy == adc.totalEnergy)

        // Even reading only active rows, the conversions and neuron updates are still paid every step.
        var active = p
        active.arrayRead = .activeRows
        let adcActive = ADCCIMCost(prices: active, read: read).price(a)
        #expect(
            close(
                adcActive.totalEnergy,
                100
                    * (4 * p.adcEnergyPerConversion + 4 * p.shiftAddEnergy
                        + 2 * p.neuronUpdateEnergy),
                rel: 1e-12))
    }

    // MARK: ADC-CIM latency

    @Test("ADC-CIM latency scales linearly with the number of steps")
    func adcLatencyLinear() {
        let p = ADCCIMPrices(inputBits: 2, rowsPerDAC: 4, columnsPerADC: 8, conversionUnit: .column)
        let read = ReadConditions.default
        let model = ADCCIMCost(prices: p, read: read)
        // Compute basis (input buffered, no decision: every step).
        let l50 = model.price(idleActivity(steps: 50)).totalComputeLatency
        let l100 = model.price(idleActivity(steps: 100)).totalComputeLatency
        let l300 = model.price(idleActivity(steps: 300)).totalComputeLatency
        #expect(model.price(idleActivity(steps: 0)).totalComputeLatency == 0)
        #expect(model.price(idleActivity(steps: 0)).totalLatency == 0)
        #expect(l100 == 2 * l50)  // doubling is exact in binary floating point
        #expect(close(l300, 6 * l50, rel: 1e-15))
        // Per step: 2 bits × ⌈10 rows / 32 DACs⌉ groups × t_read + 2 bits × ⌈4 cols / 16 ADCs⌉ / f + 1 layer update.
        let perStep = 2 * 1 * read.readPulse + 2 * 1 / p.adcSampleRate + p.neuronUpdateLatency
        #expect(close(l100, 100 * perStep, rel: 1e-12))

        // Shared DACs serialize rows: 64 used rows with 4 rows per DAC (32 DACs) need 2 groups.
        let wide = activity(
            steps: 10, layers: [population("input", size: 64), population("output", size: 2)],
            tiles: [tile(layer: 1, usedRows: 64, usedCols: 4, conductanceTotal: 1e-3)])
        let dac = model.price(wide).computeLatency.first { $0.name == ADCCIMCost.Component.dacSerialization }?.value ?? 0
        #expect(close(dac, 10 * (2 * 2 * read.readPulse), rel: 1e-15))
    }

    // MARK: DYNAP

    @Test("DYNAP flags a fan-in beyond the 64 CAM words (784-input layer)")
    func dynapFanIn() {
        let a = activity(
            layers: [
                population("input", size: 784, spikes: 500),
                population("hidden", size: 100, spikes: 80, synapticEventsIn: 50_000),
                population("output", size: 10, spikes: 5, synapticEventsIn: 8_000),
            ],
            tiles: [])
        let e = DynapCost(prices: .default).price(a)
        #expect(e.architecture == "dynap")
        let fanIn = e.notes.filter { $0.contains("fan-in") }
        #expect(fanIn.count == 2)  // 784 > 64 and 100 > 64
        #expect(
            fanIn.contains {
                $0.contains("fan-in 784 > 64") && $0.contains("13 CAM banks")
                    && $0.contains("1200 extra neurons")
            })
        // Pulse extender per synaptic event.
        #expect(e.energy(named: DynapCost.Component.pulseExtender)?.count == 58_000)

        let small = activity(
            layers: [
                population("input", size: 50, spikes: 10),
                population("hidden", size: 20), population("output", size: 10),
            ], tiles: [])
        #expect(!DynapCost(prices: .default).price(small).notes.contains { $0.contains("fan-in") })
    }

    @Test("DYNAP hop counts follow the core placement")
    func dynapRouting() {
        // One neuron per core and one core per chip: hidden neurons on chips 0 and 1, the output neuron on
        // chip 2; a 2-wide mesh puts chip 0 at (0,0), chip 1 at (1,0), chip 2 at (0,1).
        let prices = DynapPrices(neuronsPerCore: 1, coresPerChip: 1, camWordsPerNeuron: 64)
        let a = activity(
            layers: [
                population("input", size: 2, spikes: 4),
                population("hidden", size: 2, spikes: 4, synapticEventsIn: 8, spikeCounts: [3, 1]),
                population("output", size: 1, spikes: 2, synapticEventsIn: 4),
            ],
            tiles: [], decisionTime: 0.01)
        let e = DynapCost(prices: prices).price(a)
        // Input (enters chip 0 via R3): 1 R3 in + 1 hop to chip 1; one R2 per destination chip; 2 broadcasts.
        // Hidden 0 (chip 0) → chip 2: R2 out + R2 in, 1 R3 hop. Hidden 1 (chip 1) → chip 2: R2 ×2, 2 R3 hops.
        let r2: Double = 4 * 2 + 3 * 2 + 1 * 2
        let r3: Double = 4 * 2 + 3 * 1 + 1 * 2
        let broadcasts: Double = 4 * 2 + 3 * 1 + 1 * 1
        #expect(e.energy(named: DynapCost.Component.r2)?.count == r2)
        #expect(e.energy(named: DynapCost.Component.r3)?.count == r3)
        #expect(e.energy(named: DynapCost.Component.broadcast)?.count == broadcasts)
        #expect(e.energy(named: DynapCost.Component.spikeGeneration)?.count == 6)  // input spikes are external
        #expect(e.area(named: DynapCost.Component.chips)?.count == 3)
        #expect(e.latency(named: DynapCost.Component.decisionTime)?.value == 0.01)
        #expect(e.totalLatency > 0.01)
    }

    // MARK: Decoding

    @Test("price lists decode any subset of keys, keep defaults and reject unknown keys")
    func decoding() throws {
        let decoder = JSONDecoder()
        #expect(try decoder.decode(PriceLists.self, from: Data("{}".utf8)) == .default)

        let json = """
            {"rram_snn": {"word_line_capacitance": 2e-13},
             "adc_cim": {"columns_per_adc": 16, "array_read": "active_rows"},
             "dynap": {"broadcast_energy": 5e-9, "cam_words_per_neuron": 128}}
            """
        let lists = try decoder.decode(PriceLists.self, from: Data(json.utf8))
        #expect(lists.rram.wordLineCapacitance == 2e-13)
        #expect(lists.rram.neuronEnergyPerSpike == RRAMCrossbarPrices.default.neuronEnergyPerSpike)
        #expect(lists.adcCIM.columnsPerADC == 16)
        #expect(lists.adcCIM.arrayRead == .activeRows)
        #expect(lists.adcCIM.adcEnergyPerConversion == 1.67e-12)
        #expect(lists.dynap.broadcastEnergy == 5e-9)
        #expect(lists.dynap.camWordsPerNeuron == 128)

        // Round trip through the encoder.
        let encoded = try JSONEncoder().encode(lists)
        #expect(try decoder.decode(PriceLists.self, from: encoded) == lists)

        // A typo is an error located at the key.
        do {
            _ = try decoder.decode(PriceLists.self, from: Data(#"{"rram_snn": {"word_line_capacitence": 1e-13}}"#.utf8))
            Issue.record("unknown key accepted")
        } catch let DecodingError.dataCorrupted(context) {
            #expect(context.codingPath.map(\.stringValue) == ["rram_snn", "word_line_capacitence"])
        }
        for bad in [
            #"{"dynap_se": {}}"#, #"{"adc_cim": {"input_bits": 0}}"#, #"{"dynap": {"broadcast_energy": -1}}"#,
            #"{"adc_cim": {"array_read": "some_rows"}}"#, #"{"rram_snn": {"cell_area": "big"}}"#,
        ] {
            #expect(throws: DecodingError.self) { try decoder.decode(PriceLists.self, from: Data(bad.utf8)) }
        }
    }

    @Test("the price lists build the five models")
    func models() {
        let names = PriceLists.default.models(read: .default).map(\.architecture)
        #expect(names == ["rram-snn", "dynap", "adc-cim", "adc-cim-ann", "loihi"])
    }
}
