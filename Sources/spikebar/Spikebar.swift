import ArgumentParser
import Foundation
import SpikebarCore

/// The `spikebar` command line: argument parsing, progress and output files only — every figure comes
/// from the library modules (DESIGN §1).
@main
struct Spikebar: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spikebar",
        abstract: "Event-driven simulator of spiking neural networks on RRAM crossbar tiles.",
        discussion: """
        Runs a scenario (YAML) through the event kernel and prices the same activity on three \
        architectures: a spike-driven RRAM crossbar, a DYNAP-style mixed-signal chip and an ADC-based \
        compute-in-memory accelerator. Start with: spikebar run Scenarios/quickstart.yaml \
        (writes report.md, report.json and the charts of report.html), then follow Docs/getting-started.md.

        Every command takes --json (machine-readable output on standard output, nothing else) and shows \
        progress on standard error when it runs longer than a second: a bar with rate and ETA on a \
        terminal, a plain line every few seconds otherwise, nothing with --quiet. Errors name the file, \
        line and key; exit status 2 on bad input. Scenario keys: Docs/scenario-reference.md.
        """,
        subcommands: Spikebar.allSubcommands)
}

/// Prints a user-facing error and exits non-zero: bad input never crashes.
func fail(_ error: Error) -> Never {
    let message = (error as? SpikebarError)?.description ?? "\(error)"
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    Foundation.exit((error as? SpikebarError)?.exitStatus ?? 2)
}
