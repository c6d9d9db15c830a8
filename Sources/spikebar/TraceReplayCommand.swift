import ArgumentParser
import Foundation
import SpikebarCore
import SpikebarPipeline
import SpikebarTrace

extension TraceCommand {
    /// `spikebar trace replay`: checks that a recorded run replays bit for bit.
    struct Replay: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replay a recorded run and check that every layer's spikes are identical.",
            discussion: """
                Re-programs the chip from the scenario (default: the scenario file named in the trace), feeds each \
                recorded inference's input spikes into the kernel with the recorded seed, timing and sample ids, and \
                compares every population's spikes with the recorded ones: same neurons, same picosecond times, same \
                order. Refuses a scenario whose digest differs from the recording's unless --force. Exit status: 0 \
                identical, 1 divergence (the first differing event is printed), 2 error, 3 damaged trace (truncated, \
                unfinished or repaired: the inferences it lost are listed with the byte offset of the damage and \
                are not compared; the others are). \
                Record with: spikebar run SCENARIO --record FILE.sbt
                """)

        @Argument(help: "A trace written by `spikebar run --record`.") var file: String
        @Argument(help: "Scenario to program the chip from (default: the path stored in the trace).") var scenario: String?
        @Flag(help: "Replay even if the scenario's digest differs from the recorded one.") var force = false
        @Option(help: "Worker threads (0 = all cores). The result does not depend on it.") var threads = 0
        @Flag(help: "Print the result as JSON (no progress).") var json = false
        @Flag(help: "Print nothing but errors; the exit status tells the result.") var quiet = false

        func run() throws {
            let report: ReplayReport
            do {
                guard threads >= 0 else { throw ValidationError("--threads must be ≥ 0") }
                // The inference count, for the progress bar, is in the trace's metadata.
                let total = (try? TraceReader(path: file)).flatMap { RecordedRun.decode(metadata: $0.header.metadata) }?.inferences.count ?? 0
                let progress = ProgressLine(total: total, label: "inferences replayed", enabled: !quiet && !json && total > 0)
                report = try TraceReplay.replay(
                    tracePath: file, scenarioPath: scenario, force: force, threads: threads, readGraph: { try readNIRGraphIsolated(path: $0) }
                ) { progress.update($0) }
                progress.finish()
            } catch let e as SpikebarError {
                fail(e)
            } catch let e as TraceError {
                fail(e)
            }
            if json {
                try printJSON(report)
            } else if !quiet {
                print("\(file): replayed on \(report.scenario)\(report.scenarioDigestMatches ? "" : " (scenario digest differs: --force)")")
                if !report.gainsMatch { print("warning: the recomputed DPI gains differ from the recorded ones") }
                print("inferences: \(report.inferences), events compared: \(report.eventsCompared), identical: \(report.identical ? "yes" : "no")")
                if let d = report.divergence { print("first divergence: \(d)") }
            }
            if !report.damagedInferences.isEmpty && !quiet {
                let list = report.damagedInferences
                let which = list.count == 1 ? "inference \(list[0])" : "\(list.count) inferences (\(list[0])…\(list[list.count - 1]))"
                var text = "damaged: \(which) of \(file) not compared, their recorded spikes are incomplete:\n"
                for span in report.damage { text += "  - \(span)\n" }
                FileHandle.standardError.write(Data(text.utf8))
            }
            if report.divergence != nil { throw ExitCode(1) }
            if !report.damagedInferences.isEmpty { throw ExitCode(3) }
            if !report.identical { throw ExitCode(1) }
        }
    }
}
