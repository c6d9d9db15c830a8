import ArgumentParser
import Foundation
import SpikebarCore
import SpikebarPipeline
import SpikebarScenario
import SpikebarTrace

/// `spikebar trace …`: inspect, print, import and repair `.sbt` spike traces (Docs/trace-format.md).
struct TraceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "Inspect, print, import, repair and replay compressed spike traces (.sbt).",
        subcommands: [Inspect.self, Cat.self, Import.self, Repair.self, Replay.self])

    /// Buffered standard output: printing millions of events line by line through `print` is slow.
    struct Output {
        var buffer = ""
        mutating func line(_ s: String) {
            buffer += s; buffer += "\n"
            if buffer.utf8.count > 1 << 16 { flush() }
        }
        mutating func flush() {
            FileHandle.standardOutput.write(Data(buffer.utf8)); buffer = ""
        }
    }

    /// Exact decimal seconds of a picosecond time (no floating point), trailing zeros trimmed.
    static func seconds(_ ps: Int64) -> String {
        let neg = ps < 0
        let m = ps.magnitude
        var frac = String(m % 1_000_000_000_000)
        frac = String(repeating: "0", count: 12 - frac.count) + frac
        while frac.hasSuffix("0") { frac.removeLast() }
        return (neg ? "-" : "") + String(m / 1_000_000_000_000) + (frac.isEmpty ? "" : "." + frac)
    }

    /// A `--from`/`--to` value in picoseconds; refuses what no trace time can be (NaN, ±inf, beyond ±2⁶³ ps ≈ ±106 days).
    static func picoseconds(_ s: Double?, option: String) throws -> Int64? {
        guard let s else { return nil }
        guard s.isFinite, abs(s) < 9.2e6 else {
            throw SpikebarError.invalidInput(
                SourceLocation(file: option), "\(s) s is not a trace time (expected a finite number of seconds, |t| < 9.2e6 s)")
        }
        return SimTime.nearest(seconds: s).picoseconds
    }

    /// A CSV field: quoted (RFC 4180) when it holds a comma, quote or line break, so that
    /// `trace import --format csv` reads back the name it was given.
    static func csvField(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A JSON string literal.
    static func jsonString(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default: out += u.value < 0x20 ? String(format: "\\u%04x", u.value) : String(u)
            }
        }
        return out + "\""
    }

    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Summarise a trace: events, duration, rate per population, bytes per event, chunk table.")
        @Argument(help: "The .sbt file.") var file: String
        @Flag(help: "Print JSON instead of text.") var json = false
        @Flag(help: "Omit the chunk table.") var noChunks = false

        struct Summary: Codable {
            struct Population: Codable { var name: String; var size: Int; var events: Int; var rateHzPerNeuron: Double }
            struct Chunk: Codable { var number: Int; var offset: Int; var events: Int; var firstTimePs: Int64; var lastTimePs: Int64; var bytes: Int }
            var file: String; var formatVersion: String; var fileBytes: Int; var events: Int
            var firstTimePs: Int64?; var lastTimePs: Int64?; var durationSeconds: Double; var bytesPerEvent: Double
            var timeUnitPs: Int64; var scenarioDigest: String; var metadata: String; var hasIndex: Bool
            var populations: [Population]; var chunks: [Chunk]?; var problems: [String]
        }

        func run() throws { try reportingInputErrors { try work() } }

        func work() throws {
            let r = try TraceReader(path: file)
            var counts = [Int](repeating: 0, count: r.header.populations.count)
            let problems = r.forEachIntactChunk { c in
                for a in c.addresses { counts[r.location(of: a).population] += 1 }
            }
            let first = r.chunks.first?.firstTime, last = r.chunks.last?.lastTime
            let duration = first.map { (Double(last ?? $0) - Double($0)) * 1e-12 } ?? 0  // Double: a crafted first time −2⁶³ must not overflow
            let n = r.eventCount
            let pops = r.header.populations.enumerated().map { k, p in
                Summary.Population(
                    name: p.name, size: p.size, events: counts[k],
                    rateHzPerNeuron: duration > 0 && p.size > 0 ? Double(counts[k]) / duration / Double(p.size) : 0)
            }
            let s = Summary(
                file: file, formatVersion: "\(r.version.major).\(r.version.minor)", fileBytes: r.fileSize, events: n,
                firstTimePs: first, lastTimePs: last, durationSeconds: duration,
                bytesPerEvent: n > 0 ? Double(r.fileSize) / Double(n) : 0, timeUnitPs: r.header.timeUnit,
                scenarioDigest: r.header.scenarioDigest, metadata: r.header.metadata, hasIndex: r.hasIndex,
                populations: pops,
                chunks: noChunks
                    ? nil
                    : r.chunks.map {
                        .init(
                            number: $0.number, offset: $0.offset, events: $0.eventCount,
                            firstTimePs: $0.firstTime, lastTimePs: $0.lastTime, bytes: $0.byteLength)
                    },
                problems: problems.map(\.description))
            if json {
                try printJSON(s)
                return
            }
            print("\(file): .sbt \(s.formatVersion), \(s.fileBytes) bytes, \(n) events, \(String(format: "%.3f", s.bytesPerEvent)) B/event")
            print(
                "time: \(first.map(TraceCommand.seconds) ?? "—") … \(last.map(TraceCommand.seconds) ?? "—") s (duration \(String(format: "%.6g", duration)) s, unit \(s.timeUnitPs) ps)"
            )
            if !s.scenarioDigest.isEmpty { print("scenario digest: \(s.scenarioDigest)") }
            let meta = s.metadata.count > 200 ? String(s.metadata.prefix(200)) + "… (\(s.metadata.count) chars)" : s.metadata
            print("metadata: \(meta)")
            print("index: \(s.hasIndex ? "present" : "MISSING (chunks found by scanning; run `spikebar trace repair`)")")
            print("populations:")
            for p in pops {
                print(
                    "  \(p.name.padding(toLength: 16, withPad: " ", startingAt: 0)) size \(p.size)  events \(p.events)  rate \(String(format: "%.4g", p.rateHzPerNeuron)) Hz/neuron"
                )
            }
            if let chunks = s.chunks {
                print("chunks: \(chunks.count)")
                print("   #        offset     events   first (s)          last (s)           bytes   B/event")
                for c in chunks {
                    print(
                        String(format: "%4d %13d %10d   ", c.number, c.offset, c.events)
                            + TraceCommand.seconds(c.firstTimePs).padding(toLength: 18, withPad: " ", startingAt: 0) + " "
                            + TraceCommand.seconds(c.lastTimePs).padding(toLength: 18, withPad: " ", startingAt: 0)
                            + String(format: " %8d %8.3f", c.bytes, Double(c.bytes) / Double(max(c.events, 1))))
                }
            }
            if !problems.isEmpty {
                print("problems:")
                for p in problems { print("  - \(p)") }
            }
        }
    }

    struct Cat: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the events of a trace (optionally a time window) as CSV or JSON lines.")
        enum Format: String, ExpressibleByArgument, CaseIterable { case csv, jsonl }
        @Argument(help: "The .sbt file.") var file: String
        @Option(help: "First time to print, seconds (inclusive).") var from: Double?
        @Option(help: "End of the window, seconds (exclusive).") var to: Double?
        @Option(help: "csv (time_s,population,index — importable with `trace import --format csv`) or jsonl.") var format: Format = .csv
        @Flag(help: "Same as --format jsonl: one JSON object per event ({time_ps, population, index}).") var json = false
        @Option(help: "Print only this population (its name or 0-based number); repeat for several.") var population: [String] = []

        func run() throws { try reportingInputErrors { try work() } }

        func work() throws {
            let r = try TraceReader(path: file)
            let names = r.header.populations.map(\.name)
            var keep = [Bool](repeating: population.isEmpty, count: names.count)
            for p in population {
                guard let k = names.firstIndex(of: p) ?? Int(p).flatMap({ names.indices.contains($0) ? $0 : nil }) else {
                    throw ValidationError(
                        "--population \(p): \(file) has populations \(names.enumerated().map { "\($0.offset) \($0.element)" }.joined(separator: ", "))"
                    )
                }
                keep[k] = true
            }
            let format = json ? .jsonl : self.format
            let fromPs = try TraceCommand.picoseconds(from, option: "--from"), toPs = try TraceCommand.picoseconds(to, option: "--to")
            let csvNames = names.map(TraceCommand.csvField), jsonNames = names.map(TraceCommand.jsonString)
            var out = Output()
            if format == .csv { out.line("time_s,population,index") }
            do {
                try r.forEachEvent(from: fromPs, to: toPs) { e in
                    guard keep[e.population] else { return }
                    switch format {
                    case .csv: out.line("\(TraceCommand.seconds(e.time)),\(csvNames[e.population]),\(e.index)")
                    case .jsonl: out.line("{\"time_ps\":\(e.time),\"population\":\(jsonNames[e.population]),\"index\":\(e.index)}")
                    }
                }
            } catch let e as TraceError {
                out.flush()
                throw SpikebarError.damaged(path: file, offset: e.offset, "\(e.message); the events printed stop before it")
            }
            out.flush()
            // A truncated or unfinished file: the events printed are not all the window holds.
            if let span = r.lostSpans().first(where: { $0.overlaps(start: fromPs ?? .min, end: toPs ?? .max) }) {
                throw SpikebarError.damaged(path: file, offset: span.offset, "the events printed are incomplete: \(span)")
            }
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Convert event files to .sbt.",
            discussion: """
                nmnist: one or more N-MNIST .bin recordings, concatenated in the order given (sample k+1 starts 1 µs \
                after the last event of sample k; the sample table is in the trace metadata).
                csv: one file of `time,population,index` lines (see Docs/trace-format.md; SHD via Traces/tools/shd_to_csv.py).
                """)
        enum Format: String, ExpressibleByArgument, CaseIterable { case nmnist, csv }
        @Option(help: "Input format: nmnist or csv.") var format: Format
        @Argument(help: "Input files.") var files: [String]
        @Option(help: "Output .sbt file.") var out: String
        @Option(help: "CSV time column unit: s, ms, us, ns or ps.") var timeColumn: String = "s"
        @Option(help: "zstd level.") var level: Int = TraceWriter.defaultLevel
        @Option(help: "Events per chunk.") var chunkEvents: Int = TraceWriter.defaultChunkEvents
        @Flag(help: "Print the result as JSON ({output, events, recordings?, populations, timeUnitPs}).") var json = false
        @Flag(help: "No progress on standard error.") var quiet = false

        struct Result: Codable { var output: String; var events: Int; var recordings: Int?; var populations: [String]?; var timeUnitPs: Int64? }

        func run() throws { try reportingInputErrors { try work() } }

        func work() throws {
            guard !files.isEmpty else { throw ValidationError("no input files") }
            try OutputPath.checkFile(out, what: "--out", inputs: files)
            switch format {
            case .nmnist:
                let progress = ProgressLine(total: files.count, label: "recordings read", enabled: !json && !quiet)
                let samples = try NMNISTImporter.writeTrace(files: files, output: out, chunkEvents: chunkEvents, level: level) { progress.update($0) }
                progress.finish()
                if json { return try printJSON(Result(output: out, events: samples.reduce(0) { $0 + $1.events }, recordings: samples.count)) }
                print("\(out): \(samples.reduce(0) { $0 + $1.events }) events from \(samples.count) N-MNIST recording(s)")
            case .csv:
                guard files.count == 1 else { throw ValidationError("--format csv takes exactly one file") }
                guard let tc = CSVImporter.TimeColumn(rawValue: timeColumn) else {
                    throw ValidationError("--time-column must be one of s, ms, us, ns, ps")
                }
                let (header, events) = try CSVImporter.import(path: files[0], options: .init(timeColumn: tc))
                let w = try TraceWriter(path: out, header: header, chunkEvents: chunkEvents, level: level)
                do { try w.append(contentsOf: events); try w.close() } catch { w.discard(); throw error }
                if json {
                    return try printJSON(
                        Result(
                            output: out, events: events.count, populations: header.populations.map { "\($0.name)[\($0.size)]" },
                            timeUnitPs: header.timeUnit))
                }
                print(
                    "\(out): \(events.count) events, populations \(header.populations.map { "\($0.name)[\($0.size)]" }.joined(separator: ", ")), unit \(header.timeUnit) ps"
                )
            }
        }
    }

    struct Repair: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rewrite a damaged or unfinished trace (e.g. a killed writer's .partial file) with every intact chunk and a new index.")
        @Argument(help: "The damaged .sbt (or .sbt.partial) file.") var input: String
        @Option(help: "Output .sbt file.") var out: String
        @Flag(help: "Print the result as JSON ({input, output, inputHadIndex, chunksRecovered, eventsRecovered, problems}).") var json = false

        struct Result: Codable {
            var input: String; var output: String; var inputHadIndex: Bool; var chunksRecovered: Int; var eventsRecovered: Int; var problems: [String]
        }

        func run() throws { try reportingInputErrors { try work() } }

        func work() throws {
            try OutputPath.checkFile(out, what: "--out", inputs: [input])
            let r = try TraceRepair.repair(input: input, output: out)
            if json {
                try printJSON(
                    Result(
                        input: r.input, output: r.output, inputHadIndex: r.inputHadIndex, chunksRecovered: r.chunksRecovered,
                        eventsRecovered: r.eventsRecovered, problems: r.problems.map(\.description)))
            } else {
                print(r)
            }
        }
    }
}

/// Runs a trace subcommand's work: a `SpikebarError` or `TraceError` is reported and exits 2 (bad
/// input) or 3 (damaged input), as the docs say, instead of ArgumentParser's generic exit 1.
func reportingInputErrors(_ body: () throws -> Void) throws {
    do { try body() } catch let e as SpikebarError { fail(e) } catch let e as TraceError { fail(e) }
}

/// `spikebar bench trace`: compression and speed of `.sbt` against zstd -19 / xz -9 on three workloads.
struct TraceBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "Benchmark the .sbt trace format on N-MNIST, a recorded quickstart run and Poisson traces.",
        discussion: """
            Workloads: (a) N-MNIST event-camera recordings; (b) a run of --scenario (default the quickstart) \
            recorded with `spikebar run --record` semantics: input spikes and every layer's spikes of \
            --run-samples inferences, 1 ps unit; the quickstart stamps its input spikes on a 1 µs AER clock \
            (input.time_resolution) (or --trace FILE, an existing recording); (c) Poisson \
            traces with a known entropy bound. For each: .sbt bytes/event, encode and decode events/s, and \
            zstd -19 / xz -9 on a plain 12-byte/event dump measured in the same run.
            """)
    @Option(help: "Events of the Poisson workload.") var events: Int = 1_000_000
    @Option(help: "N-MNIST recordings to use (0 = all 1,100; the default keeps the run near a minute).") var nmnistFiles: Int = 250
    @Option(help: "Directory of N-MNIST .bin files (default: ../shared/data/nmnist-subset or $SPIKEBAR_DATA/nmnist-subset).") var nmnist: String?
    @Option(help: "An existing recorded .sbt trace to measure instead of recording --scenario.") var trace: String?
    @Option(help: "Scenario recorded for workload (b).") var scenario = "Scenarios/untrained-784-128-10.yaml"
    @Option(help: "Inferences recorded for workload (b) (200 = every bundled MNIST digit).") var runSamples = 200
    @Option(help: "Runs per measurement at least (median reported); a small workload gets more (--min-events).") var repeats: Int = 5
    @Option(
        help:
            "Events each workload encodes and decodes in all, at least: more runs for a small workload, so that a burst of other load cannot move its median (0: exactly --repeats runs)."
    ) var minEvents: Int = 10_000_000
    @Option(help: "zstd level of .sbt.") var level: Int = TraceWriter.defaultLevel
    @Option(help: "Events per chunk.") var chunkEvents: Int = TraceWriter.defaultChunkEvents
    @Option(help: "Poisson workload: neuron count.") var poissonNeurons: Int = 1000
    @Option(help: "Poisson workload: rate per neuron, Hz.") var poissonRate: Double = 20
    @Option(help: "Poisson workload: time resolution, picoseconds.") var poissonResolutionPs: Int64 = 1_000_000
    @Flag(help: "Skip the zstd -19 / xz -9 baselines (they take most of the time).") var noBaselines = false
    @Flag(help: "Print the results as JSON on standard output (progress notes still go to standard error unless --quiet).") var json = false
    @Flag(help: "No progress notes on standard error.") var quiet = false

    func run() throws {
        var o = TraceBenchmark.Options()
        o.events = events; o.nmnistFiles = nmnistFiles; o.tracePath = trace; o.repeats = repeats; o.minimumEventsMeasured = max(0, minEvents)
        o.level = level; o.chunkEvents = chunkEvents; o.externalBaselines = !noBaselines
        o.poissonNeurons = poissonNeurons; o.poissonRateHz = poissonRate; o.poissonResolution = poissonResolutionPs
        guard events > 0, repeats > 0, poissonNeurons > 0, poissonRate > 0, poissonResolutionPs > 0 else {
            throw ValidationError("--events, --repeats and the Poisson parameters must be positive")
        }
        if let nmnist {
            o.nmnistDirectory = nmnist
        } else {
            let base = ProcessInfo.processInfo.environment["SPIKEBAR_DATA"] ?? "../shared/data"
            o.nmnistDirectory = base + "/nmnist-subset"
        }
        func log(_ msg: String) { note(msg, quiet: quiet) }
        guard runSamples > 0 else { throw ValidationError("--run-samples must be positive") }
        var recorded: String?
        defer { if let recorded { try? FileManager.default.removeItem(atPath: recorded) } }
        if trace == nil {
            do {
                var loaded = try ScenarioLoader.load(path: scenario)
                try loaded.scenario.requireNeuronModel([.lifDPI], for: "spikebar trace")
                loaded.scenario.input.samples = runSamples
                loaded.scenario.input.samplesGiven = true
                log("recorded-run: recording \(runSamples) inferences of \(scenario)…")
                let sim = try Simulation(loaded: loaded)
                let path = NSTemporaryDirectory() + "spikebar-bench-run-\(getpid()).sbt"
                recorded = path
                _ = try sim.record(to: path)
                o.tracePath = path
                o.traceDescription =
                    "\(scenario) recorded with --samples \(runSamples) (input + every layer, \(loaded.scenario.simulation.timing.rawValue) timing, 1 ps unit, input clock \(Int64((loaded.scenario.input.timeResolution * 1e12).rounded())) ps)"
            } catch let e as SpikebarError {
                fail(e)
            }
        }
        let results = try TraceBenchmark.run(options: o, log: log)
        let rss = TraceBenchmark.peakRSSBytes()
        if json {
            struct Out: Codable { var workloads: [TraceBenchmark.WorkloadResult]; var peakRSSBytes: Int? }
            return try printJSON(Out(workloads: results, peakRSSBytes: rss))
        }
        for r in results { print(TraceBenchmark.format(r)) }
        print("peak RSS (VmHWM): \(rss.map { String(format: "%.1f MB", Double($0) / 1e6) } ?? "unavailable")")
    }
}
