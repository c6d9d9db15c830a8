import Foundation
import SpikebarCore
import SpikebarChip
import SpikebarDevices
import Yams

/// A decoded scenario together with where it came from, with every file it names resolved.
public struct LoadedScenario: Sendable {
    public var scenario: Scenario
    /// Path of the scenario file as given.
    public var path: String
    /// Absolute paths of the files the scenario names (nil when not used).
    public var inputImages: String?, inputLabels: String?, weightsFile: String?
    /// Absolute path of the `.sbt` trace of `input: {source: trace}`, and where `input.file` is written
    /// in the scenario (so that a bad trace is reported as `file:line: input.file: …`).
    public var inputTrace: String?, inputTraceLocation: SourceLocation?
    /// SHA-256-free digest of the scenario text (FNV-1a 64, hex): identifies the scenario in outputs.
    public var digest: String
    /// Absolute path of the `.nir` graph of `network: { nir: … }` (nil for a network of layers).
    public var nirGraph: String? = nil
    /// The data folder holding `nmnist-subset/` for `input: { source: nmnist }` (not checked here: the
    /// recordings' loader names what is missing and where to get it).
    public var nmnistData: String? = nil
}

/// Reads `Scenarios/*.yaml` into a validated `Scenario` (DESIGN §7).
///
/// Errors name the file, the line and column, and the key path: a YAML syntax error, an unknown key,
/// a wrong type, an out-of-range value and a missing referenced file are all `SpikebarError`s, never
/// crashes. The key path is located in the YAML node tree (`Yams.compose`), so the line is that of the
/// offending key or value.
public enum ScenarioLoader {
    /// `requireWeightsFile: false` accepts a `weights.file` that does not exist yet (`spikebar train`
    /// writes it); `weightsFile` is then nil.
    public static func load(path: String, requireWeightsFile: Bool = true) throws -> LoadedScenario {
        let data = try InputFile.read(path, hint: "the scenario file itself; see Scenarios/README.md for the bundled ones")
        guard let text = String(data: data, encoding: .utf8) else {
            throw SpikebarError.invalidInput(SourceLocation(file: path), "not UTF-8 text")
        }
        return try load(text: text, path: path, requireWeightsFile: requireWeightsFile)
    }

    /// `load(path:)` with command-line `settings` applied to the file's keys (`spikebar sweep --set`).
    public static func load(path: String, settings: [ScenarioSetting], requireWeightsFile: Bool = true) throws -> LoadedScenario {
        let data = try InputFile.read(path, hint: "the scenario file itself; see Scenarios/README.md for the bundled ones")
        guard let text = String(data: data, encoding: .utf8) else {
            throw SpikebarError.invalidInput(SourceLocation(file: path), "not UTF-8 text")
        }
        return try load(text: text, path: path, settings: settings, requireWeightsFile: requireWeightsFile)
    }

    /// Decodes scenario `text`; `path` is used for messages and to resolve relative file names.
    /// `settings` replace (or add) keys before decoding, so a set value is checked exactly like one in
    /// the file; an error at a set key names the setting (`--set tiles.rows=0: tiles.rows: …`), any
    /// other error says which settings were applied. The digest covers the text and the settings.
    public static func load(
        text: String, path: String, settings: [ScenarioSetting] = [],
        requireWeightsFile: Bool = true
    ) throws -> LoadedScenario {
        guard !settings.isEmpty else { return try decode(text: text, path: path, settings: [], requireWeightsFile: requireWeightsFile) }
        do {
            return try decode(text: text, path: path, settings: settings, requireWeightsFile: requireWeightsFile)
        } catch let SpikebarError.invalidInput(loc, message) {
            let key = loc.keyPath
            if let hit = settings.last(where: { key == $0.keyPath || key.hasPrefix($0.keyPath + ".") || key.hasPrefix($0.keyPath + "[") }) {
                throw SpikebarError.invalidInput(SourceLocation(file: "--set \(hit)", keyPath: key), message)
            }
            throw SpikebarError.invalidInput(loc, message + " (with " + settings.map { "--set \($0)" }.joined(separator: " ") + ")")
        }
    }

    static func decode(text: String, path: String, settings: [ScenarioSetting], requireWeightsFile: Bool) throws -> LoadedScenario {
        var node: Node
        do {
            guard let n = try Yams.compose(yaml: text) else {
                throw SpikebarError.invalidInput(SourceLocation(file: path), "empty scenario")
            }
            node = n
        } catch let error as YamlError {
            throw yamlError(error, path: path)
        }
        if let line = firstComplexKey(in: node) {
            // `? [a, b]: x` decodes as nothing at all (Yams keys a mapping by strings): refused, not ignored.
            throw SpikebarError.invalidInput(
                SourceLocation(file: path, line: line), "a mapping key must be a plain name, not a list or a mapping (`? [a, b]` / `? {a: b}`)")
        }
        for setting in settings { node = try setting.apply(to: node) }
        var scenario: Scenario
        do {
            scenario = try YAMLDecoder().decode(Scenario.self, from: node)
        } catch let error as DecodingError {
            throw locate(error, in: node, path: path)
        } catch let error as YamlError {
            throw yamlError(error, path: path)
        }
        if scenario.name.isEmpty {
            scenario.name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
            if let why = OutputPath.componentProblem(scenario.name) {
                throw SpikebarError.invalidInput(
                    SourceLocation(file: path, keyPath: "name"), "no name given, and the file name \(why); give the scenario a name")
            }
        }
        let steps = scenario.input.window / scenario.simulation.dt
        if steps > 1e9 {
            throw SpikebarError.invalidInput(
                location(of: ["simulation", "dt"], in: node, path: path),
                "dt (\(scenario.simulation.dt) s) cuts the input window (\(scenario.input.window) s) into \(steps) steps; at most 1e9 (time-stepped models allocate per step)"
            )
        }
        if steps < 1 || abs(steps - steps.rounded()) > 1e-6 * steps {
            throw SpikebarError.invalidInput(
                location(of: ["simulation", "dt"], in: node, path: path),
                "dt (\(scenario.simulation.dt) s) must divide the input window (\(scenario.input.window) s) into a whole number of steps")
        }
        let base = URL(fileURLWithPath: path).deletingLastPathComponent()
        func resolve(_ file: String?, _ keyPath: [String], hint: String = "paths are relative to the scenario file") throws -> String? {
            guard let file else { return nil }
            let url = file.hasPrefix("/") ? URL(fileURLWithPath: file) : base.appendingPathComponent(file)
            let resolved = url.standardizedFileURL.path
            guard FileManager.default.isReadableFile(atPath: resolved) else {
                throw SpikebarError.missingFile(
                    path: resolved, referencedFrom: location(of: keyPath, in: node, path: path),
                    hint: hint)
            }
            return resolved
        }
        // A device table (CSV) replaces the levels, window and programming errors (Docs/devices.md#device-csv).
        if var physics = scenario.device.physics, physics.model == .table {
            if let file = try resolve(physics.tableFile, ["device", "physics", "table"]) {
                let table = try DeviceTable.load(path: file)
                physics.table = table
                scenario.device.physics = physics
                scenario.device.levels = table.count
                scenario.device.gMin = table[0].conductance
                scenario.device.gMax = table[table.count - 1].conductance
                scenario.device.programmingError = table.map(\.programmingStd)
            }
        }
        // A passive array reads the measured TiO₂ database (Docs/passive-arrays.md#the-database).
        if var passive = scenario.device.passive, passive.disturbance == .samples || passive.disturbance == .stats || passive.failureValues == .maps {
            if let dir = TiO2Database.locate(explicit: passive.data, scenarioPath: path) {
                passive.database = try TiO2Database.load(directory: dir)
            } else if let given = passive.data {
                throw SpikebarError.missingFile(
                    path: given, referencedFrom: location(of: ["device", "passive", "data"], in: node, path: path),
                    hint: "the TiO₂ passive-crossbar database folder: \(TiO2Database.origin)")
            }
            scenario.device.passive = passive
            if passive.database == nil {
                FileHandle.standardError.write(
                    Data(
                        "note: TiO₂ passive-crossbar database not found: parametric V/3 disturbance and failure-value fits instead (get the data from \(TiO2Database.origin))\n"
                            .utf8))
            }
        }
        let s = scenario
        var loaded = LoadedScenario(
            scenario: s, path: path,
            inputImages: s.input.source == .mnist ? try resolve(s.input.file, ["input", "file"]) : nil,
            inputLabels: s.input.source == .mnist ? try resolve(s.input.labels, ["input", "labels"]) : nil,
            weightsFile: s.weights.source == .file
                ? (requireWeightsFile
                    ? try resolve(s.weights.file, ["weights", "file"], hint: weightsHint(s, path: path))
                    : (try? resolve(s.weights.file, ["weights", "file"])) ?? nil) : nil,
            inputTrace: s.input.source == .trace ? try resolve(s.input.file, ["input", "file"]) : nil,
            inputTraceLocation: s.input.source == .trace ? location(of: ["input", "file"], in: node, path: path) : nil,
            digest: fnv1a(settings.isEmpty ? text : text + settings.map { "\n# --set \($0)" }.joined()))
        if let nir = s.nir {
            loaded.nirGraph = try resolve(nir.file, ["network", "nir"], hint: "the NIR graph (.nir, HDF5); paths are relative to the scenario file")
        }
        if s.input.source == .nmnist {
            loaded.nmnistData = DataLocation.resolve(explicit: s.input.file, scenarioPath: path)
        }
        // Trained time constants travel with the weights (`spikebar train`, time_constants: trained).
        if let wf = loaded.weightsFile, FileManager.default.fileExists(atPath: wf) {
            loaded.scenario.tunedTimeConstants = try TunedTimeConstants.read(weightsFile: wf, network: s.network)
        }
        return loaded
    }

    /// What to do about a missing weights file: train it when the scenario says how.
    static func weightsHint(_ s: Scenario, path: String) -> String {
        s.training != nil
            ? "written by `spikebar train \(path)`: train first (paths are relative to the scenario file)"
            : "paths are relative to the scenario file; `spikebar train` writes weights files"
    }

    static func fnv1a(_ text: String) -> String { FNV1a64.hex(of: text) }

    static func yamlError(_ error: YamlError, path: String) -> SpikebarError {
        switch error {
        case let .scanner(_, problem, mark, _), let .parser(_, problem, mark, _), let .composer(_, problem, mark, _):
            return .invalidInput(SourceLocation(file: path, line: mark.line, column: mark.column), "YAML syntax: \(problem)")
        case let .duplicatedKeysInMapping(duplicates, context):
            // Yams' own message quotes the whole document (24 MB on stderr for a big file) and the
            // first occurrence; cite the repeated one instead (issue #22).
            let key = duplicates.first ?? "?"
            let first = context.mark.line
            let lines = context.text.split(separator: "\n", omittingEmptySubsequences: false)
            let indent = first >= 1 && first <= lines.count ? lines[first - 1].prefix { $0 == " " }.count : 0
            var again: Int?
            for n in first..<lines.count {
                let l = lines[n]
                if l.prefix(while: { $0 == " " }).count == indent, l.dropFirst(indent).hasPrefix("\(key):") { again = n + 1; break }
            }
            let more = duplicates.count > 1 ? " (also repeated: \(duplicates.dropFirst().prefix(5).joined(separator: ", ")))" : ""
            return .invalidInput(
                SourceLocation(file: path, line: again ?? first, keyPath: key),
                "duplicate key '\(key)' (first at line \(first))\(more)")
        default:
            let text = "\(error)"
            return .invalidInput(SourceLocation(file: path), "YAML: \(text.count > 400 ? String(text.prefix(400)) + "…" : text)")
        }
    }

    /// Turns a decoding error's coding path into `file:line: key.path: message`.
    /// The line (as Yams marks it, as every other located error) of the first mapping key in `node` that is not a scalar, or nil.
    static func firstComplexKey(in node: Node) -> Int? {
        var stack = [node]
        while let n = stack.popLast() {
            switch n {
            case let .mapping(m):
                for (key, value) in m {
                    if key.scalar == nil { return key.mark?.line ?? 1 }
                    stack.append(value)
                }
            case let .sequence(items):
                stack.append(contentsOf: items)
            default:
                break
            }
        }
        return nil
    }

    static func locate(_ error: DecodingError, in root: Node, path: String) -> SpikebarError {
        switch error {
        case let .keyNotFound(key, ctx):
            var loc = location(of: ctx.codingPath.map(\.stringValue), in: root, path: path)
            loc.keyPath = keyPathString(ctx.codingPath + [key])
            return .invalidInput(loc, "required key '\(key.stringValue)' is missing")
        case let .typeMismatch(type, ctx):
            return .invalidInput(location(ctx.codingPath, in: root, path: path), "expected \(describe(type))")
        case let .valueNotFound(type, ctx):
            return .invalidInput(location(ctx.codingPath, in: root, path: path), "expected \(describe(type)), found nothing")
        case let .dataCorrupted(ctx):
            var message = ctx.debugDescription
            if message.hasPrefix("Cannot initialize") {
                // Yams' wording for an enum with an unknown raw value.
                message = "invalid value: \(message)"
            }
            return .invalidInput(location(ctx.codingPath, in: root, path: path), message)
        @unknown default:
            return .invalidInput(SourceLocation(file: path), "\(error)")
        }
    }

    static func location(_ codingPath: [CodingKey], in root: Node, path: String) -> SourceLocation {
        var loc = location(of: codingPath.map { $0.intValue.map { "#\($0)" } ?? $0.stringValue }, in: root, path: path)
        loc.keyPath = keyPathString(codingPath)
        return loc
    }

    /// Line and column of the deepest node along `keys` (a mapping key's own line for the last key).
    /// Integer components are written `#n` (sequence indices).
    public static func location(of keys: [String], in root: Node, path: String) -> SourceLocation {
        var node: Node? = root
        var mark = root.mark
        for key in keys {
            guard let current = node else { break }
            if key.hasPrefix("#"), let index = Int(key.dropFirst()), let seq = current.sequence, index < seq.count {
                node = seq[index]
                mark = seq[index].mark ?? mark
            } else if let map = current.mapping,
                let pair = map.first(where: { $0.key.string == key })
            {
                mark = pair.key.mark ?? mark
                node = pair.value
            } else {
                break
            }
        }
        return SourceLocation(
            file: path, line: mark?.line, column: mark?.column,
            keyPath: keys.map { $0.hasPrefix("#") ? "[\($0.dropFirst())]" : $0 }
                .joined(separator: ".").replacingOccurrences(of: ".[", with: "["))
    }

    static func keyPathString(_ path: [CodingKey]) -> String {
        var s = ""
        for key in path {
            if let i = key.intValue { s += "[\(i)]" } else { s += s.isEmpty ? key.stringValue : ".\(key.stringValue)" }
        }
        return s
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is Double.Type, is Float.Type: return "a number"
        case is Int.Type, is UInt64.Type: return "an integer"
        case is Bool.Type: return "true or false"
        case is String.Type: return "a string"
        default:
            let name = "\(type)"
            if name.hasPrefix("Array") { return "a list" }
            if name.hasPrefix("Dictionary") { return "a mapping" }
            return "a \(name)"
        }
    }
}
