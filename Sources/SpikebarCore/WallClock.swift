import Dispatch

/// Wall-clock timing of the `spikebar bench …` commands: one clock, one median rule.
public enum WallClock {
    /// Seconds `body` takes (monotonic clock), and its result.
    @inlinable public static func time<T>(_ body: () throws -> T) rethrows -> (seconds: Double, result: T) {
        let t0 = DispatchTime.now().uptimeNanoseconds
        let r = try body()
        return (Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9, r)
    }

    /// The median of repeated wall times: the upper middle value for an even count (what every benchmark
    /// reports), NaN for none.
    public static func median(_ times: [Double]) -> Double { times.isEmpty ? .nan : times.sorted()[times.count / 2] }

    /// The kernel's throughput targets (issue #19, synaptic events/s on one core): exact ≥ 100 M, grid ≥ 200 M.
    public static func kernelTarget(exact: Bool) -> Double { exact ? 100e6 : 200e6 }
}
