import SpikebarCore
import SpikebarData
import SpikebarScenario

/// The samples a scenario presents: intensities per input channel (rate-coded sources) or recorded
/// spike trains (trace input), and, when known, labels.
public struct InputSet: Sendable {
    /// Intensity in [0, 1] of every input channel, per sample (empty for trace input).
    public var intensities: [[Double]]
    /// Input spikes of every sample (trace input), times in ps from the start of the window; nil for
    /// rate-coded sources, which are encoded on demand.
    public var spikeTrains: [SpikeList]?
    public var labels: [Int]?
    /// Index of each sample in its source (for reports, and the key of its read-noise stream).
    public var sampleIDs: [Int]

    /// Number of samples (inferences).
    public var count: Int { sampleIDs.count }

    /// Input spikes of sample `k`: the recorded train, or the rate code of its intensities.
    public func spikes(_ k: Int, encoder: PoissonEncoder) -> SpikeList {
        if let spikeTrains { return spikeTrains[k] }
        return encoder.encode(intensities[k], sample: sampleIDs[k])
    }

    /// No samples (a replay brings its own recorded input).
    init(none: Void) { intensities = []; spikeTrains = []; labels = nil; sampleIDs = [] }

    /// `channels`: the input population's size (default `network.input`; an NIR graph's Input otherwise).
    public init(loaded: LoadedScenario, channels: Int? = nil) throws {
        let s = loaded.scenario
        let n = s.input.samples, first = s.input.firstSample
        let channels = channels ?? s.network.input
        spikeTrains = nil
        switch s.input.source {
        case .mnist:
            guard let path = loaded.inputImages else {
                throw SpikebarError.invalidInput(SourceLocation(file: loaded.path, keyPath: "input.file"), "missing")
            }
            let images = try IDXImages(path: path)
            guard images.pixelsPerImage == channels else {
                throw SpikebarError.mismatch("\(path): images have \(images.pixelsPerImage) pixels, network.input is \(channels)")
            }
            guard first + n <= images.count else {
                throw SpikebarError.invalidInput(
                    SourceLocation(file: loaded.path, keyPath: "input.samples"),
                    "asks for samples \(first)…\(first + n - 1) but \(path) holds \(images.count) images")
            }
            intensities = (first..<(first + n)).map { images.image($0) }
            if let lp = loaded.inputLabels {
                let l = try IDXLabels(path: lp)
                guard first + n <= l.labels.count else {
                    throw SpikebarError.invalidInput(
                        SourceLocation(file: loaded.path, keyPath: "input.labels"),
                        "\(lp) holds \(l.labels.count) labels, fewer than the samples asked for")
                }
                labels = (first..<(first + n)).map { Int(l.labels[$0]) }
            } else {
                labels = nil
            }
        case .synthetic:
            let classes = s.input.classes ?? (s.network.layers.last?.size ?? 1)
            labels = (first..<(first + n)).map { $0 % classes }
            intensities = (labels ?? []).map { SyntheticPattern.intensities(channels: channels, classes: classes, label: $0) }
        case .twoMoons:
            // The test points of `TrainingSetup` (same seed and offset), so `run` sees what `evaluate` tests.
            let moons = TwoMoons(count: n, noise: s.training?.moonsNoise ?? 0.1, seed: s.seed, offset: 10_000_000 + first)
            intensities = moons.points.map { TwoMoons.intensities($0, perAxis: channels / 2) }
            labels = moons.labels
        case .randman:
            // The test samples of `TrainingSetup` (same generator and offset): `run` sees what `evaluate` tests.
            let gen = try RandmanInput.generator(s)
            intensities = []
            spikeTrains = (first..<(first + n)).map { gen.spikes(RandmanInput.testOffset + $0) }
            labels = (first..<(first + n)).map { gen.label(RandmanInput.testOffset + $0) }
        case .nmnist:
            guard channels == NMNISTSubset.channels else {
                throw SpikebarError.mismatch(
                    "\(loaded.path): N-MNIST recordings have \(NMNISTSubset.channels) channels (2 polarities × 34 × 34); the network's input has \(channels)"
                )
            }
            let data = try NMNISTSubset.load(
                directory: loaded.nmnistData ?? DataLocation.resolve(explicit: s.input.file, scenarioPath: loaded.path),
                labelFile: s.input.labels ?? "test100.txt", limit: first + n)
            guard data.spikes.count == first + n else {
                throw SpikebarError.invalidInput(
                    SourceLocation(file: loaded.path, keyPath: "input.samples"),
                    "asks for recordings \(first)…\(first + n - 1) but the label list \(s.input.labels ?? "test100.txt") holds \(data.spikes.count)")
            }
            // The window is the run's: events at or after it are not presented.
            let end = SimTime.ceiling(seconds: s.input.window).picoseconds
            intensities = []
            spikeTrains = data.spikes[first...].map { $0.prefix(before: end) }
            labels = Array(data.labels[first...])
        case .uniform:
            intensities = Array(repeating: Array(repeating: 1.0, count: channels), count: n)
            labels = nil
        case .trace:
            let t = try TraceInput.load(loaded: loaded)
            intensities = []
            spikeTrains = t.spikes
            labels = t.labels
            sampleIDs = t.sampleIDs
            return
        }
        sampleIDs = Array(first..<(first + n))
    }
}
