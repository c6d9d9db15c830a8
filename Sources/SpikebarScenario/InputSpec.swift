import SpikebarCore
import SpikebarChip

/// The input presented to the network, one sample per inference.
public struct InputSpec: Sendable, Codable, Equatable {
    public enum Source: String, Sendable, Codable, CaseIterable {
        /// MNIST digits from an IDX image file (+ optional labels), pixel intensity → Poisson rate.
        case mnist
        /// A deterministic synthetic pattern: class k lights a band of channels (no file needed).
        case synthetic
        /// Homogeneous Poisson input: every channel at `max_rate` (throughput benchmarks).
        case uniform
        /// Recorded spikes from a `.sbt` trace (`file`): the trace's first population drives the input
        /// channels directly, no encoder (Docs/scenario-reference.md, "Trace input").
        case trace
        /// Two-moons test points (the `training:` section's noise, population-coded over the input
        /// channels, half per coordinate), the same points `spikebar evaluate` tests on.
        case twoMoons = "two_moons"
        /// Randman test samples (`training.randman`, Docs/randman.md): one spike time per unit and spike,
        /// no encoder; the same samples `spikebar evaluate` tests on.
        case randman
        /// N-MNIST recordings (Orchard et al. 2015) from `<data>/nmnist-subset/` (`file`: the data folder,
        /// default `$SPIKEBAR_DATA`, else `../shared/data`; `labels`: the label list, default
        /// `test100.txt`): each recording's events are the input spikes, channel (polarity · 34 + y) · 34 + x
        /// with OFF as polarity 0 (2312 channels), no encoder; events after the window are dropped.
        case nmnist
    }
    public enum Encoder: String, Sendable, Codable, CaseIterable { case poisson }
    public var source: Source
    public var encoder: Encoder
    /// IDX image file (mnist), `.sbt` trace (trace) or data folder (nmnist), and IDX label file (mnist) or
    /// label list in `<data>/nmnist-subset/` (nmnist), relative to the scenario file.
    public var file: String?
    public var labels: String?
    /// Firing rate of a fully-on channel (Hz).
    public var maxRate: Hertz
    /// Presentation window per inference (s).
    public var window: Seconds
    /// Timestamp resolution of encoded input spikes (s, a whole number of picoseconds; default 1 ps,
    /// i.e. continuous time at the kernel's resolution). An AER input interface stamps events on a
    /// clock — 1 µs for DVS cameras and N-MNIST (Orchard et al. 2015), the FPGA interfaces of DYNAP-class
    /// boards — so `1e-6` models that interface; spikes are rounded to the nearest multiple.
    public var timeResolution: Seconds
    /// Number of inferences (samples) in a run, and the index of the first one.
    public var samples: Int
    public var firstSample: Int
    /// Whether `samples` was given (in the file or by an override). A trace input without it runs every
    /// sample the trace holds from `first_sample` on; other sources use the default of 10.
    public var samplesGiven: Bool
    /// Synthetic input: number of classes.
    public var classes: Int?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case source, encoder, file, labels, maxRate = "max_rate", window, timeResolution = "time_resolution", samples,
            firstSample = "first_sample", classes
    }
    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        source = try c.choice(.source)
        encoder = try c.choice(.encoder, default: .poisson)
        file = try c.decodeIfPresent(String.self, forKey: .file)
        labels = try c.decodeIfPresent(String.self, forKey: .labels)
        if source == .mnist, file == nil { throw c.invalid(.file, "source: mnist needs an IDX image file") }
        if source == .trace, file == nil { throw c.invalid(.file, "source: trace needs a .sbt trace file") }
        if source == .trace, labels != nil { throw c.invalid(.labels, "source: trace takes its labels from the trace metadata") }
        if source == .nmnist {
            if labels == nil { labels = "test100.txt" }
            if let l = labels, let why = OutputPath.componentProblem(l) {
                throw c.invalid(.labels, "the label list is a file name in <data>/nmnist-subset/; this one \(why)")
            }
        }
        maxRate = try c.decode(.maxRate, default: 100, in: 0...1e6, unit: "Hz")
        window = try c.positive(.window, default: 0.1, unit: "s")
        timeResolution = try c.positive(.timeResolution, default: 1e-12, unit: "s")
        let ps = (timeResolution * 1e12).rounded()
        if ps < 1 || abs(timeResolution * 1e12 - ps) > 1e-6 * ps {
            throw c.invalid(.timeResolution, "must be a whole number of picoseconds ≥ 1e-12 s, got \(timeResolution) s")
        }
        if timeResolution > window { throw c.invalid(.timeResolution, "\(timeResolution) s is longer than the window (\(window) s)") }
        samples = try c.decode(.samples, default: 10, in: 1...10_000_000)
        samplesGiven = c.contains(.samples)
        firstSample = try c.decode(.firstSample, default: 0, in: 0...10_000_000)
        classes = try c.decodeIfPresent(Int.self, forKey: .classes)
        if let k = classes, k < 1 { throw c.invalid(.classes, "must be ≥ 1") }
    }
}
