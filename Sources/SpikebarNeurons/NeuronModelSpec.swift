import SpikebarCore

/// Which neuron model a network's layers are made of, with its parameters: the scenario's
/// `neurons:` section (`model: lif` — the default — or `model: mif`). A sum type, so that a
/// command meeting a model it cannot simulate refuses by type (`NeuronModelKind`) instead of
/// simulating another model with default parameters.
public enum NeuronModelSpec: Sendable, Equatable {
    /// DPI synapse + leaky integrate-and-fire membrane (`NeuronParameters`, Docs/neurons.md).
    case lifDPI(NeuronParameters)
    /// Memristive integrate-and-fire neurons (`MIFParameters`, Docs/mif-neurons.md).
    case mif(MIFParameters)

    public var kind: NeuronModelKind {
        switch self {
        case .lifDPI: return .lifDPI
        case .mif: return .mif
        }
    }

    /// The LIF + DPI parameters, nil for another model.
    public var lifDPI: NeuronParameters? { if case .lifDPI(let p) = self { return p } else { return nil } }
    /// The MIF parameters, nil for another model.
    public var mif: MIFParameters? { if case .mif(let p) = self { return p } else { return nil } }
}

/// The neuron models Spikebar simulates, by the name a scenario gives them (`neurons.model`).
public enum NeuronModelKind: String, Sendable, Codable, CaseIterable {
    case lifDPI = "lif"
    case mif

    /// What the model is, for messages.
    public var description: String {
        switch self {
        case .lifDPI: return "LIF neurons with DPI synapses (model: lif)"
        case .mif: return "memristive integrate-and-fire neurons (model: mif)"
        }
    }
}

extension NeuronModelSpec: Codable {
    /// Reads only the `model` key, to choose the model's decoder.
    private struct Probe: Decodable {
        var model: String?
    }

    public init(from decoder: Decoder) throws {
        if (try? Probe(from: decoder))?.model == NeuronModelKind.mif.rawValue {
            self = .mif(try MIFParameters(from: decoder))
        } else {
            self = .lifDPI(try NeuronParameters(from: decoder))
        }
    }

    public func encode(to encoder: Encoder) throws {
        switch self {
        case .lifDPI(let p): try p.encode(to: encoder)
        case .mif(let p): try p.encode(to: encoder)
        }
    }
}
