import Foundation
import SpikebarCore
import SpikebarNeurons

/// Weights of one connection in units of the conductance window, in [−1, 1]: `inputs × outputs`,
/// row-major by presynaptic neuron. What training produces and programming consumes.
public struct WeightMatrix: Sendable, Equatable, Codable {
    public var inputs: Int, outputs: Int
    public var values: [Float]

    public init(inputs: Int, outputs: Int, values: [Float]) {
        self.inputs = inputs; self.outputs = outputs; self.values = values
    }

    /// Normal weights `N(mean, std)` clipped to [−1, 1], from the keyed stream `(seed, weights, connection)`.
    public static func generated(inputs: Int, outputs: Int, mean: Double, std: Double, seed: UInt64, connection: Int) -> WeightMatrix {
        var rng = RandomStream(seed: seed, purpose: .weights, index: UInt64(connection))
        let values = (0..<(inputs * outputs)).map { _ in Float(Swift.max(-1, Swift.min(1, mean + std * rng.nextGaussian()))) }
        return WeightMatrix(inputs: inputs, outputs: outputs, values: values)
    }
}

/// The weights file `spikebar train` writes and `weights: {file: …}` reads: JSON
/// `{"format": "spikebar-weights", "version": 1, "connections": [{"from", "to", "recurrent", "inputs",
/// "outputs", "values": [...]}], "synapse_gains": [...]?}`. Shapes are checked against the network.
public struct WeightFile: Codable, Sendable {
    public var format: String
    public var version: Int
    public var connections: [Entry]
    /// Calibrated DPI gain per layer of neurons, when the producer calibrated it.
    public var synapseGains: [Double]?
    /// Trained per-neuron time constants (`training.calibration.time_constants: trained`), when trained.
    public var timeConstants: TunedTimeConstants?

    public struct Entry: Codable, Sendable {
        public var from: String, to: String, recurrent: Bool
        public var inputs: Int, outputs: Int
        public var values: [Float]
    }

    enum CodingKeys: String, CodingKey { case format, version, connections, synapseGains = "synapse_gains", timeConstants = "time_constants" }

    public init(chipPopulations names: [String], plan: [(from: Int, to: Int, recurrent: Bool)], weights: [WeightMatrix], gains: [Double]?) {
        format = "spikebar-weights"; version = 1; synapseGains = gains
        connections = zip(plan, weights).map { p, w in
            Entry(from: names[p.from], to: names[p.to], recurrent: p.recurrent, inputs: w.inputs, outputs: w.outputs, values: w.values)
        }
    }

    /// Reads a weights file and checks it against `network`.
    public static func load(path: String, network: NetworkSpec) throws -> (weights: [WeightMatrix], gains: [Double]?) {
        let data = try InputFile.read(path, hint: "write one with `spikebar train`")
        let file: WeightFile
        do { file = try JSONDecoder().decode(WeightFile.self, from: data) } catch {
            throw SpikebarError.invalidInput(SourceLocation(file: path), "not a Spikebar weights file: \(error)")
        }
        guard file.format == "spikebar-weights" else {
            throw SpikebarError.invalidInput(SourceLocation(file: path, keyPath: "format"), "expected 'spikebar-weights', found '\(file.format)'")
        }
        guard file.version == 1 else {
            throw SpikebarError.invalidInput(
                SourceLocation(file: path, keyPath: "version"), "version \(file.version) is newer than this Spikebar reads (1)")
        }
        let sizes = [network.input] + network.layers.map(\.size)
        let plan = Chip.connectionPlan(network: network)
        guard file.connections.count == plan.count else {
            throw SpikebarError.mismatch("\(path): \(file.connections.count) connections, the scenario's network has \(plan.count)")
        }
        var out: [WeightMatrix] = []
        // The populations the file names must be the network's (`input` and the layer names): a file
        // written for another network of the same shape is refused, not silently programmed (issue #22).
        let names = ["input"] + network.layers.map(\.name)
        for (k, (e, p)) in zip(file.connections, plan).enumerated() {
            guard e.from == names[p.from], e.to == names[p.to] else {
                throw SpikebarError.invalidInput(
                    SourceLocation(file: path, keyPath: "connections[\(k)]"),
                    "connects '\(e.from)' → '\(e.to)', the scenario's network connects '\(names[p.from])' → '\(names[p.to])' (rename the layers, or use the weights trained for this network)"
                )
            }
            guard e.inputs == sizes[p.from], e.outputs == sizes[p.to], e.recurrent == p.recurrent,
                e.values.count == e.inputs * e.outputs
            else {
                throw SpikebarError.mismatch(
                    "\(path): connections[\(k)] is \(e.inputs)×\(e.outputs)\(e.recurrent ? " recurrent" : "") with \(e.values.count) values; the network needs \(sizes[p.from])×\(sizes[p.to])\(p.recurrent ? " recurrent" : "")"
                )
            }
            guard e.values.allSatisfy({ $0.isFinite }) else {
                throw SpikebarError.invalidInput(SourceLocation(file: path, keyPath: "connections[\(k)].values"), "contains NaN or infinity")
            }
            out.append(WeightMatrix(inputs: e.inputs, outputs: e.outputs, values: e.values))
        }
        if let g = file.synapseGains, g.count != network.layers.count || !g.allSatisfy({ $0 > 0 && $0.isFinite }) {
            throw SpikebarError.invalidInput(
                SourceLocation(file: path, keyPath: "synapse_gains"), "needs one positive gain per layer (\(network.layers.count))")
        }
        return (out, file.synapseGains)
    }

    public func write(to path: String) throws {
        let enc = JSONEncoder.spikebar()
        try DurableFile.write(enc.encode(self), to: path)
    }
}

extension FNV1a64 {
    /// Mixes weight matrices into a digest (each matrix's shape, then its values' bit patterns): the one
    /// rule every results log fingerprints its weights with, so a resumed run's digest matches.
    public mutating func add(_ weights: [WeightMatrix]) {
        for w in weights {
            add(UInt64(w.inputs)); add(UInt64(w.outputs))
            for x in w.values { add(UInt64(x.bitPattern)) }
        }
    }
}
