/// What a forward run keeps for backpropagation through time (`NIRProgram.gradient`): per step and
/// node, the input of every weight, threshold and neuron node and each neuron's membrane before its
/// spike and reset. Empty for the other nodes (their adjoints need no stored values).
public final class NIRTape {
    /// `inputs[t][j]`: node j's summed input at step t.
    public var inputs: [[[Double]]]
    /// `preReset[t][j]`: neuron node j's membrane before the spike test at step t.
    public var preReset: [[[Double]]]

    public init(steps: Int, nodes: Int) {
        inputs = Array(repeating: Array(repeating: [], count: nodes), count: steps)
        preReset = inputs
    }
}
