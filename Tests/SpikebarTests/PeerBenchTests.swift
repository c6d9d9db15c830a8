import Foundation
import Testing
import SpikebarBenchmarks
import SpikebarPipeline
import SpikebarTestSupport

/// The Spikebar side of `Benchmarks/peers.sh` (issue #9) on tiny sizes, through the CLI, and the peer
/// scripts compiled by `python3 -m py_compile`. Needs neither the peers' virtual environment nor the
/// network; the timings themselves are not checked (the benchmarks print them).
@Suite(.serialized) struct PeerBenchTests {
    func workdir(_ name: String) throws -> URL { try freshTemporaryDirectory("peers-" + name) }

    /// Runs the CLI from the package root (the benchmarks read `Scenarios/untrained-784-128-10.yaml`).
    func cli(_ args: [String]) throws -> (status: Int32, stdout: String, stderr: String) { try runCLI(args, in: packageRoot()) }

    @Test func kernelExportParses() throws {
        let dir = try workdir("kernel")
        let r = try cli(["bench", "kernel", "--duration", "0.005", "--repeat", "1", "--export", dir.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("synaptic events/s") && r.stdout.contains("exact") && r.stdout.contains("grid("))
        let manifest = try JSONDecoder().decode(
            PeerWorkload.Manifest.self,
            from: Data(contentsOf: dir.appendingPathComponent("workload.json")))
        #expect(manifest.format == "spikebar-peer-workload")
        #expect(manifest.inputSize == 784 && manifest.layers.map(\.size) == [128, 10])
        #expect(manifest.layers.allSatisfy { $0.tauMemS.count == $0.size && $0.thresholdV.count == $0.size })
        for c in manifest.connections {
            let bytes = try Data(contentsOf: dir.appendingPathComponent(c.file)).count
            #expect(bytes == c.inputs * c.outputs * 8, "\(c.file)")
        }
        let csv = try String(contentsOf: dir.appendingPathComponent(manifest.inputFile), encoding: .utf8)
            .split(separator: "\n")
        #expect(csv.first == "time_s,channel" && csv.count == manifest.inputSpikes + 1)
        for line in csv.dropFirst() {
            let f = line.split(separator: ",")
            guard f.count == 2, let t = Double(f[0]), let ch = Int(f[1]) else { Issue.record("bad line \(line)"); break }
            #expect(t >= 0 && t < manifest.durationS && (0..<manifest.inputSize).contains(ch))
        }
        // spikes-exact.csv: the exact mode's spikes (read by Benchmarks/nest_kernel.py), integer ps; the input's
        // are the exported input spikes.
        let spikes = try String(contentsOf: dir.appendingPathComponent("spikes-exact.csv"), encoding: .utf8).split(separator: "\n")
        #expect(spikes.first == "time_ps,population,neuron")
        #expect(spikes.dropFirst().filter { $0.split(separator: ",").dropFirst().first == "0" }.count == manifest.inputSpikes)
        // costs.json: wall time and the cost models for each mode (read by peers.sh sanafe), plus the loihi
        // model spread over the mesh, each with an energy breakdown that adds up to its total (the Loihi
        // cross-check compares it with SANA-FE's).
        let costs = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("costs.json"))) as? [String: Any]
        #expect(costs?.keys.sorted().first == "exact" && costs?.count == 2)
        for (_, v) in costs ?? [:] {
            let m = v as? [String: Any]
            let archs = m?["architectures"] as? [[String: Any]] ?? []
            #expect((m?["seconds"] as? Double ?? 0) > 0 && archs.count == 6)
            #expect(archs.map { $0["architecture"] as? String ?? "" } == ["rram-snn", "dynap", "adc-cim", "adc-cim-ann", "loihi", "loihi-spread"])
            for a in archs {
                let total = a["energy_j"] as? Double ?? -1
                let parts = (a["energy_components"] as? [[String: Any]] ?? []).map { $0["energy_j"] as? Double ?? .nan }
                #expect(total >= 0 && !parts.isEmpty)
                #expect(abs(parts.reduce(0, +) - total) <= 1e-12 * max(1, abs(total)), "\(a["architecture"] ?? "?")")
            }
        }
    }

    @Test func trainBenchRunsTiny() throws {
        let r = try cli(["bench", "train", "--batch", "2", "--repeat", "1", "--threads", "1"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("784-128-10") && r.stdout.contains("700-128(rec)-20") && r.stdout.contains("ms/step"))
    }

    @Test func scalingBenchPrintsParsableLines() throws {
        let r = try cli(["bench", "scaling", "--inputs", "2000", "--duration", "0.005", "--repeat", "1", "--dense"])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").filter { $0.hasPrefix("scaling ") }
        #expect(lines.count == 3)
        for line in lines {
            var kv: [String: String] = [:]
            for f in line.split(separator: " ").dropFirst() {
                let p = f.split(separator: "=", maxSplits: 1)
                if p.count == 2 { kv[String(p[0])] = String(p[1]) }
            }
            #expect(kv["neurons"] == "2138" && Double(kv["seconds"] ?? "") != nil && Double(kv["rss_mib"] ?? "") != nil)
        }
        let t = try cli(["bench", "scaling", "--duration", "0.005", "--repeat", "1", "--samples", "3", "--threads", "2", "--mode", "grid"])
        #expect(t.status == 0, "\(t.stderr)")
        #expect(t.stdout.contains("kind=threads") && t.stdout.contains("threads=2 samples=3"))
    }

    @Test func traceBenchRunsTiny() throws {
        let r = try cli([
            "bench", "trace", "--events", "2000", "--nmnist-files", "1", "--run-samples", "1", "--repeats", "1",
            "--min-events", "0", "--no-baselines", "--json",
        ])
        // N-MNIST is optional data (../shared/data): the benchmark must still measure the other workloads.
        #expect(r.status == 0, "\(r.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        let names = (json?["workloads"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(names.contains("poisson") && names.contains("recorded-run"))
    }

    @Test func peerScriptsCompile() throws {
        let python = ["/usr/bin/python3", "/usr/local/bin/python3"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let python else { return }  // no Python on this machine: nothing to check
        let bench = packageRoot().appendingPathComponent("Benchmarks")
        let scripts = try FileManager.default.contentsOfDirectory(atPath: bench.path).filter { $0.hasSuffix(".py") }.sorted()
        #expect(
            scripts.contains("snntorch_bench.py") && scripts.contains("sanafe_bench.py") && scripts.contains("brian2_kernel.py")
                && scripts.contains("nest_kernel.py"))
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("spikebar-pyc-\(getpid())")
        for s in scripts {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: python)
            // compile to a temporary file: nothing is written next to the sources
            p.arguments = [
                "-c", "import py_compile, sys; py_compile.compile(sys.argv[1], cfile=sys.argv[2], doraise=True)",
                bench.appendingPathComponent(s).path, out.path,
            ]
            let err = Pipe()
            p.standardError = err
            try p.run()
            let e = err.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            #expect(p.terminationStatus == 0, "\(s): \(String(decoding: e, as: UTF8.self))")
        }
        let sh = Process()
        sh.executableURL = URL(fileURLWithPath: "/bin/bash")
        sh.arguments = ["-n", bench.appendingPathComponent("peers.sh").path]
        try sh.run()
        sh.waitUntilExit()
        #expect(sh.terminationStatus == 0)
    }
}
