import SpikebarCore
import SpikebarChip

/// Where the weights come from.
public struct WeightSpec: Sendable, Codable, Equatable {
    public enum Source: String, Sendable, Codable, CaseIterable { case generated, file }
    public var source: Source
    /// Weights file (`spikebar train` writes it), relative to the scenario file.
    public var file: String?
    /// Generated weights: normal with this mean and std, in units of the conductance window
    /// (±1 = one cell at G_max, its partner at G_min), clipped to [−1, 1].
    public var mean: Double, std: Double
    /// Generated weights: the DPI gain of each layer is calibrated so that its neurons fire at this
    /// mean rate (Hz) on the scenario's input, so that architecture comparisons see realistic activity.
    /// 0 disables the calibration.
    public var targetRate: Double
    /// Calibrated output-layer rate (Hz) (the output layer usually fires less than the hidden one).
    public var targetOutputRate: Double
    /// DPI gain of each layer of neurons, replacing the weights file's trained gains and
    /// `neurons.synapse_gain` (dimensionless). The charge a read delivers is `gain · V_read · t_read · ΔG`,
    /// so a chip read with another pulse or voltage than the one a network was trained for keeps the
    /// trained charge per read with `gain × (V·t)_trained / (V·t)_chip` (a DPI input mirror that
    /// attenuates the column current). Absent: the file's gains, else `neurons.synapse_gain`.
    public var synapseGains: [Double]?

    public static let `default` = WeightSpec(source: .generated, file: nil, mean: 0.1, std: 0.5, targetRate: 20, targetOutputRate: 10)
    public init(source: Source, file: String?, mean: Double, std: Double, targetRate: Double, targetOutputRate: Double) {
        self.source = source; self.file = file; self.mean = mean; self.std = std
        self.targetRate = targetRate; self.targetOutputRate = targetOutputRate
        self.synapseGains = nil
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case source, file, mean, std, targetRate = "target_rate", targetOutputRate = "target_output_rate"
        case synapseGains = "synapse_gains"
    }
    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        file = try c.decodeIfPresent(String.self, forKey: .file)
        source = try c.choice(.source, default: file == nil ? .generated : .file)
        if source == .file, file == nil { throw c.invalid(.file, "source: file needs a weights file path") }
        mean = try c.decode(.mean, default: 0.1, in: -1...1)
        std = try c.decode(.std, default: 0.5, in: 0...10)
        targetRate = try c.decode(.targetRate, default: 20, in: 0...1000, unit: "Hz")
        targetOutputRate = try c.decode(.targetOutputRate, default: 10, in: 0...1000, unit: "Hz")
        synapseGains = try c.decodeIfPresent([Double].self, forKey: .synapseGains)
        if let g = synapseGains, g.isEmpty || !g.allSatisfy({ $0.isFinite && $0 > 0 }) {
            throw c.invalid(.synapseGains, "every gain must be a finite number > 0")
        }
    }
}
