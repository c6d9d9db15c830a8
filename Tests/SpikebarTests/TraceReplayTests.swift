import Foundation
import Testing
import SpikebarActivity
import SpikebarCore
import SpikebarPipeline
import SpikebarScenario
import SpikebarTrace

/// Recording a run to `.sbt` and replaying it (Docs/trace-format.md, "Recorded runs").
@Suite struct TraceReplayTests {
    /// Records a fast quickstart run; returns the simulation, its activities and the trace path.
    func record(timing: String, in dir: URL) throws -> (Simulation, [Activity], String) {
        let sim = try Simulation(loaded: ScenarioLoader.load(path: fastQuickstart(in: dir, timing: timing)))
        let path = dir.appendingPathComponent("run-\(timing).sbt").path
        let activities = try sim.record(to: path, threads: 2, chunkEvents: 500)
        return (sim, activities, path)
    }

    @Test(arguments: ["exact", "grid"])
    func replayOfRecordedQuickstartIsIdentical(timing: String) throws {
        let dir = try temporaryDirectory("replay-\(timing)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (sim, activities, path) = try record(timing: timing, in: dir)
        #expect(activities == sim.runAll(threads: 1), "recording must not change the run")
        let single = dir.appendingPathComponent("single-thread.sbt").path
        _ = try sim.record(to: single, threads: 1, chunkEvents: 500)
        #expect(
            FileManager.default.contents(atPath: single) == FileManager.default.contents(atPath: path), "the file must not depend on the thread count"
        )

        // The trace holds exactly the kernel's spikes of every inference, at k·stride + t.
        let (reader, run) = try TraceReplay.open(path)
        #expect(run.inferences.map { (i: RecordedRun.Inference) -> Int in i.sample } == [0, 1, 2])
        #expect(reader.header.timeUnit == (timing == "exact" ? 1 : 1_000_000_000))
        let events = try reader.readEvents()
        for k in 0..<3 {
            let kernel = sim.infer(k, recordSpikes: true).spikes
            for p in 0..<3 {
                let stride = run.stridePicoseconds, start = Int64(k) * stride
                let stored: [TraceEvent] = events.filter { (e: TraceEvent) -> Bool in e.population == p && e.time / stride == Int64(k) }
                let times: [Int64] = stored.map { (e: TraceEvent) -> Int64 in e.time - start }
                let channels: [Int32] = stored.map { (e: TraceEvent) -> Int32 in Int32(e.index) }
                #expect(times == kernel[p].times, "inference \(k) population \(p)")
                #expect(channels == kernel[p].channels)
            }
        }
        let layerSpikes = events.filter { $0.population > 0 }
        #expect(
            layerSpikes.contains { $0.population == 1 } && layerSpikes.contains { $0.population == 2 },
            "both layers must fire for the test to mean something")

        let report = try TraceReplay.replay(tracePath: path, threads: 2)
        #expect(report.identical && report.divergence == nil)
        #expect(report.scenarioDigestMatches && report.gainsMatch)
        #expect(report.inferences == 3)
        #expect(report.eventsCompared == events.count)
    }

    /// A recording whose scenario is no longer at its recorded absolute path (the trace and scenario
    /// moved to another checkout) finds it by the path's trailing parts next to the trace, checked by
    /// digest; a scenario with other contents is not taken for it.
    @Test func movedRecordingFindsItsScenario() throws {
        let dir = try temporaryDirectory("moved")
        defer { try? FileManager.default.removeItem(at: dir) }
        let before = dir.appendingPathComponent("before"), after = dir.appendingPathComponent("after")
        try FileManager.default.createDirectory(at: before, withIntermediateDirectories: true)
        let (_, _, path) = try record(timing: "exact", in: before)
        let (_, run) = try TraceReplay.open(path)
        let scenarioName = (run.scenarioFile as NSString).lastPathComponent
        try FileManager.default.moveItem(at: before, to: after)
        let moved = after.appendingPathComponent((path as NSString).lastPathComponent).path
        #expect(TraceReplay.recordedScenarioFile(run, tracePath: moved) == after.appendingPathComponent(scenarioName).path)
        let report = try TraceReplay.replay(tracePath: moved, threads: 2)
        #expect(report.identical && report.scenarioDigestMatches)
        // Another scenario under the same name is not taken for the recorded one.
        let text = try String(contentsOfFile: after.appendingPathComponent(scenarioName).path, encoding: .utf8)
        try (text + "\n# edited\n").write(toFile: after.appendingPathComponent(scenarioName).path, atomically: true, encoding: .utf8)
        #expect(TraceReplay.recordedScenarioFile(run, tracePath: moved) == run.scenarioFile)
    }

    @Test func tamperedSpikeIsTheFirstDivergence() throws {
        let dir = try temporaryDirectory("tamper")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (_, _, path) = try record(timing: "exact", in: dir)
        let (_, run) = try TraceReplay.open(path)
        let stride = run.stridePicoseconds
        // Move the 3rd hidden spike of inference 1 one picosecond later.
        var moved: TraceEvent?
        let tampered = dir.appendingPathComponent("tampered.sbt").path
        try rewriteTrace(path, to: tampered) { events in
            let hidden = events.indices.filter { events[$0].population == 1 && events[$0].time / stride == 1 }
            guard hidden.count > 3 else { return }
            let i = hidden[2]
            moved = events[i]
            events[i].time += 1
            events.sort { $0.time < $1.time }  // stable in practice: one event moved by 1 ps
        }
        let m = try #require(moved, "inference 1 needs hidden spikes")
        let report = try TraceReplay.replay(tracePath: tampered, threads: 1)
        #expect(!report.identical)
        let d = try #require(report.divergence)
        #expect(d.inference == 1 && d.sample == 1)
        #expect(d.population == 1 && d.populationName == "hidden")
        #expect(d.position == 2)
        #expect(d.recordedNeuron == m.index && d.replayedNeuron == m.index)
        #expect(d.recordedTimePicoseconds == m.time - stride + 1)
        #expect(d.replayedTimePicoseconds == m.time - stride)
        #expect(report.inferences == 2, "replay stops at the first divergent inference")
        #expect(d.description.contains("hidden") && d.description.contains("inference 1"))

        // A changed scenario is refused unless forced.
        let scenario = dir.appendingPathComponent("qs.yaml").path
        try (String(contentsOfFile: scenario, encoding: .utf8) + "\n# edited\n").write(toFile: scenario, atomically: true, encoding: .utf8)
        #expect(throws: SpikebarError.self) { try TraceReplay.replay(tracePath: path) }
        let forced = try TraceReplay.replay(tracePath: path, force: true)
        #expect(!forced.scenarioDigestMatches && forced.identical)
    }

    @Test func traceInputReproducesTheRecordedRun() throws {
        let dir = try temporaryDirectory("trace-input")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (sim, activities, path) = try record(timing: "exact", in: dir)
        let replayScenario = try fastQuickstart(in: dir, input: "{source: trace, file: run-exact.sbt, window: 0.04}", name: "from-trace.yaml")
        let fromTrace = try Simulation(loaded: ScenarioLoader.load(path: replayScenario))
        #expect(fromTrace.inputs.count == 3, "samples default to every inference of the trace")
        #expect(fromTrace.inputs.sampleIDs == sim.inputs.sampleIDs)
        #expect(fromTrace.inputs.labels == sim.inputs.labels)
        #expect(fromTrace.runAll(threads: 2) == activities)
        #expect(fromTrace.inputSpikes(1) == sim.inputSpikes(1))
        _ = path
    }

    @Test func plainTraceIsCutIntoWindows() throws {
        let dir = try temporaryDirectory("plain-trace")
        defer { try? FileManager.default.removeItem(at: dir) }
        let trace = dir.appendingPathComponent("plain.sbt").path
        let w = try TraceWriter(
            path: trace, header: TraceHeader(populations: [.init(name: "sensor", size: 4), .init(name: "other", size: 2)], timeUnit: 1_000))
        w.syncOnClose = false
        // 50 ms windows: events in windows 0, 0, 1, 2 (and one of another population, ignored).
        for (t, p, i) in [(1_000_000_000, 0, 3), (2_000_000_000, 1, 1), (49_999_999_000, 0, 0), (50_000_000_000, 0, 2), (120_000_000_000, 0, 1)]
            as [(Int64, Int, Int)]
        {
            try w.append(TraceEvent(time: t, population: p, index: i))
        }
        try w.close()
        let yaml = """
            network: {input: 4, layers: [{name: out, size: 2}]}
            weights: {target_rate: 0}
            input: {source: trace, file: plain.sbt, window: 0.05, first_sample: 1}
            """
        let path = dir.appendingPathComponent("plain.yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        let sim = try Simulation(loaded: ScenarioLoader.load(path: path))
        #expect(sim.inputs.count == 2 && sim.inputs.sampleIDs == [1, 2])
        #expect(sim.inputs.labels == nil)
        #expect(sim.inputSpikes(0).times == [0] && sim.inputSpikes(0).channels == [2])
        #expect(sim.inputSpikes(1).times == [20_000_000_000] && sim.inputSpikes(1).channels == [1])
    }

    @Test func malformedTraceInputNamesFileLineAndKey() throws {
        let dir = try temporaryDirectory("bad-trace-input")
        defer { try? FileManager.default.removeItem(at: dir) }
        func error(_ input: String) throws -> String {
            let path = dir.appendingPathComponent("s.yaml").path
            try "network: {input: 4, layers: [{name: out, size: 2}]}\nweights: {target_rate: 0}\ninput:\n  \(input)\n"
                .write(toFile: path, atomically: true, encoding: .utf8)
            do { _ = try Simulation(loaded: ScenarioLoader.load(path: path)); return "no error" } catch { return "\(error)" }
        }
        let noFile = try error("{source: trace}")
        // The key is absent: the location is the `input:` mapping it is missing from.
        #expect(noFile.contains("s.yaml:3") && noFile.contains("input.file") && noFile.contains("trace"), "\(noFile)")
        let missing = try error("{source: trace, file: nope.sbt}")
        #expect(missing.contains("s.yaml:4") && missing.contains("input.file") && missing.contains("nope.sbt"), "\(missing)")
        try Data("not a trace at all".utf8).write(to: dir.appendingPathComponent("junk.sbt"))
        let junk = try error("{source: trace, file: junk.sbt}")
        #expect(junk.contains("s.yaml:4") && junk.contains("input.file") && junk.contains("junk.sbt") && junk.contains("byte 0"), "\(junk)")
        let w = try TraceWriter(path: dir.appendingPathComponent("wide.sbt").path, header: TraceHeader(populations: [.init(name: "retina", size: 9)]))
        try w.close()
        let wide = try error("{source: trace, file: wide.sbt}")
        #expect(wide.contains("s.yaml:4") && wide.contains("retina") && wide.contains("network.input"), "\(wide)")
        let labels = try error("{source: trace, file: wide.sbt, labels: l.idx}")
        #expect(labels.contains("input.labels"), "\(labels)")
        let tooMany = try error("{source: trace, file: wide.sbt, samples: 2}")
        #expect(tooMany.contains("s.yaml:4"), "\(tooMany)")
    }
}
