import Foundation
import Testing
import SpikebarCore
import SpikebarDevices

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
            func V(_ t: Double) -> Double { LIFDynamics.propagate(v: v0, i: i0, t: t, k).v }
            // Dense scan for the reference answer.
            var reference: Double? = v0 >= p.threshold ? 0 : nil
            if reference == nil {
                var t = 0.0
                while t < 0.2 { if V(t) >= p.threshold { reference = t; break }; t += 1e-6 }
            }
            if let c = crossing {
                found += 1
                #expect(V(c) >= p.threshold - 1e-12)
                if c > 1e-12 { #expect(V(c - 1e-12) < p.threshold + 1e-12) }
                if let r = reference { #expect(c <= r + 1e-12 && c >= r - 1e-6) } else { Issue.record("crossing at \(c) but no crossing in scan") }
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
}
