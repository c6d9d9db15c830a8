import SpikebarCore

/// Rate coding: each channel fires as a homogeneous Poisson process of rate `maxRate × intensity`
/// over the presentation window, in continuous time (exponential inter-spike intervals), rounded to the
/// nearest multiple of `resolution` (1 ps — the kernel's resolution — by default; 1 µs models an AER
/// interface's timestamp clock, `input.time_resolution`). Channel `c` of sample `s` draws from its own keyed stream
/// `(seed, input, c, s)`, so a sample's spikes do not depend on which thread encodes it.
public struct PoissonEncoder: Sendable {
    public var maxRate: Hertz
    public var window: Seconds
    public var seed: UInt64
    /// Timestamp resolution of the emitted spikes, picoseconds (≥ 1).
    public var resolution: Int64

    public init(maxRate: Hertz, window: Seconds, seed: UInt64, resolution: Seconds = 1e-12) {
        self.maxRate = maxRate; self.window = window; self.seed = seed
        self.resolution = Swift.max(1, Int64((resolution * 1e12).rounded()))
    }

    /// Spikes for `intensities` (each in [0, 1]) of sample number `sample`.
    public func encode(_ intensities: [Double], sample: Int) -> SpikeList {
        var spikes: [(time: Int64, channel: Int32)] = []
        let expected = intensities.reduce(0, +) * maxRate * window
        spikes.reserveCapacity(Int(expected * 1.2) + 16)
        let windowPs = Int64((window * 1e12).rounded())
        for (c, x) in intensities.enumerated() where x > 0 {
            let rate = maxRate * Swift.min(1, x)
            if rate <= 0 { continue }
            var rng = RandomStream(seed: seed, purpose: .input, index: UInt64(c), sample: UInt64(sample))
            var t = rng.nextExponential(rate: rate)
            while t < window {
                let ps =
                    resolution == 1
                    ? Int64((t * 1e12).rounded())
                    : Int64((t * 1e12 / Double(resolution)).rounded()) * resolution
                if ps < windowPs { spikes.append((ps, Int32(c))) }
                t += rng.nextExponential(rate: rate)
            }
        }
        return SpikeList(unsorted: spikes)
    }
}

/// Deterministic synthetic patterns for runs without data files: class `k` of `classes` lights the
/// `k`-th band of channels at full intensity and the rest at `background`.
public enum SyntheticPattern {
    public static func intensities(channels: Int, classes: Int, label: Int, background: Double = 0.05) -> [Double] {
        let band = Swift.max(1, channels / Swift.max(1, classes))
        return (0..<channels).map { c in (c / band) == label % classes ? 1.0 : background }
    }
}
