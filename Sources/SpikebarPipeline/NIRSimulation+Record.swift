import Foundation
import SpikebarCore
import SpikebarData
import SpikebarNIR
import SpikebarNIRMapping
import SpikebarTrace

extension NIRSimulation {
    /// The address space of a recording: the graph's Input, then every neuron node in execution order
    /// (the populations of the run's `Activity`; a node that does not spike records nothing).
    public var tracePopulations: [TracePopulation] {
        var out = [TracePopulation(name: program.nodes[program.inputIndex].name, size: program.inputCount)]
        for n in program.nodes { if case .neuron = n.operation { out.append(TracePopulation(name: n.name, size: n.outputShape.reduce(1, *))) } }
        return out
    }

    /// The input spikes of inference `k` (the recording, or the rate code of its intensities).
    public func inputSpikes(_ k: Int) -> SpikeList {
        let s = scenario
        return inputs.spikes(
            k, encoder: s.inputEncoder)
    }

    /// Runs the program on `input` (ps times) and prices it, recording every neuron node's spikes.
    public func run(input: SpikeList) throws -> (NIRPricing.Result, [SpikeList]) {
        let s = scenario
        var population: [Int: Int] = [:]
        for (j, n) in program.nodes.enumerated() { if case .neuron = n.operation { population[j] = population.count + 1 } }
        var spikes = Array(repeating: SpikeList(), count: population.count + 1)
        spikes[0] = input
        let stepTime: (Int) -> Int64
        switch s.simulation.timing {
        case .grid:
            let dt = s.simulation.dt
            stepTime = { SimTime.nearest(seconds: Double($0 + 1) * dt).picoseconds }
        case .exact:
            var times: [Int64] = []
            for (t, c) in zip(input.times, input.channels) where c >= 0 && Int(c) < program.inputCount && times.last != t { times.append(t) }
            stepTime = { times[$0] }
        }
        // Kept until the run is over: a continuous-time run's step times are known only then.
        var recorded: [(node: Int, step: Int, output: [Double])] = []
        let record: (Int, Int, [Double]) -> Void = { node, step, output in
            guard population[node] != nil else { return }
            recorded.append((node, step, output))
        }
        func stamp(_ stepTimes: [Seconds]?) {
            for r in recorded {
                guard let p = population[r.node] else { continue }
                let t = stepTimes.map { SimTime.nearest(seconds: $0[r.step]).picoseconds } ?? stepTime(r.step)
                for (n, x) in r.output.enumerated() where x != 0 {
                    let count = x == x.rounded() && x > 0 ? Int(x) : 1
                    for _ in 0..<count { spikes[p].append(time: t, channel: Int32(n)) }
                }
            }
        }
        do {
            let result: NIRPricing.Result
            switch s.simulation.timing {
            case .grid:
                let steps = s.gridFrames
                result = try NIRPricing.price(
                    program: program,
                    sparseFrames: NIREvaluation.sparseFrames(input, bin: s.simulation.dt, channels: program.inputCount, count: steps),
                    bin: s.simulation.dt, mapping: spec.mapping, tiles: s.tiles, device: s.device, prices: s.architectures, spikes: record)
            case .exact:
                result = try NIRPricing.price(
                    program: program, events: input, bin: s.simulation.dt, mapping: spec.mapping, tiles: s.tiles, device: s.device,
                    prices: s.architectures, window: s.input.window, spikes: record)
            }
            stamp(result.stepTimes)
            return (result, spikes)
        } catch let e as NIRError { throw e.spikebarError }
    }

    /// Distance between inference slices in a recording (ps): past the window, where grid timing stamps
    /// the last step's spikes.
    public var recordingStride: Int64 { SimTime.nearest(seconds: scenario.input.window).picoseconds + 1 }

    /// The `RecordedRun` metadata of a recording of this run (time unit 1 ps; no DPI gains, no read noise).
    public func recordedRunMetadata() -> RecordedRun {
        let s = scenario
        let file = URL(fileURLWithPath: loaded.path).standardizedFileURL.path
        let infs = (0..<inputs.count).map { k in
            RecordedRun.Inference(sample: inputs.sampleIDs[k], label: inputs.labels?[k], startPicoseconds: Int64(k) * recordingStride)
        }
        return RecordedRun(
            kind: RecordedRun.kindValue, version: RecordedRun.currentVersion, scenarioFile: file,
            scenarioName: s.name, scenarioDigest: loaded.digest, seed: s.seed, timing: s.simulation.timing.rawValue,
            dtSeconds: s.simulation.dt, windowSeconds: s.input.window,
            windowPicoseconds: SimTime.nearest(seconds: s.input.window).picoseconds,
            stridePicoseconds: recordingStride, firstSample: s.input.firstSample, readNoise: false,
            gains: [], inferences: infs)
    }

    /// Runs every inference and records the input's and every neuron node's spikes into a `.sbt` trace
    /// at `path` (the format of `Simulation.record`; batches in order, so the file does not depend on
    /// the thread count). Returns the priced runs, identical to `runAll`'s.
    public func record(to path: String, threads: Int = 0, progress: (@Sendable (Int) -> Void)? = nil) throws -> [NIRPricing.Result] {
        let header = TraceHeader(
            populations: tracePopulations, scenarioDigest: loaded.digest, metadata: try recordedRunMetadata().json(), timeUnit: 1)
        let writer = try TraceWriter(path: path, header: header, chunkEvents: TraceWriter.defaultChunkEvents)
        return try Simulation.recordBatches(
            count: inputs.count, threads: threads, stride: recordingStride, offsets: header.populationOffsets, writer: writer, progress: progress
        ) { [self] k in try run(input: inputSpikes(k)) }
    }
}
