import SpikebarCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One random smooth manifold of dimension D embedded in `units` dimensions (Zenke & Vogels, "The
/// remarkable robustness of surrogate gradient learning for instilling complex function in spiking neural
/// networks", Neural Computation 33(4):899–925, 2021, doi:10.1162/neco_a_01367; reference implementation
/// github.com/fzenke/randman, `numpy_randman.py`). Embedding coordinate u at the manifold point x ∈ [0, 1]^D:
///
/// ```
/// y_u(x) = Π_{d<D} Σ_{j<F} A_udj · s_j · sin(2π (j · x_d · B_udj + C_udj)),   s_j = 1 / (j + 1)^α
/// ```
///
/// with A, B, C uniform in [0, 1), A_ud0 = 0 (the reference's `use_bias = False`: the j = 0 term would be
/// a constant), and F = min(⌈prec^(−1/α)⌉, 1000) Fourier components (prec = 10⁻³: the smallest kept
/// amplitude is ≥ prec). Smaller α keeps more high-frequency power: a rougher manifold.
public struct RandmanManifold: Sendable {
    public let units: Int
    /// Intrinsic dimension D.
    public let dimension: Int
    /// Spectral fall-off exponent α (dimensionless).
    public let alpha: Double
    /// Number of Fourier components F per one-dimensional function.
    public let cutoff: Int
    /// A, B, C laid out `[(u · D + d) · F + j]`.
    let amplitude: [Double], frequency: [Double], phase: [Double]
    /// s_j = 1/(j + 1)^α.
    let spectrum: [Double]

    /// F = min(⌈prec^(−1/α)⌉, maxCutoff), as the reference (`prec` 10⁻³, `max_f_cutoff` 1000).
    public static func cutoff(alpha: Double, precision: Double = 1e-3, maxCutoff: Int = 1000) -> Int {
        let f = pow(precision, -1 / alpha).rounded(.up)
        return max(1, f.isFinite ? min(Int(min(f, 1e9)), maxCutoff) : maxCutoff)
    }

    /// A manifold whose parameters are drawn from `rng` (3 · units · D · F uniforms, in that layout).
    public init(units: Int, dimension: Int, alpha: Double, rng: inout RandomStream) {
        self.units = units; self.dimension = dimension; self.alpha = alpha
        let f = RandmanManifold.cutoff(alpha: alpha)
        cutoff = f
        let n = units * dimension * f
        var a = [Double](repeating: 0, count: n), b = a, c = a
        for k in 0..<n {
            a[k] = k % f == 0 ? 0 : rng.nextUniform()
            b[k] = rng.nextUniform()
            c[k] = rng.nextUniform()
        }
        amplitude = a; frequency = b; phase = c
        spectrum = (0..<f).map { 1 / pow(Double($0 + 1), alpha) }
    }

    /// y_u(x) for a point `x` of `dimension` coordinates in [0, 1].
    public func value(unit u: Int, at x: [Double]) -> Double {
        var product = 1.0
        for d in 0..<dimension {
            let base = (u * dimension + d) * cutoff
            var sum = 0.0
            for j in 1..<max(1, cutoff) {  // j = 0 has A = 0
                let k = base + j
                sum += amplitude[k] * spectrum[j] * sin(2 * Double.pi * (Double(j) * x[d] * frequency[k] + phase[k]))
            }
            product *= sum
        }
        return product
    }

    /// Every coordinate at `x`.
    public func point(at x: [Double]) -> [Double] { (0..<units).map { value(unit: $0, at: x) } }

    /// |y_u(x)| ≤ Π_d Σ_j A_udj s_j for every x (each sine is bounded by 1).
    public func amplitudeBound(unit u: Int) -> Double {
        (0..<dimension).reduce(1.0) { acc, d in
            let base = (u * dimension + d) * cutoff
            return acc * (0..<cutoff).reduce(0.0) { $0 + amplitude[base + $1] * spectrum[$1] }
        }
    }

    /// For D = 1, |y_u(x) − y_u(x′)| ≤ L_u |x − x′| with L_u = Σ_j 2π j B_uj A_uj s_j (the derivative's
    /// bound): the manifold's smoothness, the larger α the smaller L. nil for D ≠ 1.
    public func lipschitzBound(unit u: Int) -> Double? {
        guard dimension == 1 else { return nil }
        let base = u * cutoff
        return (0..<cutoff).reduce(0.0) { $0 + 2 * Double.pi * Double($1) * frequency[base + $1] * amplitude[base + $1] * spectrum[$1] }
    }
}
