import Foundation
import Testing
import SpikebarCore
import SpikebarChip
import SpikebarCost
import SpikebarDevices
import SpikebarExperiments
import SpikebarPipeline
import SpikebarReport
import SpikebarScenario
import SpikebarTrace
#if canImport(Glibc)
import Glibc
import SpikebarTestSupport
#endif

/// Issue #22, "Reliability, round two": one regression test per class of failure, through the CLI where
/// the failure was seen (exit status, a message naming the file/line/key or byte offset, no file replaced,
/// nothing lost).
@Suite(.serialized) struct ReliabilityRoundTwoTests {
    /// A 16-8-2 two-moons scenario with spikes in every layer, fast in debug builds.
    func recordableYAML(samples: Int) -> String { sweepTestYAML(samples: samples) }

    func write(_ text: String, _ path: String) throws { try text.write(toFile: path, atomically: true, encoding: .utf8) }
    func bytes(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

    // MARK: 1. Outputs never destroy what is not theirs

    @Test func outputsAreRegularFilesWeCreateCheckedBeforeWork() throws {
        let dir = try freshTemporaryDirectory("r2-outputs")
        let s = dir.appendingPathComponent("s.yaml").path
        try write(tinyScenarioYAML(), s)
        let original = bytes(s)
        // --record onto the scenario itself: refused before any work, the scenario intact.
        let a = try runCLI(["run", s, "--record", s, "--out", dir.path + "/o1", "--quiet"])
        #expect(a.status == 2 && a.stderr.contains("names an input"), "\(a.stderr)")
        #expect(bytes(s) == original)
        // --record onto a FIFO: refused, still a FIFO.
        let fifo = dir.appendingPathComponent("fifo").path
        #expect(mkfifo(fifo, 0o644) == 0)
        let b = try runCLI(["run", s, "--record", fifo, "--out", dir.path + "/o2", "--quiet"])
        #expect(b.status == 2 && b.stderr.contains("a FIFO"), "\(b.stderr)")
        #expect(OutputPath.nonRegularKind(fifo) == "a FIFO")
        // --out that is a file: refused up front naming it, not after the run with a raw NSError.
        let c = try runCLI(["run", s, "--out", s, "--quiet"])
        #expect(c.status == 2 && c.stderr.contains("not a folder"), "\(c.stderr)")
        // A scenario name that would leave the output folder: refused naming the key.
        let evil = dir.appendingPathComponent("evil.yaml").path
        try write("name: ../../x\n" + tinyScenarioYAML(), evil)
        let d = try runCLI(["run", evil, "--quiet"], in: dir)
        #expect(d.status == 2 && d.stderr.contains("name") && d.stderr.contains("separator"), "\(d.stderr)")
        // Another run's results in --out are kept unless --force; the same run may rewrite its own.
        let out = dir.appendingPathComponent("o").path
        #expect(try runCLI(["run", s, "--out", out, "--quiet"]).status == 0)
        let report = bytes(out + "/report.json")
        #expect(try runCLI(["run", s, "--out", out, "--quiet"]).status == 0)
        let e = try runCLI(["run", s, "--out", out, "--samples", "2", "--quiet"])
        #expect(e.status == 2 && e.stderr.contains("another run") && e.stderr.contains("--force"), "\(e.stderr)")
        #expect(bytes(out + "/report.json") == report)
        #expect(try runCLI(["run", s, "--out", out, "--samples", "2", "--quiet", "--force"]).status == 0)
        #expect(bytes(out + "/report.json") != report)
        // trace import --out equal to its input: refused, the input intact.
        let csv = dir.appendingPathComponent("in.csv").path
        try write("time_s,population,index\n0.001,a,0\n", csv)
        let f = try runCLI(["trace", "import", "--format", "csv", csv, "--out", csv])
        #expect(f.status == 2 && f.stderr.contains("input"), "\(f.stderr)")
        #expect(bytes(csv) == Data("time_s,population,index\n0.001,a,0\n".utf8))
        // Two writers to one trace: the second is refused while the first writes; the first's trace is valid.
        let trace = dir.appendingPathComponent("t.sbt").path
        let header = TraceHeader(populations: [TracePopulation(name: "p", size: 4)])
        let w1 = try TraceWriter(path: trace, header: header)
        #expect(throws: TraceError.self) { _ = try TraceWriter(path: trace, header: header) }
        try w1.append(TraceEvent(time: 5, population: 0, index: 1))
        try w1.close()
        #expect(try TraceReader(path: trace).readEvents().count == 1)
    }

    // MARK: 2. Damage is never called "identical"

    @Test func damagedTracesAreReportedWithTheirOwnExitStatus() throws {
        let dir = try freshTemporaryDirectory("r2-damage")
        let s = dir.appendingPathComponent("s.yaml").path
        try write(recordableYAML(samples: 6), s)
        let trace = dir.appendingPathComponent("run.sbt").path
        let rec = try runCLI(["run", s, "--record", trace, "--out", dir.path + "/o", "--quiet", "--threads", "1"])
        #expect(rec.status == 0, "\(rec.stderr)")
        #expect(try runCLI(["trace", "replay", trace, s, "--quiet"]).status == 0)
        // Cut the file inside its last chunk (small chunks: several per recording).
        let whole = try #require(bytes(trace))
        let cut = dir.appendingPathComponent("cut.sbt").path
        try whole.prefix(whole.count * 2 / 3).write(to: URL(fileURLWithPath: cut))
        let r = try runCLI(["trace", "replay", cut, s])
        #expect(r.status == 3, "\(r.stdout)\(r.stderr)")
        #expect(!r.stdout.contains("identical: yes"), "\(r.stdout)")
        #expect(r.stderr.contains("damaged") && r.stderr.contains("byte"), "\(r.stderr)")
        // trace cat prints what it has and says what is missing.
        let c = try runCLI(["trace", "cat", cut])
        #expect(c.status == 3 && c.stderr.contains("byte"), "\(c.stderr)")
        // After repair the lost inferences are still damage, not a divergence.
        let repaired = dir.appendingPathComponent("repaired.sbt").path
        #expect(try runCLI(["trace", "repair", cut, "--out", repaired]).status == 0)
        let rr = try runCLI(["trace", "replay", repaired, s, "--json"])
        #expect(rr.status == 3, "\(rr.stdout)\(rr.stderr)")
        // A run fed by the damaged trace refuses instead of running inferences with missing input.
        let input = dir.appendingPathComponent("input.yaml").path
        try write(
            recordableYAML(samples: 6).replacingOccurrences(
                of: "input: {source: two_moons, max_rate: 200, window: 0.03, samples: 6}",
                with: "input: {source: trace, file: cut.sbt, window: 0.03}"), input)
        let t = try runCLI(["run", input, "--out", dir.path + "/o2", "--quiet"])
        #expect(t.status == 3 && t.stderr.contains("damaged"), "\(t.stderr)")
        // Chunks out of order: never read as a shorter, valid trace.
        let sw = dir.appendingPathComponent("swapped.sbt").path
        let header = TraceHeader(populations: [TracePopulation(name: "p", size: 4)])
        let w = try TraceWriter(path: sw, header: header, chunkEvents: 10)
        for k in 0..<40 { try w.append(TraceEvent(time: Int64(k) * 1000, population: 0, index: k % 4)) }
        try w.close()
        let r2 = try TraceReader(path: sw)
        var b = [UInt8](try #require(bytes(sw)))
        let c0 = r2.chunks[0], c1 = r2.chunks[1]
        #expect(c0.byteLength == c1.byteLength)
        let first = Array(b[c0.offset..<(c0.offset + c0.byteLength)]), second = Array(b[c1.offset..<(c1.offset + c1.byteLength)])
        b.replaceSubrange(c0.offset..<(c0.offset + c0.byteLength), with: second)
        b.replaceSubrange(c1.offset..<(c1.offset + c1.byteLength), with: first)
        try Data(b).write(to: URL(fileURLWithPath: sw))
        let cat = try runCLI(["trace", "cat", sw, "--from", "0", "--to", "0.00000002"])
        #expect(cat.status != 0, "reordered chunks read as a valid trace: \(cat.stdout)")
        // The writer never writes a header its reader refuses.
        let huge = TraceHeader(populations: [TracePopulation(name: String(repeating: "x", count: 65 << 20), size: 1)])
        let bad = dir.appendingPathComponent("huge.sbt").path
        #expect(throws: TraceError.self) { _ = try TraceWriter(path: bad, header: huge) }
        #expect(!FileManager.default.fileExists(atPath: bad + ".partial"))
    }

    // MARK: 3. No trap on a value the validator accepts

    @Test func extremeValuesAreRefusedNamingTheKey() throws {
        let dir = try freshTemporaryDirectory("r2-ranges")
        let base = tinyScenarioYAML()
        let cases: [(String, String, String)] = [
            ("tau_mem: 20e-3", "tau_mem: 1e308", "tau_mem"), ("tau_mem: 20e-3", "tau_mem: 5e-324", "tau_mem"),
            ("refractory: 2e-3", "refractory: 1e7", "refractory"), ("read_pulse: 100e-9", "read_pulse: 1e7", "read_pulse"),
            ("window: 0.05", "window: 1e7", "window"), ("membrane_resistance: 2e9", "membrane_resistance: 1e308", "membrane_resistance"),
            ("g_max: 100e-6", "g_max: 1e308", "g_max"), ("read_voltage: 0.1", "read_voltage: 1e308", "read_voltage"),
            ("programming_error: 0", "programming_error: 1e308", "programming_error"), ("dt: 1e-3", "dt: 1e-200", "dt"),
            ("synapse_gain: 1", "synapse_gain: 1e300", "synapse_gain"),
        ]
        for (k, (from, to, key)) in cases.enumerated() {
            let path = dir.appendingPathComponent("s\(k).yaml").path
            #expect(base.contains(from))
            try write(base.replacingOccurrences(of: from, with: to), path)
            let r = try runCLI(["run", path, "--out", dir.path + "/o\(k)", "--quiet"])
            #expect(r.status == 2 && r.stderr.contains(key), "\(to): status \(r.status) \(r.stderr)")
        }
        let relax = dir.appendingPathComponent("relax.yaml").path
        try write(base.replacingOccurrences(of: "read_noise: 0", with: "read_noise: 0, physics: {model: hfo2, relaxation_time: 1e-300}"), relax)
        let rx = try runCLI(["run", relax, "--out", dir.path + "/or", "--quiet"])
        #expect(rx.status == 2 && rx.stderr.contains("relaxation_time"), "\(rx.stderr)")
        // trace cat with a time no trace can hold.
        let trace = dir.appendingPathComponent("t.sbt").path
        let w = try TraceWriter(path: trace, header: TraceHeader(populations: [TracePopulation(name: "p", size: 2)]))
        try w.append(TraceEvent(time: 0, population: 0, index: 0)); try w.close()
        for bad in ["nan", "inf", "1e300"] {
            let r = try runCLI(["trace", "cat", trace, "--from", bad])
            #expect(r.status == 2 && r.stderr.contains("--from"), "\(bad): \(r.status) \(r.stderr)")
        }
        // Crafted recorded-run metadata is validated before any arithmetic uses it.
        let fields: [String: Any] = [
            "kind": RecordedRun.kindValue, "version": 1, "scenarioFile": "/x.yaml", "scenarioName": "x", "scenarioDigest": "0",
            "seed": 1, "timing": "exact", "dtSeconds": 0, "windowSeconds": 1e300, "windowPicoseconds": Int64.max,
            "stridePicoseconds": Int64.max, "firstSample": Int.max, "readNoise": false, "gains": [1.0],
            "inferences": [["sample": 0, "startPicoseconds": Int64.max]],
        ]
        let run = try JSONDecoder().decode(RecordedRun.self, from: JSONSerialization.data(withJSONObject: fields))
        #expect(run.validationProblem() != nil)
        let crafted = dir.appendingPathComponent("crafted.sbt").path
        let cw = try TraceWriter(path: crafted, header: TraceHeader(populations: [TracePopulation(name: "input", size: 1)], metadata: try run.json()))
        try cw.close()
        let rp = try runCLI(["trace", "replay", crafted, relax, "--force"])
        #expect(rp.status == 2 && rp.stderr.contains("dtSeconds"), "\(rp.stderr)")
    }

    // MARK: 4. A valid scenario that runs away stops with an error naming the population

    @Test func runawayNetworkStopsNamingThePopulation() throws {
        let dir = try freshTemporaryDirectory("r2-runaway")
        let s = dir.appendingPathComponent("s.yaml").path
        try write(
            tinyScenarioYAML(input: 4, layers: "[{name: hidden, size: 30}, {name: out, size: 4}]", gain: 1e6)
                .replacingOccurrences(of: "refractory: 2e-3", with: "refractory: 0")
                .replacingOccurrences(of: "input: {source: uniform, max_rate: 0,", with: "input: {source: uniform, max_rate: 200,"), s)
        let started = Date()
        let r = try runCLI(["run", s, "--out", dir.path + "/o", "--quiet"])
        #expect(r.status == 2 && r.stderr.contains("runs away") && (r.stderr.contains("'hidden'") || r.stderr.contains("'out'")), "\(r.stderr)")
        #expect(Date().timeIntervalSince(started) < 60)
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/o/report.json"))
    }

    // MARK: 5. Every size-driven allocation is in the budget; inputs are read with a bound

    @Test func sizeDrivenMemoryIsEstimatedAndReadsAreBounded() throws {
        var loaded = try scenario(tinyScenarioYAML(input: 784).replacingOccurrences(of: "max_rate: 0", with: "max_rate: 100"))
        let small = MemoryEstimate.of(loaded).total
        loaded.scenario.input.samples = 1_000_000
        #expect(MemoryEstimate.of(loaded).total > small + 1e9, "a million inferences' inputs and results are counted")
        loaded.scenario.input.samples = 1
        loaded.scenario.input.window = 1e5
        #expect(MemoryEstimate.of(loaded).total > small + 1e9, "a long window's input spikes are counted")
        let dir = try freshTemporaryDirectory("r2-memory")
        let s = dir.appendingPathComponent("s.yaml").path
        try write(tinyScenarioYAML(input: 784).replacingOccurrences(of: "max_rate: 0", with: "max_rate: 100"), s)
        let r = try runCLI(["run", s, "--samples", "1000000", "--memory-budget", "256MiB", "--out", dir.path + "/o", "--quiet"])
        #expect(r.status == 2 && r.stderr.contains("inferences"), "\(r.stderr)")
        // A file that reports 0 bytes (procfs) is read up to the bound, not to its end.
        #expect(throws: SpikebarError.self) { _ = try InputFile.read("/proc/self/maps", hint: "test", limit: 100) }
    }

    // MARK: 6. Non-finite results are errors; 0/0 ratios are absent

    @Test func nonFiniteResultsAreNamedAndUndefinedRatiosAbsent() throws {
        struct Result: Encodable { var energy: [Double]; var ratio: Double }
        #expect(FiniteResults.nonFiniteKeys(Result(energy: [1, .infinity], ratio: .nan)) == ["energy[1]", "ratio"])
        #expect(throws: SpikebarError.self) { try FiniteResults.check(Result(energy: [.nan], ratio: 1), what: "x", cause: "") }
        let empty = CostEstimate(architecture: "a", energy: [], latency: [], area: [], notes: [])
        let a = ArchitectureSummary(
            architecture: "a", firstInference: empty, meanBreakdown: empty, energy: Statistics([0]),
            latency: Statistics([0]), area: 0, energyRatioToRRAM: .nan, latencyRatioToRRAM: .nan)
        let enc = JSONEncoder()
        enc.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let text = String(decoding: try enc.encode(a), as: UTF8.self)
        #expect(!text.contains("RatioToRRAM") && !text.contains("nan") && !text.contains("inf"), "\(text)")
        // A price of 1e308 J, which made report.json carry "inf" energies, is outside the documented range.
        let dir = try freshTemporaryDirectory("r2-finite")
        let s = dir.appendingPathComponent("s.yaml").path
        try write(tinyScenarioYAML() + "\narchitectures: {rram_snn: {neuron_energy_per_spike: 1e308}}\n", s)
        let r = try runCLI(["run", s, "--out", dir.path + "/o", "--quiet"])
        #expect(r.status == 2 && !FileManager.default.fileExists(atPath: dir.path + "/o/report.json"), "\(r.stderr)")
    }

    // MARK: 7. Resume refuses a foreign checkpoint or log line

    @Test func resumeRefusesForeignCheckpointsAndLogLines() throws {
        let dir = try freshTemporaryDirectory("r2-resume")
        let file = dir.appendingPathComponent("moons.yaml").path
        try write(moonsYAML(epochs: 1, train: 40), file)
        let out = dir.appendingPathComponent("o").path
        let t = try runCLI(["train", file, "--out", out, "--quiet", "--threads", "1"])
        #expect(t.status == 0, "\(t.stderr)")
        let lr = try runCLI(["train", file, "--out", out, "--quiet", "--resume", "--lr", "0.5"])
        #expect(lr.status == 2 && lr.stderr.contains("another training"), "\(lr.stderr)")
        // A checkpoint with a shortened weight row, or a negative epoch, is refused naming the field.
        let ckPath = out + "/checkpoint.json"
        let ck = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: ckPath))) as? [String: Any])
        var short = ck
        var weights = try #require(ck["weights"] as? [[Double]])
        weights[0].removeLast()
        short["weights"] = weights
        try JSONSerialization.data(withJSONObject: short).write(to: URL(fileURLWithPath: ckPath))
        let s1 = try runCLI(["train", file, "--out", out, "--quiet", "--resume"])
        #expect(s1.status == 2 && s1.stderr.contains("weights"), "\(s1.stderr)")
        var negative = ck
        negative["epoch"] = -1
        try JSONSerialization.data(withJSONObject: negative).write(to: URL(fileURLWithPath: ckPath))
        let s2 = try runCLI(["train", file, "--out", out, "--quiet", "--resume"])
        #expect(s2.status == 2 && s2.stderr.contains("epoch -1"), "\(s2.stderr)")
        // Sweep logs: a line with accuracy 7.5 is refused at its byte offset; an empty log does not block.
        let sweep = dir.appendingPathComponent("sweep.yaml").path
        try write(sweepTestYAML(samples: 4), sweep)
        let sOut = dir.appendingPathComponent("sweep").path
        let args = ["sweep", sweep, "--param", "bit_error_rate", "--values", "0,0.1", "--chips", "1", "--out", sOut, "--quiet", "--threads", "1"]
        #expect(try runCLI(args).status == 0)
        let log = sOut + "/sweep-bit_error_rate.partial.jsonl"
        let text = try String(contentsOfFile: log, encoding: .utf8)
        let forged = text.replacingOccurrences(of: #""accuracy":\d(\.\d+)?"#, with: "\"accuracy\":7.5", options: .regularExpression)
        #expect(forged != text)
        try write(forged, log)
        let bad = try runCLI(args + ["--resume"])
        #expect(bad.status == 2 && bad.stderr.contains("accuracy 7.5") && bad.stderr.contains("byte"), "\(bad.stderr)")
        try write("", log)
        let empty = try runCLI(args + ["--resume"])
        #expect(empty.status == 0, "\(empty.stderr)")
    }

    // MARK: 8. Smaller

    @Test func smallerInputProblems() throws {
        let dir = try freshTemporaryDirectory("r2-small")
        // Duplicate key: the repeated occurrence is cited, the file is not dumped.
        let dup = dir.appendingPathComponent("dup.yaml").path
        try write(
            "seed: 1\n" + String(repeating: "# padding\n", count: 20_000) + "seed: 2\n"
                + tinyScenarioYAML().replacingOccurrences(of: "seed: 7\n", with: ""), dup)
        let d = try runCLI(["run", dup, "--quiet"])
        #expect(d.status == 2 && d.stderr.contains(":20002") && d.stderr.count < 1000, "\(d.stderr.prefix(300))")
        // Duplicate layer names and a layer named `input`.
        for layers in ["[{name: a, size: 1}, {name: a, size: 1}]", "[{name: input, size: 1}]"] {
            let p = dir.appendingPathComponent("layers.yaml").path
            try write(tinyScenarioYAML(layers: layers), p)
            let r = try runCLI(["run", p, "--quiet", "--out", dir.path + "/o"])
            #expect(r.status == 2 && r.stderr.contains("layers"), "\(r.stderr)")
        }
        // CSV: CRLF and a BOM are read; a first time of -1 is an error on its line, not a silent header;
        // a name with a comma survives cat → import.
        let csv = dir.appendingPathComponent("crlf.csv").path
        try write("\u{FEFF}time_s,population,index\r\n0.001,\"a,b\",0\r\n0.002,c,1\r\n", csv)
        let sbt = dir.appendingPathComponent("crlf.sbt").path
        let i = try runCLI(["trace", "import", "--format", "csv", csv, "--out", sbt])
        #expect(i.status == 0, "\(i.stderr)")
        let cat = try runCLI(["trace", "cat", sbt])
        #expect(cat.status == 0 && cat.stdout.contains("\"a,b\""), "\(cat.stdout)")
        let neg = dir.appendingPathComponent("neg.csv").path
        try write("-1,a,0\n0.002,a,1\n", neg)
        let n = try runCLI(["trace", "import", "--format", "csv", neg, "--out", dir.path + "/neg.sbt"])
        #expect(n.status == 2 && n.stderr.contains(":1"), "\(n.stderr)")
        // Device tables with CRLF line ends.
        let table = try DeviceTable.parse(
            "level,g_mean,g_std,relax_std,drift_per_decade,spread_per_decade,flicker,rtn_amplitude,rtn_tau_up,rtn_tau_down\r\n0,1e-5,0,0,0,0,0,0,0,0\r\n1,2e-5,0,0,0,0,0,0,0,0\r\n",
            path: "t.csv")
        #expect(table.count == 2)
        // Trace subcommands exit 2 on bad input, as documented.
        let notTrace = dir.appendingPathComponent("x.sbt").path
        try write("not a trace", notTrace)
        for sub in [["inspect", notTrace], ["cat", notTrace], ["repair", notTrace, "--out", dir.path + "/y.sbt"]] {
            let r = try runCLI(["trace"] + sub)
            #expect(r.status == 2 && r.stderr.contains("x.sbt"), "\(sub): \(r.status) \(r.stderr)")
        }
    }

    /// The DPI-gain calibration reports each layer as it starts (`run` prints it), and programs the
    /// crossbars once: the gains equal a calibration that reprogrammed the chip for every trial — the
    /// trial chip's neurons are drawn exactly as a freshly programmed chip's (issue #22, class 8).
    @Test func calibrationReportsEachLayerAndMatchesAFreshChip() throws {
        let text = tinyScenarioYAML(input: 6, layers: "[{name: h, size: 5}, {name: o, size: 3}]")
            .replacingOccurrences(of: "target_rate: 0", with: "target_rate: 30")
            .replacingOccurrences(of: "max_rate: 0", with: "max_rate: 200")
        let loaded = try scenario(text)
        #expect(loaded.scenario.weights.targetRate == 30)
        var layers: [Int] = []
        let sim = try Simulation(loaded: loaded) { l, _ in layers.append(l) }
        #expect(layers == [1, 2])
        // A chip programmed from scratch with the calibrated gains has the calibration's neurons.
        let fresh = try Chip(scenario: loaded.scenario, weights: DeviceSweep.weights(for: loaded), gains: sim.gains)
        #expect(fresh.neurons == sim.chip.neurons)
    }
}
