import Foundation
import SpikebarChip
import SpikebarCore
import SpikebarDevices
import SpikebarExperiments
import SpikebarNIR
import SpikebarNIRMapping
import SpikebarPipeline
import SpikebarScenario
import Testing

/// Scenarios whose network is an NIR graph (`network: { nir: … }`, issue #18 point 2): decoding and its
/// refusals, runs on the ideal and a real device in both timings, both convolution mappings, export of
/// the programmed graph, heterogeneity on top, determinism. Synthetic N-MNIST recordings in a temporary
/// data folder (the shared data is not needed).
struct NIRScenarioTests {
    /// A temporary data folder with `nmnist-subset/` holding `count` synthetic recordings (ids 60001…,
    /// 300 events 100 µs apart, labels 0, 1, …) and `test100.txt`; deleted by the caller.
    static func syntheticRecordings(count: Int, tag: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sb-nir-scn-\(tag)-\(getpid())")
        let sub = dir.appendingPathComponent("nmnist-subset")
        try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
        var rng = TestRandom(42)
        var list = "# id label\n"
        for k in 0..<count {
            var bytes: [UInt8] = []
            for e in 0..<300 {
                let t = e * 100  // µs
                let x = UInt8(rng.next() % 34), y = UInt8(rng.next() % 34), p = UInt8(e % 2)
                bytes += [x, y, p << 7 | UInt8((t >> 16) & 0x7F), UInt8((t >> 8) & 0xFF), UInt8(t & 0xFF)]
            }
            try Data(bytes).write(to: sub.appendingPathComponent("\(60001 + k).bin"))
            list += "\(60001 + k)\t\(k % 10)\n"
        }
        try list.write(to: sub.appendingPathComponent("test100.txt"), atomically: true, encoding: .utf8)
        return dir
    }

    /// The scenario text for `graph` with the given sections (YAML flow mappings).
    static func yaml(
        graph: String, network: String = "", device: String = "{ ideal: true }", data: String, samples: Int = 2,
        timing: String = "grid", extra: String = ""
    ) -> String {
        """
        name: nir-test
        seed: 3
        network: { nir: \(graph)\(network.isEmpty ? "" : ", " + network) }
        device: \(device)
        tiles: { rows: 128, cols: 128, mapping: differential_columns }
        input: { source: nmnist, file: \(data), labels: test100.txt, window: 0.04, samples: \(samples) }
        simulation: { timing: \(timing), dt: 1e-3, threads: 1 }
        \(extra)
        """
    }

    static func load(_ text: String) throws -> LoadedScenario {
        try ScenarioLoader.load(text: text, path: FileManager.default.temporaryDirectory.appendingPathComponent("nir-test.yaml").path)
    }

    @Test func aGraphScenarioDecodesWithTheGraphsNeurons() throws {
        let l = try Self.load(Self.yaml(graph: fixture("cnn_sinabs.nir"), data: "/nonexistent"))
        #expect(l.scenario.neurons.kind == .nir)
        #expect(l.scenario.nir?.mapping == .kernelStationary && l.scenario.nir?.reset == .toResetPotential && l.scenario.nir?.threshold == .greater)
        #expect(l.scenario.heterogeneity.tauCV == 0 && l.scenario.device.ideal && l.scenario.device.readNoise == 0)
        #expect(l.nirGraph == URL(fileURLWithPath: fixture("cnn_sinabs.nir")).standardizedFileURL.path)
        #expect(l.nmnistData == "/nonexistent")
        // Every command that simulates layers refuses it by its neuron model, naming it.
        #expect(throws: SpikebarError.self) { try l.scenario.requireNeuronModel([.lifDPI], for: "spikebar sweep") }
        #expect(throws: SpikebarError.self) { try Chip(scenario: l.scenario, weights: []) }
    }

    /// Each refusal names the key (`file:line: key: why`), before any work.
    @Test func malformedGraphScenariosNameTheKey() throws {
        let g = fixture("cnn_sinabs.nir")
        let cases: [(String, String)] = [
            (Self.yaml(graph: g, data: "/x", extra: "neurons: { tau_mem: 0.02 }"), "neurons"),
            (Self.yaml(graph: g, data: "/x", extra: "weights: { source: generated }"), "weights"),
            (Self.yaml(graph: g, device: "{ ideal: true, levels: 8 }", data: "/x"), "device.levels"),
            (Self.yaml(graph: g, network: "mapping: diagonal", data: "/x"), "network.mapping"),
            (Self.yaml(graph: g, network: "reset: halfway", data: "/x"), "network.reset"),
            (Self.yaml(graph: g, network: "dt: -1", data: "/x"), "network.dt"),
            (Self.yaml(graph: "missing.nir", data: "/x"), "network.nir"),
            (Self.yaml(graph: g, data: "/x", extra: "training: { dataset: nmnist }"), "training"),
        ]
        for (text, key) in cases {
            do {
                _ = try Self.load(text)
                Issue.record("accepted: \(key)")
            } catch let e as SpikebarError {
                #expect("\(e)".contains(key), "\(key): \(e)")
            }
        }
        // An ideal device is for graphs: a network of layers is programmed on levels.
        let dense = """
            network: { input: 4, layers: [{ name: out, size: 2 }] }
            device: { ideal: true }
            input: { source: uniform, window: 0.01 }
            """
        #expect(throws: SpikebarError.self) { _ = try Self.load(dense) }
    }

    /// On the ideal device the scenario's run is the reference program's run of the file: the same output
    /// counts and classes as `nir evaluate`'s path (`NIREvaluation` frames), whatever the thread count;
    /// both mappings see the same spikes and cost differently.
    @Test func idealDeviceRunsTheGraphAsFramedAndMappingsDifferOnlyInCost() throws {
        let data = try Self.syntheticRecordings(count: 2, tag: "ideal")
        defer { try? FileManager.default.removeItem(at: data) }
        let graph = try NIRGraph.read(path: fixture("cnn_sinabs.nir"))
        let kernel = try NIRSimulation(
            loaded: Self.load(Self.yaml(graph: fixture("cnn_sinabs.nir"), network: "threshold: '>='", data: data.path)), graph: graph)
        let results = try kernel.runAll(threads: 1)
        #expect(results.count == 2 && kernel.programming == nil)
        let program = try NIRProgram(graph: graph, options: NIRRunOptions(dt: 1, comparison: .greaterOrEqual))
        for (k, r) in results.enumerated() {
            let frames = NIREvaluation.frames(kernel.inputs.spikeTrains?[k] ?? SpikeList(), bin: 1e-3, channels: 2312, count: 40)
            let reference = try program.run(frames: frames)
            #expect(r.run.outputCounts == reference.outputCounts && r.run.predictedClass == reference.predictedClass)
            #expect(r.activity.steps == 40 && r.activity.window == 0.04)
        }
        #expect(try kernel.runAll(threads: 2).map(\.activity) == results.map(\.activity))
        let unrolled = try NIRSimulation(
            loaded: Self.load(Self.yaml(graph: fixture("cnn_sinabs.nir"), network: "threshold: '>=', mapping: unrolled", data: data.path)),
            graph: graph)
        let u = try unrolled.runAll(threads: 1)
        #expect(u.map { $0.activity.layers.map(\.spikeCounts) } == results.map { $0.activity.layers.map(\.spikeCounts) })
        #expect(u[0].activity.tiles.count > results[0].activity.tiles.count)
        let report = kernel.report(results)
        #expect(report.architectures.count == results[0].estimates.count && report.tiles == results[0].activity.tiles.count)
        #expect(report.assumptions.contains { $0.contains("Ideal device") } && report.assumptions.contains { $0.contains("kernel-stationary") })
        #expect(report.populations.first?.size == 2312 && report.accuracy != nil)
    }

    /// On a real device the weights are the programmed ones, keyed by chip sample: chip 0 twice is the
    /// same chip, chip 1 another; exact timing runs the leak-free CNN one step per event.
    @Test func realDeviceIsKeyedByChipSampleAndExactTimingRuns() throws {
        let data = try Self.syntheticRecordings(count: 1, tag: "device")
        defer { try? FileManager.default.removeItem(at: data) }
        let graph = try NIRGraph.read(path: fixture("cnn_sinabs.nir"))
        let l = try Self.load(
            Self.yaml(
                graph: fixture("cnn_sinabs.nir"), device: "{ levels: 8, programming_error: 2e-6 }", data: data.path, samples: 1, timing: "exact"))
        let a = try NIRSimulation(loaded: l, graph: graph), b = try NIRSimulation(loaded: l, graph: graph)
        let c = try NIRSimulation(loaded: l, graph: graph, chipSample: 1)
        #expect(a.programmedGraph == b.programmedGraph && a.programmedGraph != c.programmedGraph && a.programmedGraph != graph)
        #expect((a.programming?.relativeRMSError ?? 0) > 0.01)
        let r = try a.runAll(threads: 1)
        #expect(r[0].activity.window == 0.04 && r[0].activity.steps == 40)  // the time-stepped baselines' steps over the window
        #expect(a.report(r).timing == "exact")
    }

    /// Exact timing of a leaky graph runs in continuous time (`NIRProgram.runEventDriven`): the steps are
    /// the input events and the threshold crossings, at their own times; a leaky graph with a node that
    /// run cannot take (here a non-spiking LI readout) is refused before any inference, naming the key
    /// and the node.
    @Test func exactTimingRunsALeakyGraphInContinuousTimeOrRefuses() throws {
        let graph = try NIRGraph.read(path: fixture("lif_norse.nir"))
        let l = try Self.load(Self.yaml(graph: fixture("lif_norse.nir"), data: "/nonexistent", timing: "exact"))
        let sim = try NIRSimulation(loaded: l, graph: graph, loadInputs: false)
        #expect(sim.exactTimingIsExact)
        let input = SpikeList(unsorted: (0..<20).map { (time: Int64($0) * 1_000_000_000, channel: Int32(0)) })
        let (result, spikes) = try sim.run(input: input)
        #expect(result.stepTimes?.count == result.run.steps && result.run.steps >= 20)
        #expect(spikes.count == 2 && spikes[0].count == 20)
        let readout = chain(
            [
                ("fc", .affine(weight: NIRTensor(shape: [1, 1], values: [1]), bias: [0])),
                (
                    "li",
                    .neuron(
                        NIRNeuron(
                            model: .leakyIntegrator, shape: [1], tauMem: [0.01], tauSyn: nil, r: [1], vLeak: [0], vThreshold: nil, vReset: [0],
                            wIn: [1]))
                ),
            ],
            input: [1])
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("li-\(getpid()).nir").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try readout.write(path: path)
        do {
            _ = try NIRSimulation(loaded: Self.load(Self.yaml(graph: path, data: "/nonexistent", timing: "exact")), graph: readout, loadInputs: false)
            Issue.record("a leaky graph with an LI readout ran in exact timing")
        } catch let e as SpikebarError {
            #expect("\(e)".contains("simulation.timing") && "\(e)".contains("'li'"), "\(e)")
        }
    }

    /// Point 4: an imported graph exported again is equal node for node (ideal device, no heterogeneity);
    /// the device and tiles travel in the weight nodes' metadata.
    @Test func importedGraphExportedAgainIsEqualNodeForNode() throws {
        for name in ["cnn_sinabs.nir", "nested_cycle_gzip.nir"] {
            let graph = try NIRGraph.read(path: fixture(name))
            let l = try Self.load(Self.yaml(graph: fixture(name), data: "/nonexistent"))
            // The input is not loaded for export: build the graph the way `export nir` does.
            let programmed = NIRHeterogeneity.apply(graph, tauCV: l.scenario.heterogeneity.tauCV, seed: l.scenario.seed)
            let out = NIRExport.graph(
                programmed: programmed, device: l.scenario.device, tiles: l.scenario.tiles, mapping: .kernelStationary, chipSample: 0,
                scenarioName: "nir-test", weightSource: "test")
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("sb-nir-export-\(getpid())-\(name)").path
            defer { try? FileManager.default.removeItem(atPath: path) }
            try out.write(path: path, compress: true)
            let back = try NIRGraph.read(path: path)
            // Nodes compared without metadata (a subgraph node carries its own, where the export adds the device).
            func bare(_ g: NIRGraph) -> [String: NIRNode] {
                g.nodes.mapValues { node in
                    guard case let .graph(sub) = node else { return node }
                    return .graph(NIRGraph(nodes: bare(sub), edges: sub.edges, version: sub.version))
                }
            }
            #expect(bare(back) == bare(graph) && Set(back.edges) == Set(graph.edges), "\(name)")
            let weighted = back.metadata.filter { $0.value["device_ideal"] != nil }
            #expect(!weighted.isEmpty, "\(name): no weight node carries the device")
        }
    }

    /// Heterogeneity on top of the graph's neurons: a lognormal factor per neuron (mean 1, the CV asked
    /// for), keyed by seed and chip sample; none at CV 0; IF nodes untouched.
    @Test func heterogeneityOnTopSpreadsTheGraphsTimeConstants() throws {
        let graph = try NIRGraph.read(path: fixture("braille_noDelay_bias_zero.nir"))
        #expect(NIRHeterogeneity.apply(graph, tauCV: 0, seed: 1) == graph)
        let a = NIRHeterogeneity.apply(graph, tauCV: 0.3, seed: 1), b = NIRHeterogeneity.apply(graph, tauCV: 0.3, seed: 1)
        let c = NIRHeterogeneity.apply(graph, tauCV: 0.3, seed: 1, chipSample: 1)
        #expect(a == b && a != c && a != graph)
        var ratios: [Double] = []
        for (name, node) in graph.nodes {
            guard case let .neuron(n) = node, case let .neuron(m)? = a.nodes[name], let t0 = n.tauMem, let t1 = m.tauMem else { continue }
            ratios += zip(t1, t0).map { $0 / $1 }
        }
        #expect(ratios.count >= 20)
        let mean = ratios.reduce(0, +) / Double(ratios.count)
        let sd = (ratios.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(ratios.count - 1)).squareRoot()
        #expect(abs(mean - 1) < 0.15 && abs(sd - 0.3) < 0.15, "mean \(mean), sd \(sd)")
    }

    /// `evaluate` on an NIR scenario: ideal and programmed rows, exact timing added for a leak-free graph,
    /// the chip Monte-Carlo with the ≥ 95 % rule.
    @Test func evaluationHasIdealProgrammedAndExactRows() throws {
        let data = try Self.syntheticRecordings(count: 2, tag: "eval")
        defer { try? FileManager.default.removeItem(at: data) }
        let graph = try NIRGraph.read(path: fixture("cnn_sinabs.nir"))
        let l = try Self.load(Self.yaml(graph: fixture("cnn_sinabs.nir"), device: "{ levels: 8 }", data: data.path))
        let e = try NIRScenarioEvaluation.run(loaded: l, exact: true, chips: 2, threads: 1) {
            try NIRSimulation(loaded: $0, graph: graph, chipSample: $1)
        }
        #expect(e.rows.map(\.weights) == ["ideal device", "chip sample 0", "ideal device", "chip sample 0"])
        #expect(e.rows.map(\.timing) == ["grid(1.000 ms)", "grid(1.000 ms)", "exact", "exact"])
        #expect(e.rows.allSatisfy { $0.samples == 2 } && e.costs.count >= 4 && e.monteCarlo?.accuracies.count == 2)
        #expect(e.markdown.contains("| ideal device | exact |"))
        // On the results log (issue #17): the same evaluation; killed inside its fourth line and resumed,
        // the same again with only the units the log lacks run; a log of another evaluation is refused.
        let dir = data.appendingPathComponent("log").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let make: (LoadedScenario, Int) throws -> NIRSimulation = { try NIRSimulation(loaded: $0, graph: graph, chipSample: $1) }
        let place = ExperimentLogPlace.inFolder(dir, stem: "evaluate", shard: nil, resume: false)
        let logged = try NIRScenarioEvaluation.run(loaded: l, exact: true, chips: 2, threads: 1, log: place, makeSimulation: make)
        #expect(logged.markdown == e.markdown)
        let text = try String(contentsOfFile: place.path, encoding: .utf8)
        let lines = text.split(separator: "\n")
        #expect(lines.count == 1 + 4 + 2)
        try (lines.prefix(3).joined(separator: "\n") + "\n" + lines[3].prefix(20)).write(toFile: place.path, atomically: true, encoding: .utf8)
        var resume = place
        resume.resume = true
        var ran: [String] = []
        let resumed = try NIRScenarioEvaluation.run(
            loaded: l, exact: true, chips: 2, threads: 1, log: resume, makeSimulation: make,
            phase: { what, _ in
                ran.append(what); return nil
            })
        #expect(resumed.markdown == e.markdown)
        #expect(ran == ["ideal device, exact", "chip sample 0, exact", "chip 1 of 2", "chip 2 of 2"])
        #expect(throws: SpikebarError.self) {
            try NIRScenarioEvaluation.run(loaded: l, exact: true, chips: 3, threads: 1, log: resume, makeSimulation: make)
        }
    }

    /// `sweep` on an NIR scenario: each point programs the graph on its device, each unit one chip
    /// sample; the same unit twice gives the same numbers (units run in any order or process), fewer
    /// levels move the weights further.
    @Test func sweepProgramsTheGraphPerPointAndChip() throws {
        let data = try Self.syntheticRecordings(count: 1, tag: "sweep")
        defer { try? FileManager.default.removeItem(at: data) }
        let scenario = data.appendingPathComponent("nir.yaml").path
        try Self.yaml(graph: fixture("cnn_sinabs.nir"), device: "{ levels: 8 }", data: data.path, samples: 1)
            .write(toFile: scenario, atomically: true, encoding: .utf8)
        let spec = try SweepSpec(sets: ["device.levels=2,64"], zip: false)
        let work = try SweepWork(nirPath: scenario, spec: spec, chips: 1, samples: 1) { try NIRGraph.read(path: $0) }
        #expect(work.unitCount == 2 && work.samples == 1)
        let a = work.unit(0), b = work.unit(1)
        #expect(a.error == nil && b.error == nil && a.architectures?.count == b.architectures?.count)
        #expect(work.unit(0) == a)
        #expect(a.accuracy != nil && (a.architectures?.first?.energy ?? 0) > 0)
        let coarse = NIRDeviceProgramming.program(
            try NIRGraph.read(path: fixture("cnn_sinabs.nir")), device: work.points[0].scenario.device, tiles: work.points[0].scenario.tiles, seed: 3
        ).1
        let fine = NIRDeviceProgramming.program(
            try NIRGraph.read(path: fixture("cnn_sinabs.nir")), device: work.points[1].scenario.device, tiles: work.points[1].scenario.tiles, seed: 3
        ).1
        #expect(coarse.relativeRMSError > fine.relativeRMSError)
    }

    /// `run --record` and `trace replay` on an NIR scenario: the recording replays bit-exactly in both
    /// timings (grid stamps a step's spikes at its end, exact at its event time), and the same trace on a
    /// chip programmed otherwise diverges and says where.
    @Test func recordedGraphRunsReplayBitExactly() throws {
        let data = try Self.syntheticRecordings(count: 2, tag: "replay")
        defer { try? FileManager.default.removeItem(at: data) }
        let graph = try NIRGraph.read(path: fixture("cnn_sinabs.nir"))
        for timing in ["grid", "exact"] {
            let scenario = data.appendingPathComponent("nir-\(timing).yaml").path
            try Self.yaml(graph: fixture("cnn_sinabs.nir"), network: "threshold: '>='", device: "{ levels: 8 }", data: data.path, timing: timing)
                .write(toFile: scenario, atomically: true, encoding: .utf8)
            let sim = try NIRSimulation(loaded: ScenarioLoader.load(path: scenario), graph: graph)
            let trace = data.appendingPathComponent("run-\(timing).sbt").path
            let recorded = try sim.record(to: trace, threads: 2)
            #expect(recorded.map(\.activity) == (try sim.runAll(threads: 1)).map(\.activity), "\(timing): recording changed the run")
            let r = try TraceReplay.replay(tracePath: trace, threads: 1)
            #expect(r.identical && r.inferences == 2 && r.eventsCompared > 0, "\(timing): \(r)")
            // Another programming error: another chip, whose spikes differ from the recorded ones.
            let other = data.appendingPathComponent("nir-\(timing)-other.yaml").path
            try Self.yaml(graph: fixture("cnn_sinabs.nir"), network: "threshold: '>='", device: "{ levels: 3 }", data: data.path, timing: timing)
                .write(toFile: other, atomically: true, encoding: .utf8)
            #expect(throws: SpikebarError.self) { _ = try TraceReplay.replay(tracePath: trace, scenarioPath: other) }
            let d = try TraceReplay.replay(tracePath: trace, scenarioPath: other, force: true, threads: 1)
            #expect(!d.identical && d.divergence != nil && (d.divergence?.population ?? 0) >= 1, "\(timing): \(d)")
        }
    }

    /// A graph with time constants steps at the scenario's frame when `network.dt` is not given.
    @Test func aTimedGraphStepsAtTheScenariosFrame() throws {
        let graph = try NIRGraph.read(path: fixture("lif_norse.nir"))
        let spec = try Self.load(Self.yaml(graph: fixture("lif_norse.nir"), data: "/nonexistent")).scenario.nir
        #expect(spec?.runOptions(for: graph, frame: 1e-3).dt == 1e-3)
        let sinabs = try NIRGraph.read(path: fixture("cnn_sinabs.nir"))
        #expect(spec?.runOptions(for: sinabs, frame: 1e-3).dt == 1)
    }

    /// Read-path parasitics on the NIR path: each cell attenuated (never amplified) as a single-row read
    /// sees it, so the programmed weights move further; no resistance, no change.
    @Test func parasiticsAttenuateTheProgrammedWeights() throws {
        let graph = try NIRGraph.read(path: fixture("cnn_sinabs.nir"))
        let device = RRAMDevice.default
        let plain = TileSpec(rows: 128, cols: 128, mapping: .columns)
        var lossy = plain
        lossy.parasitics = CrossbarParasitics(sourceResistance: 200, neuronResistance: 100, wireResistance: 1)
        var none = plain
        none.parasitics = CrossbarParasitics()
        let (a, ra) = NIRDeviceProgramming.program(graph, device: device, tiles: plain, seed: 1)
        let (b, rb) = NIRDeviceProgramming.program(graph, device: device, tiles: lossy, seed: 1)
        let (c, _) = NIRDeviceProgramming.program(graph, device: device, tiles: none, seed: 1)
        #expect(rb.parasitics && !ra.parasitics && rb.relativeRMSError > ra.relativeRMSError)
        #expect(a == c)
        // Attenuation shrinks |G⁺ − G⁻| on average: the programmed weights' total magnitude drops.
        func magnitude(_ g: NIRGraph) -> Double {
            g.nodes.values.reduce(0.0) { acc, n in
                switch n {
                case let .affine(w, _), let .linear(w): return acc + w.values.reduce(0) { $0 + abs($1) }
                case let .convolution(k): return acc + k.weight.values.reduce(0) { $0 + abs($1) }
                default: return acc
                }
            }
        }
        #expect(magnitude(b) < magnitude(a))
    }
}
