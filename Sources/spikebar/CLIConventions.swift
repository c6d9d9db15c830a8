import ArgumentParser
import Foundation

/// The command line's conventions, applied to every command from `Spikebar.main`:
///
/// | exit status | meaning |
/// |---|---|
/// | 0 | success (and `--help`) |
/// | 1 | the command ran but its result check failed (`trace replay` found a differing spike, `validate crossbar` above tolerance, `bench trace-stream` read back different events) |
/// | 2 | bad input: a usage error, an unknown option or command, a scenario or file error, a request the command refuses before working |
/// | 130 | interrupted (Ctrl-C during `train`, which keeps a checkpoint) |
///
/// ArgumentParser's own usage errors exit 64 (`EX_USAGE`) and its other errors 1; both become 2 here,
/// so 1 always means "the result check failed". A mistyped command gets suggestions
/// (`spikebar rnu` → "did you mean run?"), and `spikebar help G` / `spikebar G --help` for a group
/// with a default subcommand (`sweep`, `validate`) show that subcommand's options.
enum CLIConventions {
    static let ok: Int32 = 0, checkFailed: Int32 = 1, badInput: Int32 = 2, interrupted: Int32 = 130

    /// The most chip samples one run programs (`--chips`, `--transfers`): each is a programmed chip (and for
    /// `retrain` a retraining), and the results log lists its units, so a count beyond this is a typo, not a
    /// plan — refused before any work rather than allocating for it.
    static let maxChips = 100_000

    /// `--chips N` (or `--transfers N`) checked: 1 … `maxChips`.
    static func checkChips(_ n: Int, option: String = "--chips") throws {
        guard (1...maxChips).contains(n) else { throw ValidationError("\(option) must be in 1 … \(maxChips), got \(n)") }
    }

    /// The exit status for an error thrown by parsing or running a command.
    static func status(for error: Error, code: ExitCode) -> Int32 {
        if let e = error as? ExitCode { return e.rawValue }
        switch code.rawValue {
        case 0: return ok
        case 130: return interrupted
        default: return badInput  // 64 (usage) and 1 (any other error) are bad input
        }
    }

    /// Levenshtein distance (small strings: command names).
    static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a), y = Array(b)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var row = Array(0...y.count)
        for i in 1...x.count {
            var previous = row[0]
            row[0] = i
            for j in 1...y.count {
                let old = row[j]
                row[j] = Swift.min(row[j] + 1, row[j - 1] + 1, previous + (x[i - 1] == y[j - 1] ? 0 : 1))
                previous = old
            }
        }
        return row[y.count]
    }

    /// Names within edit distance 2 of `word` (or starting with it), closest first.
    static func suggestions(for word: String, among names: [String]) -> [String] {
        let w = word.lowercased()
        var scored: [(name: String, d: Int)] = []
        for name in names {
            let d = distance(w, name)
            if d <= 2 || (w.count >= 2 && name.hasPrefix(w)) { scored.append((name, d)) }
        }
        scored.sort { a, b in a.d != b.d ? a.d < b.d : a.name < b.name }
        return scored.map(\.name)
    }

    /// A message for an unknown (sub)command in `args`, or nil when every command word is known.
    /// Groups without a default subcommand must be followed by one of theirs; a group with a default
    /// subcommand (`sweep SCENARIO`) only gets a suggestion when the word is close to a subcommand and
    /// is not an existing file.
    static func unknownCommand(_ args: [String], root: ParsableCommand.Type) -> String? {
        var command = root
        var path = ["spikebar"]
        for word in args {
            if word.hasPrefix("-") { return nil }
            let subs = command.configuration.subcommands
            guard !subs.isEmpty else { return nil }
            let names = subs.map { $0._commandName } + (ObjectIdentifier(command) == ObjectIdentifier(root) ? ["help"] : [])
            if word == "help" && ObjectIdentifier(command) == ObjectIdentifier(root) { return nil }
            if let next = subs.first(where: { $0._commandName == word || $0.configuration.aliases.contains(word) }) {
                command = next; path.append(word); continue
            }
            if command.configuration.defaultSubcommand != nil {
                let close = suggestions(for: word, among: names).filter { distance(word, $0) <= 2 }
                if close.isEmpty || FileManager.default.fileExists(atPath: word) { return nil }
                return
                    "unknown command '\(path.joined(separator: " ")) \(word)': did you mean \(close.map { "\(path.dropFirst().joined(separator: " ")) \($0)".trimmingCharacters(in: .whitespaces) }.joined(separator: " or "))? (`\(path.joined(separator: " ")) --help` lists them)"
            }
            let close = suggestions(for: word, among: names)
            let hint = close.isEmpty ? "commands: \(names.joined(separator: ", "))" : "did you mean \(close.prefix(3).joined(separator: " or "))?"
            return "unknown command '\(word)' for `\(path.joined(separator: " "))`: \(hint) (`\(path.joined(separator: " ")) --help` lists them)"
        }
        return nil
    }

    /// `help G…` and `G… --help` for a group with a default subcommand: the same for that subcommand,
    /// whose help then shows every option the user can type after `G`.
    static func rewriteHelp(_ args: [String], root: ParsableCommand.Type) -> [String] {
        let isHelp = args.first == "help"
        let words = isHelp ? Array(args.dropFirst()) : args
        guard isHelp || words.contains("--help") || words.contains("-h") else { return args }
        var command = root
        var consumed = 0
        for word in words where !word.hasPrefix("-") {
            guard let next = command.configuration.subcommands.first(where: { $0._commandName == word }) else { break }
            command = next; consumed += 1
        }
        guard consumed > 0, let sub = command.configuration.defaultSubcommand else { return args }
        let names = Array(words.filter { !$0.hasPrefix("-") }.prefix(consumed))
        return isHelp ? ["help"] + names + [sub._commandName] : names + [sub._commandName, "--help"]
    }
}
