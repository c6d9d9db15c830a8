import Foundation
import Testing
import SpikebarActivity
import SpikebarChip
import SpikebarCore
import SpikebarCost
import SpikebarDevices
import SpikebarKernel
import SpikebarScenario
import SpikebarTestSupport

/// The kernel's exact integration against the closed-form solution of the DPI + LIF equations.
@Suite struct NeuronAnalyticTests {
    /// One neuron, one input spike at t₀: I jumps by ΔI = gain·ΔQ/τ_syn with ΔQ = V_read·t_read·(G⁺ − G⁻),
    /// then V(t) = R·ΔI·τ_s/(τ_s − τ_m)·(e^{−(t−t₀)/τ_s} − e^{−(t−t₀)/τ_m}) until it reaches θ.
    @Test func singleInputSpikeMatchesClosedForm() throws {
        let gain = 20.0  // one spike: the current left after the refractory period cannot reach θ again
        let loaded = try scenario(tinyScenarioYAML(gain: gain))
        let chip = try Chip(scenario: loaded.scenario, weights: [WeightMatrix(inputs: 1, outputs: 1, values: [1])])
        let gPlus = chip.connections[0].gPlus[0], gMinus = chip.connections[0].gMinus[0]
        #expect(gPlus == 100e-6 && gMinus == 10e-6)  // no programming error: exactly the level targets

        let tauS = 5e-3, tauM = 20e-3, R = 2e9, theta = 1.0
        let t0 = 1e-3
        let dI = gain * (0.1 * 100e-9 * (gPlus - gMinus)) / tauS
        func V(_ t: Double) -> Double {
            let s = t - t0
            return s < 0 ? 0 : R * dI * tauS / (tauS - tauM) * (exp(-s / tauS) - exp(-s / tauM))
        }
        // Reference crossing by bisection on the closed form, to 1e-16 s.
        var lo = t0, hi = t0 + tauS * log(tauM / tauS) * tauM / (tauM - tauS)  // t of the peak
        #expect(V(hi) > theta)
        for _ in 0..<200 { let mid = (lo + hi) / 2; if V(mid) >= theta { hi = mid } else { lo = mid } }
        let tSpike = hi

        var input = SpikeList()
        input.append(time: Int64((t0 * 1e12).rounded()), channel: 0)
        let probeTimes = stride(from: 0.5e-3, to: 2.9e-3, by: 0.1e-3).map { SimTime.nearest(seconds: $0) }
        let kernel = EventKernel(chip: chip, timing: .exact)
        let result = kernel.run(
            input: input,
            options: RunOptions(
                window: 0.05, recordSpikes: true,
                probes: [Probe(population: 1, neuron: 0, times: probeTimes)]))
        let out = result.spikes[1]
        #expect(out.count == 1)
        let measured = Double(out.times[0]) * 1e-12
        #expect(abs(measured - tSpike) / tSpike < 1e-9, "spike at \(measured) s, closed form \(tSpike) s")
        #expect(abs(measured - tSpike) / (tSpike - t0) < 1e-9)
        // Membrane trajectory before the spike.
        for s in result.probes[0] where s.time.seconds < tSpike {
            let expected = V(s.time.seconds)
            if expected == 0 {
                #expect(s.v == 0)
            } else {
                #expect(abs(s.v - expected) / abs(expected) < 1e-9, "V(\(s.time.seconds)) = \(s.v), closed form \(expected)")
            }
        }
        #expect(result.activity.totalRowReads == 1)
    }

    /// During the refractory period V stays at reset; afterwards it follows the closed form from reset
    /// with the decayed synaptic current.
    @Test func refractoryHoldThenClosedForm() throws {
        let loaded = try scenario(tinyScenarioYAML(gain: 400))
        let chip = try Chip(scenario: loaded.scenario, weights: [WeightMatrix(inputs: 1, outputs: 1, values: [1])])
        var input = SpikeList()
        input.append(time: 0, channel: 0)
        let kernel = EventKernel(chip: chip, timing: .exact)
        let r = kernel.run(input: input, options: RunOptions(window: 0.05, recordSpikes: true))
        let spikes = r.spikes[1].times.map { Double($0) * 1e-12 }
        #expect(spikes.count >= 2)
        // Consecutive spikes are at least one refractory period apart.
        for (a, b) in zip(spikes, spikes.dropFirst()) { #expect(b - a >= 2e-3 - 1e-12) }
        let probe = Probe(population: 1, neuron: 0, times: [SimTime.nearest(seconds: spikes[0] + 1e-3)])
        let p = kernel.run(input: input, options: RunOptions(window: 0.05, probes: [probe]))
        #expect(p.probes[0].first?.v == 0)
    }

    @Test func noInputNoSpikeNoReadNoDynamicEnergy() throws {
        let loaded = try scenario(tinyScenarioYAML(input: 16, layers: "[{name: hidden, size: 8}, {name: out, size: 4}]", gain: 10))
        let s = loaded.scenario
        let w = Chip.connectionPlan(network: s.network).enumerated().map { k, p in
            WeightMatrix.generated(inputs: p.from == 0 ? 16 : 8, outputs: p.to == 1 ? 8 : 4, mean: 0.5, std: 0.2, seed: 1, connection: k)
        }
        let chip = try Chip(scenario: s, weights: w)
        for timing in [Timing.exact, .grid(dt: 1e-3)] {
            let r = EventKernel(chip: chip, timing: timing).run(input: SpikeList(), options: RunOptions(window: 0.05))
            #expect(r.activity.totalSpikes == 0)
            #expect(r.activity.totalRowReads == 0)
            let read = ReadConditions(readVoltage: 0.1, readPulse: 100e-9)
            let rram = RRAMCrossbarCost(prices: .default, read: read).price(r.activity)
            #expect(rram.dynamicEnergy == 0)
            let adc = ADCCIMCost(prices: .default, read: read).price(r.activity)
            #expect(adc.totalEnergy > 0)
            #expect(r.activity.steps == 50)
        }
    }

    /// One row read costs `V_read² · ΣG · t_read` in the array, plus the driver energies of the price list.
    @Test func oneRowReadEnergy() throws {
        let loaded = try scenario(tinyScenarioYAML(input: 3, layers: "[{name: out, size: 5}]", device: "programming_error: 3e-6, read_noise: 0"))
        let w = WeightMatrix.generated(inputs: 3, outputs: 5, mean: 0, std: 0.7, seed: 3, connection: 0)
        let chip = try Chip(scenario: loaded.scenario, weights: [w])
        var input = SpikeList()
        input.append(time: 1_000_000, channel: 1)
        let r = EventKernel(chip: chip, timing: .exact).run(input: input, options: RunOptions(window: 0.01))
        #expect(r.activity.totalRowReads == 1)
        // ΣG over the read row: every cell of row 1 (both polarities), summed in column order.
        let c = chip.connections[0]
        var sumG = 0.0
        for i in 0..<5 { sumG += c.gPlus[5 + i]; sumG += c.gMinus[5 + i] }
        let v = 0.1, t = 100e-9
        let prices = RRAMCrossbarPrices.default
        let est = RRAMCrossbarCost(prices: prices, read: ReadConditions(readVoltage: v, readPulse: t)).price(r.activity)
        let array = try #require(est.energy(named: RRAMCrossbarCost.Component.arrayRead))
        #expect(array.value == v * v * sumG * t)
        let wl = try #require(est.energy(named: RRAMCrossbarCost.Component.wordLineDrivers)).value
        let bl = try #require(est.energy(named: RRAMCrossbarCost.Component.bitLineCharge)).value
        #expect(wl == prices.wordLineCapacitance * prices.wordLineVoltage * prices.wordLineVoltage)
        #expect(bl == 10 * prices.bitLineCapacitance * v * v)
        let neuronEnergy = est.energy.filter {
            ![
                RRAMCrossbarCost.Component.arrayRead, RRAMCrossbarCost.Component.wordLineDrivers,
                RRAMCrossbarCost.Component.bitLineCharge,
            ].contains($0.name)
        }
        #expect(est.dynamicEnergy == est.energy.filter { $0.kind == .dynamic }.reduce(0) { $0 + $1.value })
        #expect(abs(est.totalEnergy - (v * v * sumG * t + wl + bl + neuronEnergy.reduce(0) { $0 + $1.value })) <= 1e-15 * est.totalEnergy)
    }
}
