/// What a run of an `NIRProgram` counts as it goes — each node's activity, the output's counts, its
/// first spike and the step at which the leading class last changed — for the time-stepped run and
/// the continuous-time run alike (one rule for both `NIRRunResult`s).
struct NIRRunTally {
    var activity: [NIRNodeActivity]
    var outputCounts: [Double]
    var firstOutput: Int? = nil, decision: Int? = nil, leader: Int? = nil

    init(_ program: NIRProgram) {
        activity = program.nodes.map {
            NIRNodeActivity(
                name: $0.name, typeName: $0.typeName, outputTotals: Array(repeating: 0, count: $0.outputShape.reduce(1, *)),
                nonzeroOutputs: 0, nonzeroInputs: 0, inputSum: 0)
        }
        outputCounts = Array(repeating: 0, count: program.outputCount)
    }

    /// Node `j`'s output of this step (its non-zero elements are added to its totals).
    mutating func output(_ j: Int, _ output: [Double]) {
        var totals = activity[j].outputTotals
        activity[j].outputTotals = []  // taken out and put back: no copy-on-write check per element
        var nonzero = 0
        for k in 0..<output.count where output[k] != 0 {
            nonzero += 1
            totals[k] += output[k]
        }
        activity[j].outputTotals = totals
        activity[j].nonzeroOutputs += nonzero
    }

    /// The Output node's values at step `t`, after every node ran.
    mutating func closeStep(_ t: Int, output out: [Double]) {
        if firstOutput == nil, out.contains(where: { $0 != 0 }) { firstOutput = t }
        for k in 0..<outputCounts.count { outputCounts[k] += out[k] }
        if let m = outputCounts.max(), m > 0 {
            let lead = outputCounts.firstIndex(of: m)
            if lead != leader { leader = lead; decision = t }
        }
    }

    func result(steps: Int) -> NIRRunResult {
        NIRRunResult(steps: steps, outputCounts: outputCounts, firstOutputStep: firstOutput, decisionStep: decision, nodes: activity)
    }
}
