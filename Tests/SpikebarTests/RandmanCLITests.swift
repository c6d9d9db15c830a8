import Foundation
import Testing
import SpikebarChip
import SpikebarScenario
import SpikebarTestSupport

/// Randman and trained time constants through the command line: `train --seed`, `evaluate --weights`,
/// `sweep --test-samples --weights`, `run` on `input.source: randman`.
@Suite(.serialized) struct RandmanCLITests {
    @Test func trainEvaluateSweepAndRunOnRandman() throws {
        let dir = try freshTemporaryDirectory("randman-cli")
        let file = dir.appendingPathComponent("rm.yaml")
        let yaml =
            randmanYAML(epochs: 1, train: 64, calibration: "{time_constants: trained, quantize: true, programming_noise: true}")
            + "\nweights: {file: out/weights.json}\ndevice: {levels: 8, g_min: 10e-6, g_max: 100e-6, programming_error: 2e-6, read_noise: 0.01}\n"
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("s7").path
        let t = try runCLI(["train", file.path, "--seed", "7", "--out", out, "--threads", "2"])
        #expect(t.status == 0, "\(t.stderr)")
        let tuned = try #require(
            try TunedTimeConstants.read(
                weightsFile: out + "/weights.json",
                network: ScenarioLoader.load(path: file.path, requireWeightsFile: false).scenario.network))
        #expect(tuned.tauMem.count == 2 && tuned.memFactor[0].contains { abs($0 - 1) > 1e-9 })
        let e = try runCLI([
            "evaluate", file.path, "--seed", "7", "--weights", out + "/weights.json", "--samples", "20", "--no-exact", "--json", "--out", dir.path,
        ])
        #expect(e.status == 0, "\(e.stderr)")
        #expect(e.stdout.contains("quantised ideal twin"))
        let s = try runCLI([
            "sweep", file.path, "--seed", "7", "--weights", out + "/weights.json", "--test-samples", "10", "--param", "read_noise",
            "--values", "0.01", "--chips", "1", "--json", "--quiet", "--out", dir.path,
        ])
        #expect(s.status == 0, "\(s.stderr)")
        let refused = try runCLI(["sweep", file.path, "--weights", out + "/weights.json", "--param", "read_noise", "--values", "0.01"])
        #expect(refused.status != 0 && refused.stderr.contains("--weights needs --test-samples"))
        // `run` programs the chip from the scenario's own weights file, trained τ included.
        let t2 = try runCLI(["train", file.path, "--out", dir.appendingPathComponent("out").path, "--threads", "2", "--quiet"])
        #expect(t2.status == 0, "\(t2.stderr)")
        let r = try runCLI(["run", file.path, "--samples", "4", "--json", "--out", dir.path])
        #expect(r.status == 0, "\(r.stderr)")
    }
}
