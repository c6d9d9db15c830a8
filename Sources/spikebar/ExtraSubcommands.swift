import ArgumentParser

extension Spikebar {
    /// Subcommands contributed by other modules' command files.
    static var extraSubcommands: [ParsableCommand.Type] {
        [
            TraceCommand.self, TrainCommand.self, EvaluateCommand.self, SweepGroup.self, RetrainCommand.self, InSituCommand.self, DataCommand.self,
            NIRCommand.self, ExportCommand.self,
        ]
    }
}

extension BenchCommand {
    /// Benchmarks contributed by other modules' command files.
    static var extra: [ParsableCommand.Type] {
        [TraceBenchCommand.self, TraceStreamBench.self, TrainBench.self, ScalingBench.self, CircuitsBench.self]
    }
}
