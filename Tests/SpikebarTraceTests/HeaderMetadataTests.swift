import Foundation
import Testing
@testable import SpikebarTrace

/// The header's metadata text is taken out of the raw JSON by `HeaderMetadataScan` (not by
/// `JSONDecoder`, which unescapes it one character at a time): it must give exactly what Foundation's
/// decoder gives, for every escape, wherever the member sits, and refuse what is not a string.
@Suite struct HeaderMetadataTests {
    struct Decoded: Decodable { var metadata: String }

    func scan(_ json: String) throws -> String? {
        let b = Array(json.utf8)
        return try b.withUnsafeBufferPointer { try HeaderMetadataScan.string(member: "metadata", in: $0) }
    }

    /// Texts written by the trace writer come back unchanged: quotes, backslashes, slashes, every
    /// control character, non-ASCII and astral characters, empty, and a long recorded-run-like text.
    @Test func writerTextsRoundTrip() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let controls = String((0..<32).map { Character(Unicode.Scalar(UInt8($0))) })
        var long = "{\"inferences\":["
        for k in 0..<300 { long += "{\"label\":\(k % 10),\"path\":\"a/b\\\\c\",\"sample\":\(k)}," }
        long += "{}]}"
        let texts = ["", "{}", "\"", "\\", "/", "\\\"", controls, "é 中文 🧠 \u{FFFD} \u{10FFFF}", "{\"a\":\"x\\\"y\"}", long]
        for (k, text) in texts.enumerated() {
            let header = TraceHeader(populations: [.init(name: "a", size: 4)], metadata: text)
            let p = dir.file("m\(k).sbt")
            try writeTrace(p, header, [TraceEvent(time: 0, population: 0, index: 1)], chunkEvents: 8)
            let r = try TraceReader(path: p)
            #expect(r.header.metadata == text, "text \(k)")
        }
    }

    /// Hand-written headers, as another writer might produce them: `\u` escapes (surrogate pairs
    /// included), whitespace, the member first, last or between others, and decoys (the name inside a
    /// string or a nested object) that must not be taken for it. Every result equals JSONDecoder's.
    @Test func agreesWithJSONDecoder() throws {
        let docs = [
            #"{"metadata":"plain"}"#,
            #"  {  "metadata" :  "a\u00e9\u4e2d\ud83e\udde0\n\t\r\b\f\/\\\"z"  }  "#,
            #"{"populations":[{"name":"metadata","size":1}],"x":{"metadata":"decoy"},"s":"\"metadata\":\"no\"","metadata":"yes"}"#,
            #"{"n":-1.5e3,"t":true,"f":false,"z":null,"a":[[],{},"]}"],"metadata":"after values"}"#,
            #"{"metadata":"first","other":[1,2,3]}"#,
            #"{"me\u0074adata":"escaped name"}"#,
        ]
        for doc in docs {
            let expected = try JSONDecoder().decode(Decoded.self, from: Data(doc.utf8)).metadata
            #expect(try scan(doc) == expected, "\(doc)")
        }
    }

    @Test func missingOrNonStringMetadataIsReported() throws {
        #expect(try scan(#"{"a":"metadata","b":{"metadata":"x"}}"#) == nil)
        #expect(throws: HeaderMetadataScan.Malformed.self) { try scan(#"{"metadata":{"a":1}}"#) }
        #expect(throws: HeaderMetadataScan.Malformed.self) { try scan(#"{"metadata":"unterminated"#) }
        #expect(throws: HeaderMetadataScan.Malformed.self) { try scan(#"{"metadata":"bad \x escape"}"#) }
        #expect(throws: HeaderMetadataScan.Malformed.self) { try scan(#"["metadata"]"#) }
    }
}
