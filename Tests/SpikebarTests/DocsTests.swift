import Foundation
import Testing
import SpikebarCore
import SpikebarTestSupport

/// Docs that cannot drift (issue #20): every figure the tutorial (Docs/getting-started.md) and the README
/// quote from a command's output carries a machine-readable `docs-check` marker right under the quoted
/// output, naming the command, the JSON path of the figure in the command's `--json` output, its
/// format and the text quoted:
///
/// ```
/// <!-- docs-check: run Scenarios/quickstart.yaml
/// architectures[0].energy.mean | J | 8.021 nJ
/// -->
/// ```
///
/// `everyQuotedFigureIsMarked` (always, fast) checks that no figure in an output block lacks a marker and
/// that every marker's text is quoted in the block above it. `markedFiguresMatchTheBinary` runs each
/// marker's command with `--json` and compares the formatted value with the quoted text. The tutorial's
/// commands calibrate the quickstart's DPI gains three times, ≈ 60 s of CPU each in a debug build, so it
/// runs with a release binary: `SPIKEBAR_DOCS_BINARY`, or `.build/release/spikebar` when it is newer than
/// every source file (`make docs-check` builds it and runs this suite); otherwise it is skipped with a
/// printed reason. `SPIKEBAR_DOCS_BINARY=.build/debug/spikebar` forces the slow debug run.
@Suite struct DocsTests {
    /// One marker: the command (arguments after `spikebar`, before `--json`), an optional setup command,
    /// and the checks.
    struct Marker {
        var command: [String]
        var setup: [[String]]
        var checks: [(path: String, format: String, text: String)]
        /// The fenced block above the marker (the quoted output).
        var block: String
        var line: Int
    }

    static let documents = ["Docs/getting-started.md", "README.md"]

    static func markers(in text: String) -> [Marker] {
        let lines = text.components(separatedBy: "\n")
        var out: [Marker] = []
        var lastBlock = "", inBlock = false, current: [String] = []
        var k = 0
        while k < lines.count {
            let line = lines[k]
            if line.hasPrefix("```") {
                if inBlock { lastBlock = current.joined(separator: "\n"); current = [] }
                inBlock.toggle(); k += 1; continue
            }
            if inBlock { current.append(line); k += 1; continue }
            if line.hasPrefix("<!-- docs-check:") {
                let start = k
                var m = Marker(command: split(String(line.dropFirst("<!-- docs-check:".count))), setup: [], checks: [], block: lastBlock, line: k + 1)
                k += 1
                while k < lines.count, !lines[k].hasPrefix("-->") {
                    let l = lines[k].trimmingCharacters(in: .whitespaces)
                    if l.hasPrefix("setup:") {
                        m.setup.append(split(String(l.dropFirst("setup:".count))))
                    } else if !l.isEmpty {
                        let parts = l.components(separatedBy: " | ")
                        if parts.count == 3 {
                            m.checks.append((parts[0], parts[1], parts[2]))
                        } else {
                            Issue.record("docs-check line \(k + 1): '\(l)' is not 'path | format | text'")
                        }
                    }
                    k += 1
                }
                _ = start
                out.append(m)
            }
            k += 1
        }
        return out
    }

    static func split(_ s: String) -> [String] { s.split(separator: " ").map(String.init) }

    /// Figures in output blocks: numbers with a unit, a ratio or a count word.
    static func figures(in block: String) -> [String] {
        let pattern = #"\d[\d.,]*\s?(nJ|µJ|pJ|mJ|mm²|ms|µs|B/event|bytes|Hz/neuron|×(?!\d))|events:? \d+"#
        guard let re = try? NSRegularExpression(pattern: pattern) else { return [] }
        let ns = block as NSString
        return re.matches(in: block, range: NSRange(location: 0, length: ns.length)).map { ns.substring(with: $0.range) }
    }

    static func document(_ name: String) throws -> String {
        try String(contentsOf: packageRoot().appendingPathComponent(name), encoding: .utf8)
    }

    @Test func everyQuotedFigureIsMarked() throws {
        for name in Self.documents {
            let text = try Self.document(name)
            let markers = Self.markers(in: text)
            // Output blocks: fenced blocks that are not shell commands (```sh) or YAML.
            var blocks: [String] = [], inBlock = false, isOutput = false, current: [String] = []
            for line in text.components(separatedBy: "\n") {
                if line.hasPrefix("```") {
                    if inBlock, isOutput { blocks.append(current.joined(separator: "\n")) }
                    if !inBlock { isOutput = line == "```"; current = [] }
                    inBlock.toggle(); continue
                }
                if inBlock { current.append(line) }
            }
            let marked = markers.flatMap { $0.checks.map(\.text) }
            for block in blocks {
                for figure in Self.figures(in: block) where figure != "1.00×" {
                    #expect(
                        marked.contains { $0.contains(figure) || figure.contains($0) }, "\(name): '\(figure)' is quoted without a docs-check marker")
                }
            }
            for m in markers {
                for c in m.checks {
                    #expect(m.block.contains(c.text), "\(name):\(m.line): '\(c.text)' is not in the output quoted above the marker")
                }
            }
        }
    }

    /// The binary the figures are checked against, or nil (then the check is skipped).
    static var binary: String? {
        if let b = ProcessInfo.processInfo.environment["SPIKEBAR_DOCS_BINARY"] {
            return b.hasPrefix("/") ? b : packageRoot().appendingPathComponent(b).path
        }
        let release = packageRoot().appendingPathComponent(".build/release/spikebar").path
        guard let built = (try? FileManager.default.attributesOfItem(atPath: release))?[.modificationDate] as? Date else { return nil }
        let sources = FileManager.default.enumerator(atPath: packageRoot().appendingPathComponent("Sources").path)
        while let f = sources?.nextObject() as? String {
            let p = packageRoot().appendingPathComponent("Sources").appendingPathComponent(f).path
            if let d = (try? FileManager.default.attributesOfItem(atPath: p))?[.modificationDate] as? Date, d > built { return nil }
        }
        return release
    }

    static func value(_ json: Any, _ path: String) -> Any? {
        var x: Any? = json
        var rest = Substring(path)
        while !rest.isEmpty {
            if rest.hasPrefix("[") {
                guard let close = rest.firstIndex(of: "]"), let i = Int(rest[rest.index(after: rest.startIndex)..<close]),
                    let a = x as? [Any], i < a.count
                else { return nil }
                x = a[i]; rest = rest[rest.index(after: close)...]
            } else {
                if rest.hasPrefix(".") { rest = rest.dropFirst() }
                let end = rest.firstIndex { $0 == "." || $0 == "[" } ?? rest.endIndex
                guard let d = x as? [String: Any] else { return nil }
                x = d[String(rest[..<end])]; rest = rest[end...]
            }
        }
        return x
    }

    static func format(_ v: Double, _ f: String) -> String {
        switch f {
        case "J", "s", "W", "Hz": return Units.format(v, f)
        case "mm2": return Units.format(area: v)
        case "int": return "\(Int(v.rounded()))"
        case "ratio": return Units.fixed(v, significant: 3) + "×"
        case "fixed4": return Units.fixed(v, significant: 4)
        case "f3": return String(format: "%.3f", v)
        case "g4": return String(format: "%.4g", v)
        default: return "unknown format \(f)"
        }
    }

    @Test(.enabled(if: DocsTests.binary != nil, "no release binary newer than Sources/ and no SPIKEBAR_DOCS_BINARY: run `make docs-check`"))
    func markedFiguresMatchTheBinary() throws {
        guard let exe = Self.binary else { return }
        let work = try freshTemporaryDirectory("docs-check")
        // Commands run from the package root (the tutorial's working directory); files they write go to
        // a temporary folder.
        func run(_ args: [String]) throws -> String {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: exe)
            p.currentDirectoryURL = packageRoot()
            p.arguments =
                args.map { $0.hasSuffix(".sbt") ? work.appendingPathComponent($0).path : $0 }
                + (["run", "compare"].contains(args.first ?? "") ? ["--out", work.appendingPathComponent("out-\(args.count)").path] : [])
            let out = Pipe(), err = Pipe()
            p.standardOutput = out; p.standardError = err
            try p.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            _ = err.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            #expect(p.terminationStatus == 0, "spikebar \(args.joined(separator: " ")) exited \(p.terminationStatus)")
            return String(decoding: data, as: UTF8.self)
        }
        var cache: [String: Any] = [:]
        for name in Self.documents {
            for m in Self.markers(in: try Self.document(name)) {
                for s in m.setup { _ = try run(s) }
                let key = m.command.joined(separator: " ")
                let json: Any
                if let c = cache[key] {
                    json = c
                } else {
                    json = try JSONSerialization.jsonObject(with: Data(try run(m.command + ["--json"]).utf8))
                    cache[key] = json
                }
                for c in m.checks {
                    guard let v = Self.value(json, c.path) as? NSNumber else {
                        Issue.record("\(name):\(m.line): no number at \(c.path) in `spikebar \(key) --json`"); continue
                    }
                    #expect(
                        Self.format(v.doubleValue, c.format) == c.text,
                        "\(name):\(m.line): `spikebar \(key)` gives \(Self.format(v.doubleValue, c.format)) at \(c.path); the doc quotes \(c.text)")
                }
            }
        }
    }
}
