import SpikebarCore
import SpikebarCost

/// The figures of merit of one design point on one architecture, per inference: what `spikebar sweep`
/// and `spikebar compare` put on their Pareto charts and in their CSV/JSON.
///
/// Every sweep and comparison figure comes from `DesignMetrics.of(_:)`, the one place that reads a
/// `CostEstimate`; a further latency basis (e.g. streaming vs compute latency) is one more field here.
public struct DesignMetrics: Codable, Sendable, Equatable {
    /// `"rram-snn"`, `"dynap"`, `"adc-cim"`, …
    public var architecture: String
    /// Mean energy per inference (J).
    public var energy: Joules
    /// Mean latency per inference (s) on the **streaming** basis (input arriving in real time, start of
    /// input → decision): the sum of the cost model's latency components.
    public var latency: Seconds
    /// Mean latency per inference (s) on the **compute** basis (input already buffered).
    public var computeLatency: Seconds
    /// Chip area (m²).
    public var area: SquareMetres
    /// Mean power over the presentation window (W): energy per inference / input window. An
    /// assumption: inferences back to back, one per window (the input's duration, not the latency).
    public var power: Watts
    /// Energy-delay product (J·s): mean energy × mean latency.
    public var edp: Double

    public init(
        architecture: String, energy: Joules, latency: Seconds, area: SquareMetres, window: Seconds,
        computeLatency: Seconds? = nil
    ) {
        self.architecture = architecture; self.energy = energy; self.latency = latency; self.area = area
        self.computeLatency = computeLatency ?? latency
        power = window > 0 ? energy / window : 0
        edp = energy * latency
    }

    enum CodingKeys: String, CodingKey { case architecture, energy, latency, computeLatency, area, power, edp }

    /// Sweep logs written before the compute basis existed read it as the streaming latency.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        architecture = try c.decode(String.self, forKey: .architecture)
        energy = try c.decode(Double.self, forKey: .energy)
        latency = try c.decode(Double.self, forKey: .latency)
        computeLatency = try c.decodeIfPresent(Double.self, forKey: .computeLatency) ?? latency
        area = try c.decode(Double.self, forKey: .area)
        power = try c.decode(Double.self, forKey: .power)
        edp = try c.decode(Double.self, forKey: .edp)
    }

    /// Energy, both latency bases and area of one priced inference: the one reading of a `CostEstimate`.
    public static func of(_ e: CostEstimate) -> (energy: Joules, latency: Seconds, computeLatency: Seconds, area: SquareMetres) {
        (e.totalEnergy, e.totalLatency, e.totalComputeLatency, e.totalArea)
    }

    /// The metrics of each architecture over several inferences: `estimates[k][m]` is inference `k`
    /// priced on architecture `m`. Means in inference order (deterministic sums); area of the first.
    public static func mean(_ estimates: [[CostEstimate]], window: Seconds) -> [DesignMetrics] {
        guard let first = estimates.first else { return [] }
        let n = Double(estimates.count)
        return first.indices.map { m in
            var e = 0.0, l = 0.0, c = 0.0
            for row in estimates where m < row.count {
                let x = of(row[m])
                e += x.energy; l += x.latency; c += x.computeLatency
            }
            return DesignMetrics(
                architecture: first[m].architecture, energy: e / n, latency: l / n,
                area: of(first[m]).area, window: window, computeLatency: c / n)
        }
    }

    /// The mean of the same architecture's metrics over several chips: energy, latency, area and power
    /// averaged (power is energy / window, linear in energy), EDP recomputed from the means.
    public static func mean(_ xs: [DesignMetrics]) -> DesignMetrics? {
        guard let first = xs.first else { return nil }
        let n = Double(xs.count)
        var m = DesignMetrics(
            architecture: first.architecture, energy: xs.reduce(0) { $0 + $1.energy } / n,
            latency: xs.reduce(0) { $0 + $1.latency } / n, area: xs.reduce(0) { $0 + $1.area } / n, window: 0,
            computeLatency: xs.reduce(0) { $0 + $1.computeLatency } / n)
        m.power = xs.reduce(0) { $0 + $1.power } / n
        return m
    }
}
