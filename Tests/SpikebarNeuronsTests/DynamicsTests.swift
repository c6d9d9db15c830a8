import Foundation
import Testing
import SpikebarCore
import SpikebarDevices
import SpikebarNeurons

@Suite struct DynamicsTests {
    /// `firstCrossing` returns the first time V reaches θ, never early and at most 1 ps late, from any
    /// state (including mid-rise states, where Newton's method approaches the root from below).
    @Test func firstCrossingIsTheFirstRootToOnePicosecond() {
        var rng = RandomStream(seed: 9, purpose: .benchmark)
        var found = 0
        for _ in 0..<400 {
            var p = NeuronParameters.default
            p.tauMem = rng.nextLognormal(mean: 20e-3, cv: 0.3)
            p.tauSyn = rng.nextLognormal(mean: 5e-3, cv: 0.3)
            let k = NeuronConstants(p)
            let v0 = rng.nextUniform() * 1.2 - 0.2
            let i0 = rng.nextUniform() * 8 / p.resistance
            let crossing = LIFDynamics.firstCrossing(v: v0, i: i0, k)
            // The closed form written out with libm's exp (an independent evaluation).
            let c = k.coupling
            func V(_ t: Double) -> Double { v0 * exp(-t * k.rateMem) + c * i0 * (exp(-t * k.rateSyn) - exp(-t * k.rateMem)) }
            // Dense scan for the reference answer.
            var reference: Double? = v0 >= p.threshold ? 0 : nil
            if reference == nil {
                var t = 0.0
                while t < 0.2 { if V(t) >= p.threshold { reference = t; break }; t += 1e-5 }
            }
            if let tc = crossing {
                found += 1
                #expect(V(tc) >= p.threshold - 1e-12)
                if tc > 1e-12 { #expect(V(tc - 1e-12) < p.threshold + 1e-12) }
                if let r = reference { #expect(tc <= r + 1e-12 && tc >= r - 1e-5) } else { Issue.record("crossing at \(tc) but no crossing in scan") }
            } else if let r = reference, V(r) > p.threshold + 1e-9 {
                Issue.record("missed crossing at \(r) (v0 \(v0), R·i0 \(p.resistance * i0))")
            }
        }
        #expect(found > 40)
    }

    @Test func fastExpMatchesLibm() {
        var worst = 0.0
        var x = -708.0
        while x <= 0 {
            let e = exp(x)
            worst = max(worst, abs(FastMath.expNonPositive(x) - e) / e)
            let v = FastMath.expNonPositive(SIMD4(x, x * 0.5, x * 0.25, x * 1e-9))
            worst = max(worst, abs(v[1] - exp(x * 0.5)) / exp(x * 0.5), abs(v[3] - exp(x * 1e-9)) / exp(x * 1e-9))
            #expect(v[0] == FastMath.expNonPositive(x))
            x += 0.0137
        }
        #expect(worst < 1e-15)
        #expect(FastMath.expNonPositive(0) == 1)
    }

    /// The short-argument path ([−1/16, 0], the decay over most gaps between events) is as accurate as
    /// the reduced one, and a lane's result never depends on its neighbours' paths.
    @Test func fastExpShortPathAndLaneIndependence() {
        var worst = 0.0
        var x = -0.0625
        while x <= 0 {
            worst = max(worst, abs(FastMath.expNonPositive(x) - exp(x)) / exp(x))
            let mixed = FastMath.expNonPositive(SIMD4(x, -3.5, x - 0.07, -1e-300))
            #expect(mixed[0] == FastMath.expNonPositive(x))
            #expect(mixed[1] == FastMath.expNonPositive(-3.5))
            #expect(mixed[2] == FastMath.expNonPositive(x - 0.07))
            x += 0.0001
        }
        #expect(worst < 1e-15)
    }
}
