import Foundation
import SpikebarCore
import SpikebarScenario
import SpikebarTrace

/// Samples of a scenario whose input is a `.sbt` trace (`input: {source: trace, file: …}`).
///
/// The trace's **first population** drives the input channels (its size must equal `network.input`);
/// the other populations are ignored. A sample is a time slice of the trace, shifted to start at 0:
/// 1. a recorded run (`spikebar run --record`, `RecordedRun` metadata): inference k is the slice
///    `[start_k, start_k + stride)`; sample ids and labels come from the metadata, so the read noise and
///    the report match the recording;
/// 2. otherwise, when the metadata is an object with a `samples` array whose entries have
///    `startPicoseconds` or `startMicroseconds` (the N-MNIST importer writes the latter): sample k runs
///    from its start to the next sample's start (the last to the end of the trace); an integer `label`
///    in an entry is used as the label;
/// 3. otherwise consecutive windows `[k·W, (k+1)·W)` of the scenario's `input.window` W, from time 0.
/// `first_sample` and `samples` select among them (all from `first_sample` on when `samples` is absent).
/// The kernel ignores spikes at or after the window, so a slice longer than `input.window` is cut.
enum TraceInput {
    struct Samples {
        var spikes: [SpikeList]
        var labels: [Int]?
        var sampleIDs: [Int]
    }

    /// A sample's slice of the trace.
    struct Slice {
        var start: Int64
        /// End (exclusive); nil = to the end of the trace.
        var end: Int64?
        var id: Int
        var label: Int?
    }

    /// Most windows a plain trace may be cut into (the range of `input.samples`).
    static let maxWindows = 10_000_000

    static func load(loaded: LoadedScenario) throws -> Samples {
        let s = loaded.scenario
        let loc = loaded.inputTraceLocation ?? SourceLocation(file: loaded.path, keyPath: "input.file")
        guard let path = loaded.inputTrace else { throw SpikebarError.invalidInput(loc, "source: trace needs a .sbt trace file") }
        func bad(_ message: String) -> SpikebarError { .invalidInput(loc, "\(path): \(message)") }
        do {
            let reader = try TraceReader(path: path)
            guard let input = reader.header.populations.first else { throw bad("the trace has no populations") }
            guard input.size == s.network.input else {
                throw bad(
                    "the trace's first population '\(input.name)' has \(input.size) addresses but network.input is \(s.network.input); the first population drives the input channels"
                )
            }
            let all = try slices(reader: reader, window: s.input.window)
            let first = s.input.firstSample
            guard first < all.count else {
                throw bad("input.first_sample is \(first) but the trace holds \(all.count) sample(s)")
            }
            let n = s.input.samplesGiven ? s.input.samples : all.count - first
            guard first + n <= all.count else {
                throw bad("input asks for samples \(first)…\(first + n - 1) but the trace holds \(all.count) sample(s)")
            }
            let chosen = Array(all[first..<(first + n)])
            // A damaged trace would give these samples missing input without a word (issue #22).
            let lost = reader.lostSpans()
            for (k, slice) in chosen.enumerated() {
                guard let span = lost.first(where: { $0.overlaps(start: slice.start, end: slice.end ?? .max) }) else { continue }
                throw SpikebarError.damaged(
                    path: path, offset: span.offset,
                    "sample \(slice.id) (input \(k) of this run) lies in a damaged part of the trace (\(span)); repair it with `spikebar trace repair` and choose undamaged samples with input.first_sample / input.samples"
                )
            }
            let spikes: [SpikeList]
            do { spikes = try read(reader: reader, slices: chosen) } catch let e as TraceError where e.kind != .invalidArgument {
                throw SpikebarError.damaged(
                    path: path, offset: e.offset,
                    "\(e.message) (chunk \(e.chunk.map(String.init) ?? "?")); the samples after it would miss their input")
            }
            let labels = chosen.compactMap(\.label)
            return Samples(spikes: spikes, labels: labels.count == chosen.count ? labels : nil, sampleIDs: chosen.map(\.id))
        } catch let e as TraceError {
            throw SpikebarError.invalidInput(loc, e.description)
        }
    }

    /// Every sample the trace holds, in time order (rules 1–3 above).
    static func slices(reader: TraceReader, window: Seconds) throws -> [Slice] {
        let meta = reader.header.metadata
        if let run = RecordedRun.decode(metadata: meta) {
            if let why = run.validationProblem() { throw TraceError(.corruptHeader, path: reader.path, "recorded-run metadata: \(why)") }
            return run.inferences.map {
                Slice(start: $0.startPicoseconds, end: $0.startPicoseconds + run.stridePicoseconds, id: $0.sample, label: $0.label)
            }
        }
        if let data = meta.data(using: .utf8), let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let entries = obj["samples"] as? [[String: Any]], !entries.isEmpty
        {
            var out: [Slice] = []
            for (k, e) in entries.enumerated() {
                let start: Int64
                if let ps = (e["startPicoseconds"] as? NSNumber)?.int64Value {
                    start = ps
                } else if let us = (e["startMicroseconds"] as? NSNumber)?.int64Value {
                    let (ps, overflow) = us.multipliedReportingOverflow(by: 1_000_000)
                    guard !overflow else {
                        throw TraceError(.corruptHeader, path: reader.path, "metadata sample \(k) starts at \(us) µs, beyond 2⁶³ ps")
                    }
                    start = ps
                } else {
                    out = []; break
                }
                if let last = out.last, start < last.start {
                    throw TraceError(.invalidArgument, path: reader.path, "metadata sample \(k) starts before sample \(k - 1)")
                }
                if !out.isEmpty { out[out.count - 1].end = start }
                out.append(Slice(start: start, end: nil, id: k, label: (e["label"] as? NSNumber)?.intValue))
            }
            if !out.isEmpty { return out }
        }
        let w = max(1, Int64((window * 1e12).rounded()))
        guard let last = reader.chunks.last?.lastTime, last >= 0 else { return [] }
        guard last / w < Int64(maxWindows) else {
            throw TraceError(
                .invalidArgument, path: reader.path,
                "the trace spans \(last / w + 1) windows of input.window; at most \(maxWindows) samples are supported")
        }
        // k·w ≤ last fits in Int64; (k + 1)·w may not (the last window then runs to the end).
        return (0...(last / w)).map { k in
            let end = (k + 1).multipliedReportingOverflow(by: w)
            return Slice(start: k * w, end: end.overflow ? nil : end.partialValue, id: Int(k), label: nil)
        }
    }

    /// The first population's spikes in each slice, times relative to the slice start. One pass over
    /// the trace from the first slice's start (the reader seeks there without decoding earlier chunks).
    static func read(reader: TraceReader, slices: [Slice]) throws -> [SpikeList] {
        var out = [SpikeList](repeating: SpikeList(), count: slices.count)
        guard let firstStart = slices.first?.start else { return out }
        let to = slices.last?.end
        var k = 0
        try reader.forEachEvent(from: firstStart, to: to) { e in
            guard e.population == 0 else { return }
            while k < slices.count, let end = slices[k].end, e.time >= end { k += 1 }
            guard k < slices.count, e.time >= slices[k].start else { return }
            out[k].append(time: e.time - slices[k].start, channel: Int32(e.index))
        }
        return out
    }
}
