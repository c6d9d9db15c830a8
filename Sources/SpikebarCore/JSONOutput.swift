import Foundation

extension JSONEncoder {
    /// The encoder of every JSON file and `--json` output: sorted keys, so that the same result is the
    /// same bytes (determinism checks compare files byte for byte), and indented when a person reads it.
    public static func spikebar(pretty: Bool = false) -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys] : [.sortedKeys]
        return e
    }
}
