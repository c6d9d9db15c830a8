/// An NIR graph compiled for time-stepped execution: subgraphs inlined (their Input/Output nodes become
/// pass-throughs named `outer.input`…), every node's input and output shape inferred from the graph's
/// Input, nodes ordered so that each runs after its sources, and every edge that closes a cycle marked
/// *delayed*: it delivers its source's output of the previous step (NIR leaves this open; snnTorch's
/// and Norse's recurrent layers read the previous step's spikes). `run(frames:)` executes it.
///
/// Shapes are C order without NIR's batch dimension (`[C, H, W]`). Deterministic: one thread per run,
/// no randomness; runs of different inputs share nothing and can go in parallel.
public struct NIRProgram: Sendable {
    /// One node after compilation.
    public struct Node: Sendable {
        /// Qualified name (`lif1.lin` for a node of subgraph `lif1`).
        public var name: String
        public var operation: NIROperation
        /// Sources: node index, and whether the edge closes a cycle (previous step's output).
        public var inputs: [(source: Int, delayed: Bool)]
        public var inputShape: [Int]
        public var outputShape: [Int]
        /// NIR type string of the node it came from (`Conv2d`, `IF`, `Input`…).
        public var typeName: String
    }

    /// Nodes in execution order.
    public let nodes: [Node]
    /// Index of the graph's Input node in `nodes`.
    public let inputIndex: Int
    /// Index of the graph's Output node (the first by name when there are several).
    public let outputIndex: Int
    /// Options it was compiled with.
    public let options: NIRRunOptions
    /// The file the graph came from (for errors).
    public let file: String

    /// Number of values of one input frame.
    public var inputCount: Int { nodes[inputIndex].outputShape.reduce(1, *) }
    /// Number of output values (classes).
    public var outputCount: Int { nodes[outputIndex].outputShape.reduce(1, *) }

    /// Compiles `graph`; throws `NIRError` naming the node when shapes disagree, the graph has no single
    /// Input, or a node cannot run.
    public init(graph: NIRGraph, options: NIRRunOptions, file: String = "<memory>") throws {
        guard options.dt > 0, options.dt.isFinite else { throw NIRError(file: file, "time step dt must be > 0 (got \(options.dt))") }
        try graph.validate(file: file)
        self.options = options; self.file = file
        var flat = FlatGraph(file: file)
        try flat.inline(graph, prefix: "")
        let topInputs = graph.names(ofType: "Input"), topOutputs = graph.names(ofType: "Output")
        guard topInputs.count == 1 else {
            throw NIRError(file: file, "the graph has \(topInputs.count) Input nodes; Spikebar runs graphs with exactly one")
        }
        guard let out = topOutputs.first else { throw NIRError(file: file, "the graph has no Output node") }
        // Order: depth-first from the Input (edges in file order), then from every node not reached, by name.
        let n = flat.names.count
        var succ = Array(repeating: [Int](), count: n)
        for e in flat.edges { succ[e.0].append(e.1) }
        var state = Array(repeating: 0, count: n)  // 0 new, 1 on the stack, 2 done
        var post: [Int] = []
        var back = Set<[Int]>()
        func visit(_ root: Int) {
            var stack: [(node: Int, next: Int)] = [(root, 0)]
            state[root] = 1
            while let top = stack.last {
                if top.next < succ[top.node].count {
                    stack[stack.count - 1].next += 1
                    let t = succ[top.node][top.next]
                    if state[t] == 1 { back.insert([top.node, t]) } else if state[t] == 0 { state[t] = 1; stack.append((t, 0)) }
                } else {
                    state[top.node] = 2; post.append(top.node); stack.removeLast()
                }
            }
        }
        guard let inputFlat = flat.index[topInputs[0]], let outputFlat = flat.index[out] else {
            throw NIRError(file: file, "the Input or Output node was lost while inlining subgraphs")
        }
        visit(inputFlat)
        for k in flat.order where state[k] == 0 { visit(k) }
        let order = Array(post.reversed())
        var position = Array(repeating: 0, count: n)
        for (p, k) in order.enumerated() { position[k] = p }
        var nodes: [Node] = []
        var shapes = Array(repeating: [Int](), count: n)
        for k in order {
            let name = flat.names[k]
            let ins = flat.edges.filter { $0.1 == k }.map { (source: position[$0.0], delayed: back.contains([$0.0, k])) }
            var inShape: [Int]
            if k == inputFlat {
                guard case let .input(shape) = flat.nodes[k] else { throw NIRError(file: file, node: name, "is not an Input") }
                inShape = shape
            } else if let firstKnown = ins.first(where: { !$0.delayed }) {
                inShape = shapes[order[firstKnown.source]]
            } else if case let .input(shape) = flat.nodes[k] {
                inShape = shape  // a subgraph's Input reached only through a delayed edge
            } else {
                inShape = try NIROperation.naturalInputShape(flat.nodes[k], file: file, node: name)
            }
            for i in ins where !i.delayed {
                let s = shapes[order[i.source]]
                guard s.reduce(1, *) == inShape.reduce(1, *) else {
                    throw NIRError(
                        file: file, node: name,
                        "its inputs disagree in size: \(flat.names[order[ins[0].source]]) gives \(inShape), \(flat.names[order[i.source]]) gives \(s)"
                    )
                }
            }
            let (op, outShape) = try NIROperation.compile(flat.nodes[k], inputShape: inShape, options: options, file: file, node: name)
            shapes[k] = outShape
            nodes.append(
                Node(
                    name: name, operation: op, inputs: ins, inputShape: inShape, outputShape: outShape,
                    typeName: flat.nodes[k].typeName))
        }
        // Delayed edges: their source's size is known only now.
        for node in nodes {
            for i in node.inputs where i.delayed {
                let s = nodes[i.source].outputShape
                guard s.reduce(1, *) == node.inputShape.reduce(1, *) else {
                    throw NIRError(
                        file: file, node: node.name,
                        "the recurrent edge from \(nodes[i.source].name) brings \(s.reduce(1, *)) values, the node takes \(node.inputShape.reduce(1, *))"
                    )
                }
            }
        }
        self.nodes = nodes
        self.inputIndex = position[inputFlat]
        self.outputIndex = position[outputFlat]
    }
}
