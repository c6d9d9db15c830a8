import ArgumentParser
import Foundation
import SpikebarChip
import SpikebarCore
import SpikebarExperiments
import SpikebarPipeline
import SpikebarScenario

extension SweepCommand {
    /// `spikebar sweep SCENARIO --transfers N`: programs the trained weights onto N chips and reports, per
    /// test point, the fraction of transfers that classify it correctly (`TransferSweep`,
    /// `Docs/passive-arrays.md#transfer-sweep`). Writes <out>/transfers.csv (per point) and .json, and keeps
    /// the per-chip results log <out>/transfers.partial.jsonl that `--resume` continues.
    func runTransfers(_ transfers: Int) throws {
        guard transfers >= 1 else { throw ValidationError("--transfers must be ≥ 1") }
        let loaded = try ScenarioLoader.load(path: scenario, requireWeightsFile: false)
        try loaded.scenario.requireNeuronModel([.lifDPI], for: "spikebar sweep --transfers")
        let setup = try TrainingSetup(loaded: loaded)
        let path = loaded.weightsFile ?? "spikebar-out/\(loaded.scenario.name)/weights.json"
        let w = try loaded.scenario.loadWeights(path: path)
        let show = !quiet && !json
        let dir = out ?? "spikebar-out/\(loaded.scenario.name)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        // One line per programmed chip, fsync'd: after a kill, --resume programs only the chips not in it.
        let logPath = "\(dir)/transfers.partial.jsonl"
        let progress = ProgressLine(total: transfers, label: "transfers", enabled: show)
        let r = try TransferSweep.run(
            setup: setup, weights: w.weights, gains: w.gains, weightsName: path, transfers: transfers,
            samples: testSamples, threads: threads ?? loaded.scenario.simulation.threads,
            log: ChipTransfers.Log(path: logPath, resume: resume, scenarioDigest: loaded.digest, what: "sweep --transfers"),
            progress: { done, _ in progress.update(done) })
        progress.finish()
        let enc = JSONEncoder.spikebar(pretty: true)
        let data = try enc.encode(r)
        try DurableFile.write(data, to: "\(dir)/transfers.json")
        try DurableFile.write(r.csv(), to: "\(dir)/transfers.csv")
        if json { FileHandle.standardOutput.write(data); print(); return }
        guard show else { return }
        func pct(_ x: Double) -> String { Units.fixed(100 * x, significant: 4) + " %" }
        print("\(r.scenario): \(r.transfers) transfers (\(r.array) array) × \(r.samples) test points, seed \(r.seed)")
        print("  model: \(r.model)")
        print("  points correct in ≥ 95 % of transfers: \(pct(r.fraction95))")
        print("  points correct in ≥ 90 % of transfers: \(pct(r.fraction90))")
        print(
            "  accuracy over transfers: mean \(pct(r.meanAccuracy)) ± \(pct(r.stdAccuracy)), worst \(pct(r.worstAccuracy)), best \(pct(r.bestAccuracy))"
        )
        if let k = r.kernelCheck {
            print("  event kernel vs twin (grid, read noise off), \(k.chips) chips × \(k.samples) points: \(pct(k.agreement)) same class")
        }
        print("wrote \(dir)/transfers.csv and .json (\(Units.fixed(r.seconds, significant: 3)) s)")
    }
}
