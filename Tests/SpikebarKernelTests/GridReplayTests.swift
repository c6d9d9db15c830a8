import Foundation
import Testing
import SpikebarChip
import SpikebarCore
import SpikebarData
import SpikebarDevices
import SpikebarKernel
import SpikebarScenario
import SpikebarNeurons
import SpikebarTestSupport

/// Grid mode against a plain, dense stepping loop written here: same chip, same input, spike for spike.
@Suite struct GridReplayTests {
    /// The reference: per step, advance every neuron with the shared propagator (held at reset while
    /// refractory), add the input of the step, then layer by layer threshold, reset, and feed the
    /// spikes to the next layer (and, for a recurrent layer, to itself) — all synapses, dense.
    func reference(chip: Chip, input: SpikeList, steps: Int, dt: Double) -> [[(step: Int, neuron: Int)]] {
        referenceRun(chip: chip, input: input, steps: steps, dt: dt, probe: []).spikes
    }

    /// The reference run, also returning (V, I) of each `probe` (population, neuron) at the end of every step.
    func referenceRun(
        chip: Chip, input: SpikeList, steps: Int, dt: Double, probe: [(Int, Int)]
    )
        -> (spikes: [[(step: Int, neuron: Int)]], states: [[(v: Double, i: Double)]])
    {
        var states = [[(v: Double, i: Double)]](repeating: [], count: probe.count)
        let sizes = chip.populations.map(\.size)
        let L = sizes.count - 1
        let k = [[]] + chip.neurons.map { $0.map(NeuronConstants.init) }
        let prop = k.map { $0.map { StepPropagator($0, dt: dt) } }
        var v = sizes.map { [Double](repeating: 0, count: $0) }, I = v
        var ref = sizes.map { [Int](repeating: 0, count: $0) }
        var out = [[(step: Int, neuron: Int)]](repeating: [], count: sizes.count)
        let scale = chip.device.readVoltage * chip.device.readPulse
        let dtPs = Int64((dt * 1e12).rounded())
        func feed(_ from: Int, _ j: Int, recurrent: Bool, into l: Int) {
            for c in chip.connections where c.from == from && c.to == l && c.recurrent == recurrent {
                for i in 0..<c.outputs {
                    I[l][i] += scale * (c.gPlus[j * c.outputs + i] - c.gMinus[j * c.outputs + i]) * k[l][i].chargeToCurrent
                }
            }
        }
        for n in 0..<steps {
            if n > 0 {
                for l in 1...L {
                    for i in 0..<sizes[l] {
                        if ref[l][i] > 0 {
                            ref[l][i] -= 1; I[l][i] *= prop[l][i].alpha; v[l][i] = k[l][i].reset
                        } else {
                            prop[l][i].step(v: &v[l][i], i: &I[l][i])
                        }
                    }
                }
            }
            for (t, ch) in zip(input.times, input.channels) where Int(t / dtPs) == n {
                out[0].append((n, Int(ch)))
                feed(0, Int(ch), recurrent: false, into: 1)
            }
            for l in 1...L {
                var fired: [Int] = []
                for i in 0..<sizes[l] where v[l][i] >= k[l][i].threshold {
                    v[l][i] = k[l][i].reset
                    ref[l][i] = prop[l][i].refractorySteps
                    fired.append(i)
                }
                for i in fired {
                    out[l].append((n, i))
                    if l < L { feed(l, i, recurrent: false, into: l + 1) }
                    feed(l, i, recurrent: true, into: l)
                }
            }
            for (k, (l, i)) in probe.enumerated() { states[k].append((v[l][i], I[l][i])) }
        }
        return (out, states)
    }

    /// Grid mode advances and tests its neurons four at a time (`RunState+GridNeurons+Unsafe.swift`);
    /// every neuron's V and I must be the scalar step's bit for bit, at every step — including neurons in
    /// a layer's last, partial group of four (the output layer has 6) and through refractory periods.
    @Test(arguments: [false, true])
    func gridModeStatesEqualTheScalarStepBitForBit(recurrent: Bool) throws {
        let (chip, input) = try twoLayerTestChip(hidden: 24, out: 6, recurrent: recurrent)
        let dt = 1e-3, steps = 200
        let probed = [(1, 0), (1, 13), (1, 23), (2, 0), (2, 4), (2, 5)]
        let times = (0..<steps).map { SimTime(picoseconds: Int64($0) * Int64(1e9) + 1) }
        let options = RunOptions(
            window: 0.2, recordSpikes: true, probes: probed.map { Probe(population: $0.0, neuron: $0.1, times: times) })
        let r = EventKernel(chip: chip, timing: .grid(dt: dt)).run(input: input, options: options)
        let ref = referenceRun(chip: chip, input: input, steps: steps, dt: dt, probe: probed)
        #expect(chip.neurons.allSatisfy { $0.allSatisfy { $0.refractory > 0 } }, "the test needs refractory periods")
        for (k, (l, i)) in probed.enumerated() {
            #expect(r.probes[k].count == steps)
            let same = zip(r.probes[k], ref.states[k]).allSatisfy { a, b in a.v.bitPattern == b.v.bitPattern && a.i.bitPattern == b.i.bitPattern }
            #expect(same, "population \(l) neuron \(i): grid mode's state differs from the scalar step")
        }
        // Real activity in both layers, so that resets and refractory holds are exercised.
        #expect(r.spikes[1].count > 20 && r.spikes[2].count > 0)
    }

    @Test(arguments: [false, true])
    func gridModeEqualsDenseReference(recurrent: Bool) throws {
        let (chip, input) = try twoLayerTestChip(hidden: 24, out: 6, recurrent: recurrent)
        let dt = 1e-3
        let r = EventKernel(chip: chip, timing: .grid(dt: dt)).run(input: input, options: RunOptions(window: 0.2, recordSpikes: true))
        let ref = reference(chip: chip, input: input, steps: 200, dt: dt)
        let dtPs = Int64(1e9)
        for l in 0..<3 {
            let kernel = zip(r.spikes[l].times, r.spikes[l].channels).map { (Int($0 / dtPs), Int($1)) }
            #expect(kernel.count == ref[l].count, "population \(l): \(kernel.count) vs \(ref[l].count) spikes")
            let expected: [(Int, Int)] = ref[l].map { ($0.step, $0.neuron) }
            let same = kernel.count == expected.count && zip(kernel, expected).allSatisfy { a, b in a.0 == b.0 && a.1 == b.1 }
            #expect(same, "population \(l) differs")
        }
        #expect(r.spikes[1].count > 20)  // the test exercises real activity
        #expect(r.spikes[2].count > 0)
    }

    /// One inference on several threads (`RunOptions.deliveryThreads`, issue #19): the step's input rows
    /// are split in column blocks, the counting overlaps them; every spike, every probed V and I (to the
    /// bit) and every counter equal the one-thread run's. Grain 0 sends every step through the threads.
    @Test(arguments: [2, 3, 5])
    func deliveryThreadsGiveBitIdenticalRuns(threads: Int) throws {
        let (quick, input) = try twoLayerTestChip(hidden: 24, out: 6, recurrent: true)
        // Small tiles (8 × 8: 4 neurons per tile, 5 row blocks of the 40 inputs) so that a row spans
        // several tiles and the counting is split among the threads by tile.
        let yaml =
            tinyScenarioYAML(
                input: 40, layers: "[{name: hidden, size: 24, recurrent: true}, {name: out, size: 6}]",
                gain: 30, device: "programming_error: 2e-6, read_noise: 0", tauCV: 0.3) + "\ntiles: {rows: 8, cols: 8}\n"
        let s = try scenario(yaml).scenario
        let sizes = [40, 24, 6]
        let w = Chip.connectionPlan(network: s.network).enumerated().map { k, p in
            WeightMatrix.generated(inputs: sizes[p.from], outputs: sizes[p.to], mean: p.recurrent ? -0.05 : 0.25, std: 0.5, seed: 11, connection: k)
        }
        let chip = try Chip(scenario: s, weights: w)
        #expect(chip.tiles.count > quick.tiles.count && chip.tiles.count >= 2 * threads)
        let kernel = EventKernel(chip: chip, timing: .grid(dt: 1e-4))
        let times = stride(from: 0, to: 200, by: 7).map { SimTime(picoseconds: Int64($0) * 1_000_000_000) }
        var one = RunOptions(window: 0.2, recordSpikes: true, probes: [0, 5, 23].map { Probe(population: 1, neuron: $0, times: times) })
        one.deliveryThreads = 1
        var many = one
        many.deliveryThreads = threads
        many.deliveryGrain = 0
        let a = kernel.run(input: input, options: one), b = kernel.run(input: input, options: many)
        #expect(a.spikes == b.spikes)
        #expect(a.probes == b.probes)
        #expect(a.activity == b.activity)
        #expect(a.spikes[1].count > 20 && a.probes[0].contains { $0.i != 0 })  // real activity, currents probed
    }

    /// Exact mode converges to grid mode as dt → 0 (DESIGN §2): spike counts agree within a few percent at 10 µs.
    @Test func exactAndFineGridAgree() throws {
        let yaml = tinyScenarioYAML(
            input: 40, layers: "[{name: hidden, size: 24}, {name: out, size: 6}]",
            gain: 30, device: "programming_error: 2e-6, read_noise: 0", tauCV: 0.3)
        let s = try scenario(yaml).scenario
        let w = [
            WeightMatrix.generated(inputs: 40, outputs: 24, mean: 0.25, std: 0.5, seed: 11, connection: 0),
            WeightMatrix.generated(inputs: 24, outputs: 6, mean: 0.25, std: 0.5, seed: 11, connection: 1),
        ]
        let chip = try Chip(scenario: s, weights: w)
        // Inputs on the 10 µs grid, so both modes see identical input times.
        let raw = PoissonEncoder(maxRate: 150, window: 0.2, seed: 5).encode(Array(repeating: 1, count: 40), sample: 0)
        var input = SpikeList()
        for (t, c) in zip(raw.times, raw.channels) { input.append(time: t / 10_000_000 * 10_000_000, channel: c) }
        let exact = EventKernel(chip: chip, timing: .exact).run(input: input, options: RunOptions(window: 0.2, recordSpikes: true))
        let grid = EventKernel(chip: chip, timing: .grid(dt: 1e-5)).run(input: input, options: RunOptions(window: 0.2, recordSpikes: true))
        let e = exact.spikes[1].count, g = grid.spikes[1].count
        #expect(e > 20)
        #expect(abs(e - g) <= max(2, e / 20), "exact \(e) vs grid(10 µs) \(g) hidden spikes")
    }
}

@Suite struct KernelInvariantTests {
    @Test(arguments: [true, false])
    func invariantsHoldAfterARun(exact: Bool) throws {
        let yaml = tinyScenarioYAML(
            input: 40, layers: "[{name: hidden, size: 24, recurrent: true}, {name: out, size: 6}]",
            gain: 30, device: "programming_error: 2e-6, read_noise: 0.02", tauCV: 0.3)
        let s = try scenario(yaml).scenario
        let sizes = [40, 24, 6]
        let w = Chip.connectionPlan(network: s.network).enumerated().map { k, p in
            WeightMatrix.generated(inputs: sizes[p.from], outputs: sizes[p.to], mean: 0.2, std: 0.5, seed: 4, connection: k)
        }
        let chip = try Chip(scenario: s, weights: w)
        let input = PoissonEncoder(maxRate: 150, window: 0.1, seed: 5).encode(Array(repeating: 1, count: 40), sample: 0)
        let kernel = EventKernel(chip: chip, timing: exact ? .exact : .grid(dt: 1e-3))
        #expect(kernel.checkInvariants(input: input, options: RunOptions(window: 0.1)) == [])
        // Bad input is ignored, never a crash: negative times and channels beyond the input population.
        var bad = SpikeList()
        bad.append(time: -5, channel: 3); bad.append(time: 10, channel: 999); bad.append(time: 20, channel: -1)
        let r = kernel.run(input: bad, options: RunOptions(window: 0.1))
        #expect(r.activity.totalRowReads == 0)
    }
}
