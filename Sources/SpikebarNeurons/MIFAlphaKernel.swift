import SpikebarCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The alpha-shaped input drive `a(t) = (t/τ_α)·e^{1 − t/τ_α}` sampled at `t_n = n·dt` (peak 1 at τ_α):
/// every pixel row is driven with amplitude `intensity · a(t_n)` (Docs/mif-neurons.md, "Input").
public enum MIFAlphaKernel {
    public static func samples(steps: Int, dt: Seconds, tau: Seconds) -> [Double] {
        (0..<steps).map { n in
            let r = Double(n) * dt / tau
            return r * exp(1 - r)
        }
    }
}
