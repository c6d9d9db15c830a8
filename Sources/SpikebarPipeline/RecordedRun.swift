import Foundation
import SpikebarTrace

/// What a `.sbt` trace written by `spikebar run --record` says about the run, stored as the header's
/// metadata JSON (Docs/trace-format.md, "Recorded runs").
///
/// The address space is the chip's populations (input first, then every layer). Inference `k` occupies
/// the time slice `[k · stride, (k + 1) · stride)` ps: its spikes are stored at `k · stride + t`, `t`
/// being the kernel's time within the window. The time unit is the kernel's time lattice (1 ps in exact
/// mode, the grid step in grid mode), so every recorded time is exact and replay is bit-exact.
public struct RecordedRun: Codable, Sendable, Equatable {
    /// Marks a recorded run among other metadata (`kind` key).
    public static let kindValue = "spikebar-run"
    public static let currentVersion = 1

    /// One inference of the run.
    public struct Inference: Codable, Sendable, Equatable {
        /// Sample id (index in the input source): keys the read-noise stream, named in reports.
        public var sample: Int
        /// Label of the sample, when the input has labels.
        public var label: Int?
        /// Start of this inference's slice in the trace, picoseconds (= k · stride).
        public var startPicoseconds: Int64
    }

    public var kind: String
    public var version: Int
    /// Scenario the run was made from: absolute path at recording time, name, and digest of its text.
    public var scenarioFile: String
    public var scenarioName: String
    public var scenarioDigest: String
    /// Seed of the run (after `--seed`).
    public var seed: UInt64
    /// `exact` or `grid`.
    public var timing: String
    /// The scenario's `simulation.dt` (s): the grid step in grid mode, the reporting step otherwise.
    public var dtSeconds: Double
    /// Presentation window per inference (s) and in kernel picoseconds.
    public var windowSeconds: Double
    public var windowPicoseconds: Int64
    /// Distance between the starts of consecutive inferences, ps (a multiple of the time unit ≥ every
    /// spike time of one inference).
    public var stridePicoseconds: Int64
    /// `input.first_sample` of the run.
    public var firstSample: Int
    /// Whether read noise was sampled.
    public var readNoise: Bool
    /// The DPI gain of each layer the chip was programmed with (calibrated or given).
    public var gains: [Double]
    public var inferences: [Inference]

    /// Parses a trace header's metadata; nil when it is not a recorded run.
    public static func decode(metadata: String) -> RecordedRun? {
        guard let data = metadata.data(using: .utf8),
              let run = try? JSONDecoder().decode(RecordedRun.self, from: data), run.kind == kindValue else { return nil }
        return run
    }

    /// The metadata JSON (sorted keys; doubles in shortest round-trip form, so they read back exactly).
    public func json() throws -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        return String(decoding: try enc.encode(self), as: UTF8.self)
    }
}
