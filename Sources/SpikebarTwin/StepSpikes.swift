import SpikebarCore

/// Input spikes binned to the twin's steps, compressed-sparse by step: the channels that spike at step
/// n are `channels[offsets[n] ..< offsets[n + 1]]` (a channel listed twice spiked twice). Input spikes
/// are ~98 % zeros, so the forward and backward passes touch only these rows.
public struct StepSpikes: Sendable, Equatable {
    public var steps: Int
    public var offsets: [Int32]
    public var channels: [Int32]

    public init(steps: Int, offsets: [Int32], channels: [Int32]) {
        self.steps = steps; self.offsets = offsets; self.channels = channels
    }

    /// Bins a spike list the way the kernel's grid mode does: a spike at t (ps) belongs to step
    /// `⌊t / dt⌋`; spikes before 0, after the last step or on channels outside `0 ..< channels` are dropped.
    public init(_ list: SpikeList, dt: Seconds, steps: Int, channels count: Int) {
        let dtPs = max(1, Int64((dt * 1e12).rounded()))
        var perStep = [[Int32]](repeating: [], count: steps)
        for (t, c) in zip(list.times, list.channels) where t >= 0 && c >= 0 && Int(c) < count {
            let n = Int(t / dtPs)
            if n < steps { perStep[n].append(c) }
        }
        self.steps = steps
        offsets = [0]
        offsets.reserveCapacity(steps + 1)
        channels = []
        channels.reserveCapacity(list.count)
        for s in perStep { channels += s; offsets.append(Int32(channels.count)) }
    }

    /// Bernoulli spikes: channel c spikes at each step with probability `probability[c]`, from `rng`.
    public static func bernoulli(probability p: [Double], steps: Int, using rng: inout RandomStream) -> StepSpikes {
        var offsets: [Int32] = [0], channels: [Int32] = []
        offsets.reserveCapacity(steps + 1)
        for _ in 0..<steps {
            for (c, pc) in p.enumerated() where pc > 0 && rng.nextUniform() < pc { channels.append(Int32(c)) }
            offsets.append(Int32(channels.count))
        }
        return StepSpikes(steps: steps, offsets: offsets, channels: channels)
    }

    public var count: Int { channels.count }
}
