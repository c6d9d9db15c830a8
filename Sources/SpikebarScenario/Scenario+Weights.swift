import SpikebarChip

extension Scenario {
    /// Where a chip's DPI gains come from — the one rule, for every command: `weights.synapse_gains`
    /// when the scenario gives them, else the weights file's trained gains, else `neurons.synapse_gain`
    /// for every layer.
    public func synapseGains(file: [Double]?) -> (gains: [Double], source: String) {
        if let g = weights.synapseGains { return (g, "scenario weights.synapse_gains") }
        if let g = file { return (g, "weights file") }
        return (Array(repeating: lifNeurons.synapseGain, count: network.layers.count), "scenario neurons.synapse_gain")
    }

    /// The weights file at `path` for this scenario's network, with its gains as `synapseGains(file:)`
    /// resolves them (nil: neither the scenario nor the file gives any, the caller's default applies).
    public func loadWeights(path: String) throws -> (weights: [WeightMatrix], gains: [Double]?) {
        let w = try WeightFile.load(path: path, network: network)
        return (w.weights, weights.synapseGains ?? w.gains)
    }
}
