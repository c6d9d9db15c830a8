import ArgumentParser
import Foundation
import SpikebarCore
import SpikebarNIR
import SpikebarPipeline
import SpikebarScenario

/// Reads an NIR graph so that a crash of libhdf5 on a damaged file becomes an error naming the file.
///
/// Why: Debian's libhdf5 (1.10.8) is not hardened against malformed files — a damaged global heap behind
/// a variable-length string dataset dies with SIGSEGV inside `H5HG_read` (found by `Fuzz/run.sh nir`,
/// `Fuzz/Known/nir-libhdf5-H5HG_read.nir`), and no check of ours can see that before libhdf5 reads it. So
/// the file is first read by a child process (this executable, `spikebar nir _read FILE`): if the child
/// dies by a signal, nothing was read and the command refuses with an `NIRError`; if it exits, the file
/// is read here, where libhdf5 then does exactly what it did in the child (same bytes, same library) —
/// including throwing the same `NIRError` for a file that is malformed in a way libhdf5 reports.
/// NIR files are small (the shipped graphs are 20 KB–3 MB), so the second read costs milliseconds.
func readNIRGraphIsolated(path: String) throws -> NIRGraph {
    if let signal = childReadSignal(path: path) {
        throw NIRError(
            file: path,
            "libhdf5 crashed reading this file (signal \(signal)\(signal == 11 ? ", SIGSEGV" : signal == 6 ? ", SIGABRT" : ""), in a child process): its HDF5 structure is damaged; nothing was read"
        )
    }
    return try NIRGraph.read(path: path)
}

/// The signal that killed the child reading `path`, or nil when it exited (or could not be started: then
/// the read runs in this process, as before this check existed).
private func childReadSignal(path: String) -> Int32? {
    let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    guard FileManager.default.isExecutableFile(atPath: exe.path) else { return nil }
    let p = Process()
    p.executableURL = exe
    p.arguments = ["nir", NIRReadCheckCommand.configuration.commandName ?? "_read", path]
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    do { try p.run() } catch { return nil }
    p.waitUntilExit()
    return p.terminationReason == .uncaughtSignal ? p.terminationStatus : nil
}

/// `spikebar nir _read FILE` (hidden): reads and checks the graph, exit 0 when it reads, 2 when it is an
/// error. The child of `readNIRGraphIsolated`; not for users (`nir inspect` says the same in words).
struct NIRReadCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "_read", abstract: "Read an NIR file in a child process (internal).", shouldDisplay: false)

    @Argument var file: String

    func run() throws {
        // A crash here is expected on damaged files: leave no core file behind.
        var none = rlimit(rlim_cur: 0, rlim_max: 0)
        _ = setrlimit(Int32(RLIMIT_CORE.rawValue), &none)
        do { _ = try NIRGraph.read(path: file) } catch { throw ExitCode(2) }
    }
}

/// The `NIRSimulation` of an NIR scenario (`network: { nir: … }`), its graph read in a child process
/// first (`readNIRGraphIsolated`); an unreadable graph is an error naming the file, node and key.
func nirSimulation(_ loaded: LoadedScenario, chipSample: Int = 0) throws -> NIRSimulation {
    guard let path = loaded.nirGraph else { throw SpikebarError.mismatch("\(loaded.path): the network is not an NIR graph") }
    do {
        return try NIRSimulation(loaded: loaded, graph: readNIRGraphIsolated(path: path), chipSample: chipSample)
    } catch let e as NIRError { throw e.spikebarError }
}
