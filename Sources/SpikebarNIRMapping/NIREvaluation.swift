import Foundation
import SpikebarCore
import SpikebarData
import SpikebarNIR
import SpikebarTrace

/// `spikebar nir evaluate`: an NIR graph run by the time-stepped reference (`NIRProgram`, ideal weights
/// exactly as in the file) on labelled N-MNIST test recordings, the way the NIR paper's simulators ran
/// the Sinabs CNN (Pedersen et al. 2024, `paper/` of neuromorphs/NIR): frames of event counts per
/// `bin` (1 ms), shape `[2, 34, 34]` = (polarity, y, x) with OFF as channel 0, class = the output
/// with the most spikes (ties to the lower index; a silent output counts as wrong).
public enum NIREvaluation {
    /// The N-MNIST frame layout: 2 polarities × 34 × 34 (`NMNISTImporter.index`: OFF = 0).
    public static let frameShape = [2, NMNISTImporter.height, NMNISTImporter.width]

    /// Options of one evaluation.
    public struct Options: Sendable {
        public var run: NIRRunOptions
        /// Frame width (s): events with `t ∈ [k·bin, (k+1)·bin)` add 1 to frame `k`; frames from t = 0 to the last event.
        public var bin: Seconds
        /// Recordings read from the label list (`test100.txt` holds 100).
        public var limit: Int
        public var labelFile: String
        public var threads: Int
        /// Exact (event-driven) mode: one step per distinct event time (µs) instead of per `bin` for graphs
        /// without time constants, delays or biases (their state does not change between events); the
        /// continuous-time run (`NIRProgram.runEventDriven`) for dense graphs of LIF, CubaLIF and IF neurons
        /// with leak or bias.
        public var exact: Bool
        public init(
            run: NIRRunOptions, bin: Seconds = 1e-3, limit: Int = 100, labelFile: String = "test100.txt", threads: Int = 0,
            exact: Bool = false
        ) {
            self.run = run; self.bin = bin; self.limit = limit; self.labelFile = labelFile; self.threads = threads; self.exact = exact
        }
    }

    /// One recording's outcome.
    public struct Sample: Codable, Sendable, Equatable {
        public var label: Int
        public var predicted: Int?
        /// Output spike counts per class.
        public var outputCounts: [Double]
        /// Time steps run: frames (grid mode) or distinct event times (exact mode).
        public var frames: Int
        public var inputEvents: Int
    }

    /// The evaluation: accuracy and every recording's outcome, in label-list order.
    public struct Result: Codable, Sendable, Equatable {
        public var file: String
        public var recordings: Int
        public var correct: Int
        /// correct / recordings.
        public var accuracy: Double
        public var dt: Double, bin: Double
        /// `grid` (frames of `bin`) or `exact` (one step per distinct event time).
        public var mode: String
        public var discretisation: String, reset: String, comparison: String
        public var samples: [Sample]
        /// The device the weights were programmed on (`--device`); nil: the graph's weights exactly.
        public var device: NIRDeviceProgramming.Report? = nil
    }

    /// Frames of event counts per bin for one recording (times in ps, channels as `NMNISTImporter.index`):
    /// from t = 0 to the last event, or exactly `count` frames (a scenario's window; later events dropped).
    public static func frames(_ spikes: SpikeList, bin: Seconds, channels: Int, count: Int? = nil) -> [[Double]] {
        let binPs = max(1, Int64((bin * 1e12).rounded()))
        let n: Int
        if let count {
            n = count
        } else {
            guard let last = spikes.times.max() else { return [] }
            n = Int(last / binPs) + 1
        }
        var frames = Array(repeating: [Double](repeating: 0, count: channels), count: n)
        for (t, c) in zip(spikes.times, spikes.channels) where c >= 0 && Int(c) < channels && t >= 0 && Int(t / binPs) < n {
            frames[Int(t / binPs)][Int(c)] += 1
        }
        return frames
    }

    /// The frames of `frames(_:bin:channels:count:)` as sparse steps — each event as `(channel, 1)` in its
    /// bin's step — so that memory follows the events, not steps × channels (a fine `dt` over a long
    /// window); `NIRProgram.run(sparse:)` adds them up to the same frame values, bit for bit.
    public static func sparseFrames(_ spikes: SpikeList, bin: Seconds, channels: Int, count: Int) -> [[(index: Int, value: Double)]] {
        let binPs = max(1, Int64((bin * 1e12).rounded()))
        var steps = Array(repeating: [(index: Int, value: Double)](), count: count)
        for (t, c) in zip(spikes.times, spikes.channels) where c >= 0 && Int(c) < channels && t >= 0 && Int(t / binPs) < count {
            steps[Int(t / binPs)].append((Int(c), 1))
        }
        return steps
    }

    /// Exact-mode steps of one recording: the events of each distinct time, as (channel, 1) pairs.
    public static func eventSteps(_ spikes: SpikeList, channels: Int) -> [[(index: Int, value: Double)]] {
        var steps: [[(index: Int, value: Double)]] = []
        var last: Int64? = nil
        for (t, c) in zip(spikes.times, spikes.channels) where c >= 0 && Int(c) < channels {
            if t != last { steps.append([]); last = t }
            steps[steps.count - 1].append((Int(c), 1))
        }
        return steps
    }

    /// The first node whose state evolves between input events — a neuron with a time constant, a
    /// Delay, or a weight node with a non-zero bias (a constant drive every step) — with why; nil when
    /// the graph's state changes only at events, so that one step per distinct event time (exact
    /// timing) is its event-driven execution. The one rule every exact-mode refusal names.
    public static func eventDrivenObstacle(_ program: NIRProgram) -> (node: String, typeName: String, why: String)? {
        for node in program.nodes {
            switch node.operation {
            case let .neuron(s) where s.leaky: return (node.name, node.typeName, "has a time constant (its state decays between events)")
            case .delay: return (node.name, node.typeName, "delays its input (it acts between events)")
            case let .dense(_, _, _, bias) where bias.contains { $0 != 0 }:
                return (node.name, node.typeName, "has a non-zero bias (a constant drive added every step, between events too)")
            case let .convolution(c) where c.bias.contains { $0 != 0 }:
                return (node.name, node.typeName, "has a non-zero bias (a constant drive added every step, between events too)")
            default: continue
            }
        }
        return nil
    }

    /// Whether the program's state evolves between inputs (`eventDrivenObstacle`), which exact mode cannot step.
    public static func hasDynamics(_ program: NIRProgram) -> Bool { eventDrivenObstacle(program) != nil }

    /// The refusal of exact timing for `program`, naming the node and why; nil when it runs — one step
    /// per input event (no state change between events), or in continuous time
    /// (`NIRProgram.runEventDriven`: dense layers of LIF, CubaLIF and IF neurons with leak or bias).
    public static func exactModeRefusal(_ program: NIRProgram) -> NIRError? {
        guard let o = eventDrivenObstacle(program), let r = program.eventDrivenRefusal() else { return nil }
        return NIRError(
            file: program.file, node: r.node,
            "\(r.typeName) \(r.why); node '\(o.node)' (\(o.typeName)) \(o.why), so exact timing needs the continuous-time run, which takes dense layers of LIF, CubaLIF and IF neurons only; use grid mode (frames)"
        )
    }

    /// Loads the recordings (`<data>/nmnist-subset/<labelFile>`, `NMNISTSubset`) and runs them in
    /// parallel (`ParallelMap`: results do not depend on the thread count).
    public static func evaluate(
        program: NIRProgram, dataDirectory: String, options: Options,
        progress: (@Sendable (Int) -> Void)? = nil
    ) throws -> Result {
        // A graph whose state changes between events runs in continuous time when it can.
        let continuous = options.exact && hasDynamics(program)
        if options.exact, let refusal = exactModeRefusal(program) { throw refusal }
        let channels = frameShape.reduce(1, *)
        guard program.inputCount == channels else {
            throw NIRError(
                file: program.file, node: program.nodes[program.inputIndex].name,
                "the Input takes \(program.nodes[program.inputIndex].outputShape) = \(program.inputCount) values; N-MNIST frames are [2, 34, 34] = \(channels)"
            )
        }
        let data = try NMNISTSubset.load(directory: dataDirectory, labelFile: options.labelFile, limit: options.limit)
        let outcomes = ParallelMap.map(count: data.spikes.count, threads: options.threads, progress: progress) {
            k -> Swift.Result<Sample, NIRError> in
            do {
                let r: NIRRunResult
                if continuous {
                    let scale = program.options.dt / options.bin  // graph time units per second
                    let events = zip(data.spikes[k].times, data.spikes[k].channels).map { (time: Double($0) * 1e-12 * scale, channel: Int($1)) }
                    r = try program.runEventDriven(events: events, until: events.last?.time ?? 0).result
                } else if options.exact {
                    r = try program.run(sparse: eventSteps(data.spikes[k], channels: channels))
                } else {
                    r = try program.run(frames: frames(data.spikes[k], bin: options.bin, channels: channels))
                }
                return .success(
                    Sample(
                        label: data.labels[k], predicted: r.predictedClass, outputCounts: r.outputCounts,
                        frames: r.steps, inputEvents: data.spikes[k].count))
            } catch let e as NIRError { return .failure(e) } catch { return .failure(NIRError(file: program.file, "\(error)")) }
        }
        let samples = try outcomes.map { try $0.get() }
        let correct = samples.filter { $0.predicted == $0.label }.count
        return Result(
            file: program.file, recordings: samples.count, correct: correct,
            accuracy: samples.isEmpty ? 0 : Double(correct) / Double(samples.count),
            dt: program.options.dt, bin: options.bin, mode: options.exact ? "exact" : "grid", discretisation: program.options.discretisation.rawValue,
            reset: program.options.reset.rawValue, comparison: program.options.comparison.rawValue, samples: samples)
    }
}
