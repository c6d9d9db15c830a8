import Foundation
import SpikebarActivity
import SpikebarCore
import SpikebarKernel
import SpikebarTrace

extension Simulation {
    /// The address space of a recording: the chip's populations, input first.
    public var tracePopulations: [TracePopulation] {
        chip.populations.map { TracePopulation(name: $0.name, size: $0.size) }
    }

    /// The `RecordedRun` metadata of a recording of this simulation (before any inference runs).
    public func recordedRunMetadata() -> RecordedRun {
        let grid = kernel.timeGrid(window: scenario.input.window)
        let timing: String
        switch kernel.timing {
        case .exact: timing = "exact";
        case .grid: timing = "grid"
        }
        let file = URL(fileURLWithPath: loaded.path).standardizedFileURL.path
        let infs = (0..<inputs.count).map { k in
            RecordedRun.Inference(sample: inputs.sampleIDs[k], label: inputs.labels?[k], startPicoseconds: Int64(k) * grid.span)
        }
        return RecordedRun(
            kind: RecordedRun.kindValue, version: RecordedRun.currentVersion, scenarioFile: file,
            scenarioName: scenario.name, scenarioDigest: loaded.digest, seed: scenario.seed, timing: timing,
            dtSeconds: scenario.simulation.dt, windowSeconds: scenario.input.window,
            windowPicoseconds: Int64((scenario.input.window * 1e12).rounded()),
            stridePicoseconds: grid.span, firstSample: scenario.input.firstSample, readNoise: kernel.readNoise,
            gains: gains, inferences: infs)
    }

    /// Runs every inference like `runAll` and records the input spikes and every layer's spikes into a
    /// `.sbt` trace at `path` (Docs/trace-format.md, "Recorded runs"). Inferences run in batches on
    /// `threads` workers and are written in order, so memory holds one batch of spikes and the file does
    /// not depend on the thread count. Returns the activities, identical to `runAll`'s.
    public func record(
        to path: String, threads: Int = 0, chunkEvents: Int = TraceWriter.defaultChunkEvents,
        progress: (@Sendable (Int) -> Void)? = nil
    ) throws -> [Activity] {
        let run = recordedRunMetadata()
        let grid = kernel.timeGrid(window: scenario.input.window)
        let header = TraceHeader(populations: tracePopulations, scenarioDigest: loaded.digest, metadata: try run.json(), timeUnit: grid.unit)
        let writer = try TraceWriter(path: path, header: header, chunkEvents: chunkEvents)
        return try Simulation.recordBatches(
            count: inputs.count, threads: threads, stride: grid.span, offsets: header.populationOffsets, writer: writer, progress: progress
        ) { [self] k in
            let r = infer(k, recordSpikes: true)
            return (r.activity, r.spikes)
        }
    }

    /// The recording loop of every engine: inferences run in batches on `threads` workers and are written
    /// in order (inference `k` at `k · stride`), so memory holds one batch of spikes and the file does not
    /// depend on the thread count. `run(k)` returns inference k's result and its spikes, one list per
    /// population. The writer is closed, or discarded on an error.
    static func recordBatches<R: Sendable>(
        count n: Int, threads: Int, stride: Int64, offsets: [Int], writer: TraceWriter,
        progress: (@Sendable (Int) -> Void)?, _ run: @escaping @Sendable (Int) throws -> (R, [SpikeList])
    ) throws -> [R] {
        let workers = threads > 0 ? threads : ProcessInfo.processInfo.activeProcessorCount
        let batch = max(16, 4 * workers)
        var results: [R] = []
        results.reserveCapacity(n)
        do {
            var start = 0
            while start < n {
                let count = min(batch, n - start), base = start
                let runs = ParallelMap.map(count: count, threads: threads) { j in Result { try run(base + j) } }
                for (j, r) in runs.enumerated() {
                    let (result, spikes) = try r.get()
                    try write(spikes, offset: Int64(base + j) * stride, addressOffsets: offsets, to: writer)
                    results.append(result)
                    progress?(base + j + 1)
                }
                start += count
            }
            try writer.close()
        } catch {
            writer.discard()
            throw error
        }
        return results
    }

    /// Appends one inference's spikes (one list per population) in time order. Equal times are ordered
    /// by population, and within a population keep the kernel's order, so that splitting the trace by
    /// population gives back each list exactly.
    static func write(_ spikes: [SpikeList], offset: Int64, addressOffsets: [Int], to writer: TraceWriter) throws {
        var cursor = [Int](repeating: 0, count: spikes.count)
        while true {
            var best = -1, bestTime = Int64.max
            for p in spikes.indices where cursor[p] < spikes[p].count {
                let t = spikes[p].times[cursor[p]]
                if t < bestTime { best = p; bestTime = t }
            }
            if best < 0 { break }
            let ch = Int(spikes[best].channels[cursor[best]])
            cursor[best] += 1
            try writer.append(time: offset + bestTime, address: UInt32(addressOffsets[best] + ch))
        }
    }
}
