import SpikebarCore

/// A multi-level RRAM cell (1T1R): the conductance window, the programmable levels, the programming
/// error of each level and the read conditions.
///
/// Levels are evenly spaced in conductance, `G_k = G_min + k·(G_max − G_min)/(levels − 1)`, the scheme of
/// the 3-bit HfO₂ 1T1R cells of the NHC SNN chip (Moro et al., ISCAS 2022: 8 levels, 130 nm, 4 kb array).
/// Programming lands on `G_k + σ_k·ξ`, ξ ~ N(0, 1), clipped at 0 S; each read sees a fresh
/// multiplicative fluctuation `G·(1 + σ_read·ξ)` (read-to-read noise; issue #8 refines both).
public struct RRAMDevice: Sendable, Equatable, Codable {
    /// Number of programmable levels (≥ 2).
    public var levels: Int
    /// Lowest and highest programmable conductance (S).
    public var gMin: Siemens, gMax: Siemens
    /// Standard deviation of the programmed conductance around each level's target (S), one per level.
    public var programmingError: [Siemens]
    /// Read voltage on the word line (V) and read pulse width (s).
    public var readVoltage: Volts, readPulse: Seconds
    /// Relative standard deviation of a cell's conductance from one read to the next (white, on top of
    /// the level model's 1/f and RTN noise when `physics` is set).
    public var readNoise: Double
    /// Multi-level physics over time (per-level statistics, relaxation, drift, 1/f + RTN read noise,
    /// write-verify); nil keeps the simple model above. `Docs/devices.md#multi-level-cells-over-time`.
    public var physics: DevicePhysics? = nil
    /// Time between programming and inference (s): the chip's conductances are those at that time
    /// (relaxation and retention drift, `DeviceTimeModel`; needs `physics`).
    public var timeSinceProgramming: Seconds = 0
    /// Stuck cells at a bit error rate, fixed per chip sample.
    public var faults = DeviceFaults()
    /// Active (1T1R, the level model) or passive (0T1R) crossbar; `passive` holds the passive model
    /// (`PassiveArray.swift`, `Docs/passive-arrays.md`).
    public var array: ArrayKind = .active
    public var passive: PassiveArraySpec? = nil
    /// An ideal device (`device: { ideal: true }`): every weight exactly as given — no levels, no
    /// programming error, no read noise, no drift, no faults. For an NIR scenario, to check an imported
    /// network against its framework before putting it on a real device; `g_min`, `g_max` and the read
    /// pulse still set the read energies.
    public var ideal: Bool = false

    public init(
        levels: Int, gMin: Siemens, gMax: Siemens, programmingError: [Siemens], readVoltage: Volts,
        readPulse: Seconds, readNoise: Double
    ) {
        self.levels = levels; self.gMin = gMin; self.gMax = gMax; self.programmingError = programmingError
        self.readVoltage = readVoltage; self.readPulse = readPulse; self.readNoise = readNoise
    }

    /// Defaults (assumptions, documented in Docs/devices.md): 8 levels (Moro et al. 2022) in a 10–100 µS
    /// window, 2 µS programming error per level (≈ 2 % of the window, the order of write-verify
    /// tolerances), read at 0.1 V for 100 ns (the example of shared/reference/energy-constants.md),
    /// 1 % read-to-read noise.
    public static let `default` = RRAMDevice(
        levels: 8, gMin: 10e-6, gMax: 100e-6,
        programmingError: Array(repeating: 2e-6, count: 8),
        readVoltage: 0.1, readPulse: 100e-9, readNoise: 0.01)

    /// Target conductance of level `k` (S): evenly spaced, or the device table's mean when one is loaded.
    @inlinable public func conductance(level k: Int) -> Siemens {
        if let table = physics?.table, k < table.count { return table[k].conductance }
        return levels == 1 ? gMin : gMin + Double(k) * (gMax - gMin) / Double(levels - 1)
    }

    /// Per-level statistics of the physics model (`levels` entries), nil without `physics`: the loaded
    /// table, or the HfO₂ model at each evenly spaced level with the level's `programming_error`.
    public var levelStatistics: [DeviceLevel]? {
        guard let physics else { return nil }
        if let table = physics.table { return table }
        return (0..<levels).map { k in
            DeviceLevel.hfo2(
                conductance: conductance(level: k), gMin: gMin, gMax: gMax,
                programmingStd: k < programmingError.count ? programmingError[k] : 0)
        }
    }

    /// The level whose target is nearest to `g`.
    public func nearestLevel(_ g: Siemens) -> Int {
        let x = (g - gMin) / (gMax - gMin) * Double(levels - 1)
        return Swift.min(levels - 1, Swift.max(0, Int(x.rounded())))
    }

    /// Writes level `k`: its target plus the level's programming error.
    public func program(level k: Int, using rng: inout RandomStream) -> Siemens {
        Swift.max(0, conductance(level: k) + programmingError[k] * rng.nextGaussian())
    }

    /// Charge one cell of conductance `g` passes during a read (C): `V_read · G · t_read`.
    @inlinable public func readCharge(_ g: Siemens) -> Coulombs { readVoltage * g * readPulse }

    /// Charge (C) a differential pair at weight `w = 1` passes in a read, `V_read · t_read · (G_max − G_min)`:
    /// a weight `w` in window units delivers `w` times this (the twin's synaptic charge; the chip's
    /// `V_read · t_read · (G⁺ − G⁻)` equals it for ideally programmed levels).
    @inlinable public var chargePerUnitWeight: Coulombs { readVoltage * readPulse * conductanceWindow }
    /// The conductance window G_max − G_min (S): a weight of ±1 is one cell at G_max, its partner at
    /// G_min — the unit every weight is stated in.
    @inlinable public var conductanceWindow: Siemens { gMax - gMin }

    /// Levels of the differential pair that stores weight `w` (window units, clipped to [−1, 1]):
    /// `w ≥ 0` puts G⁺ at level `round(|w|·(L−1))` and G⁻ at level 0, `w < 0` the reverse. Shared by
    /// chip programming and the twin's quantisation, so both see the same levels.
    @inlinable public func pairLevels(weight w: Double) -> (plus: Int, minus: Int) {
        let x = Swift.max(-1, Swift.min(1, w))
        let level = Int((abs(x) * Double(levels - 1)).rounded())
        return x >= 0 ? (level, 0) : (0, level)
    }

    /// The weight (window units) a pair at levels `(plus, minus)` holds when programmed exactly.
    @inlinable public func weight(levelPlus p: Int, levelMinus m: Int) -> Double {
        Double(p - m) / Double(levels - 1)
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case levels, gMin = "g_min", gMax = "g_max", programmingError = "programming_error"
        case readVoltage = "read_voltage", readPulse = "read_pulse", readNoise = "read_noise"
        case physics, timeSinceProgramming = "time_since_programming", faults
        case array, passive, ideal
    }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = RRAMDevice.default
        levels = try c.decode(.levels, default: d.levels, in: 2...1024)
        gMin = try c.nonNegative(.gMin, default: d.gMin, unit: "S")
        gMax = try c.positive(.gMax, default: d.gMax, unit: "S")
        guard gMax > gMin else { throw c.invalid(.gMax, "g_max (\(gMax) S) must exceed g_min (\(gMin) S)") }
        // A single number applies to every level; a list gives one value per level.
        if (try? c.nestedUnkeyedContainer(forKey: .programmingError)) != nil {
            let list = try c.decode([Double].self, forKey: .programmingError)
            guard list.count == levels else {
                throw c.invalid(.programmingError, "has \(list.count) values but the device has \(levels) levels")
            }
            guard list.allSatisfy({ $0.isFinite && $0 >= 0 && $0 <= PhysicalRange.positive(unit: "S").upperBound }) else {
                throw c.invalid(.programmingError, "every value must be in 0 … \(PhysicalRange.positive(unit: "S").upperBound) S")
            }
            programmingError = list
        } else {
            let sigma = try c.nonNegative(.programmingError, default: 2e-6, unit: "S")
            programmingError = Array(repeating: sigma, count: levels)
        }
        readVoltage = try c.positive(.readVoltage, default: d.readVoltage, unit: "V")
        readPulse = try c.positive(.readPulse, default: d.readPulse, unit: "s")
        readNoise = try c.decode(.readNoise, default: d.readNoise, in: 0...1)
        physics = try c.decodeIfPresent(DevicePhysics.self, forKey: .physics)
        if let text = try? c.decodeIfPresent(String.self, forKey: .timeSinceProgramming) {
            guard let t = parseDuration(text), t.isFinite, (0...1e10).contains(t) else {
                throw c.invalid(
                    .timeSinceProgramming, "'\(text)' is not a duration in 0 … 1e10 s (seconds, or a number with ps/ns/us/ms/s/min/h/d/y)")
            }
            timeSinceProgramming = t
        } else {
            timeSinceProgramming = try c.nonNegative(.timeSinceProgramming, default: 0, unit: "s", in: 0...1e10)  // up to 317 years of retention
        }
        if timeSinceProgramming > 0 && physics == nil {
            throw c.invalid(.timeSinceProgramming, "needs device.physics (the relaxation and drift model)")
        }
        faults = try c.decode(.faults, default: DeviceFaults())
        array = try c.choice(.array, default: .active)
        passive = try c.decodeIfPresent(PassiveArraySpec.self, forKey: .passive)
        if array == .passive && passive == nil { passive = PassiveArraySpec() }
        if array == .active && passive != nil { throw c.invalid(.passive, "needs device.array: passive") }
        ideal = try c.decode(.ideal, default: false)
        if ideal {
            // What an ideal device does not have cannot be set on it: refused rather than ignored.
            for key in [CodingKeys.levels, .programmingError, .readNoise, .physics, .timeSinceProgramming, .faults, .array, .passive]
            where c.contains(key) {
                throw c.invalid(key, "an ideal device (ideal: true) has no \(key.stringValue): it holds every weight exactly; remove one of the two")
            }
            programmingError = Array(repeating: 0, count: levels)
            readNoise = 0
        }
    }
}
