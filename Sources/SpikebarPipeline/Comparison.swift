import Foundation
import SpikebarActivity
import SpikebarCore
import SpikebarReport
import SpikebarScenario

/// `spikebar compare`: the same input through several scenarios that differ in the chip (tile size,
/// levels, device…), one report side by side with ratios to the first scenario.
public enum Comparison {
    /// Throws `SpikebarError.mismatch` naming the first scenario and field that differ from the first
    /// scenario in what must be shared: the network, the weights, the input and the seed. (Anything else
    /// — device, tiles, neurons, timing, price lists — may differ: that is what is compared.)
    public static func checkCompatible(_ scenarios: [LoadedScenario]) throws {
        guard scenarios.count >= 2 else {
            throw SpikebarError.mismatch("compare needs at least two scenarios (got \(scenarios.count))")
        }
        let a = scenarios[0]
        for b in scenarios.dropFirst() {
            var diffs: [String] = []
            let x = a.scenario, y = b.scenario
            if x.network != y.network {
                diffs.append("network (\(shape(x)) vs \(shape(y)))")
            }
            if x.seed != y.seed { diffs.append("seed (\(x.seed) vs \(y.seed); the seed draws the input spikes and weights — pass --seed to set both)") }
            if x.input.source != y.input.source { diffs.append("input.source (\(x.input.source.rawValue) vs \(y.input.source.rawValue))") }
            if a.inputImages != b.inputImages || a.inputLabels != b.inputLabels || a.inputTrace != b.inputTrace {
                diffs.append("input.file / input.labels (\(a.inputImages ?? a.inputTrace ?? "none") vs \(b.inputImages ?? b.inputTrace ?? "none"))")
            }
            if x.input.window != y.input.window { diffs.append("input.window (\(x.input.window) s vs \(y.input.window) s)") }
            if x.input.maxRate != y.input.maxRate { diffs.append("input.max_rate (\(x.input.maxRate) Hz vs \(y.input.maxRate) Hz)") }
            if x.input.samples != y.input.samples || x.input.firstSample != y.input.firstSample {
                diffs.append("input.samples / first_sample (\(x.input.samples) from \(x.input.firstSample) vs \(y.input.samples) from \(y.input.firstSample); pass --samples to set both)")
            }
            if x.input.encoder != y.input.encoder || x.input.classes != y.input.classes { diffs.append("input.encoder / classes") }
            if x.weights.source != y.weights.source || a.weightsFile != b.weightsFile
                || (x.weights.source == .generated && (x.weights.mean != y.weights.mean || x.weights.std != y.weights.std)) {
                diffs.append("weights (\(x.weights.source.rawValue) vs \(y.weights.source.rawValue))")
            }
            if !diffs.isEmpty {
                throw SpikebarError.mismatch("\(b.path) cannot be compared with \(a.path): they must run the same network on the same input, but differ in " + diffs.joined(separator: "; "))
            }
        }
    }

    static func shape(_ s: Scenario) -> String {
        ([String(s.network.input)] + s.network.layers.map { "\($0.size)\($0.recurrent ? "r" : "")" }).joined(separator: "-")
    }

    /// The chip settings a comparison shows for a scenario.
    public static func chipSettings(_ s: Scenario) -> [CompareReport.Setting] {
        [.init(key: "tile size", value: "\(s.tiles.rows)×\(s.tiles.cols) \(s.tiles.mapping.rawValue)"),
         .init(key: "levels", value: "\(s.device.levels)"),
         .init(key: "conductance range", value: "\(Units.format(s.device.gMin, "S")) … \(Units.format(s.device.gMax, "S"))"),
         .init(key: "read", value: "\(Units.format(s.device.readVoltage, "V")), \(Units.format(s.device.readPulse, "s")), noise \(Units.fixed(s.device.readNoise * 100, significant: 3)) %"),
         .init(key: "timing", value: s.simulation.timing.rawValue)]
    }
}
