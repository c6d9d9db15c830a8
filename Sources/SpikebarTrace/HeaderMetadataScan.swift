/// Takes the header JSON's `metadata` text out of the raw JSON bytes, unescaped.
///
/// Why not `JSONDecoder` for this one field: the metadata is a JSON text stored as a JSON string, so
/// every quote in it is escaped, and Foundation's decoder unescapes such strings one character at a
/// time: on the 13 KB header of a recorded 200-inference quickstart run, that was 0.086 of the
/// 0.097 ms of parsing the header, and opening a trace is part of decoding it
/// (`Docs/performance.md`, trace decoding). `JSONDecoder` still reads every other header field,
/// and still validates the whole document before this runs; this scanner walks only the top-level
/// object to the `metadata` member and copies the string's unescaped runs in bulk.
///
/// RFC 8259 string escapes: `\" \\ \/ \b \f \n \r \t \uXXXX`, with UTF-16 surrogate pairs joined.
enum HeaderMetadataScan {
    struct Malformed: Error { let message: String }

    /// The unescaped value of the top-level member `key` when it is a string; nil when the object has
    /// no such member. Throws when the JSON is not an object or the member is not a valid string.
    static func string(member key: String, in json: UnsafeBufferPointer<UInt8>) throws -> String? {
        var i = skipSpace(json, 0)
        guard i < json.count, json[i] == UInt8(ascii: "{") else { throw Malformed(message: "header JSON is not an object") }
        i += 1
        let wanted = Array(key.utf8)
        while true {
            i = skipSpace(json, i)
            guard i < json.count else { throw Malformed(message: "header JSON ends inside its object") }
            if json[i] == UInt8(ascii: "}") { return nil }
            if json[i] == UInt8(ascii: ",") { i = skipSpace(json, i + 1) }
            guard i < json.count, json[i] == UInt8(ascii: "\"") else { throw Malformed(message: "header JSON: expected a member name at byte \(i)") }
            var name: [UInt8] = []
            i = try unescape(json, from: i + 1, into: &name)
            i = skipSpace(json, i)
            guard i < json.count, json[i] == UInt8(ascii: ":") else { throw Malformed(message: "header JSON: expected ':' at byte \(i)") }
            i = skipSpace(json, i + 1)
            guard i < json.count else { throw Malformed(message: "header JSON ends before a value") }
            if name == wanted {
                guard json[i] == UInt8(ascii: "\"") else { throw Malformed(message: "header JSON: \(key) is not a string") }
                var value: [UInt8] = []
                value.reserveCapacity(json.count - i)
                _ = try unescape(json, from: i + 1, into: &value)
                return String(decoding: value, as: UTF8.self)
            }
            i = try skipValue(json, i)
        }
    }

    private static func skipSpace(_ b: UnsafeBufferPointer<UInt8>, _ from: Int) -> Int {
        var i = from
        while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
        return i
    }

    /// Index just past the value starting at `from` (a string, an object or array with nesting, or a
    /// number or literal).
    private static func skipValue(_ b: UnsafeBufferPointer<UInt8>, _ from: Int) throws -> Int {
        var i = from, depth = 0
        while i < b.count {
            switch b[i] {
            case UInt8(ascii: "\""):
                i = try skipString(b, from: i + 1)
                if depth == 0 { return i }
                continue
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if depth == 0 { return i }  // end of the enclosing object: the caller sees it
                depth -= 1
                if depth == 0 { return i + 1 }
            case UInt8(ascii: ","):
                if depth == 0 { return i }
            default:
                break
            }
            i += 1
        }
        throw Malformed(message: "header JSON ends inside a value")
    }

    /// Index just past the closing quote of the string whose body starts at `from`.
    private static func skipString(_ b: UnsafeBufferPointer<UInt8>, from: Int) throws -> Int {
        var i = from
        while i < b.count {
            if b[i] == UInt8(ascii: "\"") { return i + 1 }
            i += b[i] == UInt8(ascii: "\\") ? 2 : 1
        }
        throw Malformed(message: "header JSON ends inside a string")
    }

    /// Unescapes the string body starting at `from` into `out`; returns the index past its closing quote.
    private static func unescape(_ b: UnsafeBufferPointer<UInt8>, from: Int, into out: inout [UInt8]) throws -> Int {
        var i = from
        var run = i
        while i < b.count {
            let c = b[i]
            if c != UInt8(ascii: "\"") && c != UInt8(ascii: "\\") { i += 1; continue }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: b[run..<i]))
            if c == UInt8(ascii: "\"") { return i + 1 }
            guard i + 1 < b.count else { break }
            let e = b[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                guard var u = hex4(b, i) else { throw Malformed(message: "header JSON: bad \\u escape at byte \(i - 2)") }
                i += 4
                if (0xD800..<0xDC00).contains(u), i + 6 <= b.count, b[i] == UInt8(ascii: "\\"), b[i + 1] == UInt8(ascii: "u"),
                    let low = hex4(b, i + 2), (0xDC00..<0xE000).contains(low)
                {
                    u = 0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00)
                    i += 6
                }
                // A lone surrogate is not a scalar: U+FFFD, as Foundation's decoder substitutes it.
                let scalar = Unicode.Scalar(u) ?? "\u{FFFD}"
                out.append(contentsOf: String(scalar).utf8)
            default:
                throw Malformed(message: "header JSON: unknown escape \\\(Character(Unicode.Scalar(e))) at byte \(i - 2)")
            }
            run = i
        }
        throw Malformed(message: "header JSON ends inside a string")
    }

    private static func hex4(_ b: UnsafeBufferPointer<UInt8>, _ at: Int) -> UInt32? {
        guard at + 4 <= b.count else { return nil }
        var v: UInt32 = 0
        for k in 0..<4 {
            let c = b[at + k]
            let d: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
            default: return nil
            }
            v = v << 4 | d
        }
        return v
    }
}
