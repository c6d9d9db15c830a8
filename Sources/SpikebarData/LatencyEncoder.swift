import SpikebarCore

/// Latency (time-to-first-spike) coding: a channel of intensity x ≥ `cutoff` spikes once, at
/// `t = (1 − x) · span` — the brighter, the earlier (e.g. Gollisch & Meister, Science 319, 2008;
/// the linear latency code of snnTorch's `spikegen.latency(linear=True)`). Channels below `cutoff`
/// stay silent. Deterministic: no random draws.
public struct LatencyEncoder: Sendable {
    /// Latest spike time (s), for x = `cutoff`…0; must not exceed the presentation window.
    public var span: Seconds
    public var cutoff: Double

    public init(span: Seconds, cutoff: Double = 0.2) { self.span = span; self.cutoff = cutoff }

    public func encode(_ intensities: [Double]) -> SpikeList {
        var spikes: [(time: Int64, channel: Int32)] = []
        for (c, x) in intensities.enumerated() where x >= cutoff && x > 0 {
            let t = (1 - Swift.min(1, x)) * span
            spikes.append((Int64((t * 1e12).rounded()), Int32(c)))
        }
        return SpikeList(unsorted: spikes)
    }
}
