import Foundation
import SpikebarCore
import Yams

/// Writing a scenario from another one (`spikebar nir import --like`): the base file's YAML with some
/// top-level sections replaced or removed, every other section as the base has it (comments are not kept).
public enum ScenarioText {
    /// `text` (the base scenario, read from `path`) with each key of `sections` set to its YAML value
    /// (a flow or block mapping as text; nil removes the section). The result is checked by decoding it.
    /// `settings` (`key.path=value`, as `--set`) are applied first: e.g. file names made absolute.
    public static func replacing(
        _ sections: [(key: String, yaml: String?)], settings: [ScenarioSetting] = [], in text: String, path: String
    ) throws -> String {
        guard var node = try? Yams.compose(yaml: text) else {
            throw SpikebarError.invalidInput(SourceLocation(file: path), "not YAML")
        }
        for setting in settings { node = try setting.apply(to: node) }
        guard case var .mapping(root) = node else {
            throw SpikebarError.invalidInput(SourceLocation(file: path), "not a YAML mapping of scenario sections")
        }
        for (key, yaml) in sections {
            root[Node(key)] = nil
            guard let yaml else { continue }
            guard let value = try Yams.compose(yaml: yaml) else { continue }
            root[Node(key)] = value
        }
        return try Yams.serialize(node: .mapping(root))
    }
}
