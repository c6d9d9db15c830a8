import SpikebarCore
import SpikebarData
import SpikebarScenario

/// A scenario's Randman task (`training.randman`) as a generator: units = `network.input`, spikes spread
/// over `input.window − simulation.dt` (so every spike lands in one of the twin's steps), seed
/// `training.randman.seed` or the scenario's. Training samples are indices 0…, test samples start at
/// `testOffset` (disjoint points of the same manifolds), as for two moons.
public enum RandmanInput {
    public static let testOffset = 10_000_000

    public static func generator(_ s: Scenario) throws -> Randman {
        guard let r = s.training?.randman else {
            throw SpikebarError.mismatch("\(s.name): randman input needs training.randman (dataset: randman)")
        }
        let span = s.input.window - s.simulation.dt
        guard span > 0 else {
            throw SpikebarError.mismatch(
                "\(s.name): randman needs input.window (\(s.input.window) s) longer than simulation.dt (\(s.simulation.dt) s)")
        }
        var p = Randman.Parameters(
            classes: r.classes, units: s.network.input, manifoldDimension: r.manifoldDimension, alpha: r.alpha,
            spikesPerUnit: r.spikesPerUnit, seed: r.seed ?? s.seed, jitter: r.jitter, span: span)
        p.timeWarp = r.timeWarp
        return try Randman(p)
    }
}
