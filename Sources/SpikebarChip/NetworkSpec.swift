import SpikebarCore

/// Topology: an input population and layers of neurons, each fully connected to the previous one,
/// optionally with recurrent (all-to-all, same-layer) connections.
public struct NetworkSpec: Sendable, Codable, Equatable {
    /// Number of input channels (e.g. 784 pixels).
    public var input: Int
    public var layers: [LayerSpec]

    enum CodingKeys: String, CodingKey, CaseIterable { case input, layers }
    public init(input: Int, layers: [LayerSpec]) { self.input = input; self.layers = layers }
    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        input = try c.decode(Int.self, forKey: .input)
        if !(1...10_000_000).contains(input) { throw c.invalid(.input, "value \(input) out of range (expected 1 … 10000000)") }
        layers = try c.decode([LayerSpec].self, forKey: .layers)
        if layers.isEmpty { throw c.invalid(.layers, "at least one layer of neurons is required") }
        if layers.last?.recurrent == true { throw c.invalid(.layers, "the output layer cannot be recurrent") }
        // Layer names key the populations of traces and reports (`trace cat` → `trace import` round trip).
        var seen = Set<String>()
        for l in layers {
            if l.name == "input" { throw c.invalid(.layers, "a layer cannot be named 'input' (the input population has that name)") }
            if !seen.insert(l.name).inserted { throw c.invalid(.layers, "two layers are named '\(l.name)' (layer names must be unique)") }
        }
    }
}
