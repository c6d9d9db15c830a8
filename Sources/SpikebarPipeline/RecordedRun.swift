import Foundation
import SpikebarCore
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
            let run = try? JSONDecoder().decode(RecordedRun.self, from: data), run.kind == kindValue
        else { return nil }
        return run
    }

    /// Why this metadata cannot be a recording spikebar made, or nil (issue #22, class 3: metadata read
    /// back is validated like user input — a crafted `dtSeconds` 0, `windowSeconds` 1e300 or a start of
    /// 2⁶³−1 ps must be an error, not a trap in the arithmetic that uses them).
    public func validationProblem() -> String? {
        let times = PhysicalRange.positive(unit: "s")
        guard dtSeconds.isFinite, times.contains(dtSeconds) else {
            return "dtSeconds \(dtSeconds) is not in \(times.lowerBound) … \(times.upperBound) s"
        }
        guard windowSeconds.isFinite, times.contains(windowSeconds) else {
            return "windowSeconds \(windowSeconds) is not in \(times.lowerBound) … \(times.upperBound) s"
        }
        guard windowPicoseconds == SimTime.nearest(seconds: windowSeconds).picoseconds else {
            return "windowPicoseconds \(windowPicoseconds) disagrees with windowSeconds \(windowSeconds)"
        }
        guard stridePicoseconds >= windowPicoseconds, stridePicoseconds > 0 else {
            return "stridePicoseconds \(stridePicoseconds) is shorter than the window"
        }
        guard (0...10_000_000).contains(firstSample) else { return "firstSample \(firstSample) is not in 0 … 10000000" }
        guard inferences.count <= 10_000_000 else { return "\(inferences.count) inferences (at most 10000000)" }
        guard gains.allSatisfy({ $0.isFinite }) else { return "a gain is not finite" }
        for (k, inf) in inferences.enumerated() {
            let (start, overflow) = Int64(k).multipliedReportingOverflow(by: stridePicoseconds)
            guard !overflow, start.addingReportingOverflow(stridePicoseconds).overflow == false else { return "inference \(k) lies beyond 2⁶³ ps" }
            guard inf.startPicoseconds == start else { return "inference \(k) starts at \(inf.startPicoseconds) ps, not at k · stride = \(start) ps" }
            guard inf.sample >= 0 else { return "inference \(k) has a negative sample id \(inf.sample)" }
        }
        return nil
    }

    /// The metadata JSON (sorted keys; doubles in shortest round-trip form, so they read back exactly).
    public func json() throws -> String {
        let enc = JSONEncoder.spikebar()
        return String(decoding: try enc.encode(self), as: UTF8.self)
    }
}
