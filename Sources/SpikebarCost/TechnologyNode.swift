import SpikebarCore

/// A CMOS technology node of the Stillmaker & Baas scaling tables ("Scaling equations for the accurate
/// prediction of CMOS device performance from 180 nm to 7 nm", Integration, the VLSI Journal 58:74–81,
/// 2017, doi:10.1016/j.vlsi.2017.02.002, and its corrigendum): 180, 130, 90, 65 nm (bulk), and 45 … 7 nm
/// in their high-performance (`HP`) and low-power (`LP`) flavours. A bare `45` … `7` reads as `HP`.
public struct TechnologyNode: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The table's name: `180`, `130`, `90`, `65`, `HP45` … `HP7`, `LP45` … `LP7`.
    public let name: String

    /// Accepts `130`, `130nm`, `130 nm`, `HP45`, `lp32`; nil for a node the tables do not have.
    public init?(_ text: String) {
        var t = text.uppercased().replacingOccurrences(of: " ", with: "")
        if t.hasSuffix("NM") { t.removeLast(2) }
        if let n = Int(t), n <= 45 { t = "HP\(n)" }
        guard TechnologyScaling.energyCoefficients[t] != nil else { return nil }
        name = t
    }

    public var description: String { name.hasPrefix("HP") || name.hasPrefix("LP") ? "\(name.prefix(2)) \(name.dropFirst(2)) nm" : "\(name) nm" }
    /// Feature size (nm) without the flavour, the key of the area table.
    public var nanometres: String { name.hasPrefix("HP") || name.hasPrefix("LP") ? String(name.dropFirst(2)) : name }

    /// Nominal supply (V) taken when a scenario names a node without its V_dd. Assumption (confidence A):
    /// the usual core supplies of these nodes (180 nm 1.8 V, 130 nm 1.3 V, 90 nm 1.2 V, 65 nm 1.1 V, 45 nm
    /// 1.0 V, 32 nm 0.9 V, 20/16/14 nm 0.8 V, 10 nm 0.75 V, 7 nm 0.7 V), inside the voltage ranges the
    /// paper fits. Give `vdd` explicitly for a real design.
    public var nominalVdd: Volts {
        switch nanometres {
        case "180": return 1.8
        case "130": return 1.3
        case "90": return 1.2
        case "65": return 1.1
        case "45": return 1.0
        case "32": return 0.9
        case "20", "16", "14": return 0.8
        case "10": return 0.75
        default: return 0.7
        }
    }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let n = TechnologyNode(text) else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription:
                        "unknown technology node '\(text)' (expected 180, 130, 90, 65, or HP/LP 45, 32, 20, 16, 14, 10, 7)"))
        }
        self = n
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(name)
    }

    public static let n180 = TechnologyNode("180")!  // invariant: a node of the table
    public static let n130 = TechnologyNode("130")!  // invariant: a node of the table
    public static let hp32 = TechnologyNode("HP32")!  // invariant: a node of the table
    public static let hp14 = TechnologyNode("HP14")!  // invariant: a node of the table
}
