import ArgumentParser
import Foundation
import SpikebarPipeline
import SpikebarScenario

/// `--memory-budget` of `run`, `sweep` and `train`: the scenario's memory estimate is checked against it
/// before anything big is allocated (Docs/scaling.md, "Memory budget").
enum MemoryBudgetOption {
    static let help: ArgumentHelp =
        "Refuse up front inputs whose estimated memory exceeds this (512MiB, 8GiB, 2e9, 50%; default $SPIKEBAR_MEMORY_BUDGET or 80% of physical memory)."

    static func check(loaded: LoadedScenario, option: String?, training: Bool = false, threads: Int = 0, chips: Int = 1, units: Int = 0) throws {
        let budget = try MemoryBudget.resolve(option: option)
        let estimate = MemoryEstimate.of(loaded, training: training, threads: threads, chips: chips, sweepUnits: units)
        try MemoryBudget.check(estimate, budget: budget.bytes, source: budget.source, what: "\(loaded.path) (\(loaded.scenario.name))")
    }
}
