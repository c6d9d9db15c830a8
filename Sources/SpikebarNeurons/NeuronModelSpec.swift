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
    /// The neurons of an NIR graph (`network: { nir: … }`): each node's model and per-neuron parameters
    /// come from the file (LIF, CubaLIF, IF, LI, I; Docs/nir.md), not from a `neurons:` section.
    case nirGraph

    public var kind: NeuronModelKind {
        switch self {
        case .lifDPI: return .lifDPI
        case .mif: return .mif
        case .nirGraph: return .nir
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
    case nir

    /// What the model is, for messages.
    public var description: String {
        switch self {
        case .lifDPI: return "LIF neurons with DPI synapses (model: lif)"
        case .mif: return "memristive integrate-and-fire neurons (model: mif)"
        case .nir: return "the neurons of an NIR graph (network.nir: LIF, CubaLIF, IF, LI, I with the file's parameters)"
        }
    }
}

extension NeuronModelSpec: Codable {
    /// Reads only the `model` key, to choose the model's decoder.
    private struct Probe: Decodable {
        var model: String?
    }

    public init(from decoder: Decoder) throws {
        let model = (try? Probe(from: decoder))?.model
        if model == NeuronModelKind.mif.rawValue {
            self = .mif(try MIFParameters(from: decoder))
        } else if model == NeuronModelKind.nir.rawValue {
            // Set by `network: { nir: … }`, never written: the graph's nodes are the neurons.
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath + [NeuronModelCodingKey.model],
                    debugDescription:
                        "'nir' is not a model a neurons section can give: a network with `nir: graph.nir` takes its neurons from the graph"))
        } else {
            self = .lifDPI(try NeuronParameters(from: decoder))
        }
    }

    public func encode(to encoder: Encoder) throws {
        switch self {
        case .lifDPI(let p): try p.encode(to: encoder)
        case .mif(let p): try p.encode(to: encoder)
        case .nirGraph:
            var c = encoder.container(keyedBy: NeuronModelCodingKey.self)
            try c.encode(NeuronModelKind.nir.rawValue, forKey: .model)
        }
    }
}

/// The `model` key of a `neurons:` section.
enum NeuronModelCodingKey: String, CodingKey { case model }
