import SpikebarCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The spiking Randman classification task (Zenke & Vogels, Neural Computation 33(4), 2021,
/// doi:10.1162/neco_a_01367; reference implementation github.com/fzenke/randman, notebook "Spiking dataset
/// generation example", `make_spiking_dataset`): every class c owns `spikesPerUnit` random smooth manifolds
/// (`RandmanManifold`) of dimension D in an `units`-dimensional space. A sample of class c is a point x drawn
/// uniformly in [0, 1]^D; manifold i of c maps it to one value per unit, standardised to [0, 1] over the
/// manifold, which becomes the time of that unit's i-th spike. So every unit fires exactly `spikesPerUnit`
/// times in every sample of every class: spike counts carry no information, only timing does.
///
/// Differences from the reference, all to keep a sample a pure function of (seed, index):
/// - each unit's values are standardised with the min and max over `calibrationPoints` fixed points of the
///   manifold (the reference uses the min and max over the samples it generates, so a sample's times
///   depend on how many samples were asked for); values outside that range are clamped to [0, 1];
/// - sample k has label k mod classes and its own point stream (the reference shuffles classes);
/// - optional Gaussian jitter (std `jitter`, s) on every spike time, clamped to the span: the reference
///   has none; it is this project's knob for harder tasks;
/// - optional time warp `w ≥ 1` (this project's addition, after the tempo changes of spoken digits that
///   make SHD a multi-timescale task): sample k's spike times are multiplied by its own factor `s_k`,
///   log-uniform in [1/w, w], and the span is shared so that the slowest sample still fits: a spike's
///   time is `fraction · (span / w) · s_k`. The same class then arrives at tempos a factor w² apart;
///   every unit still fires `spikesPerUnit` times.
public struct Randman: Sendable {
    public struct Parameters: Sendable, Equatable {
        public var classes: Int
        /// Input units (the embedding dimension).
        public var units: Int
        /// Intrinsic manifold dimension D.
        public var manifoldDimension: Int
        /// Spectral fall-off α (smoothness; dimensionless).
        public var alpha: Double
        public var spikesPerUnit: Int
        public var seed: UInt64
        /// Standard deviation of the Gaussian jitter added to every spike time (s).
        public var jitter: Seconds
        /// Spike times lie in [0, span] (s).
        public var span: Seconds
        /// Time warp w ≥ 1 (dimensionless): each sample's tempo factor is log-uniform in [1/w, w]; 1 = none.
        public var timeWarp: Double = 1

        /// The reference's `make_spiking_dataset` defaults where they exist (10 classes, 100 units, D = 2,
        /// α = 2, 1 spike per unit), no jitter, 99 ms span (100 steps of 1 ms).
        public static let reference = Parameters(
            classes: 10, units: 100, manifoldDimension: 2, alpha: 2, spikesPerUnit: 1,
            seed: 0, jitter: 0, span: 0.099)

        public init(
            classes: Int, units: Int, manifoldDimension: Int, alpha: Double, spikesPerUnit: Int, seed: UInt64,
            jitter: Seconds, span: Seconds
        ) {
            self.classes = classes; self.units = units; self.manifoldDimension = manifoldDimension; self.alpha = alpha
            self.spikesPerUnit = spikesPerUnit; self.seed = seed; self.jitter = jitter; self.span = span
        }
    }

    /// Fixed points per manifold over which each unit's range is measured.
    public static let calibrationPoints = 512
    /// Largest number of Fourier components of all manifolds together (3 Doubles each: 480 MB).
    public static let maxParameters = 2e7

    public let parameters: Parameters
    /// Manifold i of class c at `c · spikesPerUnit + i`.
    public let manifolds: [RandmanManifold]
    /// Per manifold, per unit: the min and the max over the calibration points.
    let low: [[Double]], high: [[Double]]

    public init(_ p: Parameters) throws {
        guard p.classes >= 1, p.units >= 1, p.manifoldDimension >= 1, p.spikesPerUnit >= 1 else {
            throw SpikebarError.mismatch("randman: classes, units, manifold dimension and spikes per unit must be ≥ 1")
        }
        guard p.alpha.isFinite, p.alpha > 0, p.span.isFinite, p.span > 0, p.jitter.isFinite, p.jitter >= 0,
            p.timeWarp.isFinite, p.timeWarp >= 1
        else {
            throw SpikebarError.mismatch("randman: needs α > 0, span > 0, jitter ≥ 0 and time warp ≥ 1")
        }
        // Memory: three Doubles per (manifold, unit, dimension, component).
        let count =
            Double(p.classes * p.spikesPerUnit) * Double(p.units) * Double(p.manifoldDimension)
            * Double(RandmanManifold.cutoff(alpha: p.alpha))
        guard count <= Randman.maxParameters else {
            throw SpikebarError.mismatch(
                "randman: \(Int(count)) Fourier parameters per kind (classes × spikes per unit × units × D × F) exceed \(Int(Randman.maxParameters)); lower classes, units, manifold dimension or raise α"
            )
        }
        parameters = p
        var ms: [RandmanManifold] = [], lo: [[Double]] = [], hi: [[Double]] = []
        for m in 0..<(p.classes * p.spikesPerUnit) {
            var rng = RandomStream(seed: p.seed, purpose: .dataset, index: 3, sample: UInt64(m))
            let manifold = RandmanManifold(units: p.units, dimension: p.manifoldDimension, alpha: p.alpha, rng: &rng)
            var cal = RandomStream(seed: p.seed, purpose: .dataset, index: 4, sample: UInt64(m))
            var l = [Double](repeating: .infinity, count: p.units), h = [Double](repeating: -.infinity, count: p.units)
            for _ in 0..<Randman.calibrationPoints {
                let x = (0..<p.manifoldDimension).map { _ in cal.nextUniform() }
                for u in 0..<p.units {
                    let y = manifold.value(unit: u, at: x)
                    l[u] = min(l[u], y); h[u] = max(h[u], y)
                }
            }
            ms.append(manifold); lo.append(l); hi.append(h)
        }
        manifolds = ms; low = lo; high = hi
    }

    public func label(_ k: Int) -> Int { k % parameters.classes }

    /// The manifold point of sample k, uniform in [0, 1]^D.
    public func manifoldPoint(_ k: Int) -> [Double] {
        var rng = RandomStream(seed: parameters.seed, purpose: .dataset, index: 5, sample: UInt64(k))
        return (0..<parameters.manifoldDimension).map { _ in rng.nextUniform() }
    }

    /// Standardised values of sample k, `[spike i][unit]`, each in [0, 1] (before jitter).
    public func spikeFractions(_ k: Int) -> [[Double]] {
        let x = manifoldPoint(k), c = label(k), p = parameters
        return (0..<p.spikesPerUnit).map { i in
            let m = c * p.spikesPerUnit + i
            return (0..<p.units).map { u in
                let range = high[m][u] - low[m][u]
                guard range > 0 else { return 0.5 }
                return min(1, max(0, (manifolds[m].value(unit: u, at: x) - low[m][u]) / range))
            }
        }
    }

    /// Tempo factor of sample k: log-uniform in [1/w, w] (its own stream, so w = 1 draws nothing and
    /// leaves every other draw as it was); 1 without time warp.
    public func tempo(_ k: Int) -> Double {
        let w = parameters.timeWarp
        guard w > 1 else { return 1 }
        var rng = RandomStream(seed: parameters.seed, purpose: .dataset, index: 7, sample: UInt64(k))
        return exp(log(w) * (2 * rng.nextUniform() - 1))
    }

    /// Input spikes of sample k: unit u's i-th spike at `fraction · (span / w) · tempo(k)` plus jitter,
    /// clamped to [0, span], in ps. Exactly `spikesPerUnit` spikes per unit.
    public func spikes(_ k: Int) -> SpikeList {
        let p = parameters
        var jit = RandomStream(seed: p.seed, purpose: .dataset, index: 6, sample: UInt64(k))
        var out: [(time: Int64, channel: Int32)] = []
        out.reserveCapacity(p.units * p.spikesPerUnit)
        let stretch = p.timeWarp > 1 ? min(p.span, p.span / p.timeWarp * tempo(k)) : p.span
        for row in spikeFractions(k) {
            for (u, f) in row.enumerated() {
                var t = f * stretch
                if p.jitter > 0 { t = min(p.span, max(0, t + p.jitter * jit.nextGaussian())) }
                out.append((Int64((t * 1e12).rounded()), Int32(u)))
            }
        }
        return SpikeList(unsorted: out)
    }
}
