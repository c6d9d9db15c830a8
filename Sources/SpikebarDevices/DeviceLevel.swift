import SpikebarCore

/// Statistics of one programmed conductance level of a multi-level RRAM cell: where it lands, how it
/// relaxes and drifts with time since programming, and how noisy a read of it is. One row of a
/// `DeviceTable` (the built-in HfO₂ model or a user's measured CSV, `Docs/devices.md#device-csv`).
///
/// Units: conductances and their spreads in siemens, times in seconds, `driftPerDecade` and
/// `flickerNoise` relative (dimensionless).
public struct DeviceLevel: Sendable, Equatable, Codable {
    /// Mean conductance right after programming (S): the level's target.
    public var conductance: Siemens
    /// Std of the conductance right after programming (S): the one-shot programming error, or the
    /// per-pulse error of write-verify (`WriteVerify`).
    public var programmingStd: Siemens
    /// Extra std gained by relaxation within milliseconds of programming (S), added in quadrature
    /// (`DeviceTimeModel`).
    public var relaxationStd: Siemens
    /// Relative loss of the mean per decade of time after the drift onset: `μ(t) = G·(1 − ν·D(t))`.
    public var driftPerDecade: Double
    /// Growth of the std per decade of time after the drift onset (S), added in quadrature.
    public var spreadPerDecade: Siemens
    /// Relative std of the 1/f read-to-read fluctuation integrated over the read bandwidth.
    public var flickerNoise: Double
    /// Random-telegraph-noise jump: the conductance difference between the trap's two states (S).
    public var rtnAmplitude: Siemens
    /// Mean dwell time of the RTN trap in its "up" state (+ΔG) and in its "down" state (s).
    public var rtnTauUp: Seconds, rtnTauDown: Seconds

    public init(
        conductance: Siemens, programmingStd: Siemens, relaxationStd: Siemens, driftPerDecade: Double,
        spreadPerDecade: Siemens, flickerNoise: Double, rtnAmplitude: Siemens, rtnTauUp: Seconds, rtnTauDown: Seconds
    ) {
        self.conductance = conductance; self.programmingStd = programmingStd; self.relaxationStd = relaxationStd
        self.driftPerDecade = driftPerDecade; self.spreadPerDecade = spreadPerDecade; self.flickerNoise = flickerNoise
        self.rtnAmplitude = rtnAmplitude; self.rtnTauUp = rtnTauUp; self.rtnTauDown = rtnTauDown
    }

    /// Fraction of time the RTN trap spends in its up state: `p = τ_up / (τ_up + τ_down)`.
    @inlinable public var rtnOccupancy: Double {
        rtnTauUp + rtnTauDown > 0 ? rtnTauUp / (rtnTauUp + rtnTauDown) : 0
    }

    /// The built-in HfO₂ 1T1R level model at conductance `g` in the window `[gMin, gMax]`, programming
    /// error `programmingStd`. Every number is an **assumption** chosen to follow the published trends
    /// (`Docs/devices.md`, "Defaults of the HfO₂ model", lists them with their sources):
    ///
    /// - relaxation: `σ_relax = 1.5 µS + 0.02·G` (broadening within ms of programming, of the order
    ///   reported for multi-level HfO₂ by Esmanhotto et al., IEDM 2020, and Wan et al., Nature 608, 2022);
    /// - retention drift: the lower levels fall, `ν = 0.02·(1 − x)` per decade with `x = (G − G_min)/ΔG`,
    ///   and spreads grow by 0.5 µS per decade;
    /// - 1/f read noise: relative std `0.02·√(10 µS / G)`, falling as G rises (Ambrogio et al., "Noise-
    ///   induced resistance broadening in resistive switching memory — Part I", IEEE TED 62, 2015,
    ///   doi:10.1109/TED.2015.2475598: relative noise decreases with conductance);
    /// - RTN: `ΔG = 0.03·G·√(10 µS / G)` (relative amplitude `ΔG/G` falls as G rises, Ambrogio et al.,
    ///   "Statistical fluctuations in HfOx RRAM — Part II: RTN", IEEE TED 61, 2014,
    ///   doi:10.1109/TED.2014.2330202), dwell times 2 ms up / 5 ms down.
    public static func hfo2(conductance g: Siemens, gMin: Siemens, gMax: Siemens, programmingStd: Siemens) -> DeviceLevel {
        let x = gMax > gMin ? Swift.max(0, Swift.min(1, (g - gMin) / (gMax - gMin))) : 0
        let ref = 10e-6
        let gg = Swift.max(g, 1e-9)
        return DeviceLevel(
            conductance: g, programmingStd: programmingStd, relaxationStd: 1.5e-6 + 0.02 * g,
            driftPerDecade: 0.02 * (1 - x), spreadPerDecade: 0.5e-6,
            flickerNoise: 0.02 * (ref / gg).squareRoot(),
            rtnAmplitude: 0.03 * g * (ref / gg).squareRoot(), rtnTauUp: 2e-3, rtnTauDown: 5e-3)
    }
}
