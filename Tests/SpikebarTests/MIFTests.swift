import Foundation
import Testing
import SpikebarChip
import SpikebarCore
import SpikebarDevices
import SpikebarKernel
import SpikebarScenario
import SpikebarTwin
import SpikebarNeurons
import SpikebarTestSupport

/// The memristive integrate-and-fire neuron (Docs/mif-neurons.md): its physics against closed forms,
/// the twin's BPTT against finite differences, kernel vs twin, and the scenario keys.
@Suite struct MIFTests {
    /// Steps at which x₁ rises through the spike threshold, and V after every step, for a constant current.
    func simulate(_ k: MIFConstants, current: Double, steps: Int) -> (spikes: [Int], v: [Double]) {
        var s = k.rest, out: [Int] = [], v: [Double] = []
        for n in 0..<steps {
            let before = s.x1
            k.step(&s, current: current)
            if before < k.spikeThreshold && s.x1 >= k.spikeThreshold { out.append(n) }
            v.append(s.v)
        }
        return (out, v)
    }

    @Test func firesPeriodicallyAndChargesLikeTheCapacitorAlone() {
        // Negligible leak (OFF resistances 10¹⁵ Ω, rest still 0 V): between the trough of the
        // hyperpolarisation and the onset of the next spike the memristors carry almost no current, so
        // the membrane must charge as the capacitor alone: Δt = C·ΔV/I.
        var p = MIFParameters.default
        p.spike.rOff = 2e15; p.reset.rOff = 1e15
        let dt = 10e-6
        let k = MIFConstants(p, dt: dt)
        #expect(abs(k.rest.v) < 1e-12)
        var periods: [Double] = []
        for current in [0.5e-9, 1e-9, 2e-9] {
            let (spikes, v) = simulate(k, current: current, steps: 30_000)
            #expect(spikes.count >= 4)
            let isi = zip(spikes.dropFirst(), spikes).map { $0 - $1 }
            // Periodic: every interval after the first equal to one step.
            let steady = Array(isi.dropFirst())
            #expect((steady.max() ?? 0) - (steady.min() ?? 1) <= 1)
            periods.append(Double(steady[0]) * dt)
            // Charging phase of the third interval: from the trough to the onset of the upstroke (the
            // first step whose rise exceeds the input's own I·dt/C by 10 %: M1 starts to conduct).
            let window = spikes[1]..<spikes[2]
            let trough = window.min { v[$0] < v[$1] }!
            let ramp = current * dt / p.capacitance
            let onset = (trough + 1..<spikes[2]).first { v[$0] - v[$0 - 1] > 1.1 * ramp }!
            let measured = Double(onset - trough) * dt
            let charging = p.capacitance * (v[onset] - v[trough]) / current
            #expect(abs(measured - charging) < 0.05 * charging, "I = \(current): \(measured) s vs C·ΔV/I = \(charging) s")
            // The charging phase is most of the period at these currents.
            #expect(measured > 0.6 * Double(steady[0]) * dt)
        }
        // The rate grows with the current (roughly as I: the charging phase dominates).
        #expect(periods[0] > 1.6 * periods[1] && periods[1] > 1.6 * periods[2])
    }

    @Test func memristorRelaxesWithItsVolatilityTimeConstant() {
        // Both rails at 0 V and no input: V stays 0, so each x obeys a linear ODE with constant rates,
        // dx/dt = (α₀ − (α₀ + β₀)·x)/τ − x/τ_vol, whose solution is an exponential towards x∞.
        var p = MIFParameters.default
        p.spike.reversal = 0; p.reset.reversal = 0; p.spike.rOff = 1e9; p.reset.rOff = 1e9
        let vt = p.thermalVoltage
        func rates(_ m: MIFMemristor) -> (Double, Double) {
            (1 / (1 + exp(m.vOn / vt)), 1 - 1 / (1 + exp(-m.vOff / vt)))
        }
        for dt in [10e-6, 0.1e-6] {
            let k = MIFConstants(p, dt: dt)
            var s = MIFState(v: 0, x1: 0.9, x2: 0.7)
            let steps = Int((300e-6 / dt).rounded())
            for _ in 0..<steps { k.step(&s, current: 0) }
            #expect(s.v == 0)
            let t = Double(steps) * dt
            for (m, x0, x) in [(p.spike, 0.9, s.x1), (p.reset, 0.7, s.x2)] {
                let (a, b) = rates(m)
                let rate = (a + b) / m.tau + 1 / m.tauVolatile
                let xInf = a / m.tau / rate
                // Forward Euler: exactly the discrete geometric decay.
                let discrete = xInf + (x0 - xInf) * pow(1 - dt * rate, Double(steps))
                #expect(abs(x - discrete) < 1e-12)
                // And the closed form of the ODE as dt → 0 (within Euler's O(dt) error).
                let exact = xInf + (x0 - xInf) * exp(-rate * t)
                #expect(abs(x - exact) < (dt > 1e-6 ? 0.05 : 1e-3) * x0, "dt \(dt): \(x) vs \(exact)")
            }
        }
    }

    func tinyNetwork(floor: Double = 0, steps: Int = 300) throws -> (MIFNetwork, [[Double]], [Int]) {
        var p = MIFParameters.default
        p.signalFloor = floor
        p.alphaTau = 0.5e-3
        var rng = RandomStream(seed: 3, purpose: .training)
        let sizes = [6, 5, 3]
        let w = (0..<2).map { l in (0..<(sizes[l] * sizes[l + 1])).map { _ in 0.2 + 0.5 * rng.nextGaussian() } }
        let net = try MIFNetwork(
            sizes: sizes, weights: w, parameters: p, currentPerUnit: [8e-9, 30e-9],
            dt: 10e-6, steps: steps, readoutScale: 20)
        let x = (0..<3).map { _ in (0..<6).map { _ in rng.nextUniform() } }
        return (net, x, [0, 2, 1])
    }

    @Test func bpttGradientMatchesFiniteDifferences() throws {
        var (net, x, y) = try tinyNetwork()
        net.clipPerSample = false  // the exact gradient of the mean loss
        let r = net.infer(x, threads: 1)
        #expect(r.contains { $0.spikeCounts[0].reduce(0, +) > 0 }, "the hidden layer must spike for the check to mean anything")
        let g = net.gradient(x, labels: y, threads: 1)
        var checked = 0, worst = 0.0
        for l in 0..<2 {
            for i in stride(from: 0, to: net.weights[l].count, by: 3) {
                let h = 1e-6
                var a = net, b = net
                a.weights[l][i] += h; b.weights[l][i] -= h
                let fd = (a.gradient(x, labels: y, threads: 1).loss - b.gradient(x, labels: y, threads: 1).loss) / (2 * h)
                let an = g.gradients[l][i]
                let err = abs(fd - an) / max(1e-4, abs(fd) + abs(an))
                worst = max(worst, err)
                checked += 1
            }
        }
        #expect(checked >= 10)
        #expect(worst < 1e-3, "worst relative error \(worst)")
    }

    @Test func gradientIsDeterministicWhateverTheThreadCount() throws {
        let (net, x, y) = try tinyNetwork(floor: 0.01, steps: 100)
        let xs = Array(repeating: x, count: 4).flatMap { $0 }, ys = Array(repeating: y, count: 4).flatMap { $0 }
        let a = net.gradient(xs, labels: ys, threads: 1), b = net.gradient(xs, labels: ys, threads: 3)
        #expect(a.loss == b.loss && a.gradients == b.gradients)
    }

    static let yaml = """
        seed: 5
        network: {input: 16, layers: [{name: hidden, size: 8}, {name: output, size: 4}]}
        neurons: {model: mif, gains: [0.3, 0.5], alpha_tau: 0.5e-3}
        device: {levels: 16, g_min: 10e-6, g_max: 100e-6, programming_error: 1e-6, read_voltage: 0.1, read_pulse: 100e-9, read_noise: 0}
        tiles: {rows: 8, cols: 8}
        weights: {source: generated, target_rate: 0}
        input: {source: uniform, max_rate: 0, window: 3e-3, samples: 1}
        simulation: {timing: grid, dt: 10e-6}
        """

    @Test func kernelAndTwinAgreeOnSpikesForTheSameChip() throws {
        let loaded = try scenario(Self.yaml)
        let s = loaded.scenario
        let m = try #require(s.mif)
        var rng = RandomStream(seed: 11, purpose: .weights)
        let w = [
            WeightMatrix(inputs: 16, outputs: 8, values: (0..<128).map { _ in Float(0.3 + 0.4 * rng.nextGaussian()).clamped }),
            WeightMatrix(inputs: 8, outputs: 4, values: (0..<32).map { _ in Float(0.3 + 0.4 * rng.nextGaussian()).clamped }),
        ]
        let chip = try Chip(spec: s.chipSpec, weights: w)
        let c = MIFNetwork.currentPerUnit(parameters: m, readVoltage: 0.1, conductanceWindow: 90e-6, readPulse: 100e-9, dt: 10e-6)
        let kernel = try MIFGridKernel(chip: chip, parameters: m, currentPerUnit: c, dt: 10e-6, steps: 300, readoutScale: 10)
        let span = chip.device.gMax - chip.device.gMin
        let twin = try MIFNetwork(
            sizes: [16, 8, 4], weights: chip.connections.map { c in zip(c.gPlus, c.gMinus).map { ($0 - $1) / span } },
            parameters: m, currentPerUnit: c, dt: 10e-6, steps: 300, readoutScale: 10)
        let inputs = (0..<4).map { _ in (0..<16).map { _ in rng.nextUniform() < 0.5 ? 0 : rng.nextUniform() } }
        let t = twin.infer(inputs, threads: 1)
        var outputSpikes = 0
        for (x, tr) in zip(inputs, t) {
            let k = kernel.run(x)
            #expect(k.logits == tr.logits)
            #expect(k.spikeCounts == tr.spikeCounts)
            #expect(k.outputSpikes.map { MIFSpike(step: $0.step, neuron: $0.neuron) } == tr.outputSpikes)
            outputSpikes += tr.outputSpikes.count
            // The kernel books the reads it made: every active pixel row on every step with a drive.
            let tilesPerRow = chip.connections[0].rowTiles[0].count
            #expect(k.activity.tiles.filter { $0.layer == 1 }.reduce(0) { $0 + $1.rowReads } == x.filter { $0 != 0 }.count * 299 * tilesPerRow)
            #expect(k.neuronEnergy > 0)
        }
        #expect(outputSpikes > 0, "the check needs output spikes")
    }

    /// Closed form: a silent MIF neuron sits at rest with both memristors OFF, the two rails in series
    /// through R_off1 + R_off2, so it dissipates P_rest = (E₁ − E₂)²/(R_off1 + R_off2) (0.75 nW with the
    /// defaults). The kernel's neuron energy for an all-zero input is N·T·dt·P_rest, to the small shift
    /// of the devices' resting state x ≈ α/(α + β + τ/τ_vol) (≪ 1 %).
    @Test func silentNetworkDissipatesTheRestingPowerInClosedForm() throws {
        let s = try scenario(Self.yaml).scenario
        let m = try #require(s.mif)
        let w = [
            WeightMatrix(inputs: 16, outputs: 8, values: [Float](repeating: 0.5, count: 128)),
            WeightMatrix(inputs: 8, outputs: 4, values: [Float](repeating: 0.5, count: 32)),
        ]
        let chip = try Chip(spec: s.chipSpec, weights: w)
        let c = MIFNetwork.currentPerUnit(parameters: m, readVoltage: 0.1, conductanceWindow: 90e-6, readPulse: 100e-9, dt: 10e-6)
        let steps = 300
        let kernel = try MIFGridKernel(chip: chip, parameters: m, currentPerUnit: c, dt: 10e-6, steps: steps, readoutScale: 10)
        let r = kernel.run([Double](repeating: 0, count: 16))
        #expect(r.spikeCounts.allSatisfy { $0.allSatisfy { $0 == 0 } })
        let restPower = pow(m.spike.reversal - m.reset.reversal, 2) / (m.spike.rOff + m.reset.rOff)
        let expected = Double(8 + 4) * Double(steps) * 10e-6 * restPower
        #expect(abs(r.neuronEnergy - expected) <= 0.01 * expected, "\(r.neuronEnergy) J vs closed form \(expected) J")
        // A driven network dissipates more than at rest.
        let driven = kernel.run([Double](repeating: 1, count: 16))
        #expect(driven.neuronEnergy > 1.01 * expected)
    }

    @Test func scenarioKeysDecodeAndBadValuesAreRejected() throws {
        let s = try scenario(Self.yaml).scenario
        #expect(s.mif?.gains == [0.3, 0.5])
        #expect(s.mif?.capacitance == MIFParameters.default.capacitance)
        #expect(abs(MIFParameters.default.restingPotential) < 1e-12)
        let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Scenarios/mif-mnist.yaml")
            .standardizedFileURL.path
        let mnist = try ScenarioLoader.load(path: shipped, requireWeightsFile: false).scenario
        #expect(mnist.mif != nil && mnist.network.layers.map(\.size) == [100, 10] && mnist.simulation.dt == 10e-6 && mnist.input.window == 10e-3)
        func rejects(_ yaml: String, _ fragment: String) {
            do { _ = try scenario(yaml); Issue.record("accepted: \(fragment)") } catch {
                #expect("\(error)".contains(fragment), "\(error)")
            }
        }
        rejects(Self.yaml.replacingOccurrences(of: "gains: [0.3, 0.5]", with: "gains: [0.3]"), "gains")
        rejects(Self.yaml.replacingOccurrences(of: "alpha_tau: 0.5e-3", with: "alpha_tau: 0.5e-3, spike_memristor: {r_on: 1e9, r_off: 1e6}"), "r_off")
        rejects(Self.yaml.replacingOccurrences(of: "alpha_tau: 0.5e-3", with: "alpha_tau: 0.5e-3, spike_memristor: {ron: 1e6}"), "ron")
        rejects(Self.yaml.replacingOccurrences(of: "model: mif, gains: [0.3, 0.5], alpha_tau: 0.5e-3", with: "model: izhikevich"), "izhikevich")
        rejects(Self.yaml.replacingOccurrences(of: "model: mif,", with: "model: mif, tau_mem: 1e-3,"), "tau_mem")
        // `model: lif` names the default neuron explicitly.
        #expect(try scenario(tinyScenarioYAML(extraNeurons: ", model: lif")).scenario.mif == nil)
    }
}

@Suite struct MIFCLITests {
    @Test func runWithoutTrainedWeightsIsAClearError() throws {
        let path = NSTemporaryDirectory() + "mif-cli-\(getpid()).yaml"
        try MIFTests.yaml.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try runCLI(["run", path])
        #expect(r.status != 0)
        #expect(r.stderr.contains("weights.file") && r.stderr.contains("spikebar train"), "\(r.stderr)")
        try (MIFTests.yaml + "\ntraining: {dataset: mnist}\n").write(toFile: path, atomically: true, encoding: .utf8)
        let t = try runCLI(["train", path, "--resume", "--out", NSTemporaryDirectory() + "mif-cli-none-\(getpid())"])
        // The MIF trainer is for MNIST: a 16-input network is refused with the reason.
        #expect(t.status != 0 && t.stderr.contains("784"), "\(t.stderr)")
    }
}

private extension Float {
    var clamped: Float { Swift.max(-1, Swift.min(1, self)) }
}
