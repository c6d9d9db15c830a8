import SpikebarChip
import SpikebarCore
import SpikebarNIR

/// A network taken from an NIR graph (`network: { nir: graph.nir, … }`, Docs/nir.md, "Scenarios"):
/// the graph gives the topology, the weights and every neuron's parameters; the scenario gives the
/// device, the tiles, the input, the timing and the price lists. NIR fixes the equations but not how
/// they are stepped, so the settings the exporters differ in are keys here, with the NIR spec's
/// choices as defaults (`NIRRunOptions`).
public struct NIRNetworkSpec: Sendable, Codable, Equatable {
    /// The `.nir` file as written in the scenario (relative to the scenario file);
    /// `LoadedScenario.nirGraph` holds the resolved path.
    public var file: String
    /// How convolutions are laid out on tiles (default kernel-stationary: weights stored once).
    public var mapping: ConvolutionMapping
    /// The graph's integration step, in the unit of its time constants (nil: 1 for graphs without time
    /// constants or delays — Sinabs counts frames —, else the scenario's `simulation.dt` in seconds, the
    /// unit snnTorch, Norse and Rockpool export time constants in: one step per input frame).
    public var dt: Double?
    public var discretisation: NIRRunOptions.Discretisation
    /// `zero` (v ← v_reset, NIR spec) or `subtract` (v ← v − θ, Sinabs, snnTorch's subtract).
    public var reset: NIRRunOptions.Reset
    /// `>` (NIR spec) or `>=` (Sinabs).
    public var threshold: NIRRunOptions.Comparison

    enum CodingKeys: String, CodingKey, CaseIterable { case file = "nir", mapping, dt, discretisation, reset, threshold }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        file = try c.decode(String.self, forKey: .file)
        if file.isEmpty { throw c.invalid(.file, "empty path: give the .nir file, relative to the scenario file") }
        mapping = try c.choice(.mapping, default: .kernelStationary)
        dt = try c.contains(.dt) ? c.positive(.dt, default: 1, unit: "s") : nil
        discretisation = try c.choice(.discretisation, default: .forwardEuler)
        reset = try c.choice(.reset, default: .toResetPotential)
        threshold = try c.choice(.threshold, default: .greater)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(file, forKey: .file)
        try c.encode(mapping.rawValue, forKey: .mapping)
        try c.encodeIfPresent(dt, forKey: .dt)
        try c.encode(discretisation.rawValue, forKey: .discretisation)
        try c.encode(reset.rawValue, forKey: .reset)
        try c.encode(threshold.rawValue, forKey: .threshold)
    }

    /// How the graph is stepped; `frame` (s) is the scenario's `simulation.dt`, the step of a graph with
    /// time constants when `dt` is not given.
    public func runOptions(for graph: NIRGraph, frame: Double) -> NIRRunOptions {
        let step = dt ?? (NIRRunOptions.defaultStep(for: graph) == 1 ? 1 : frame)
        return NIRRunOptions(dt: step, discretisation: discretisation, reset: reset, comparison: threshold)
    }

    /// Whether the network section names an NIR graph (a `nir` key), read before choosing its decoder.
    struct Probe: Decodable {
        var namesGraph: Bool
        enum CodingKeys: String, CodingKey { case nir }
        init(from decoder: Decoder) throws {
            namesGraph = (try? decoder.container(keyedBy: CodingKeys.self))?.contains(.nir) ?? false
        }
    }
}
