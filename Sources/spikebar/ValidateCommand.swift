import ArgumentParser
import Foundation
import SpikebarChip
import SpikebarCore
import SpikebarScenario

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a scenario file without running it.",
        discussion: "Decodes and validates every key; errors name file:line and the key path. Exit status 0 when valid.")

    @Argument(help: "Scenario files (YAML).")
    var scenarios: [String]

    func run() throws {
        var bad = 0
        for path in scenarios {
            do {
                // A training scenario's weights file is what `spikebar train` writes: it may not exist yet.
                let l = try ScenarioLoader.load(path: path, requireWeightsFile: false)
                let s = l.scenario
                if s.weights.source == .file, l.weightsFile == nil {
                    if s.training == nil { _ = try ScenarioLoader.load(path: path) }   // the usual error
                    print("\(path): note — weights file \(s.weights.file ?? "") not written yet (spikebar train \(path))")
                }
                let plan = Chip.connectionPlan(network: s.network)
                print("\(path): ok — \(s.name), \(([s.network.input] + s.network.layers.map(\.size)).map(String.init).joined(separator: "-")), \(plan.count) connections, \(s.tiles.rows)×\(s.tiles.cols) tiles, \(s.device.levels) levels, \(s.simulation.timing.rawValue) timing, seed \(s.seed)")
            } catch {
                bad += 1
                FileHandle.standardError.write(Data("error: \((error as? SpikebarError)?.description ?? "\(error)")\n".utf8))
            }
        }
        if bad > 0 { throw ExitCode(2) }
    }
}
