import Foundation
import SpikebarCore
import SpikebarNIR
import SpikebarKernel
import SpikebarScenario
import SpikebarTrace

/// The first event where a replay differs from its recording.
public struct ReplayDivergence: Codable, Sendable, Equatable, CustomStringConvertible {
    /// Inference (0-based position in the run) and its sample id.
    public var inference: Int, sample: Int
    /// Population (0 = input) and its name.
    public var population: Int, populationName: String
    /// Position of the event among this population's spikes of this inference (0-based).
    public var position: Int
    /// The event as recorded and as replayed: neuron index and time (ps from the start of the
    /// inference's window); nil when that side has no event at this position.
    public var recordedNeuron: Int?, recordedTimePicoseconds: Int64?
    public var replayedNeuron: Int?, replayedTimePicoseconds: Int64?

    public var description: String {
        func side(_ n: Int?, _ t: Int64?) -> String {
            guard let n, let t else { return "no event" }
            return "neuron \(n) at \(t) ps (\(Units.format(seconds: Double(t) * 1e-12)))"
        }
        return "inference \(inference) (sample \(sample)), population \(populationName), spike #\(position) of the inference: "
            + "recorded \(side(recordedNeuron, recordedTimePicoseconds)), replayed \(side(replayedNeuron, replayedTimePicoseconds))"
    }
}

/// What a replay found.
public struct ReplayReport: Codable, Sendable, Equatable {
    public var trace: String
    /// Scenario the chip was programmed from, and whether its digest matched the recording's.
    public var scenario: String
    public var scenarioDigestMatches: Bool
    /// Whether the recomputed DPI gains equal the recorded ones (they differ when the scenario or the
    /// calibration changed; a divergence then has that cause).
    public var gainsMatch: Bool
    /// Inferences replayed (all of them, or up to and including the first divergent one).
    public var inferences: Int
    /// Recorded events of those inferences (input and every layer) compared with the replay.
    public var eventsCompared: Int
    /// True only when every recorded inference was compared and none diverged: a damaged trace is
    /// never "identical" (issue #22).
    public var identical: Bool
    public var divergence: ReplayDivergence?
    /// Inferences (0-based positions) whose recorded spikes are incomplete because the trace is damaged,
    /// truncated or unfinished: not compared. Empty for an intact trace.
    public var damagedInferences: [Int] = []
    /// What the trace lost and where (byte offsets).
    public var damage: [LostSpan] = []
}

/// Replays a recorded run (`spikebar trace replay`): re-programs the chip from the scenario, feeds each
/// inference's recorded input spikes to the kernel and checks that every population's spikes are
/// identical — same neurons, same times to the picosecond, same order (Docs/trace-format.md, "Recorded
/// runs"). The run's seed, timing, dt, window and sample range come from the trace, the chip from the
/// scenario.
public enum TraceReplay {
    /// Opens a trace written by `spikebar run --record`.
    public static func open(_ path: String) throws -> (TraceReader, RecordedRun) {
        let reader = try TraceReader(path: path)
        guard let run = RecordedRun.decode(metadata: reader.header.metadata) else {
            throw SpikebarError.invalidInput(
                SourceLocation(file: path),
                "not a recorded run: its metadata has no \"kind\":\"\(RecordedRun.kindValue)\" record (replay needs a trace written by `spikebar run --record`)"
            )
        }
        guard run.version <= RecordedRun.currentVersion else {
            throw SpikebarError.invalidInput(
                SourceLocation(file: path),
                "recorded-run metadata version \(run.version) is newer than this spikebar (\(RecordedRun.currentVersion)); upgrade to replay it")
        }
        guard run.timing == "exact" || run.timing == "grid" else {
            throw SpikebarError.invalidInput(SourceLocation(file: path), "recorded-run metadata has timing '\(run.timing)' (expected exact or grid)")
        }
        guard run.stridePicoseconds > 0 else {
            throw SpikebarError.invalidInput(SourceLocation(file: path), "recorded-run metadata has a non-positive stride")
        }
        if let why = run.validationProblem() {
            throw SpikebarError.invalidInput(SourceLocation(file: path, keyPath: "metadata"), "recorded-run metadata: \(why)")
        }
        return (reader, run)
    }

    /// The scenario of a recorded run with the run's own parameters applied (seed, timing, dt, window,
    /// samples), and whether its text still has the recorded digest.
    public static func scenario(for run: RecordedRun, path: String?, tracePath: String? = nil) throws -> (LoadedScenario, digestMatches: Bool) {
        var loaded = try ScenarioLoader.load(path: path ?? recordedScenarioFile(run, tracePath: tracePath))
        try loaded.scenario.requireNeuronModel([.lifDPI, .nir], for: "spikebar trace replay")
        let matches = loaded.digest == run.scenarioDigest
        loaded.scenario.seed = run.seed
        loaded.scenario.simulation.timing = run.timing == "grid" ? .grid : .exact
        loaded.scenario.simulation.dt = run.dtSeconds
        loaded.scenario.input.window = run.windowSeconds
        loaded.scenario.input.firstSample = run.firstSample
        loaded.scenario.input.samples = max(1, run.inferences.count)
        loaded.scenario.input.samplesGiven = true
        return (loaded, matches)
    }

    /// The scenario file named in the recording, or — when that absolute path does not exist here (a
    /// trace recorded in another checkout, such as `Traces/quickstart-5-inferences.sbt`) — the first of
    /// its trailing parts (`Scenarios/quickstart.yaml`, then `quickstart.yaml`) that exists relative to
    /// the current directory or to the trace's directory and has the recorded digest. Otherwise the
    /// recorded path, whose load then fails naming it.
    public static func recordedScenarioFile(_ run: RecordedRun, tracePath: String?) -> String {
        let recorded = run.scenarioFile
        guard !FileManager.default.fileExists(atPath: recorded) else { return recorded }
        let parts = recorded.split(separator: "/").map(String.init)
        var bases = [""]
        if let tracePath { bases.append((tracePath as NSString).deletingLastPathComponent) }
        for start in parts.indices {
            let suffix = parts[start...].joined(separator: "/")
            for base in bases {
                let candidate = base.isEmpty ? suffix : (base as NSString).appendingPathComponent(suffix)
                guard FileManager.default.fileExists(atPath: candidate),
                    let loaded = try? ScenarioLoader.load(path: candidate), loaded.digest == run.scenarioDigest
                else { continue }
                return candidate
            }
        }
        return recorded
    }

    /// Replays `tracePath` on the scenario at `scenarioPath` (default: the one named in the trace).
    /// Throws when the scenario's digest differs from the recording's unless `force`, and when the
    /// trace's address space is not the chip's. A divergence is not an error: it is in the report.
    /// An NIR scenario's graph is read by `readGraph` (default `NIRGraph.read`; the CLI reads it in a
    /// child process first) and replayed by the NIR reference program (`NIRSimulation.run(input:)`).
    public static func replay(
        tracePath: String, scenarioPath: String? = nil, force: Bool = false, threads: Int = 0,
        readGraph: ((String) throws -> NIRGraph)? = nil,
        progress: (@Sendable (Int) -> Void)? = nil
    ) throws -> ReplayReport {
        let (reader, run) = try open(tracePath)
        let (loaded, matches) = try scenario(for: run, path: scenarioPath, tracePath: tracePath)
        if !matches && !force {
            throw SpikebarError.mismatch(
                "\(loaded.path): scenario digest \(loaded.digest) differs from the one the trace was recorded with (\(run.scenarioDigest)): the scenario changed since \(tracePath) was recorded. Pass --force to replay on it anyway"
            )
        }
        // The engine that replays one inference from its recorded input: the event kernel on the chip, or
        // the NIR reference program on an NIR scenario's programmed graph.
        let populations: [TracePopulation]
        let gainsMatch: Bool
        let replayInference: @Sendable (SpikeList, RecordedRun.Inference) throws -> [SpikeList]
        if let graphPath = loaded.nirGraph {
            let graph: NIRGraph
            do { graph = try (readGraph ?? { try NIRGraph.read(path: $0) })(graphPath) } catch let e as NIRError { throw e.spikebarError }
            let sim = try NIRSimulation(loaded: loaded, graph: graph, loadInputs: false)
            populations = sim.tracePopulations
            gainsMatch = run.gains.isEmpty
            replayInference = { input, _ in try sim.run(input: input).1 }
        } else {
            let sim = try Simulation(loaded: loaded, readNoise: run.readNoise)
            populations = sim.tracePopulations
            gainsMatch = sim.gains == run.gains
            replayInference = { input, inf in
                let opts = RunOptions(
                    window: run.windowSeconds, sample: inf.sample, seed: run.seed, recordSpikes: true,
                    reportingStep: run.dtSeconds)
                return sim.kernel.run(input: input, options: opts).spikes
            }
        }
        guard populations == reader.header.populations else {
            let have = populations.map { "\($0.name)[\($0.size)]" }.joined(separator: ", ")
            let want = reader.header.populations.map { "\($0.name)[\($0.size)]" }.joined(separator: ", ")
            throw SpikebarError.mismatch(
                "\(tracePath): the trace's populations (\(want)) are not the chip's (\(have)) programmed from \(loaded.path)")
        }
        var report = ReplayReport(
            trace: tracePath, scenario: loaded.path, scenarioDigestMatches: matches,
            gainsMatch: gainsMatch, inferences: 0, eventsCompared: 0, identical: true, divergence: nil)
        let pops = reader.header.populations.count
        let names = reader.header.populations.map(\.name)
        let stride = run.stridePicoseconds
        let total = run.inferences.count
        var lost = reader.lostSpans()
        func damaged(_ k: Int) -> Bool {
            let start = Int64(k) &* stride
            return lost.contains { $0.overlaps(start: start, end: start &+ stride) }
        }
        let workers = threads > 0 ? threads : ProcessInfo.processInfo.activeProcessorCount
        let batchSize = max(16, 4 * workers)
        var batch: [[SpikeList]] = []
        var batchStart = 0
        /// An inference the engine could not replay (an NIR run that threw): stops the replay, rethrown.
        var replayError: Result<ReplayDivergence?, Error>?

        /// Replays inferences `batchStart ..< batchStart + batch.count`; false once a divergence is found.
        func flush() -> Bool {
            let recorded = batch, base = batchStart
            let skip = (0..<recorded.count).map { damaged(base + $0) }
            let found = ParallelMap.map(count: recorded.count, threads: threads) { j -> Result<ReplayDivergence?, Error> in
                if skip[j] { return .success(nil) }
                let inf = run.inferences[base + j]
                let replayed: [SpikeList]
                do { replayed = try replayInference(recorded[j][0], inf) } catch { return .failure(error) }
                return .success(
                    firstDifference(recorded: recorded[j], replayed: replayed).map { p, i in
                        let r = recorded[j][p], q = replayed[p]
                        return ReplayDivergence(
                            inference: base + j, sample: inf.sample, population: p,
                            populationName: names[p], position: i,
                            recordedNeuron: i < r.count ? Int(r.channels[i]) : nil,
                            recordedTimePicoseconds: i < r.count ? r.times[i] : nil,
                            replayedNeuron: i < q.count ? Int(q.channels[i]) : nil,
                            replayedTimePicoseconds: i < q.count ? q.times[i] : nil)
                    })
            }
            for (j, outcome) in found.enumerated() {
                guard case let .success(d) = outcome else { replayError = outcome; return false }
                report.inferences = base + j + 1
                if skip[j] {
                    report.damagedInferences.append(base + j)
                    progress?(base + j + 1)
                    continue
                }
                report.eventsCompared += recorded[j].reduce(0) { $0 + $1.count }
                progress?(base + j + 1)
                if let d { report.divergence = d; report.identical = false; return false }
            }
            batchStart += batch.count
            batch = []
            return true
        }

        func finish() throws -> ReplayReport {
            if case let .failure(error)? = replayError { throw error }
            report.damage = lost
            if !report.damagedInferences.isEmpty { report.identical = false }
            return report
        }

        var it = reader.events().makeIterator()
        var current = [SpikeList](repeating: SpikeList(), count: pops)
        var k = 0
        func advance(to target: Int) -> Bool {
            while k < target {
                batch.append(current)
                current = [SpikeList](repeating: SpikeList(), count: pops)
                k += 1
                if batch.count == batchSize, !flush() { return false }
            }
            return true
        }
        while let e = it.next() {
            guard e.time >= 0, e.time / stride < Int64(total) else {
                throw SpikebarError.corruptFile(
                    path: tracePath, offset: 0,
                    "event at \(e.time) ps (\(reader.header.populations[e.population].name) neuron \(e.index)) lies outside the \(total) recorded inferences of \(stride) ps each"
                )
            }
            let target = Int(e.time / stride)
            if target > k, !advance(to: target) { return try finish() }
            current[e.population].append(time: e.time - Int64(k) * stride, channel: Int32(e.index))
        }
        if let error = it.error {
            // A chunk that does not decode: everything from it on is lost (the iterator stops there).
            guard let i = reader.chunks.firstIndex(where: { $0.number == error.chunk }) else { throw error }
            var span = reader.lostSpan(chunk: i, error: error)
            span.toPicoseconds = nil
            lost.append(span)
        }
        if total > 0, !advance(to: total) { return try finish() }
        if !batch.isEmpty { _ = flush() }
        return try finish()
    }

    /// The population and position of the earliest event where `replayed` differs from `recorded`
    /// (by time; ties to the lower population), or nil when identical.
    public static func firstDifference(recorded: [SpikeList], replayed: [SpikeList]) -> (population: Int, position: Int)? {
        var best: (population: Int, position: Int, time: Int64)?
        for p in 0..<max(recorded.count, replayed.count) {
            let r = p < recorded.count ? recorded[p] : SpikeList(), q = p < replayed.count ? replayed[p] : SpikeList()
            var i = 0
            let n = min(r.count, q.count)
            while i < n && r.times[i] == q.times[i] && r.channels[i] == q.channels[i] { i += 1 }
            if i == r.count && i == q.count { continue }
            let t = min(i < r.count ? r.times[i] : .max, i < q.count ? q.times[i] : .max)
            if let b = best, b.time <= t { continue }
            best = (p, i, t)
        }
        return best.map { ($0.population, $0.position) }
    }
}
