import SpikebarCore
import SpikebarDevices

/// How one connection's cells were programmed and aged, row by row: the keyed random streams of
/// programming `(seed, programming, connection << 32 | row, chip sample)` and drift `(seed, drift,
/// connection << 32 | row, chip sample)` with the cells' levels give every conductance of a row, bit for
/// bit, whenever asked.
///
/// Why: at 10⁶ neurons (128 M synapses) the chip's two `Double` conductances per synapse (16 B) were more
/// than half of the kernel's peak memory (28.8 B per synapse, issue #19), though after compiling the
/// charges nothing reads them in a run. A large connection (`Chip.regenerationThreshold`) keeps only its
/// levels (4 B per synapse) and this recipe; `Connection.conductanceRow` / `conductances` regenerate what
/// a reader needs. `Chip.program` writes stored connections through the same two functions, so stored
/// and regenerated conductances are one rule.
public struct ConductanceRecipe: Sendable {
    public var device: RRAMDevice
    public var seed: UInt64
    /// The connection's index in the chip (part of every key).
    public var connection: Int
    public var chipSample: Int

    public init(device: RRAMDevice, seed: UInt64, connection: Int, chipSample: Int) {
        self.device = device; self.seed = seed; self.connection = connection; self.chipSample = chipSample
    }

    /// The per-level mean factor and added spread at `device.timeSinceProgramming`; nil when the cells do not age.
    public struct Ageing: Sendable {
        public var factor: [Double], added: [Double]
    }

    public var ageing: Ageing? {
        guard let physics = device.physics, let table = device.levelStatistics, device.timeSinceProgramming > 0 else { return nil }
        let t = device.timeSinceProgramming
        return Ageing(factor: table.map { physics.time.meanFactor($0, at: t) }, added: table.map { physics.time.addedStd($0, at: t) })
    }

    /// Writes row `j`'s cells at their levels: write-verify to the level's target (pulses and misses
    /// counted in `stats`) with device physics, else one pulse with the level's Gaussian programming error.
    public func program(
        row j: Int, levelsPlus: ArraySlice<UInt16>, levelsMinus: ArraySlice<UInt16>,
        plus: UnsafeMutableBufferPointer<Siemens>, minus: UnsafeMutableBufferPointer<Siemens>, stats: inout ProgrammingStats
    ) {
        let writeVerify = device.physics?.writeVerify, table = device.levelStatistics
        func write(level: Int, using rng: inout RandomStream) -> Siemens {
            guard let wv = writeVerify, let table else {
                stats.pulses += 1
                return device.program(level: level, using: &rng)
            }
            let r = wv.program(target: table[level].conductance, sigma: table[level].programmingStd, using: &rng)
            stats.pulses += r.pulses
            if abs(r.conductance - table[level].conductance) > wv.tolerance { stats.failures += 1 }
            return r.conductance
        }
        // One stream per presynaptic row so that rows can be programmed (and regenerated) independently.
        var rng = RandomStream(seed: seed, purpose: .programming, index: UInt64(connection) << 32 | UInt64(j), sample: UInt64(chipSample))
        var lp = levelsPlus.startIndex, lm = levelsMinus.startIndex
        for i in 0..<plus.count {
            plus[i] = write(level: Int(levelsPlus[lp]), using: &rng)
            minus[i] = write(level: Int(levelsMinus[lm]), using: &rng)
            lp += 1; lm += 1
        }
    }

    /// Ages row `j` (as programmed) to `device.timeSinceProgramming`: one deviate per cell, G⁺ then G⁻.
    public func age(
        row j: Int, _ a: Ageing, levelsPlus: ArraySlice<UInt16>, levelsMinus: ArraySlice<UInt16>,
        plus: UnsafeMutableBufferPointer<Siemens>, minus: UnsafeMutableBufferPointer<Siemens>
    ) {
        var rng = RandomStream(seed: seed, purpose: .drift, index: UInt64(connection) << 32 | UInt64(j), sample: UInt64(chipSample))
        var lp = levelsPlus.startIndex, lm = levelsMinus.startIndex
        for i in 0..<plus.count {
            let p = Int(levelsPlus[lp]), m = Int(levelsMinus[lm])
            plus[i] = Swift.max(0, plus[i] * a.factor[p] + a.added[p] * rng.nextGaussian())
            minus[i] = Swift.max(0, minus[i] * a.factor[m] + a.added[m] * rng.nextGaussian())
            lp += 1; lm += 1
        }
    }

    /// Energy of `pulses` programming pulses: without write-verify each cell takes one pulse of the same
    /// (assumed, documented) energy as a write-verify pulse, `WriteVerify.pulseEnergy`, 10 pJ by default
    /// (Docs/devices.md#write-verify).
    public func programmingEnergy(pulses: Int) -> Joules {
        Double(pulses) * ((device.levelStatistics != nil ? device.physics?.writeVerify : nil) ?? WriteVerify()).pulseEnergy
    }
}
