import ArgumentParser
import Foundation
import SpikebarCore
import SpikebarTrace

/// `spikebar bench trace-stream`: a trace of --events Poisson events streamed to disk and back, with
/// the peak RSS before, after writing and after reading (bounded by one chunk, not by the trace).
struct TraceStreamBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace-stream",
        abstract: "Stream a long synthetic trace through the .sbt writer and reader; print speed and peak RSS.",
        discussion: """
            Generates --events Poisson events (--neurons processes at --rate Hz, 1 µs resolution) on the fly, \
            writes them to a temporary .sbt (or --out), reads them back chunk by chunk and checks a digest of \
            every (time, address). Memory stays bounded by one chunk: compare the peak RSS after writing and \
            after reading with the one before. 10⁹ events take ≈ 2.2 GB of disk and a minute or two.
            """)

    @Option(help: "Events to stream.") var events: Int = 100_000_000
    @Option(help: "Poisson processes.") var neurons: Int = 1000
    @Option(help: "Rate per process (Hz).") var rate: Double = 20
    @Option(help: "Trace file (default: a temporary file, removed afterwards).") var out: String?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        guard events > 0, neurons > 0, rate > 0 else { throw ValidationError("--events, --neurons and --rate must be positive") }
        let path = out ?? NSTemporaryDirectory() + "spikebar-stream-\(getpid()).sbt"
        defer { if out == nil { try? FileManager.default.removeItem(atPath: path) } }
        let tty = isatty(2) != 0 && !json
        let r = try TraceStreamBenchmark.run(events: events, neurons: neurons, rateHz: rate, path: path) { k in
            if tty { FileHandle.standardError.write(Data("\rwriting \(k / 1_000_000) M events…".utf8)) }
        }
        if tty { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        if json {
            let enc = JSONEncoder.spikebar(pretty: true)
            print(String(decoding: try enc.encode(r), as: UTF8.self))
        } else {
            func mb(_ b: Int?) -> String { b.map { String(format: "%.1f MB", Double($0) / 1e6) } ?? "unavailable" }
            print(
                "streamed \(r.events) events: \(r.fileBytes) bytes (\(Units.fixed(r.bytesPerEvent, significant: 4)) B/event), read back \(r.identical ? "identical" : "DIFFERENT")"
            )
            print(
                "encode \(Units.fixed(r.encodeEventsPerSecond / 1e6, significant: 4)) M events/s (\(Units.fixed(r.encodeSeconds, significant: 3)) s, generation included), decode \(Units.fixed(r.decodeEventsPerSecond / 1e6, significant: 4)) M events/s"
            )
            print("peak RSS: before \(mb(r.peakRSSBefore)), after writing \(mb(r.peakRSSAfterWrite)), after reading \(mb(r.peakRSSAfterRead))")
        }
        if !r.identical { throw ExitCode(1) }
    }
}
