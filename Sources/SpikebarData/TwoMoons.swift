import SpikebarCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The two-moons toy problem (two interleaving half circles, as scikit-learn's `make_moons`): class 0
/// on `(cos θ, sin θ)`, class 1 on `(1 − cos θ, 0.5 − sin θ)`, θ uniform in [0, π], plus Gaussian noise
/// of std `noise` on each coordinate. Points alternate classes; each draw is keyed by (seed, dataset, k).
public struct TwoMoons: Sendable {
    public var points: [(x: Double, y: Double)]
    public var labels: [Int]

    public init(count: Int, noise: Double, seed: UInt64, offset: Int = 0) {
        points = []; labels = []
        points.reserveCapacity(count); labels.reserveCapacity(count)
        for k in offset..<(offset + count) {
            var rng = RandomStream(seed: seed, purpose: .dataset, index: 2, sample: UInt64(k))
            let t = Double.pi * rng.nextUniform()
            let label = k % 2
            var x = label == 0 ? cos(t) : 1 - cos(t)
            var y = label == 0 ? sin(t) : 0.5 - sin(t)
            x += noise * rng.nextGaussian(); y += noise * rng.nextGaussian()
            points.append((x, y)); labels.append(label)
        }
    }

    /// Population code of a point for a spiking network: each coordinate is covered by `perAxis`
    /// Gaussian receptive fields evenly spaced over its range (x ∈ [−1.5, 2.5], y ∈ [−1, 1.5]), width one
    /// spacing; intensities in [0, 1] (then rate-coded). `2 · perAxis` channels.
    public static func intensities(_ p: (x: Double, y: Double), perAxis: Int) -> [Double] {
        var out: [Double] = []
        out.reserveCapacity(2 * perAxis)
        for (v, lo, hi) in [(p.x, -1.5, 2.5), (p.y, -1.0, 1.5)] {
            let spacing = (hi - lo) / Double(max(1, perAxis - 1))
            for k in 0..<perAxis {
                let c = lo + Double(k) * spacing
                let z = (v - c) / spacing
                out.append(exp(-0.5 * z * z))
            }
        }
        return out
    }
}
