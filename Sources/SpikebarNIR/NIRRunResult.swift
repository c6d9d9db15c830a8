/// What one time-stepped run of an `NIRProgram` did: the class scores and, per node, the activity that
/// `spikebar nir price` turns into crossbar row reads (counts only, no energies).
public struct NIRRunResult: Sendable, Equatable {
    /// Time steps run (input frames).
    public var steps: Int
    /// Σ over steps of the Output node's values: spike counts per class for a spiking output.
    public var outputCounts: [Double]
    /// First step (0-based) at which the Output node was non-zero; nil when it stayed silent.
    public var firstOutputStep: Int?
    /// Earliest step after which the leading class (argmax of cumulative counts) no longer changes.
    public var decisionStep: Int?
    /// Per compiled node, in execution order.
    public var nodes: [NIRNodeActivity]

    /// Argmax of `outputCounts`, ties to the lower index; nil when every count is 0.
    public var predictedClass: Int? {
        guard let m = outputCounts.max(), m > 0 else { return nil }
        return outputCounts.firstIndex(of: m)
    }
}

/// Activity of one compiled node over a run.
public struct NIRNodeActivity: Sendable, Equatable {
    /// Qualified name and NIR type of the node.
    public var name: String, typeName: String
    /// Σ over steps of each output element (spike counts for a spiking node).
    public var outputTotals: [Double]
    /// Number of (step, output element) pairs with a non-zero output (spikes emitted, for a spiking node).
    public var nonzeroOutputs: Int
    /// Number of (step, input element) pairs with a non-zero input: the rows an event-driven crossbar
    /// reads for a weight node (one read per active input per step).
    public var nonzeroInputs: Int
    /// Σ over steps and elements of |input|: for spike counts, the input spikes (one row read each when
    /// every spike is its own event).
    public var inputSum: Double
}
