/// Deterministic, keyed random numbers (DESIGN §5).
///
/// Every draw in Spikebar comes from a stream keyed by `(seed, purpose, index, sample)`: the seed of the
/// scenario, what the numbers are for (programming error, time constants, read noise…), which device or
/// neuron, and which chip sample or inference. Streams are independent of each other and of the order
/// in which they are created, so results are bit-identical whatever the number of threads.
///
/// The generator is xoshiro256** (Blackman & Vigna, "Scrambled linear pseudorandom number generators",
/// ACM TOMS 47(4), 2021, doi:10.1145/3460772), seeded through SplitMix64 as its authors recommend.
public struct RandomStream: RandomNumberGenerator, Sendable {
    @usableFromInline var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// What a stream is used for; part of its key so that two purposes never share numbers.
    public enum Purpose: UInt64, Sendable {
        case weights = 1, programming = 2, timeConstants = 3, readNoise = 4, input = 5, faults = 6
        case drift = 7, training = 8, dataset = 9, thresholds = 10, benchmark = 11
    }

    /// A stream keyed by `(seed, purpose, index, sample)`.
    public init(seed: UInt64, purpose: Purpose, index: UInt64 = 0, sample: UInt64 = 0) {
        var sm = SplitMix64(state: seed)
        var key = sm.next() ^ (purpose.rawValue &* 0x9E37_79B9_7F4A_7C15)
        key = SplitMix64.mix(key ^ SplitMix64.mix(index &+ 0x632B_E59B_D9B4_E019))
        key = SplitMix64.mix(key ^ SplitMix64.mix(sample &+ 0x8CB9_2BA7_2F3D_8DD7))
        var seeder = SplitMix64(state: key)
        s0 = seeder.next(); s1 = seeder.next(); s2 = seeder.next(); s3 = seeder.next()
    }

    @inlinable @inline(__always)
    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = (s3 << 45) | (s3 >> 19)
        return result
    }

    /// Uniform in [0, 1) with 53 random bits.
    @inlinable @inline(__always)
    public mutating func nextUniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Uniform in (0, 1]: safe for `log`.
    @inlinable @inline(__always)
    public mutating func nextOpenUniform() -> Double {
        Double((next() >> 11) + 1) * 0x1.0p-53
    }

    /// Exponentially distributed with rate `rate` (1/s): inter-spike interval of a Poisson process.
    @inlinable public mutating func nextExponential(rate: Double) -> Double {
        -log(nextOpenUniform()) / rate
    }

    /// Standard normal deviate, exact distribution (ziggurat; see `Ziggurat`).
    @inlinable @inline(__always)
    public mutating func nextGaussian() -> Double {
        Ziggurat.sample(&self)
    }

    /// Lognormal deviate with the given mean and coefficient of variation (std/mean):
    /// `σ² = ln(1 + cv²)`, `μ = ln(mean) − σ²/2`.
    public mutating func nextLognormal(mean: Double, cv: Double) -> Double {
        if cv == 0 { return mean }
        let sigma2 = log1p(cv * cv)
        return exp(log(mean) - sigma2 / 2 + sqrt(sigma2) * nextGaussian())
    }
}

/// SplitMix64 (Steele, Lea & Flood, OOPSLA 2014): used only to derive stream states from keys.
public struct SplitMix64: Sendable {
    public var state: UInt64
    public init(state: UInt64) { self.state = state }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SplitMix64.mix(state)
    }
    @inlinable public static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
