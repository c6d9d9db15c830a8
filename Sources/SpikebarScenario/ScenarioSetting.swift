import SpikebarCore
import SpikebarChip
import Yams

/// One scenario key set from the command line: `tiles.rows=64`, `device.g_max=100uS`,
/// `network.layers[0].size=256` (`spikebar sweep --set`). The value is YAML text, read exactly as if it
/// stood in the file at that key, so it gets the same checks, units and error messages; the loader
/// applies settings to the parsed YAML tree before decoding (`ScenarioLoader.load(text:path:settings:)`).
public struct ScenarioSetting: Sendable, Equatable, Codable, CustomStringConvertible {
    /// Dotted key path; `[n]` indexes a list (`network.layers[1].size`).
    public var keyPath: String
    /// The value as written (YAML scalar or flow text).
    public var value: String

    public init(keyPath: String, value: String) { self.keyPath = keyPath; self.value = value }

    /// `key.path=value`.
    public init(parsing text: String, option: String = "--set") throws {
        guard let eq = text.firstIndex(of: "="), eq != text.startIndex else {
            throw SpikebarError.invalidInput(SourceLocation(file: option), "expected key.path=value, got '\(text)'")
        }
        self.init(
            keyPath: String(text[..<eq]).trimmingCharacters(in: .whitespaces),
            value: String(text[text.index(after: eq)...]).trimmingCharacters(in: .whitespaces))
        _ = try components()
    }

    public var description: String { "\(keyPath)=\(value)" }

    /// The path as the loader's locations write it: `#n` for list indices.
    public func components() throws -> [String] {
        var out: [String] = []
        for part in keyPath.split(separator: ".", omittingEmptySubsequences: false) {
            var p = Substring(part)
            var name = p
            var indices: [String] = []
            if let open = p.firstIndex(of: "[") {
                name = p[..<open]
                p = p[open...]
                while p.hasPrefix("[") {
                    guard let close = p.firstIndex(of: "]"), let n = Int(p[p.index(after: p.startIndex)..<close]), n >= 0 else {
                        throw bad("'\(keyPath)' is not a key path (write list elements as key[0])")
                    }
                    indices.append("#\(n)")
                    p = p[p.index(after: close)...]
                }
                guard p.isEmpty else { throw bad("'\(keyPath)' is not a key path (write list elements as key[0])") }
            }
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                throw bad("'\(keyPath)' is not a key path (keys joined by dots, e.g. tiles.rows or network.layers[0].size)")
            }
            out.append(String(name))
            out += indices
        }
        return out
    }

    func bad(_ message: String) -> SpikebarError { .invalidInput(SourceLocation(file: "--set \(description)"), message) }

    /// `root` with this setting applied: missing mappings on the way are created, list indices must exist.
    func apply(to root: Node) throws -> Node {
        let value: Node
        do {
            value = try Yams.compose(yaml: self.value) ?? Node("", Tag(.null))
        } catch {
            throw bad("the value is not valid YAML (\(error))")
        }
        return try set(root, try components()[...], value, walked: [])
    }

    private func set(_ node: Node, _ path: ArraySlice<String>, _ value: Node, walked: [String]) throws -> Node {
        guard let key = path.first else { return value }
        let here =
            walked.isEmpty
            ? "the scenario"
            : walked.joined(separator: ".").replacingOccurrences(of: ".#", with: "[") + (walked.last?.hasPrefix("#") == true ? "]" : "")
        if key.hasPrefix("#"), let index = Int(key.dropFirst()) {
            guard var seq = node.sequence else { throw bad("\(here) is not a list") }
            guard index < seq.count else { throw bad("\(here) has \(seq.count) elements; [\(index)] does not exist") }
            seq[index] = try set(seq[index], path.dropFirst(), value, walked: walked + [key])
            return .sequence(seq)
        }
        var map: Node.Mapping
        if let m = node.mapping {
            map = m
        } else if node.scalar.map({ $0.string.isEmpty || $0.string == "~" || $0.string == "null" }) ?? false {
            map = Node.Mapping([])  // `section:` with nothing under it
        } else {
            throw bad("\(here) holds a value, not a section with keys")
        }
        let child = map[key] ?? Node.mapping(Node.Mapping([]))
        map[key] = try set(child, path.dropFirst(), value, walked: walked + [key])
        return .mapping(map)
    }
}
