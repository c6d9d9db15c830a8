import Foundation
import Testing
import SpikebarChip
import SpikebarCore
import SpikebarData
import SpikebarPipeline
import SpikebarScenario
import SpikebarTwin
import SpikebarTestSupport

/// A small Randman scenario: `units` inputs, a recurrent hidden layer, `classes` outputs.
func randmanYAML(
    units: Int = 20, hidden: Int = 32, classes: Int = 3, epochs: Int = 6, train: Int = 300,
    task: String = "{classes: 3, manifold_dimension: 1, alpha: 2, seed: 4}",
    calibration: String = "{time_constants: chip, quantize: false, programming_noise: false}"
) -> String {
    """
    seed: 2
    network: {input: \(units), layers: [{name: hidden, size: \(hidden), recurrent: true}, {name: out, size: \(classes)}]}
    neurons: {synapse_gain: 10}
    heterogeneity: {tau_cv: 0.3}
    input: {source: randman, window: 0.06, samples: 12}
    simulation: {timing: grid, dt: 2e-3}
    training:
      dataset: randman
      randman: \(task)
      train_samples: \(train)
      test_samples: 150
      validation: 0.1
      epochs: \(epochs)
      batch: 16
      lr: 1e-2
      readout_scale: 0.5
      gains: [40, 20]
      calibration: \(calibration)
    """
}

@Suite struct RandmanGeneratorTests {
    let params = Randman.Parameters(
        classes: 4, units: 12, manifoldDimension: 2, alpha: 2, spikesPerUnit: 2, seed: 9,
        jitter: 1e-3, span: 0.05)

    /// Every unit fires exactly `spikesPerUnit` times in every sample of every class, inside the span:
    /// spike counts carry no class information.
    @Test func everyUnitFiresTheSameNumberOfTimesInEveryClass() throws {
        let gen = try Randman(params)
        var perClass = [[Int]](repeating: [Int](repeating: 0, count: 12), count: 4)
        for k in 0..<40 {
            let s = gen.spikes(k)
            #expect(s.count == 12 * 2)
            var counts = [Int](repeating: 0, count: 12)
            for c in s.channels { counts[Int(c)] += 1 }
            #expect(counts.allSatisfy { $0 == 2 })
            #expect(s.times.allSatisfy { $0 >= 0 && $0 <= 50_000_000_000 })
            for u in 0..<12 { perClass[gen.label(k)][u] += counts[u] }
        }
        #expect(Set(perClass).count == 1, "spike counts per unit differ between classes: \(perClass)")
        // …while the timing differs: the mean first-spike fraction of unit 0 is not the same in all classes.
        let means = (0..<4).map { c in
            stride(from: c, to: 400, by: 4).map { gen.spikeFractions($0)[0][0] }.reduce(0, +) / 100
        }
        #expect(Set(means.map { ($0 * 1000).rounded() }).count > 1, "\(means)")
    }

    /// Time warp: sample k's spikes are its unwarped fractions × (span / w) × tempo(k), the tempo
    /// log-uniform in [1/w, w] (its log is uniform: mean ≈ 0, extremes near ±ln w); counts unchanged;
    /// w = 1 leaves every sample exactly as it was.
    @Test func timeWarpScalesEachSampleByItsTempo() throws {
        var clean = params; clean.jitter = 0
        var warped = clean; warped.timeWarp = 2
        let plain = try Randman(clean), gen = try Randman(warped)
        var logs: [Double] = []
        for k in 0..<400 {
            let tempo = gen.tempo(k)
            #expect(tempo >= 0.5 && tempo <= 2)
            logs.append(log(tempo))
            let f = gen.spikeFractions(k), s = gen.spikes(k)
            #expect(f == plain.spikeFractions(k))
            #expect(s.count == 12 * 2)
            for (t, ch) in zip(s.times, s.channels) {
                #expect(f.contains { abs($0[Int(ch)] * 0.05 / 2 * tempo * 1e12 - Double(t)) <= 0.5 })
            }
        }
        let mean = logs.reduce(0, +) / 400
        #expect(abs(mean) < 0.1, "mean ln tempo \(mean)")
        #expect(logs.min()! < -0.6 && logs.max()! > 0.6)  // invariant: 400 values
        var unit = clean; unit.timeWarp = 1
        #expect((0..<10).map(try Randman(unit).spikes) == (0..<10).map(plain.spikes))
        var bad = clean; bad.timeWarp = 0.5
        #expect(throws: SpikebarError.self) { try Randman(bad) }
    }

    /// Same parameters ⇒ same spikes, whatever else was generated; another seed ⇒ other spikes.
    @Test func deterministicForASeed() throws {
        let a = try Randman(params), b = try Randman(params)
        #expect((0..<10).map(a.spikes) == (0..<10).map(b.spikes))
        #expect(a.spikes(7) == b.spikes(7))
        var other = params; other.seed = 10
        #expect(try Randman(other).spikes(0) != a.spikes(0))
        // Without jitter a sample is exactly its standardised manifold values times the span.
        var clean = params; clean.jitter = 0
        let c = try Randman(clean)
        let f = c.spikeFractions(3), s = c.spikes(3)
        for (t, ch) in zip(s.times, s.channels) {
            #expect(f.contains { abs($0[Int(ch)] * 0.05 * 1e12 - Double(t)) <= 0.5 })
        }
    }

    /// Closed forms of the construction (Zenke & Vogels 2021; github.com/fzenke/randman): F = ⌈prec^(−1/α)⌉
    /// Fourier components (capped at 1000); every coordinate bounded by Π_d Σ_j A_j/(j+1)^α; for D = 1 the
    /// coordinate is Lipschitz with L = Σ_j 2π j B_j A_j/(j+1)^α, and a smoother manifold (larger α) has a
    /// smaller L.
    @Test func manifoldObeysItsClosedFormBounds() throws {
        #expect(RandmanManifold.cutoff(alpha: 2) == 32)
        #expect(RandmanManifold.cutoff(alpha: 1) == 1000)
        #expect(RandmanManifold.cutoff(alpha: 3) == 10)
        var rng = RandomStream(seed: 1, purpose: .dataset, index: 99)
        let m2 = RandmanManifold(units: 6, dimension: 2, alpha: 2, rng: &rng)
        var pts = RandomStream(seed: 2, purpose: .dataset, index: 98)
        for _ in 0..<300 {
            let x = [pts.nextUniform(), pts.nextUniform()]
            for u in 0..<6 { #expect(abs(m2.value(unit: u, at: x)) <= m2.amplitudeBound(unit: u) + 1e-12) }
        }
        #expect(m2.lipschitzBound(unit: 0) == nil)
        var r1 = RandomStream(seed: 3, purpose: .dataset, index: 97)
        let rough = RandmanManifold(units: 4, dimension: 1, alpha: 1.5, rng: &r1)
        var r2 = RandomStream(seed: 3, purpose: .dataset, index: 97)
        let smooth = RandmanManifold(units: 4, dimension: 1, alpha: 3, rng: &r2)
        for u in 0..<4 {
            let L = try #require(rough.lipschitzBound(unit: u))
            #expect(try #require(smooth.lipschitzBound(unit: u)) < L)
            var worst = 0.0
            for k in 0..<2000 {
                let x = Double(k) / 2000, h = 1e-4
                worst = max(worst, abs(rough.value(unit: u, at: [x + h]) - rough.value(unit: u, at: [x])) / h)
            }
            #expect(worst <= L * (1 + 1e-9), "unit \(u): slope \(worst) above the bound \(L)")
            #expect(worst > 0.05 * L, "the bound should not be vacuous: slope \(worst), bound \(L)")
        }
    }

    @Test func rejectsBadParameters() {
        var p = params; p.alpha = 0
        #expect(throws: SpikebarError.self) { try Randman(p) }
        p = params; p.units = 0
        #expect(throws: SpikebarError.self) { try Randman(p) }
    }
}

@Suite struct RandmanScenarioTests {
    @Test func scenarioKeysDecodeAndAreChecked() throws {
        let s = try scenario(randmanYAML()).scenario
        let r = try #require(s.training?.randman)
        #expect(r.classes == 3 && r.manifoldDimension == 1 && r.alpha == 2 && r.spikesPerUnit == 1 && r.seed == 4 && r.jitter == 0)
        #expect(s.input.source == .randman)
        func failure(_ text: String) -> String {
            do { _ = try scenario(text, path: "rm.yaml"); return "" } catch { return "\(error)" }
        }
        #expect(failure(randmanYAML(task: "{classes: 3, alpah: 2}")).contains("training.randman.alpah"))
        #expect(failure(randmanYAML(task: "{classes: 3, alpha: -1}")).contains("training.randman.alpha"))
        #expect(failure(randmanYAML(task: "{classes: 5}")).contains("randman.classes is 5"))
        let noTask = randmanYAML().replacingOccurrences(of: "dataset: randman", with: "dataset: two_moons")
            .replacingOccurrences(of: "  randman: {classes: 3, manifold_dimension: 1, alpha: 2, seed: 4}\n", with: "")
        #expect(failure(noTask).contains("source: randman needs"))
    }

    /// `run`'s inputs are `evaluate`'s test samples; the default train set is classes × samples_per_class.
    @Test func runAndEvaluateSeeTheSameSamples() throws {
        let loaded = try scenario(randmanYAML())
        let setup = try TrainingSetup(loaded: loaded)
        let inputs = try InputSet(loaded: loaded)
        #expect(inputs.count == 12)
        for k in 0..<12 {
            #expect(inputs.spikeTrains?[k] == setup.testSpikes(k))
            #expect(inputs.labels?[k] == setup.testLabels[k])
        }
        let d = try scenario(
            randmanYAML().replacingOccurrences(of: "  train_samples: 300\n", with: "")
                .replacingOccurrences(of: "seed: 4}", with: "seed: 4, samples_per_class: 7}")
        ).scenario
        #expect(d.training?.trainSamples == 21)
    }

    /// A tiny recurrent network learns a timing-only task well above chance (1/3) in a few epochs.
    @Test func tinyNetworkBeatsChanceOnTiming() throws {
        let setup = try TrainingSetup(loaded: try scenario(randmanYAML(), path: "/tmp/randman-test.yaml"))
        let twin = try setup.twin(neurons: setup.trainingNeurons(), weights: setup.initialWeights())
        let spec = setup.spec
        let trainer = Trainer(
            twin: twin, config: TrainerConfig(epochs: spec.epochs, batch: spec.batch, lr: spec.lr, schedule: spec.schedule, threads: 2, seed: 2),
            calibration: setup.calibration(), neuronsForBatch: setup.neuronsForBatch)
        let (ck, _) = try trainer.train(setup.train, validation: setup.validation, from: trainer.start())
        let test = TwinDataset(labels: setup.testLabels) { k, _ in
            StepSpikes(setup.testSpikes(k), dt: setup.dt, steps: setup.steps, channels: 20)
        }
        let acc = trainer.accuracy(ck.bestWeights, on: test)
        #expect(acc > 0.6, "test accuracy \(acc) on 3 classes (chance 0.33)")
    }
}

/// `time_constants: trained` (Perez-Nieves et al. 2021): τ move, stay in the realisable range, travel in
/// the weights file and program chip sample 0 with exactly the trained values.
@Suite struct TrainedTimeConstantTests {
    @Test func trainedTimeConstantsStayRealisableAndProgramTheChip() throws {
        let yaml = randmanYAML(epochs: 2, train: 96, calibration: "{time_constants: trained, quantize: false, programming_noise: false}")
            .replacingOccurrences(of: "  gains: [40, 20]", with: "  gains: [40, 20]\n  tau_mem_range: [10e-3, 40e-3]\n  tau_syn_range: [2e-3, 10e-3]")
        let setup = try TrainingSetup(loaded: try scenario(yaml, path: "/tmp/randman-tau.yaml"))
        let start = setup.trainingNeurons()
        let tt = try #require(setup.trainableTimeConstants(start))
        #expect(tt.bounds.tauMem == 10e-3...40e-3 && tt.bounds.tauSyn == 2e-3...10e-3)
        let twin = try setup.twin(neurons: start, weights: setup.initialWeights())
        let trainer = Trainer(
            twin: twin, config: TrainerConfig(epochs: 2, batch: 16, lr: 1e-2, schedule: .constant, threads: 2, seed: 2),
            calibration: setup.calibration(), trainableTimeConstants: tt)
        let (ck, _) = try trainer.train(setup.train, validation: setup.validation, from: trainer.start())
        let trained = try #require(trainer.trainedNeurons(ck))
        var moved = 0
        for (a, b) in zip(trained.joined(), start.joined()) {
            #expect((10e-3 * (1 - 1e-12))...(40e-3 * (1 + 1e-12)) ~= a.tauMem)
            #expect((2e-3 * (1 - 1e-12))...(10e-3 * (1 + 1e-12)) ~= a.tauSyn)
            #expect(a.tauSyn <= TimeConstantBounds.maxSynToMem * a.tauMem * (1 + 1e-12))
            if abs(a.tauMem - b.tauMem) > 1e-6 * b.tauMem { moved += 1 }
        }
        #expect(moved > trained.joined().count / 2, "only \(moved) τ_mem moved")
        // The weights file carries them; the chip programmed from it realises them on chip sample 0.
        let file = setup.weightFile(setup.initialWeights(), trainedNeurons: trained)
        let tuned = try #require(file.timeConstants)
        var s = setup.scenario
        s.tunedTimeConstants = tuned
        let chip0 = Chip.sampleNeurons(scenario: s, gains: setup.gains, chipSample: 0)
        for (a, b) in zip(chip0.joined(), trained.joined()) {
            #expect(abs(a.tauMem - b.tauMem) <= 1e-12 * b.tauMem && abs(a.tauSyn - b.tauSyn) <= 1e-12 * b.tauSyn)
        }
        // A wrong shape in a weights file is refused with its key.
        var bad = tuned; bad.tauMem[0].removeLast()
        #expect(throws: SpikebarError.self) { try bad.validate(network: s.network) }
    }

    @Test func rangeKeysNeedTrainedTimeConstants() throws {
        let yaml = randmanYAML().replacingOccurrences(of: "  gains: [40, 20]", with: "  gains: [40, 20]\n  tau_mem_range: [10e-3, 40e-3]")
        do { _ = try scenario(yaml, path: "rm.yaml"); Issue.record("accepted tau_mem_range without trained time constants") } catch {
            #expect("\(error)".contains("training.tau_mem_range"))
        }
    }
}

@Suite struct RandmanLimitTests {
    /// A task too large to hold is refused before anything is allocated, with the knobs named.
    @Test func oversizedTaskIsRefused() {
        let p = Randman.Parameters(classes: 1000, units: 1000, manifoldDimension: 4, alpha: 1, spikesPerUnit: 1, seed: 1, jitter: 0, span: 0.1)
        do { _ = try Randman(p); Issue.record("accepted a 4·10⁹-parameter task") } catch { #expect("\(error)".contains("exceed")) }
    }
}
