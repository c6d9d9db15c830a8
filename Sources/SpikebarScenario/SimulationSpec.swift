import SpikebarCore
import SpikebarChip

/// How the kernel advances time.
public struct SimulationSpec: Sendable, Codable, Equatable {
    public enum Timing: String, Sendable, Codable, CaseIterable {
        /// Continuous time (1 ps resolution), exact integration, threshold crossings by root finding.
        case exact
        /// Quantised to `dt`: the replay contract with the twin.
        case grid
    }
    public var timing: Timing
    /// Step of grid mode, of the twin and of the time-stepped ADC baseline (s).
    public var dt: Seconds
    /// Worker threads for multi-sample runs (0 = all cores). Results do not depend on it.
    public var threads: Int
    /// Threads that share one inference's input row reads in grid mode (`RunOptions.deliveryThreads`;
    /// issue #19): for large networks run one inference at a time. Results do not depend on it.
    public var inferenceThreads: Int = 1

    public static let `default` = SimulationSpec(timing: .exact, dt: 1e-3, threads: 0)
    public init(timing: Timing, dt: Seconds, threads: Int) { self.timing = timing; self.dt = dt; self.threads = threads }

    enum CodingKeys: String, CodingKey, CaseIterable { case timing, dt, threads, inferenceThreads = "inference_threads" }
    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        timing = try c.choice(.timing, default: .exact)
        dt = try c.positive(.dt, default: 1e-3, unit: "s")
        threads = try c.decode(.threads, default: 0, in: 0...4096)
        inferenceThreads = try c.decode(.inferenceThreads, default: 1, in: 1...4096)
    }
}
