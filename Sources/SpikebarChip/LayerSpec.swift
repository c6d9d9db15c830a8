import SpikebarCore

/// One layer of neurons.
public struct LayerSpec: Sendable, Codable, Equatable {
    public var name: String
    public var size: Int
    /// All-to-all connections within the layer (a recurrent hidden layer).
    public var recurrent: Bool

    enum CodingKeys: String, CodingKey, CaseIterable { case name, size, recurrent }
    public init(name: String, size: Int, recurrent: Bool = false) { self.name = name; self.size = size; self.recurrent = recurrent }
    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        if name.isEmpty || name.utf8.count > 256 || name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            throw c.invalid(.name, "a layer name must be 1 … 256 bytes without control characters")
        }
        size = try c.decode(Int.self, forKey: .size)
        if !(1...10_000_000).contains(size) { throw c.invalid(.size, "value \(size) out of range (expected 1 … 10000000)") }
        recurrent = try c.decode(.recurrent, default: false)
    }
}
