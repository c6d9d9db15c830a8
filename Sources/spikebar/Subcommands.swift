import ArgumentParser

extension Spikebar {
    static var allSubcommands: [ParsableCommand.Type] {
        var list: [ParsableCommand.Type] = [RunCommand.self, CompareCommand.self, BenchCommand.self, ValidateCommand.self]
        list.append(contentsOf: extraSubcommands)
        return list
    }
}
