import ArgumentParser

/// `spikebar export …`: a scenario's programmed network in other formats (`Docs/nir.md`, "Export").
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a scenario's network as programmed on its chip to an exchange format (NIR).",
        subcommands: [ExportNIRCommand.self])
}
