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
        compute-in-memory accelerator. Start with: spikebar run Scenarios/quickstart.yaml
        """,
        subcommands: Spikebar.allSubcommands)
}

/// Prints a user-facing error and exits non-zero: bad input never crashes.
func fail(_ error: Error) -> Never {
    let message = (error as? SpikebarError)?.description ?? "\(error)"
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    Foundation.exit(2)
}
