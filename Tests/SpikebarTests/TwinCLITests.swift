import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import SpikebarChip
import SpikebarScenario
import SpikebarTestSupport

/// `spikebar train` / `evaluate` as a user meets them: files written, Ctrl-C and --resume, clear errors.
@Suite(.serialized) struct TwinCLITests {
    func workdir(_ name: String) throws -> URL { try freshTemporaryDirectory(name) }

    @Test func trainWritesWeightsThatEvaluateAndRunRead() throws {
        let dir = try workdir("train")
        let file = dir.appendingPathComponent("moons.yaml")
        try (moonsYAML(epochs: 2, train: 200) + "\nweights: {file: out/weights.json}\n").write(to: file, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("out").path
        let t = try runCLI(["train", file.path, "--out", out, "--threads", "2"])
        #expect(t.status == 0, "\(t.stderr)")
        #expect(t.stdout.contains("epoch 2:"))
        let loaded = try ScenarioLoader.load(path: file.path)
        let w = try WeightFile.load(path: out + "/weights.json", network: loaded.scenario.network)
        #expect(w.weights.count == 2 && w.gains == [20, 20])
        let calibration = try String(contentsOfFile: out + "/calibration.json", encoding: .utf8)
        #expect(calibration.contains("\"quantize\" : true") && calibration.contains("tauMem"))
        let e = try runCLI(["evaluate", file.path, "--samples", "30", "--no-exact", "--json", "--out", dir.path])
        #expect(e.status == 0, "\(e.stderr)")
        #expect(e.stdout.contains("identicalOutputSpikes") && e.stdout.contains("quantised twin"))
        // evaluate.html: well-formed, with the charts, showing the accuracies of evaluate.json.
        let html = try Data(contentsOf: dir.appendingPathComponent("evaluate.html"))
        let doc = try XMLDocument(data: html)
        let ids = Set(try doc.nodes(forXPath: "//@id").compactMap(\.stringValue))
        #expect(ids.isSuperset(of: ["chart-accuracy", "table-accuracy", "table-replay", "chart-eval-energy", "chart-eval-latency", "command-line"]))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("evaluate.json"))) as? [String: Any]
        let accuracies = ((json?["evaluation"] as? [String: Any])?["accuracies"] as? [[String: Any]]) ?? []
        #expect(!accuracies.isEmpty)
        for (k, a) in accuracies.enumerated() {
            let shown = try doc.nodes(forXPath: "//*[@data-key='accuracies[\(k)].accuracy']/@data-value").first?.stringValue
            #expect(shown.flatMap(Double.init) == a["accuracy"] as? Double)
        }
        let r = try runCLI(["run", file.path, "--samples", "3", "--quiet", "--out", dir.path])
        #expect(r.status == 0, "\(r.stderr)")
    }

    @Test func ctrlCStopsWithACheckpointAndResumeFinishes() throws {
        guard let exe = spikebarExecutable() else { Issue.record("spikebar executable not found"); return }
        let dir = try workdir("sigint")
        let file = dir.appendingPathComponent("moons.yaml")
        try moonsYAML(epochs: 40, train: 2000, extraTraining: "\n  patience: 0").write(to: file, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("out").path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = ["train", file.path, "--out", out, "--quiet", "--threads", "1"]
        p.standardError = Pipe(); p.standardOutput = Pipe()
        try p.run()
        // The first epoch's checkpoint shows that training (and its SIGINT handler) is running.
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: out + "/checkpoint.json") && Date() < deadline && p.isRunning {
            Thread.sleep(forTimeInterval: 0.05)
        }
        kill(p.processIdentifier, SIGINT)
        p.waitUntilExit()
        #expect(p.terminationStatus == 130)
        #expect(FileManager.default.fileExists(atPath: out + "/checkpoint.json"))
        #expect(!FileManager.default.fileExists(atPath: out + "/weights.json"))
        let r = try runCLI(["train", file.path, "--out", out, "--quiet", "--resume", "--epochs", "1"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(FileManager.default.fileExists(atPath: out + "/weights.json"))
    }

    @Test func badInputsGiveClearErrors() throws {
        let dir = try workdir("bad")
        // Missing dataset: says where the files go and where to get them.
        let mnist = dir.appendingPathComponent("mnist.yaml")
        try """
        network: {input: 784, layers: [{name: h, size: 4}, {name: o, size: 10}]}
        input: {source: uniform, window: 0.01}
        training: {dataset: mnist, data: \(dir.path)/no-data}
        """.write(to: mnist, atomically: true, encoding: .utf8)
        let m = try runCLI(["train", mnist.path, "--out", dir.path])
        #expect(m.status == 2)
        #expect(m.stderr.contains("train-images-idx3-ubyte.gz") && m.stderr.contains("yann.lecun.com"), "\(m.stderr)")
        // Weights of another shape.
        let moons = dir.appendingPathComponent("moons.yaml")
        try moonsYAML().write(to: moons, atomically: true, encoding: .utf8)
        let other = dir.appendingPathComponent("other.json")
        let w = [
            WeightMatrix(inputs: 16, outputs: 9, values: Array(repeating: 0, count: 144)),
            WeightMatrix(inputs: 9, outputs: 2, values: Array(repeating: 0, count: 18)),
        ]
        let plan = [(from: 0, to: 1, recurrent: false), (from: 1, to: 2, recurrent: false)]
        try JSONEncoder().encode(WeightFile(chipPopulations: ["input", "hidden", "out"], plan: plan, weights: w, gains: nil)).write(to: other)
        let e = try runCLI(["evaluate", moons.path, "--weights", other.path])
        #expect(e.status == 2)
        #expect(e.stderr.contains("16×9") && e.stderr.contains("16×8"), "\(e.stderr)")
        // Nothing to resume.
        let r = try runCLI(["train", moons.path, "--out", dir.appendingPathComponent("empty").path, "--resume"])
        #expect(r.status == 2 && r.stderr.contains("no checkpoint"), "\(r.stderr)")
        // A scenario without a training section.
        let q = try runCLI(["train", packageRoot().appendingPathComponent("Scenarios/untrained-784-128-10.yaml").path])
        #expect(q.status == 2 && q.stderr.contains("training"))
    }
}
