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
    /// the per-chip results log <out>/transfers.partial.jsonl that `--resume` continues. `--shard k/N` programs
    /// only chips c with c mod N = k into <out>/transfers.shard-k-of-N.jsonl; a `--resume` run in a folder
    /// holding the shard logs takes their chips and writes the outputs.
    func runTransfers(_ transfers: Int) throws {
        try CLIConventions.checkChips(transfers, option: "--transfers")
        let loaded = try ScenarioLoader.load(path: scenario, requireWeightsFile: false)
        try loaded.scenario.requireNeuronModel([.lifDPI], for: "spikebar sweep --transfers")
        let setup = try TrainingSetup(loaded: loaded)
        let path = loaded.weightsFile ?? "spikebar-out/\(loaded.scenario.name)/weights.json"
        let w = try loaded.scenario.loadWeights(path: path)
        let show = !quiet && !json
        let dir = out ?? "spikebar-out/\(loaded.scenario.name)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let slice = try shard.map { try SweepShard(parsing: $0) }
        let workers = threads ?? loaded.scenario.simulation.threads
        // One line per programmed chip, fsync'd: after a kill, --resume programs only the chips not in it, and
        // resuming the whole run takes the chips of shard logs copied into the folder.
        let log = ChipTransfers.Log.inFolder(
            dir, stem: "transfers", shard: slice, resume: resume, scenarioDigest: loaded.digest, what: "sweep --transfers")
        let logPath = log.path, shardLogs = log.harvest
        let progress = ProgressLine(
            total: slice.map { s in (0..<transfers).filter { s.contains($0) }.count } ?? transfers, label: "transfers", enabled: show)
        if let slice {
            let experiment = try TransferSweep.experiment(setup: setup, weights: w.weights, gains: w.gains, samples: testSamples, threads: workers)
            let units = try experiment.run(chips: transfers, log: log, threads: workers, progress: { done, _ in progress.update(done) })
            progress.finish()
            if show {
                print("shard \(slice): \(units.count) of \(transfers) transfers in \(logPath)")
                print(
                    "next, when every shard is done: copy the shard logs into one folder and run spikebar sweep \(scenario) --transfers \(transfers) --resume --out FOLDER (it programs only the chips no log holds)"
                )
            }
            return
        }
        let r = try TransferSweep.run(
            setup: setup, weights: w.weights, gains: w.gains, weightsName: path, transfers: transfers,
            samples: testSamples, threads: workers, log: log, progress: { done, _ in progress.update(done) })
        progress.finish()
        let enc = JSONEncoder.spikebar(pretty: true)
        let data = try enc.encode(r)
        try DurableFile.write(data, to: "\(dir)/transfers.json")
        try DurableFile.write(r.csv(), to: "\(dir)/transfers.csv")
        if json { FileHandle.standardOutput.write(data); print(); return }
        guard show else { return }
        if !shardLogs.isEmpty {
            print("took the chips of \(shardLogs.count) shard logs: \(shardLogs.map { ($0 as NSString).lastPathComponent }.joined(separator: ", "))")
        }
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
