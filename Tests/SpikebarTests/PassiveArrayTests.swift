import Foundation
import Testing
import SpikebarChip
import SpikebarCore
import SpikebarDevices
import SpikebarExperiments
import SpikebarPipeline
import SpikebarScenario
import SpikebarTwin
import SpikebarTestSupport

/// Passive (0T1R) TiO₂ arrays: V/3 disturbance with programming order, level-dependent tuning error,
/// failures, the database loader, per-batch passive calibration and the transfer sweep.
@Suite struct PassiveArrayTests {
    /// A synthetic database: per-write increments d_k = −1, −2, …, −7 µS (cumulative means μ_k = Σ d_j),
    /// std 1 µS for every k.
    func syntheticSpec() throws -> PassiveArraySpec {
        var text = "devices_programmed_after,mean_S,std_S\n"
        var cumulative = 0.0
        for k in 1...7 { cumulative += -Double(k) * 1e-6; text += "\(k),\(cumulative),1e-6\n" }
        let stats = try TiO2Database.parseStats(text, path: "stats.csv")
        var spec = PassiveArraySpec()
        spec.database = TiO2Database(samples: [[]], stats: stats, deadMaps: [], directory: "synthetic")
        spec.disturbance = .stats
        spec.tuning = false; spec.lrsFailure = 0; spec.hrsFailure = 0
        return spec
    }

    /// In a 2×2-synapse crossbar (8 devices, G⁺/G⁻ in adjacent columns) the row-major order gives the
    /// first device 7 later writes, the last none; column-major transposes the order.
    @Test func layoutCountsLaterWrites() {
        let tiles = TileSpec(rows: 2, cols: 4, mapping: .columns)
        let rm = PassiveLayout(inputs: 2, outputs: 2, tiles: tiles, order: .rowMajor)
        #expect(rm.afterPlus == [7, 5, 3, 1] && rm.afterMinus == [6, 4, 2, 0])
        let cm = PassiveLayout(inputs: 2, outputs: 2, tiles: tiles, order: .columnMajor)
        #expect(cm.afterPlus == [7, 3, 6, 2] && cm.afterMinus == [5, 1, 4, 0])
        // Two crossbars when the rows do not fit: each counts its own writes.
        let split = PassiveLayout(inputs: 2, outputs: 2, tiles: TileSpec(rows: 1, cols: 4, mapping: .columns), order: .rowMajor)
        #expect(split.afterPlus == [3, 1, 3, 1] && Set(split.keyPlus).count == 4)
    }

    /// Disturbance accumulates with programming order: over a programmed 8-device crossbar, the mean
    /// change of the device followed by k writes is Σ_{j≤k} d_j (the per-write increments), so the
    /// first-programmed device drifts most; checked within 5 standard errors.
    @Test func disturbanceAccumulatesWithOrder() throws {
        let spec = try syntheticSpec()
        let draws = 2000, target = 300e-6
        var means: [Double] = []
        for position in 0..<8 {
            let after = 7 - position
            var sum = 0.0
            for d in 0..<draws {
                var rng = RandomStream(seed: 3, purpose: .programming, index: UInt64(position), sample: UInt64(d))
                sum += spec.program(target: target, after: after, gHRS: 100e-6, using: &rng).g - target
            }
            means.append(sum / Double(draws))
            let expected = (0..<after).reduce(0.0) { $0 - Double($1 + 1) * 1e-6 }
            #expect(abs(means[position] - expected) < 5 * 1e-6 / Double(draws).squareRoot(), "position \(position)")
        }
        #expect(means[0] == means.min())  // the first-programmed device drifts most (all changes negative)
        #expect(abs(means[7]) < 1e-12)  // the last one is not disturbed
    }

    /// Tuning error follows the measured linear law: at 100 µS and 500 µS the relative error has mean
    /// −0.589 % and std √(0.339² + (a·G + b)²) %, within sampling error (5 standard errors).
    @Test func tuningFollowsLinearLaw() {
        var spec = PassiveArraySpec()
        spec.disturbance = .off; spec.lrsFailure = 0; spec.hrsFailure = 0
        let n = 20_000
        for target in [100e-6, 500e-6] {
            var xs: [Double] = []
            for d in 0..<n {
                var rng = RandomStream(seed: 11, purpose: .programming, index: 1, sample: UInt64(d))
                xs.append(spec.program(target: target, after: 0, gHRS: 100e-6, using: &rng).g / target - 1)
            }
            let m = xs.reduce(0, +) / Double(n)
            let sd = (xs.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(n - 1)).squareRoot()
            let law = (-6.24e-4 * target * 1e6 + 0.691) / 100
            let expectedSD = (0.339e-2 * 0.339e-2 + law * law).squareRoot()
            #expect(abs(m - (-0.589e-2)) < 5 * expectedSD / Double(n).squareRoot(), "mean at \(target)")
            #expect(abs(sd - expectedSD) < 5 * expectedSD / (2 * Double(n)).squareRoot(), "std at \(target)")
        }
        // The law itself at the window's ends.
        #expect(abs(PassiveArraySpec.tuningStd(100e-6) - 0.006286) < 1e-9)
        #expect(abs(PassiveArraySpec.tuningStd(500e-6) - 0.00379) < 1e-9)
    }

    /// Failure fractions match the configured ratios; LRS failures around 573 µS, HRS failures in
    /// [10 µS, G_HRS].
    @Test func stuckFractionsMatchRatios() {
        var spec = PassiveArraySpec()
        spec.lrsFailure = 0.02; spec.hrsFailure = 0.03
        let n = 40_000
        var lrs: [Double] = [], hrs: [Double] = []
        for d in 0..<n {
            var rng = RandomStream(seed: 5, purpose: .programming, index: 2, sample: UInt64(d))
            let r = spec.program(target: 300e-6, after: 3, gHRS: 100e-6, using: &rng)
            guard r.stuck else { continue }
            if r.g > 300e-6 { lrs.append(r.g) } else { hrs.append(r.g) }
        }
        func within(_ count: Int, _ p: Double) -> Bool { abs(Double(count) / Double(n) - p) < 5 * (p * (1 - p) / Double(n)).squareRoot() }
        #expect(within(lrs.count, 0.02) && within(hrs.count, 0.03))
        let lm = lrs.reduce(0, +) / Double(lrs.count)
        #expect(abs(lm - 5.73e-4) < 5 * 9.9e-5 / Double(lrs.count).squareRoot())
        #expect(hrs.allSatisfy { $0 >= 10e-6 && $0 <= 100e-6 })
    }

    /// The loader rejects malformed files with file:line and accepts the real layout (nan = not measured).
    @Test func loaderValidatesWithFileAndLine() throws {
        let header = "devices_programmed_after,mean_S,std_S\n"
        #expect { _ = try TiO2Database.parseStats(header + "1,-1e-6,1e-6\n3,-2e-6,1e-6\n", path: "s.csv") } throws: {
            "\($0)".contains("s.csv:3") && "\($0)".contains("k = 2 is missing")
        }
        #expect { _ = try TiO2Database.parseStats(header + "1,-1e-6,-1e-6\n", path: "s.csv") } throws: {
            "\($0)".contains("s.csv:2") && "\($0)".contains("negative")
        }
        #expect { _ = try TiO2Database.parseStats(header + "1,-1e-6,1e-6\n2,abc,1e-6\n", path: "s.csv") } throws: {
            "\($0)".contains("s.csv:3") && "\($0)".contains("malformed")
        }
        let sh = "devices_programmed_after,delta_conductance_S\n"
        #expect { _ = try TiO2Database.parseSamples(sh + "1,1e-6\n-2,1e-6\n", path: "d.csv") } throws: { "\($0)".contains("d.csv:3") }
        #expect { _ = try TiO2Database.parseSamples("k,delta\n1,1e-6\n", path: "d.csv") } throws: { "\($0)".contains("d.csv:1") }
        let ok = try TiO2Database.parseStats(header + "1,-1e-6,1e-6\n2,nan,nan\n", path: "s.csv")
        #expect(ok.count == 3 && ok[2] == nil)
        // A database folder with a bad dead-crossbar map is rejected naming the file and line.
        let dir = try freshTemporaryDirectory("tio2-db")
        try (header + "1,-1e-6,1e-6\n").write(to: dir.appendingPathComponent("bias-disturbance-stats.csv"), atomically: true, encoding: .utf8)
        try (sh + "1,1e-6\n1,-2e-6\n").write(to: dir.appendingPathComponent("bias-disturbance-samples.csv"), atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("stuck-devices"), withIntermediateDirectories: true)
        try "n_rows; n_columns\n2; 2\n100; 200; x; 400\n".write(
            to: dir.appendingPathComponent("stuck-devices/bad.csv"), atomically: true, encoding: .utf8)
        #expect { _ = try TiO2Database.load(directory: dir.path) } throws: { "\($0)".contains("bad.csv:3") && "\($0)".contains("malformed") }
        try "n_rows; n_columns\n2; 2\n100; 200; 20000; 400\n".write(
            to: dir.appendingPathComponent("stuck-devices/bad.csv"), atomically: true, encoding: .utf8)
        let db = try TiO2Database.load(directory: dir.path)
        #expect(db.samples[1] == [1e-6, -2e-6] && db.deadMapSummary().hrsFailures == 1 && db.deadMapSummary().lrsFailures == 3)
        // failure_values: maps draws failed devices' conductances from the maps' failures.
        var spec = PassiveArraySpec()
        spec.database = db; spec.failureValues = .maps; spec.lrsFailure = 0.5; spec.hrsFailure = 0.5
        var seen = Set<Double>()
        for d in 0..<200 {
            var rng = RandomStream(seed: 1, purpose: .programming, index: 3, sample: UInt64(d))
            let r = spec.program(target: 300e-6, after: 0, gHRS: 100e-6, using: &rng)
            #expect(r.stuck)
            seen.insert(r.g)
        }
        let pools: Set<Double> = [1 / 20000.0, 1 / 400.0, 1 / 200.0, 1 / 100.0]
        #expect(seen == pools)
    }

    static func moonsYAML(passive: Bool) -> String {
        """
        seed: 3
        network: {input: 4, layers: [{name: hidden, size: 3}, {name: output, size: 2}]}
        neurons: {tau_mem: 20e-3, tau_syn: 5e-3, threshold: 1.0, reset: 0.0, refractory: 2e-3, membrane_resistance: 2e9, synapse_gain: 2.25}
        heterogeneity: {tau_cv: 0}
        device: {array: passive, levels: 64, g_min: 100e-6, g_max: 500e-6, programming_error: 0, read_voltage: 0.2, read_pulse: 100e-9, read_noise: 0,
                 passive: {disturbance: parametric, lrs_failure: 0.05, hrs_failure: 0.05}}
        tiles: {rows: 4, cols: 4, mapping: differential_columns}
        weights: {source: generated, target_rate: 0}
        input: {source: two_moons, max_rate: 200, window: 0.02, samples: 4}
        simulation: {timing: grid, dt: 1e-3}
        training: {dataset: two_moons, train_samples: 20, test_samples: 12, validation: 0, epochs: 1, batch: 4,
                   calibration: {time_constants: homogeneous, quantize: true, programming_noise: false, passive: \(passive)}}
        """
    }

    /// Per-batch passive calibration: the effective weights differ from the ideal ones, are the same for
    /// the same batch, change with the batch, and failed cells mask their synapse's gradient.
    @Test func calibrationSamplesPassiveTransferPerBatch() throws {
        let setup = try TrainingSetup(loaded: try scenario(Self.moonsYAML(passive: true), path: "/tmp/passive-cal.yaml"))
        let cal = setup.calibration()
        #expect(cal.passiveLayouts?.count == 2 && cal.isActive)
        let w = setup.initialWeights().map { $0.values.map(Double.init) }
        var masked = 0, changed = 0
        for b in 0..<20 {
            let (e, mask) = cal.effective(w, batch: b)
            #expect(cal.effective(w, batch: b).weights == e)
            if e != w { changed += 1 }
            masked += mask?.joined().filter { $0 == 0 }.count ?? 0
        }
        #expect(changed == 20 && masked > 0)
        #expect(cal.effective(w, batch: 0).weights != cal.effective(w, batch: 1).weights)
        // The calibration needs a passive array.
        let active = Self.moonsYAML(passive: true).replacingOccurrences(of: "array: passive", with: "array: active")
            .replacingOccurrences(of: ",\n         passive: {disturbance: parametric, lrs_failure: 0.05, hrs_failure: 0.05}", with: "")
        #expect { _ = try TrainingSetup(loaded: try scenario(active, path: "/tmp/passive-cal.yaml")) } throws: {
            "\($0)".contains("training.calibration.passive")
        }
        #expect { _ = try scenario(Self.moonsYAML(passive: false).replacingOccurrences(of: "array: passive", with: "array: active")) } throws: {
            "\($0)".contains("passive")
        }
    }

    /// The transfer sweep is deterministic across thread counts, and the event kernel agrees with the
    /// twin of each programmed passive chip.
    @Test func transferSweepDeterministicAcrossThreads() throws {
        let setup = try TrainingSetup(loaded: try scenario(Self.moonsYAML(passive: false), path: "/tmp/passive-sweep.yaml"))
        let w = setup.initialWeights()
        let one = try TransferSweep.run(
            setup: setup, weights: w, gains: nil, weightsName: "init", transfers: 6, kernelChips: 2, kernelSamples: 4, threads: 1)
        let three = try TransferSweep.run(
            setup: setup, weights: w, gains: nil, weightsName: "init", transfers: 6, kernelChips: 2, kernelSamples: 4, threads: 3)
        #expect(one.points == three.points && one.fraction95 == three.fraction95 && one.meanAccuracy == three.meanAccuracy)
        #expect(one.points.count == 12 && one.points.allSatisfy { $0.x != nil })
        #expect(one.kernelCheck == three.kernelCheck && one.kernelCheck?.agreement == 1)
        // Per-point fractions and the ≥ 95 % count agree with each other.
        let f95 = Double(one.points.filter { $0.fractionCorrect >= 0.95 }.count) / 12
        #expect(one.fraction95 == f95 && one.fraction90 >= one.fraction95)
        // Two chip samples of a passive array differ (their own disturbance and failures).
        let a = try Chip(scenario: setup.scenario, weights: w, chipSample: 0), b = try Chip(scenario: setup.scenario, weights: w, chipSample: 1)
        #expect(a.connections[0].gPlus != b.connections[0].gPlus)
    }

    /// `spikebar train` then `spikebar sweep --transfers`: the per-point CSV and the JSON summary are
    /// written; a malformed database named by `device.passive.data` stops with file:line.
    @Test func transfersCLIWritesCSVAndJSON() throws {
        let dir = try freshTemporaryDirectory("passive-cli")
        let yaml = Self.moonsYAML(passive: true).replacingOccurrences(
            of: "weights: {source: generated, target_rate: 0}",
            with: "weights: {source: file, file: out/weights.json}")
        let path = dir.appendingPathComponent("p.yaml").path
        try Data(yaml.utf8).write(to: URL(fileURLWithPath: path))
        let train = try runCLI(["train", path, "--out", dir.appendingPathComponent("out").path, "--quiet", "--threads", "1"])
        #expect(train.status == 0, "\(train.stderr)")
        let r = try runCLI(["sweep", path, "--transfers", "5", "--out", dir.path, "--threads", "2"])
        #expect(r.status == 0 && r.stdout.contains("points correct in ≥ 95 % of transfers"), "\(r.stderr)")
        let csv = try String(contentsOf: dir.appendingPathComponent("transfers.csv"), encoding: .utf8)
        #expect(csv.hasPrefix("index,x,y,label,fraction_correct\n") && csv.split(separator: "\n").count == 13)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("transfers.json"))) as? [String: Any]
        #expect(json?["transfers"] as? Int == 5 && json?["fraction95"] != nil)
        let noParam = try runCLI(["sweep", path, "--out", dir.path])
        #expect(noParam.status != 0 && noParam.stderr.contains("--transfers"))
        // A database folder with a malformed stats line.
        let db = dir.appendingPathComponent("db")
        try FileManager.default.createDirectory(at: db, withIntermediateDirectories: true)
        try "devices_programmed_after,delta_conductance_S\n1,1e-6\n".write(
            to: db.appendingPathComponent("bias-disturbance-samples.csv"), atomically: true, encoding: .utf8)
        try "devices_programmed_after,mean_S,std_S\n1,1e-6,2e-6\n2,1e-6\n".write(
            to: db.appendingPathComponent("bias-disturbance-stats.csv"), atomically: true, encoding: .utf8)
        let badYAML = yaml.replacingOccurrences(of: "disturbance: parametric", with: "disturbance: samples, data: db")
        try Data(badYAML.utf8).write(to: URL(fileURLWithPath: path))
        let bad = try runCLI(["sweep", path, "--transfers", "5", "--out", dir.path])
        #expect(bad.status != 0 && bad.stderr.contains("bias-disturbance-stats.csv:3"), "\(bad.stderr)")
    }
}
