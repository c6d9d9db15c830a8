import Foundation
import SpikebarCore

/// Per-neuron time-constant settings learned by `training.calibration.time_constants: trained`
/// (Perez-Nieves et al., "Neural heterogeneity promotes robust learning", Nat. Commun. 12:5791, 2021),
/// stored in the weights file (`time_constants`) and applied by every command that programs a chip.
///
/// What they mean on the chip (assumption, confidence A): each neuron's leak and synapse biases are set
/// so that chip sample 0 — the chip whose measured τ the training started from — realises the trained
/// τ exactly; the factors `trained / measured` are those bias settings. Another chip sample programmed
/// with the same settings has its own mismatch: its τ are its own draws times the same factors.
public struct TunedTimeConstants: Sendable, Codable, Equatable {
    /// τ_mem and τ_syn (s) per layer of neurons and neuron, as trained (on chip sample 0).
    public var tauMem: [[Double]], tauSyn: [[Double]]
    /// trained / chip sample 0's measured value, per layer and neuron (dimensionless).
    public var memFactor: [[Double]], synFactor: [[Double]]

    enum CodingKeys: String, CodingKey { case tauMem = "tau_mem", tauSyn = "tau_syn", memFactor = "mem_factor", synFactor = "syn_factor" }

    public init(tauMem: [[Double]], tauSyn: [[Double]], memFactor: [[Double]], synFactor: [[Double]]) {
        self.tauMem = tauMem; self.tauSyn = tauSyn; self.memFactor = memFactor; self.synFactor = synFactor
    }

    /// Checks the shapes against `network` and that every value is finite and > 0.
    public func validate(network: NetworkSpec) throws {
        let sizes = network.layers.map(\.size)
        for (name, v) in [("tau_mem", tauMem), ("tau_syn", tauSyn), ("mem_factor", memFactor), ("syn_factor", synFactor)] {
            guard v.map(\.count) == sizes else {
                throw SpikebarError.mismatch("time_constants.\(name) has layer sizes \(v.map(\.count)), the network has \(sizes)")
            }
            guard v.allSatisfy({ $0.allSatisfy { $0.isFinite && $0 > 0 } }) else {
                throw SpikebarError.mismatch("time_constants.\(name): every value must be finite and > 0")
            }
        }
    }
}

extension TunedTimeConstants {
    /// The `time_constants` of a weights file, checked against `network`; nil when the file has none.
    public static func read(weightsFile path: String, network: NetworkSpec) throws -> TunedTimeConstants? {
        struct Probe: Decodable {
            var timeConstants: TunedTimeConstants?
            enum CodingKeys: String, CodingKey { case timeConstants = "time_constants" }
        }
        let data = try InputFile.read(path, hint: "write one with `spikebar train`")
        let probe: Probe
        do { probe = try JSONDecoder().decode(Probe.self, from: data) } catch {
            throw SpikebarError.invalidInput(SourceLocation(file: path, keyPath: "time_constants"), "\(error)")
        }
        guard let t = probe.timeConstants else { return nil }
        do { try t.validate(network: network) } catch let e as SpikebarError {
            throw SpikebarError.invalidInput(SourceLocation(file: path, keyPath: "time_constants"), "\(e)")
        }
        return t
    }
}
