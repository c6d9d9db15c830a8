import Foundation
import SpikebarActivity
import SpikebarChip
import SpikebarCore
import SpikebarCost
import SpikebarDevices
import SpikebarNeurons

/// A programmed chip and one input written out for a peer simulator (Brian2, `Benchmarks/`), so that
/// both simulate the *same* network on the *same* spikes: the current step each presynaptic spike adds
/// to each postsynaptic neuron's DPI current (A) — `q_ji · gain_i / τ_syn,i`, with the read charge
/// `q_ji = V_read · t_read · (G⁺ − G⁻)` the kernel delivers (read noise off) — every neuron's own
/// constants, and the input spike times.
///
/// Layout of the folder (`Benchmarks/README.md`):
/// - `workload.json`: populations, per-layer neuron constants (SI units), connections and their files;
/// - `w<k>.f64`: connection k's current steps, little-endian float64, row-major `inputs × outputs`;
/// - `input.csv`: `time_s,channel`, sorted by time.
public enum PeerWorkload {
    public struct Layer: Codable {
        public var name: String
        public var size: Int
        public var tauMemS: [Double], tauSynS: [Double], resistanceOhm: [Double]
        public var thresholdV: [Double], resetV: [Double], refractoryS: [Double]
        enum CodingKeys: String, CodingKey {
            case name, size, tauMemS = "tau_mem_s", tauSynS = "tau_syn_s", resistanceOhm = "resistance_ohm"
            case thresholdV = "threshold_v", resetV = "reset_v", refractoryS = "refractory_s"
        }
    }

    public struct Connection: Codable {
        public var from: Int, to: Int, inputs: Int, outputs: Int
        public var recurrent: Bool
        public var file: String
    }

    public struct Manifest: Codable {
        public var format = "spikebar-peer-workload"
        public var version = 1
        public var durationS: Double
        public var inputSize: Int
        public var inputSpikes: Int
        public var layers: [Layer]
        public var connections: [Connection]
        public var inputFile = "input.csv"
        enum CodingKeys: String, CodingKey {
            case format, version, durationS = "duration_s", inputSize = "input_size", inputSpikes = "input_spikes"
            case layers, connections, inputFile = "input_file"
        }
    }

    /// Writes the workload of `chip` driven by `input` for `duration` seconds into `directory`.
    public static func write(chip: Chip, input: SpikeList, duration: Seconds, to directory: String) throws {
        let fm = FileManager.default
        do { try fm.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw SpikebarError.invalidInput(SourceLocation(file: directory), "cannot create the folder: \(error.localizedDescription)")
        }
        let scale = chip.device.readVoltage * chip.device.readPulse
        let layers: [Layer] = chip.neurons.enumerated().map { l, ps in
            Layer(
                name: chip.populations[l + 1].name, size: ps.count, tauMemS: ps.map(\.tauMem), tauSynS: ps.map(\.tauSyn),
                resistanceOhm: ps.map(\.resistance), thresholdV: ps.map(\.threshold), resetV: ps.map(\.reset),
                refractoryS: ps.map(\.refractory))
        }
        var connections: [Connection] = []
        for (k, c) in chip.connections.enumerated() {
            let gain = chip.neurons[c.to - 1].map { NeuronConstants($0).chargeToCurrent }
            var steps = [Double](repeating: 0, count: c.inputs * c.outputs)
            let (gPlus, gMinus) = c.conductances
            for j in 0..<c.inputs {
                for i in 0..<c.outputs { steps[j * c.outputs + i] = scale * (gPlus[j * c.outputs + i] - gMinus[j * c.outputs + i]) * gain[i] }
            }
            let file = "w\(k).f64"
            let data = steps.withUnsafeBufferPointer { Data(buffer: $0) }  // little-endian on every supported host
            try write(data, to: directory + "/" + file)
            connections.append(Connection(from: c.from, to: c.to, inputs: c.inputs, outputs: c.outputs, recurrent: c.recurrent, file: file))
        }
        var csv = "time_s,channel\n"
        csv.reserveCapacity(input.count * 24)
        for (t, ch) in zip(input.times, input.channels) { csv += "\(Double(t) * 1e-12),\(ch)\n" }
        try write(Data(csv.utf8), to: directory + "/input.csv")
        let manifest = Manifest(
            durationS: duration, inputSize: chip.populations[0].size, inputSpikes: input.count,
            layers: layers, connections: connections)
        let enc = JSONEncoder.spikebar(pretty: true)
        try write(try enc.encode(manifest), to: directory + "/workload.json")
    }

    static func write(_ data: Data, to path: String) throws {
        do { try DurableFile.write(data, to: path) } catch {
            throw SpikebarError.invalidInput(SourceLocation(file: path), "cannot write: \(error.localizedDescription)")
        }
    }
}

extension PeerWorkload {
    /// The `loihi` estimate of `activity` with each core on its own tile of a 2-tile-high mesh
    /// (`cores_per_tile: 1`, `mesh_height: 2`), reported as `loihi-spread`: a 3-population network then sits on
    /// tiles (0,0), (0,1), (1,0), so its messages cross the mesh — `Benchmarks/peers.sh sanafe` compares it
    /// with SANA-FE mapping the populations on its tiles 0, 1, 4 (the same positions), which checks the hop and
    /// barrier pricing that the one-tile quickstart leaves at zero.
    public static func loihiSpread(_ activity: Activity, prices: LoihiPrices) -> CostEstimate {
        var spread = prices
        spread.coresPerTile = 1
        spread.meshHeight = 2
        var estimate = LoihiCost(prices: spread).price(activity)
        estimate.architecture = "loihi-spread"
        return estimate
    }

    /// Adds one mode's figures to `costs.json` in the workload folder (for `Benchmarks/peers.sh sanafe`):
    /// the kernel's wall time for the exported input and, per cost model, the energy and latency of that
    /// run's activity, with its energy breakdown (`Benchmarks/peers.sh sanafe` compares the `loihi` one with
    /// SANA-FE's, category by category). `{"<mode>": {"seconds": s, "architectures": [{"architecture",
    /// "energy_j", "latency_s" (streaming), "compute_latency_s", "energy_components": [{"name", "energy_j",
    /// "count"}], "compute_latency_components": [{"name", "seconds", "count"}]}]}}`.
    public static func writeCosts(_ estimates: [CostEstimate], mode: String, seconds: Double, to directory: String) throws {
        let path = directory + "/costs.json"
        var all = (try? JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path)))) as? [String: Any] ?? [:]
        all[mode] = [
            "seconds": seconds,
            "architectures": estimates.map {
                [
                    "architecture": $0.architecture, "energy_j": $0.totalEnergy, "latency_s": $0.totalLatency,
                    "compute_latency_s": $0.totalComputeLatency,
                    "energy_components": $0.energy.map { ["name": $0.name, "energy_j": $0.value, "count": $0.count] },
                    "compute_latency_components": $0.computeLatency.map { ["name": $0.name, "seconds": $0.value, "count": $0.count] },
                ]
            },
        ]
        let data = try JSONSerialization.data(withJSONObject: all, options: [.sortedKeys, .prettyPrinted])
        try write(data, to: path)
    }
}
