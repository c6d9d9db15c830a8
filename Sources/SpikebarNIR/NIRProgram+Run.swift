extension NIRProgram {
    /// Runs the program on `frames` (one input vector of `inputCount` values per time step, C order of
    /// the Input's shape) from the zero state. Throws `NIRError` when a frame has the wrong size.
    /// `observe(node, step, input)` sees the summed input of every weight node (Affine, Linear, Conv) at
    /// every step, before the node computes (what `NIRPricing` turns into row reads).
    /// `spikes(node, step, output)` sees every spiking neuron node's output (spike counts) at every step.
    public func run(
        frames: [[Double]], observe: ((_ node: Int, _ step: Int, _ input: [Double]) -> Void)? = nil,
        spikes: ((_ node: Int, _ step: Int, _ output: [Double]) -> Void)? = nil
    ) throws -> NIRRunResult {
        for (t, f) in frames.enumerated() where f.count != inputCount {
            throw NIRError(file: file, node: nodes[inputIndex].name, "input frame \(t) has \(f.count) values, the Input takes \(inputCount)")
        }
        return execute(steps: frames.count, fill: { t, buffer in buffer = frames[t] }, observe: observe, spikes: spikes)
    }

    /// Runs the program on sparse steps: `steps[t]` lists `(index, value)` pairs of the input (values of
    /// one index add up; every other input is 0). Same semantics as `run(frames:)`, without dense frames.
    public func run(
        sparse steps: [[(index: Int, value: Double)]], observe: ((_ node: Int, _ step: Int, _ input: [Double]) -> Void)? = nil,
        spikes: ((_ node: Int, _ step: Int, _ output: [Double]) -> Void)? = nil
    ) throws -> NIRRunResult {
        for (t, s) in steps.enumerated() {
            if let bad = s.first(where: { $0.index < 0 || $0.index >= inputCount }) {
                throw NIRError(
                    file: file, node: nodes[inputIndex].name, "input step \(t) addresses element \(bad.index), the Input has \(inputCount)")
            }
        }
        return execute(
            steps: steps.count,
            fill: { t, buffer in
                if t > 0 { for e in steps[t - 1] { buffer[e.index] = 0 } }
                for e in steps[t] { buffer[e.index] += e.value }
            }, observe: observe, spikes: spikes)
    }

    /// The step loop: `fill(t, &input)` writes step `t`'s input into the Input's buffer (which holds the
    /// previous step's input, zeros at t = 0).
    func execute(
        steps stepCount: Int, fill: (Int, inout [Double]) -> Void,
        observe: ((_ node: Int, _ step: Int, _ input: [Double]) -> Void)?,
        spikes: ((_ node: Int, _ step: Int, _ output: [Double]) -> Void)? = nil,
        tape: NIRTape? = nil
    ) -> NIRRunResult {
        let n = nodes.count
        let sizes = nodes.map { $0.outputShape.reduce(1, *) }
        let inSizes = nodes.map { $0.inputShape.reduce(1, *) }
        var cur = sizes.map { [Double](repeating: 0, count: $0) }
        var prev = cur
        let needsPrev = Set(nodes.flatMap { $0.inputs.filter(\.delayed).map(\.source) })
        var inbuf = inSizes.map { [Double](repeating: 0, count: $0) }
        var v = nodes.map { node -> [Double] in
            if case let .neuron(s) = node.operation { return s.vLeak.isEmpty ? [] : Array(repeating: 0, count: s.count) }
            return []
        }
        var syn = v
        var delayLines: [[[Double]]] = nodes.enumerated().map { j, node in
            if case let .delay(d) = node.operation { return Array(repeating: Array(repeating: 0, count: inSizes[j]), count: (d.max() ?? 0) + 1) }
            return []
        }
        var tally = NIRRunTally(self)
        var active: [Int] = []
        for t in 0..<stepCount {
            for s in needsPrev { prev[s] = cur[s] }
            for j in 0..<n {
                let node = nodes[j]
                if j == inputIndex {
                    fill(t, &inbuf[j])
                } else {
                    // Taken out of the array and put back: no copy-on-write check per element.
                    var input = inbuf[j]
                    inbuf[j] = []
                    for k in 0..<inSizes[j] { input[k] = 0 }
                    for i in node.inputs {
                        let source = i.delayed ? prev[i.source] : cur[i.source]
                        for k in 0..<inSizes[j] { input[k] += source[k] }
                    }
                    inbuf[j] = input
                }
                active.removeAll(keepingCapacity: true)
                var sum = 0.0
                let given = inbuf[j]
                for k in 0..<inSizes[j] where given[k] != 0 { active.append(k); sum += abs(given[k]) }
                tally.activity[j].nonzeroInputs += active.count
                tally.activity[j].inputSum += sum
                if let tape {
                    switch node.operation {
                    case .dense, .convolution, .threshold: tape.inputs[t][j] = inbuf[j]
                    default: break
                    }
                }
                if let observe {
                    switch node.operation {
                    case .dense, .convolution: observe(j, t, inbuf[j])
                    default: break
                    }
                }
                switch node.operation {
                case .identity:
                    cur[j] = inbuf[j]
                case let .dense(wt, _, outputs, bias):
                    for o in 0..<outputs { cur[j][o] = bias[o] }
                    for k in active {
                        let x = inbuf[j][k], base = k * outputs
                        for o in 0..<outputs { cur[j][o] += wt[base + o] * x }
                    }
                case let .scale(s):
                    for k in 0..<inSizes[j] { cur[j][k] = s[k] * inbuf[j][k] }
                case let .threshold(th):
                    for k in 0..<inSizes[j] {
                        let x = inbuf[j][k]
                        cur[j][k] = (options.comparison == .greater ? x > th[k] : x >= th[k]) ? 1 : 0
                    }
                case let .delay(d):
                    let len = delayLines[j].count
                    delayLines[j][t % len] = inbuf[j]
                    for k in 0..<inSizes[j] { cur[j][k] = t >= d[k] ? delayLines[j][(t - d[k]) % len][k] : 0 }
                case let .convolution(c):
                    let plane = c.outHeight * c.outWidth
                    for o in 0..<c.outChannels { for p in 0..<plane { cur[j][o * plane + p] = c.bias[o] } }
                    var y = cur[j]
                    cur[j] = []
                    c.scatter(active: active, input: inbuf[j], into: &y)
                    cur[j] = y
                case let .pooling(p, input, output):
                    var y = [Double](repeating: 0, count: sizes[j])
                    let x = inbuf[j]
                    p.forEachTap(input: input, output: output) { out, i in y[out] += x[i] }
                    if p.average {
                        let area = Double(p.kernel[0] * p.kernel[1])
                        for k in 0..<sizes[j] { y[k] /= area }
                    }
                    cur[j] = y
                case let .neuron(s):
                    if let tape {
                        tape.inputs[t][j] = inbuf[j]
                        tape.preReset[t][j] = [Double](repeating: 0, count: s.count)
                        tape.preReset[t][j].withUnsafeMutableBufferPointer { p in
                            s.step(input: inbuf[j], v: &v[j], syn: &syn[j], output: &cur[j], preReset: p.baseAddress)
                        }
                    } else {
                        s.step(input: inbuf[j], v: &v[j], syn: &syn[j], output: &cur[j])
                    }
                    if let spikes, s.threshold != nil { spikes(j, t, cur[j]) }
                }
                tally.output(j, cur[j])
            }
            tally.closeStep(t, output: cur[outputIndex])
        }
        return tally.result(steps: stepCount)
    }
}
