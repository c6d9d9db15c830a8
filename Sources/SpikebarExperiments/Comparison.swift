import Foundation
import SpikebarActivity
import SpikebarCore
import SpikebarReport
import SpikebarScenario

/// `spikebar compare`: the same input through several scenarios that differ in the network, the chip
/// (tile size, levels, device…) or the price lists, one report side by side with ratios to the first
/// scenario and, at the top, what differs between them.
public enum Comparison {
    /// Throws `SpikebarError.mismatch` naming the first scenario and field that differ from the first
    /// scenario in what must be shared: the input (source, files, window, rate, samples, encoder, the
    /// number of input channels) and the seed that draws its spikes. Anything else — network sizes,
    /// weights, device, tiles, neurons, timing, price lists — may differ: that is what is compared.
    /// `inputChannels[k]`: scenario k's input population size when it is not `network.input` (an NIR
    /// graph's Input).
    public static func checkCompatible(_ scenarios: [LoadedScenario], inputChannels: [Int?] = []) throws {
        guard scenarios.count >= 2 else {
            throw SpikebarError.mismatch("compare needs at least two scenarios (got \(scenarios.count))")
        }
        func channels(_ k: Int) -> Int { (k < inputChannels.count ? inputChannels[k] : nil) ?? scenarios[k].scenario.network.input }
        let a = scenarios[0]
        for (k, b) in scenarios.enumerated().dropFirst() {
            var diffs: [String] = []
            let x = a.scenario, y = b.scenario
            if channels(0) != channels(k) {
                let graphs = x.nir != nil || y.nir != nil
                diffs.append(
                    "\(graphs ? "the input population (an NIR graph's Input)" : "network.input") (\(channels(0)) vs \(channels(k)) input channels)")
            }
            if a.nmnistData != b.nmnistData || (x.input.source == .nmnist && x.input.labels != y.input.labels) {
                diffs.append(
                    "input.file / input.labels of the N-MNIST recordings (\(a.nmnistData ?? "none") \(x.input.labels ?? "") vs \(b.nmnistData ?? "none") \(y.input.labels ?? ""))"
                )
            }
            if x.seed != y.seed {
                diffs.append("seed (\(x.seed) vs \(y.seed); the seed draws the input spikes and weights — pass --seed to set both)")
            }
            if x.input.source != y.input.source { diffs.append("input.source (\(x.input.source.rawValue) vs \(y.input.source.rawValue))") }
            if a.inputImages != b.inputImages || a.inputLabels != b.inputLabels || a.inputTrace != b.inputTrace {
                diffs.append("input.file / input.labels (\(a.inputImages ?? a.inputTrace ?? "none") vs \(b.inputImages ?? b.inputTrace ?? "none"))")
            }
            if x.input.window != y.input.window { diffs.append("input.window (\(x.input.window) s vs \(y.input.window) s)") }
            if x.input.timeResolution != y.input.timeResolution {
                diffs.append(
                    "input.time_resolution (\(x.input.timeResolution) s vs \(y.input.timeResolution) s: the input spikes are stamped on another clock)"
                )
            }
            if x.input.maxRate != y.input.maxRate { diffs.append("input.max_rate (\(x.input.maxRate) Hz vs \(y.input.maxRate) Hz)") }
            if x.input.samples != y.input.samples || x.input.firstSample != y.input.firstSample {
                diffs.append(
                    "input.samples / first_sample (\(x.input.samples) from \(x.input.firstSample) vs \(y.input.samples) from \(y.input.firstSample); pass --samples to set both)"
                )
            }
            if x.input.encoder != y.input.encoder || x.input.classes != y.input.classes { diffs.append("input.encoder / classes") }
            if !diffs.isEmpty {
                throw SpikebarError.mismatch(
                    "\(b.path) cannot be compared with \(a.path): they must see the same input, but differ in " + diffs.joined(separator: "; "))
            }
        }
    }

    static func shape(_ s: Scenario) -> String {
        if let nir = s.nir { return "NIR graph \((nir.file as NSString).lastPathComponent)" }
        return ([String(s.network.input)] + s.network.layers.map { "\($0.size)\($0.recurrent ? "r" : "")" }).joined(separator: "-")
    }

    /// The chip settings a comparison shows for a scenario.
    public static func chipSettings(_ s: Scenario) -> [CompareReport.Setting] {
        [
            .init(key: "tile size", value: "\(s.tiles.rows)×\(s.tiles.cols) \(s.tiles.mapping.rawValue)"),
            .init(key: "levels", value: s.device.ideal ? "ideal device (exact weights)" : "\(s.device.levels)"),
            .init(key: "conductance range", value: "\(Units.format(s.device.gMin, "S")) … \(Units.format(s.device.gMax, "S"))"),
            .init(
                key: "read",
                value:
                    "\(Units.format(s.device.readVoltage, "V")), \(Units.format(s.device.readPulse, "s")), "
                    + (s.nir != nil ? "noise not modelled (NIR graph)" : "noise \(Units.fixed(s.device.readNoise * 100, significant: 3)) %")
            ),
            .init(key: "timing", value: s.simulation.timing.rawValue),
        ]
    }

    /// What differs between the resolved scenarios (after defaults, device tables and command-line
    /// overrides), key by key, plus what each run recalibrated: the DPI gains when they were calibrated
    /// to a target rate (they follow the read voltage, the network, the weights). Empty when nothing differs.
    public static func differences(_ loaded: [LoadedScenario], reports: [RunReport]) -> [CompareReport.Difference] {
        let flat = loaded.map { flatten($0.scenario) }
        var keys: [String] = []
        for f in flat { for k in f.keys.sorted() where !keys.contains(k) { keys.append(k) } }
        var out: [CompareReport.Difference] = []
        for key in keys.sorted() where key != "name" {
            let values = flat.map { $0[key] ?? "—" }
            if Set(values).count > 1 { out.append(.init(key: key, values: values, note: "")) }
        }
        if reports.count == loaded.count {
            let gains = reports.map { $0.synapseGains.map { Units.fixed($0, significant: 4) }.joined(separator: ", ") }
            if Set(gains).count > 1 || Set(reports.map(\.gainSource)).count > 1 {
                out.append(
                    .init(
                        key: "DPI synapse gains (per layer)", values: gains,
                        note: "recalibrated: " + reports.map(\.gainSource).joined(separator: " | ")))
            }
            let weights = reports.map(\.weightSource)
            if Set(weights).count > 1 { out.append(.init(key: "weights (resolved)", values: weights, note: "")) }
        }
        return out
    }

    /// The scenario as `key.path → value` text (the YAML key names; lists indexed `[k]`).
    static func flatten(_ s: Scenario) -> [String: String] {
        let enc = JSONEncoder.spikebar()
        guard let data = try? enc.encode(s), let root = try? JSONSerialization.jsonObject(with: data) else { return [:] }
        var out: [String: String] = [:]
        func walk(_ x: Any, _ path: String) {
            if let d = x as? [String: Any] {
                for (k, v) in d { walk(v, path.isEmpty ? k : "\(path).\(k)") }
            } else if let a = x as? [Any] {
                // Short lists of numbers read best on one line (programming_error, gains).
                if a.count > 16 || a.allSatisfy({ $0 is NSNumber }) {
                    out[path] = "[" + a.map { "\($0)" }.joined(separator: ", ") + "]"
                } else {
                    for (k, v) in a.enumerated() { walk(v, "\(path)[\(k)]") }
                }
            } else if x is NSNull {
                out[path] = "null"
            } else {
                out[path] = "\(x)"
            }
        }
        walk(root, "")
        return out
    }
}
