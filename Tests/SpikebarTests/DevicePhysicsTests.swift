import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import SpikebarCost
import SpikebarChip
import SpikebarCore
import SpikebarDevices
import SpikebarExperiments
import SpikebarKernel
import SpikebarPipeline
import SpikebarScenario
import SpikebarTwin
import SpikebarNeurons
import SpikebarTestSupport

/// Issue #8: multi-level RRAM over time, device tables, faults, sweeps, nonlinear updates.
@Suite struct DevicePhysicsTests {
    // MARK: Nonlinear updates

    /// The Mo/TiOₓ device of the issue: PANL 0.32, DANL 0.45, ANL 0.77 from its exponential model, N = 94.
    @Test func moTiOxNonlinearityMatchesPublishedMetrics() {
        let (panl, danl, anl) = NonlinearityMetrics.of(.moTiOx, pulses: 94)
        #expect(abs(panl - 0.32) < 0.005)
        #expect(abs(danl - 0.45) < 0.005)
        #expect(abs(anl - 0.77) < 0.005)
        // Single pulses follow the curves: 47 potentiation pulses from G_LTP(0) land on G_LTP(47).
        let m = NonlinearUpdateModel.moTiOx
        var g = m.potentiation(0)
        for _ in 0..<47 { g = m.potentiate(from: g) }
        #expect(abs(g - m.potentiation(47)) < 1e-15)
        var d = m.depression(2)
        for _ in 0..<3 { d = m.depress(from: d) }
        #expect(abs(d - m.depression(5)) < 1e-15)
        var rng = RandomStream(seed: 1, purpose: .programming)
        let v = m.sampled(cv: 0.1, using: &rng)
        #expect(v != m && v.gMax > v.gMin)
    }

    // MARK: Read noise

    /// The model's reads reproduce its parameters at every level of the HfO₂ table: mean, std, and the
    /// RTN jump histogram (jumps up / down / none between consecutive reads), within sampling error.
    @Test func readNoiseStatisticsMatchParameters() {
        let device = {
            var d = RRAMDevice.default; d.physics = DevicePhysics(); return d
        }()
        guard let table = device.levelStatistics else { Issue.record("no table"); return }
        #expect(table.count == 8)
        for (k, level) in table.enumerated() {
            let model = ReadNoiseModel(level: level)
            let g = level.conductance
            // Far-apart reads (50 ms ≫ τ): nearly independent, so the mean's standard error is std/√n.
            var rng = RandomStream(seed: 3, purpose: .readNoise, index: UInt64(k))
            let n = 20_000
            let (values, _) = model.reads(conductance: g, count: n, interval: 0.05, using: &rng)
            let mean = values.reduce(0, +) / Double(n)
            let sd = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n - 1)).squareRoot()
            let expected = model.std(conductance: g)
            #expect(abs(mean - g) < 5 * expected / Double(n).squareRoot(), "level \(k) mean")
            #expect(abs(sd / expected - 1) < 0.05, "level \(k) std")
            // Close reads (1 ms): the jump histogram follows the Markov chain.
            let dt = 1e-3
            let (close, states) = model.reads(conductance: g, count: n, interval: dt, using: &rng)
            var ups = 0, downs = 0
            for i in 1..<n where states[i] != states[i - 1] { if states[i] == 1 { ups += 1 } else { downs += 1 } }
            let p = level.rtnOccupancy
            let pUp = (1 - p) * model.switchProbability(fromUp: false, interval: dt)
            let pDown = p * model.switchProbability(fromUp: true, interval: dt)
            let m = Double(n - 1)
            for (count, prob) in [(ups, pUp), (downs, pDown), (n - 1 - ups - downs, 1 - pUp - pDown)] {
                #expect(abs(Double(count) - m * prob) < 6 * (m * prob * (1 - prob)).squareRoot() + 3, "level \(k) jumps")
            }
            // A jump moves the read by ΔG on average (the 1/f part is zero-mean).
            var jumpSum = 0.0, jumps = 0
            for i in 1..<n where states[i] == 1 && states[i - 1] == 0 { jumpSum += close[i] - close[i - 1]; jumps += 1 }
            if jumps > 100 {
                let jump = jumpSum / Double(jumps)
                #expect(abs(jump - level.rtnAmplitude) < 6 * level.flickerNoise * g * 1.5 / Double(jumps).squareRoot(), "level \(k) jump size")
            }
        }
        // Relative 1/f noise and RTN amplitude fall as the conductance rises.
        #expect(table[0].flickerNoise > table[7].flickerNoise)
        #expect(table[0].rtnAmplitude / table[0].conductance > table[7].rtnAmplitude / table[7].conductance)
    }

    // MARK: Time since programming

    @Test func driftLowersLowLevelsAndBroadens() {
        let device = {
            var d = RRAMDevice.default; d.physics = DevicePhysics(); return d
        }()
        let table = device.levelStatistics!
        let time = DeviceTimeModel()
        let day = 86_400.0
        let low0 = time.distribution(table[0], programmedStd: 1e-6, at: 0)
        let lowDay = time.distribution(table[0], programmedStd: 1e-6, at: day)
        let topDay = time.distribution(table[7], programmedStd: 1e-6, at: day)
        #expect(low0.mean == table[0].conductance && low0.std == 1e-6)
        #expect(lowDay.mean < low0.mean)
        #expect(abs(topDay.mean - table[7].conductance) < 1e-12)
        #expect(lowDay.std > low0.std)
        // Relaxation is complete within milliseconds: 5 ms and 5 s differ only by drift.
        #expect(time.relaxed(at: 5e-3) > 0.99)
        #expect(time.relaxed(at: 1e-4) < 0.1)
    }

    static func physicsYAML(time: String = "0", faults: String = "", extra: String = "") -> String {
        tinyScenarioYAML(
            input: 32, layers: "[{name: out, size: 16}]",
            device: "programming_error: 2e-6, read_noise: 0, physics: {model: hfo2\(extra)}, time_since_programming: \(time)\(faults)")
    }

    @Test func chipConductancesFollowTimeSinceProgramming() throws {
        let s0 = try scenario(Self.physicsYAML()).scenario
        let sDay = try scenario(Self.physicsYAML(time: "1 d")).scenario
        #expect(sDay.device.timeSinceProgramming == 86_400)
        let w = [WeightMatrix(inputs: 32, outputs: 16, values: (0..<512).map { Float(($0 % 15) - 7) / 7 })]
        let a = try Chip(scenario: s0, weights: w), b = try Chip(scenario: sDay, weights: w)
        // Level-0 cells: their mean falls after a day.
        func meanLevel0(_ c: Chip) -> Double {
            let x = zip(c.connections[0].gMinus, c.connections[0].levelMinus).filter { $0.1 == 0 }.map(\.0)
            return x.reduce(0, +) / Double(x.count)
        }
        #expect(meanLevel0(b) < meanLevel0(a))
        // Write-verify: every cell within tolerance at t = 0, pulses and energy counted.
        let wv = WriteVerify()
        let t = s0.device.levelStatistics!
        for (g, l) in zip(a.connections[0].gPlus, a.connections[0].levelPlus) {
            #expect(abs(g - t[Int(l)].conductance) <= wv.tolerance || a.programming.failures > 0)
        }
        #expect(a.programming.pulses >= 2 * 512)
        #expect(abs(a.programming.energy - Double(a.programming.pulses) * wv.pulseEnergy) < 1e-18)
        // The same chip sample read later is the same chip (deterministic).
        let b2 = try Chip(scenario: sDay, weights: w)
        #expect(b.connections[0].gPlus == b2.connections[0].gPlus)
        // The kernel reads them with level-dependent noise + RTN: deterministic per seed, noise on.
        let k = EventKernel(chip: b, timing: .grid(dt: 1e-3), readNoise: true)
        #expect(k.readNoise)
        var spikes = SpikeList()
        for i in 0..<32 { spikes.append(time: Int64(i) * 1_000_000_000, channel: Int32(i)) }
        let opts = RunOptions(window: 0.05, sample: 0, seed: 7, recordSpikes: false, reportingStep: 1e-3)
        #expect(k.run(input: spikes, options: opts).activity.outputSpikeCounts == k.run(input: spikes, options: opts).activity.outputSpikeCounts)
        let e = EventKernel(chip: b, timing: .exact, readNoise: true)
        #expect(e.run(input: spikes, options: opts).activity.totalRowReads > 0)
    }

    @Test func scenarioKeysAreStrict() throws {
        #expect(throws: SpikebarError.self) { try scenario(tinyScenarioYAML(device: "time_since_programming: 1h")) }
        #expect(throws: SpikebarError.self) { try scenario(Self.physicsYAML(time: "soon")) }
        #expect(throws: SpikebarError.self) { try scenario(Self.physicsYAML(extra: ", drift_onsett: 1")) }
        #expect(throws: SpikebarError.self) { try scenario(Self.physicsYAML(faults: ", faults: {bit_error_rate: 2}")) }
        let s = try scenario(Self.physicsYAML(time: "5s", extra: ", write_verify: {tolerance: 2e-6, max_pulses: 5}")).scenario
        #expect(s.device.timeSinceProgramming == 5)
        #expect(s.device.physics?.writeVerify?.maxPulses == 5)
        #expect(parseDuration("1h") == 3600 && parseDuration("10 ms") == 0.01 && parseDuration("-1") == nil)
    }

    // MARK: Device CSV

    static let goodCSV = """
        # my device, 4 levels
        level,g_mean,g_std,relax_std,drift_per_decade,spread_per_decade,flicker,rtn_amplitude,rtn_tau_up,rtn_tau_down
        0,5e-6,1e-6,1e-6,0.03,0.5e-6,0.03,0.2e-6,2e-3,5e-3
        1,20e-6,1e-6,1e-6,0.02,0.5e-6,0.02,0.3e-6,2e-3,5e-3
        2,35e-6,1e-6,1e-6,0.01,0.5e-6,0.015,0.3e-6,2e-3,5e-3
        3,50e-6,1e-6,1e-6,0.0,0.5e-6,0.01,0.4e-6,2e-3,5e-3
        """

    @Test func deviceCSVParsesAndRejectsBadTables() throws {
        let t = try DeviceTable.parse(Self.goodCSV, path: "dev.csv")
        #expect(t.count == 4 && t[3].conductance == 50e-6 && t[1].rtnTauDown == 5e-3)
        #expect(try DeviceTable.parse(DeviceTable.csv(t), path: "x") == t)
        func error(_ replace: String, _ with: String) -> String {
            do { _ = try DeviceTable.parse(Self.goodCSV.replacingOccurrences(of: replace, with: with), path: "dev.csv"); return "" } catch {
                return "\(error)"
            }
        }
        #expect(error("2,35e-6", "4,35e-6").contains("dev.csv:"))  // missing level 2
        #expect(error("2,35e-6", "4,35e-6").contains("level 2 is missing"))
        #expect(error("1,20e-6", "1,-20e-6").hasPrefix("dev.csv:4:"))  // negative conductance
        #expect(error("2,35e-6", "2,15e-6").hasPrefix("dev.csv:5:"))  // not monotonic
        #expect(error("3,50e-6,1e-6", "3,50e-6,1x-6").hasPrefix("dev.csv:6:"))  // malformed number
        #expect(error("3,50e-6,1e-6,1e-6", "1,50e-6,1e-6,1e-6").hasPrefix("dev.csv:6:"))  // repeated level
    }

    @Test func scenarioLoadsADeviceTable() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spikebar-devtable-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try Data(Self.goodCSV.utf8).write(to: dir.appendingPathComponent("dev.csv"))
        let yaml = tinyScenarioYAML(
            input: 8, layers: "[{name: out, size: 4}]", device: "read_noise: 0, physics: {table: dev.csv}, time_since_programming: 1h")
        let s = try ScenarioLoader.load(text: yaml, path: dir.appendingPathComponent("s.yaml").path).scenario
        #expect(s.device.levels == 4 && s.device.gMin == 5e-6 && s.device.gMax == 50e-6)
        #expect(s.device.conductance(level: 1) == 20e-6)
        let bad = yaml.replacingOccurrences(of: "dev.csv", with: "nope.csv")
        #expect(throws: SpikebarError.self) { try ScenarioLoader.load(text: bad, path: dir.appendingPathComponent("s.yaml").path) }
    }

    // MARK: Faults

    @Test func stuckCellsFollowTheBitErrorRateAndSplit() throws {
        let s = try scenario(
            tinyScenarioYAML(
                input: 64, layers: "[{name: out, size: 64}]",
                device: "programming_error: 0, read_noise: 0, faults: {bit_error_rate: 0.1, high_fraction: 0.25}")
        ).scenario
        let w = [WeightMatrix(inputs: 64, outputs: 64, values: [Float](repeating: 0.5, count: 4096))]
        let chip = try Chip(scenario: s, weights: w)
        let f = chip.stuckFraction
        #expect(abs(f - 0.1) < 5 * (0.1 * 0.9 / 8192).squareRoot())
        var high = 0, stuck = 0
        for code in chip.connections[0].stuck {
            if code & 1 != 0 { stuck += 1; if code & 2 != 0 { high += 1 } }
            if code & 4 != 0 { stuck += 1; if code & 8 != 0 { high += 1 } }
        }
        #expect(abs(Double(high) / Double(stuck) - 0.25) < 0.06)
        // Fixed per chip sample; another sample differs.
        #expect(try Chip(scenario: s, weights: w).connections[0].stuck == chip.connections[0].stuck)
        #expect(try Chip(scenario: s, weights: w, chipSample: 1).connections[0].stuck != chip.connections[0].stuck)
        // Fault-aware calibration: the stuck map is applied and masks the gradients.
        var cal = WeightCalibration(spec: s.training?.calibration ?? CalibrationSpec.default, device: s.device, seed: 1)
        cal.stuckMap = chip.stuckMap
        let (eff, mask) = cal.effective([w[0].values.map(Double.init)], batch: 0)
        let q = cal.quantized([w[0].values.map(Double.init)])
        for k in 0..<4096 where chip.connections[0].stuck[k] != 0 {
            #expect(mask?[0][k] == 0)
            let c = chip.connections[0]
            let expected = s.device.weight(levelPlus: Int(c.levelPlus[k]), levelMinus: Int(c.levelMinus[k]))
            #expect(abs(q[0][k] - expected) < 1e-12)
            _ = eff
        }
    }

    // MARK: Sweep

    @Test func sweepIsDeterministicAndRefusesBadPointsUpFront() throws {
        let yaml = tinyScenarioYAML(
            input: 16, layers: "[{name: hidden, size: 8}, {name: out, size: 2}]", gain: 20,
            device: "programming_error: 2e-6, read_noise: 0.01, physics: {model: hfo2}"
        )
        .replacingOccurrences(
            of: "input: {source: uniform, max_rate: 0, window: 0.05, samples: 1}",
            with: "input: {source: two_moons, max_rate: 200, window: 0.03, samples: 6}"
        )
        .replacingOccurrences(
            of: "weights: {source: generated, target_rate: 0}", with: "weights: {source: generated, mean: 0.2, std: 0.5, target_rate: 0}")
        let path = try freshTemporaryDirectory("sweep-unit").appendingPathComponent("s.yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        let spec = try SweepSpec(sets: ["device.faults.bit_error_rate=0,0.05"], zip: false)
        let work = try SweepWork(path: path, spec: spec, chips: 2, samples: nil, threads: 1)
        let a = DeviceSweep.run(work: work, scenario: "s", seed: 1, threads: 1)
        let b = DeviceSweep.run(work: work, scenario: "s", seed: 1, threads: 2)
        #expect(a.points.count == 2 && a.points.allSatisfy { $0.error == nil })
        #expect(a.points.map(\.accuracies) == b.points.map(\.accuracies))
        #expect(a.points.map(\.meanEnergy) == b.points.map(\.meanEnergy))
        #expect(a.points.map(\.architectures) == b.points.map(\.architectures))
        #expect(a.points[1].stuckFraction! > 0.03)
        // One row per point and architecture, plus the header.
        #expect(a.csv().split(separator: "\n").count == 1 + 2 * a.points[0].architectures.count)
        // Bad values are refused while the points are built, naming the setting; nothing runs.
        let bad = try SweepSpec(sets: ["device.faults.bit_error_rate=0,2"], zip: false)
        #expect(throws: SpikebarError.self) { try SweepWork(path: path, spec: bad, chips: 1, samples: nil) }
        do { _ = try SweepWork(path: path, spec: bad, chips: 1, samples: nil) } catch {
            #expect("\(error)".contains("--set device.faults.bit_error_rate=2"), "\(error)")
        }
        let levels = try SweepSpec(sets: ["device.levels=4,2.5"], zip: false)
        #expect(throws: SpikebarError.self) { try SweepWork(path: path, spec: levels, chips: 1, samples: nil) }
        let t = try SweepWork(path: path, spec: try SweepSpec(sets: ["device.time_since_programming=0,1h"], zip: false), chips: 1, samples: nil)
        #expect(DeviceSweep.run(work: t, scenario: "s", seed: 1, threads: 2).points.allSatisfy { $0.error == nil })
    }
}
