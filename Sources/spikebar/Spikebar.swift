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
            line and key. Exit status: 0 success, 1 a result check failed (trace replay, validate crossbar), \
            2 bad input (usage, scenario, file; refused before any work), 130 interrupted. Scenario keys: \
            Docs/scenario-reference.md.
            """,
        subcommands: Spikebar.allSubcommands)

    /// Parses and runs the command with the conventions of `CLIConventions` (exit statuses, command
    /// suggestions, help of a group's default subcommand).
    static func main() {
        let args = CLIConventions.rewriteHelp(Array(CommandLine.arguments.dropFirst()), root: Spikebar.self)
        if let message = CLIConventions.unknownCommand(args, root: Spikebar.self) {
            FileHandle.standardError.write(Data("error: \(message)\n".utf8))
            Foundation.exit(CLIConventions.badInput)
        }
        do {
            var command = try parseAsRoot(args)
            try command.run()
        } catch {
            let status = CLIConventions.status(for: error, code: exitCode(for: error))
            let message = fullMessage(for: error)
            if status == CLIConventions.ok {
                if !message.isEmpty { print(message) }
            } else if !message.isEmpty {
                FileHandle.standardError.write(Data((message.hasSuffix("\n") ? message : message + "\n").utf8))
            }
            Foundation.exit(status)
        }
    }
}

/// Prints a user-facing error and exits non-zero: bad input never crashes.
func fail(_ error: Error) -> Never {
    let message = (error as? SpikebarError)?.description ?? "\(error)"
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    Foundation.exit((error as? SpikebarError)?.exitStatus ?? 2)
}
