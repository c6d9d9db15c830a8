import ArgumentParser
import Foundation
import SpikebarChip
import SpikebarCore
import SpikebarScenario

/// `spikebar validate`: scenario files (the default subcommand) or the crossbar circuit models.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check scenario files (default: spikebar validate FILE…) or the crossbar circuit models (spikebar validate crossbar).",
        subcommands: [ValidateScenarios.self, CrossbarValidateCommand.self],
        defaultSubcommand: ValidateScenarios.self)
}

struct ValidateScenarios: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scenario",
        abstract: "Check a scenario file without running it.",
        discussion: """
            Decodes and validates every key; errors name file:line and the key path (Docs/scenario-reference.md \
            lists every key, unit, default and range). Exit status 0 when every file is valid, 2 otherwise. \
            With --json, prints one object per file: {file, valid, error?, name?, network?, tiles?, levels?, timing?, seed?}.
            """)

    @Argument(help: "Scenario files (YAML).")
    var scenarios: [String]

    @Flag(help: "Print the results as a JSON array on standard output.")
    var json = false

    struct Result: Codable {
        var file: String
        var valid: Bool
        var error: String?
        var name: String?, network: String?, connections: Int?, tiles: String?, levels: Int?, timing: String?, seed: UInt64?
    }

    func run() throws {
        var results: [Result] = []
        for path in scenarios {
            do {
                // A training scenario's weights file is what `spikebar train` writes: it may not exist yet.
                let l = try ScenarioLoader.load(path: path, requireWeightsFile: false)
                let s = l.scenario
                if s.weights.source == .file, l.weightsFile == nil {
                    if s.training == nil { _ = try ScenarioLoader.load(path: path) }  // the usual error
                    print("\(path): note — weights file \(s.weights.file ?? "") not written yet (spikebar train \(path))")
                }
                let plan = Chip.connectionPlan(network: s.network)
                // A graph's shape is read with the graph (`nir inspect`); here it is named, not read.
                let shape =
                    s.nir.map { "NIR graph \(l.nirGraph ?? $0.file)" }
                    ?? ([s.network.input] + s.network.layers.map(\.size)).map(String.init).joined(separator: "-")
                results.append(
                    Result(
                        file: path, valid: true, name: s.name, network: shape, connections: plan.count,
                        tiles: "\(s.tiles.rows)×\(s.tiles.cols)", levels: s.device.levels,
                        timing: s.simulation.timing.rawValue, seed: s.seed))
                if !json {
                    print(
                        "\(path): ok — \(s.name), \(shape)\(s.nir == nil ? ", \(plan.count) connections" : ""), \(s.tiles.rows)×\(s.tiles.cols) tiles, \(s.device.ideal ? "ideal device" : "\(s.device.levels) levels"), \(s.simulation.timing.rawValue) timing, seed \(s.seed)"
                    )
                }
            } catch {
                let message = (error as? SpikebarError)?.description ?? "\(error)"
                results.append(Result(file: path, valid: false, error: message))
                FileHandle.standardError.write(Data("error: \(message)\n".utf8))
            }
        }
        if json { try printJSON(results) }
        if results.contains(where: { !$0.valid }) { throw ExitCode(2) }
    }
}
