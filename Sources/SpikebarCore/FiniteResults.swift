import Foundation

/// Finds the quantities of a result that are not finite numbers (issue #22, class 6): a result with
/// `inf` or `NaN` in it is meaningless, so the command reports which quantities went non-finite
/// instead of writing them as the strings "inf"/"nan" or failing inside the JSON encoder.
public enum FiniteResults {
    private static let marker = "\u{1}non-finite\u{1}"

    /// Key paths (`architectures[1].energy.mean`) of every `inf`, `-inf` or `NaN` in `value`'s encoding.
    public static func nonFiniteKeys<T: Encodable>(_ value: T) -> [String] {
        let enc = JSONEncoder()
        enc.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: marker, negativeInfinity: marker, nan: marker)
        guard let data = try? enc.encode(value), let root = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else {
            return []
        }
        var out: [String] = []
        func walk(_ node: Any, _ path: String) {
            if let s = node as? String, s == marker {
                out.append(path.isEmpty ? "(the result)" : path)
            } else if let d = node as? [String: Any] {
                for k in d.keys.sorted() { walk(d[k] as Any, path.isEmpty ? k : "\(path).\(k)") }
            } else if let a = node as? [Any] {
                for (i, x) in a.enumerated() { walk(x, "\(path)[\(i)]") }
            }
        }
        walk(root, "")
        return out
    }

    /// Throws naming the non-finite quantities of `value` (at most 8 listed), if any. `what` names the
    /// result; `cause` says what usually leads there.
    public static func check<T: Encodable>(_ value: T, what: String, cause: String) throws {
        let keys = nonFiniteKeys(value)
        guard !keys.isEmpty else { return }
        let shown = keys.prefix(8).joined(separator: ", ") + (keys.count > 8 ? " and \(keys.count - 8) more" : "")
        throw SpikebarError.mismatch(
            "\(what): \(keys.count) quantit\(keys.count == 1 ? "y is" : "ies are") not finite (inf or NaN): \(shown). \(cause)")
    }
}
