import Foundation
import Testing
import SpikebarTestSupport

/// `spikebar nir …` through the executable (built by `swift test` for the CLI tests of SpikebarTests).
struct NIRCLITests {
    func spikebar(_ args: [String]) throws -> (status: Int32, out: String, err: String)? {
        var dir = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        var exe: String?
        for _ in 0..<4 where exe == nil {
            let c = dir.appendingPathComponent("spikebar").path
            if FileManager.default.isExecutableFile(atPath: c) { exe = c }
            dir = dir.deletingLastPathComponent()
        }
        guard let exe else { print("skipped: the spikebar executable is not built next to the tests"); return nil }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: packageRoot().path)
        let o = Pipe(), e = Pipe()
        p.standardOutput = o; p.standardError = e
        try p.run()
        let out = o.fileHandleForReading.readDataToEndOfFile(), err = e.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }

    @Test func inspectJSON() throws {
        guard let r = try spikebar(["nir", "inspect", "Tests/Fixtures/nir/nested_cycle_gzip.nir", "--json"]) else { return }
        #expect(r.status == 0, "\(r.err)")
        let json = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any]
        let nodes = json?["nodes"] as? [[String: Any]] ?? []
        // fc 6 + CubaLIF 6 × 2 (τ_syn, τ_mem, r, v_leak, v_th, w_in) + rec 4 + fc2 3 + IF 2 (r, v_th)
        #expect(nodes.count == 9 && json?["parameters"] as? Int == 27)
        let lif = nodes.first { $0["name"] as? String == "sub.lif" }
        #expect(lif?["delayedInputs"] as? [String] == ["sub.rec"])
    }

    /// Debian's libhdf5 dies with SIGSEGV on this fuzzed file (Fuzz/Known/README.md); the command reads
    /// it in a child process first, so it refuses with exit status 2 naming the file instead of crashing.
    @Test func libhdf5CrashOnADamagedFileIsAnError() throws {
        let known = "Fuzz/Known/nir-libhdf5-H5HG_read.nir"
        for command in [
            ["nir", "inspect", known], ["nir", "evaluate", known, "--data", "/nonexistent"], ["nir", "price", known, "--mapping", "unrolled"],
        ] {
            guard let r = try spikebar(command) else { return }
            #expect(r.status == 2 && r.err.contains(known) && r.err.contains("libhdf5 crashed"), "\(command): \(r.status) \(r.err)")
        }
        // A good file still reads (the child exits 0, the parent reads it).
        guard let ok = try spikebar(["nir", "inspect", "Tests/Fixtures/nir/cnn_sinabs.nir"]) else { return }
        #expect(ok.status == 0 && ok.out.contains("Conv2d"), "\(ok.err)")
    }

    @Test func badInputExitsTwoNamingTheNode() throws {
        guard let r = try spikebar(["nir", "inspect", "Tests/Fixtures/nir/bad_unknown_node.nir"]) else { return }
        #expect(r.status == 2 && r.err.contains("bad_unknown_node.nir") && r.err.contains("if") && r.err.contains("Spiky"), "\(r.err)")
        guard let m = try spikebar(["nir", "price", "Tests/Fixtures/nir/cnn_sinabs.nir", "--mapping", "diagonal"]) else { return }
        #expect(m.status == 2 && m.err.contains("--mapping"), "\(m.err)")
        guard let s = try spikebar(["nir", "evaluate", "Tests/Fixtures/nir/lif_norse.nir", "--data", "/nonexistent"]) else { return }
        #expect(s.status == 2 && s.err.contains("[2, 34, 34]"), "\(s.err)")
    }

    /// An NIR scenario through the commands (issue #18 points 2 and 4): `run` writes the report of every
    /// architecture, `run --record` a trace that `trace replay` replays identically, `export nir` the graph
    /// as programmed; what cannot run a graph refuses, before any work, naming the neuron model (`insitu`).
    @Test func graphScenarioRunsExportsAndIsRefusedWhereUnsupported() throws {
        let data = try NIRScenarioTests.syntheticRecordings(count: 2, tag: "cli")
        defer { try? FileManager.default.removeItem(at: data) }
        let scenario = data.appendingPathComponent("nir.yaml").path
        try NIRScenarioTests.yaml(graph: fixture("cnn_sinabs.nir"), network: "threshold: '>='", data: data.path)
            .write(toFile: scenario, atomically: true, encoding: .utf8)
        let out = data.appendingPathComponent("out").path
        guard let run = try spikebar(["run", scenario, "--out", out, "--json", "--quiet"]) else { return }
        #expect(run.status == 0, "\(run.err)")
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/report.json"))) as? [String: Any]
        let archs = (report?["architectures"] as? [[String: Any]])?.compactMap { $0["architecture"] as? String } ?? []
        #expect(archs.contains("rram-snn") && archs.contains("adc-cim") && archs.contains("loihi"), "\(archs)")
        #expect((report?["assumptions"] as? [String])?.contains { $0.contains("NIR reference program") } == true)
        #expect(FileManager.default.fileExists(atPath: out + "/report.html"))
        // The same scenario, same seed: byte-identical report.json.
        guard let again = try spikebar(["run", scenario, "--out", out + "2", "--json", "--quiet"]) else { return }
        #expect(
            again.status == 0
                && (try? Data(contentsOf: URL(fileURLWithPath: out + "2/report.json")))
                    == (try? Data(contentsOf: URL(fileURLWithPath: out + "/report.json")))
        )
        let nir = data.appendingPathComponent("again.nir").path
        guard let export = try spikebar(["export", "nir", scenario, "--out", nir, "--quiet"]) else { return }
        #expect(export.status == 0 && FileManager.default.fileExists(atPath: nir), "\(export.err)")
        guard let insitu = try spikebar(["insitu", scenario]) else { return }
        #expect(insitu.status == 2 && insitu.err.contains("NIR graph"), "\(insitu.status) \(insitu.err)")
        let trace = data.appendingPathComponent("r.sbt").path
        guard let record = try spikebar(["run", scenario, "--out", out + "3", "--record", trace, "--quiet"]) else { return }
        #expect(record.status == 0, "\(record.err)")
        guard let replay = try spikebar(["trace", "replay", trace, "--quiet"]) else { return }
        #expect(replay.status == 0, "\(replay.status) \(replay.err)")
    }

    /// `nir import`: Spikebar's own export comes back as a scenario of layers and a weights file that the
    /// event kernel runs (exact timing); existing outputs are not replaced without --force.
    @Test func importedGraphRunsInTheEventKernel() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sb-nir-import-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let nir = dir.appendingPathComponent("qs.nir").path, yaml = dir.appendingPathComponent("qs-chip.yaml").path
        guard let export = try spikebar(["export", "nir", "Scenarios/quickstart.yaml", "--out", nir, "--quiet"]) else { return }
        #expect(export.status == 0, "\(export.err)")
        guard let imported = try spikebar(["nir", "import", nir, "--like", "Scenarios/quickstart.yaml", "--out", yaml, "--quiet"]) else { return }
        #expect(imported.status == 0, "\(imported.err)")
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("qs-chip.weights.json").path))
        guard let again = try spikebar(["nir", "import", nir, "--like", "Scenarios/quickstart.yaml", "--out", yaml]) else { return }
        #expect(again.status != 0 && again.err.contains("--force"), "\(again.err)")
        guard
            let run = try spikebar([
                "run", yaml, "--samples", "3", "--timing", "exact", "--out", dir.appendingPathComponent("out").path, "--json", "--quiet",
            ])
        else { return }
        #expect(run.status == 0, "\(run.err)")
        let report = try JSONSerialization.jsonObject(with: Data(run.out.utf8)) as? [String: Any]
        #expect(report?["timing"] as? String == "exact" && report?["accuracy"] != nil)
    }

    /// `nir new` writes a graph every NIR command reads; a malformed notation and a scenario without
    /// training data are refused before any work.
    @Test func newGraphAndTrainingRefusals() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spikebar-nir-new-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let graph = dir.appendingPathComponent("fresh.nir").path
        guard let made = try spikebar(["nir", "new", "28x28x1-2c3-4s-3o", "--out", graph]) else { return }
        #expect(made.status == 0 && made.out.contains("28x28x1-2c3-4s-3o"), "\(made.err)")
        guard let seen = try spikebar(["nir", "inspect", graph]) else { return }
        #expect(seen.status == 0 && seen.out.contains("Conv2d") && seen.out.contains("SumPool2d") && seen.out.contains("IF"), "\(seen.err)")
        guard let again = try spikebar(["nir", "new", "28x28x1-2c3-4s-3o", "--out", graph]) else { return }
        #expect(again.status != 0 && again.err.contains("--force"))
        guard let bad = try spikebar(["nir", "new", "28x28x1-2c4-3o", "--out", dir.appendingPathComponent("bad.nir").path]) else { return }
        #expect(bad.status == 2 && bad.err.contains("'2c4'") && !FileManager.default.fileExists(atPath: dir.appendingPathComponent("bad.nir").path))
        // The braille scenario presents uniform input: there is nothing to learn from.
        let out = dir.appendingPathComponent("t.nir").path
        guard let t = try spikebar(["nir", "train", "Scenarios/nir-braille.yaml", "--out", out]) else { return }
        #expect(t.status != 0 && t.err.contains("nmnist or mnist") && !FileManager.default.fileExists(atPath: out), "\(t.err)")
    }
}
