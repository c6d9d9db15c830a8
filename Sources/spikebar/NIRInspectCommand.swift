import ArgumentParser
import Foundation
import SpikebarCore
import SpikebarNIR

/// `spikebar nir inspect FILE`: nodes, shapes, parameter counts and edges of an NIR graph.
struct NIRInspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Nodes (type, input and output shape, parameters) and edges of an NIR graph; subgraphs inlined as outer.inner.")

    @Argument(help: "The .nir file.") var file: String
    @Flag(help: "Print the graph as JSON.") var json = false

    struct Node: Codable {
        var name: String; var type: String; var inputShape: [Int]; var outputShape: [Int]; var parameters: Int; var delayedInputs: [String]
    }
    struct Report: Codable { var file: String; var version: String; var nodes: [Node]; var edges: [[String]]; var parameters: Int; var dt: Double }

    func run() throws {
        do {
            let graph = try readNIRGraphIsolated(path: file)
            let options = NIRRunOptions(dt: NIRRunOptions.defaultStep(for: graph))
            let program = try NIRProgram(graph: graph, options: options, file: file)
            var params: [String: Int] = [:]
            func collect(_ g: NIRGraph, _ prefix: String) {
                for (name, node) in g.nodes {
                    let q = prefix.isEmpty ? name : prefix + "." + name
                    if case let .graph(sub) = node { collect(sub, q) } else { params[q] = node.parameterCount }
                }
            }
            collect(graph, "")
            var edges: [[String]] = []
            func collectEdges(_ g: NIRGraph, _ prefix: String) {
                for e in g.edges { edges.append([e.source, e.target].map { prefix.isEmpty ? $0 : prefix + "." + $0 }) }
                for name in g.sortedNames {
                    if case let .graph(sub)? = g.nodes[name] { collectEdges(sub, prefix.isEmpty ? name : prefix + "." + name) }
                }
            }
            collectEdges(graph, "")
            let nodes = program.nodes.map { n in
                Node(
                    name: n.name, type: n.typeName, inputShape: n.inputShape, outputShape: n.outputShape, parameters: params[n.name] ?? 0,
                    delayedInputs: n.inputs.filter(\.delayed).map { program.nodes[$0.source].name })
            }
            let report = Report(
                file: file, version: graph.version, nodes: nodes, edges: edges, parameters: graph.nodes.values.reduce(0) { $0 + $1.parameterCount },
                dt: options.dt)
            if json { try printJSON(report); return }
            print(
                "\(file): NIR \(graph.version.isEmpty ? "(no version)" : graph.version), \(nodes.count) nodes (execution order), \(edges.count) edges, \(report.parameters) parameters"
            )
            let w = max(4, nodes.map(\.name.count).max() ?? 4)
            func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
            print(pad("node", w) + "  " + pad("type", 10) + "  " + pad("input", 14) + "  " + pad("output", 14) + "  parameters")
            for n in nodes {
                let shape = { (s: [Int]) in s.map(String.init).joined(separator: "×") }
                let rec = n.delayedInputs.isEmpty ? "" : "  (recurrent input from \(n.delayedInputs.joined(separator: ", ")), one step delayed)"
                print(
                    pad(n.name, w) + "  " + pad(n.type, 10) + "  " + pad(shape(n.inputShape), 14) + "  " + pad(shape(n.outputShape), 14)
                        + "  \(n.parameters)" + rec)
            }
            print("edges: " + edges.map { "\($0[0]) → \($0[1])" }.joined(separator: ", "))
        } catch let e as NIRError {
            fail(
                SpikebarError.invalidInput(
                    SourceLocation(file: e.file, keyPath: [e.node, e.key].filter { !$0.isEmpty }.joined(separator: ": ")), e.reason))
        }
    }
}
