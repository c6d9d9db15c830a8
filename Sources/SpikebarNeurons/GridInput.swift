import SpikebarCore

/// What feeds a `GridEngine`'s input population, step by step.
public protocol GridInput {
    /// Amplitudes of the input rows at step n (0: not read), written into `signal` (zeroed by the
    /// engine); `spikes` counts the input events per channel.
    mutating func signals(step n: Int, into signal: inout [Double], spikes: inout [Int])
    /// Whether the input computes the drive of its connections itself (`firstLayerDrive`), in its own
    /// operation order (the MIF input's `c·α(t_n)·Wᵀx`, shared with the twin); false: the engine sums
    /// the rows.
    var drivesFirstLayer: Bool { get }
    /// The drive of a connection from the input, when `drivesFirstLayer`.
    func firstLayerDrive<Model>(step n: Int, connection c: GridEngine<Model>.Connection, into drive: inout [Double])
}

extension GridInput {
    @inlinable public var drivesFirstLayer: Bool { false }
    @inlinable public func firstLayerDrive<Model>(step n: Int, connection c: GridEngine<Model>.Connection, into drive: inout [Double]) {}
}

/// Spikes as input: each spike in `[t_n, t_{n+1})` adds a unit amplitude to its channel's row at step n.
public struct SpikeTrainInput: GridInput {
    public let spikes: SpikeList
    public let dtPs: Int64
    @usableFromInline var next = 0
    public init(_ spikes: SpikeList, dtPs: Int64) { self.spikes = spikes; self.dtPs = dtPs }

    @inlinable
    public mutating func signals(step n: Int, into signal: inout [Double], spikes counts: inout [Int]) {
        let end = Int64(n + 1) * dtPs
        while next < spikes.count && spikes.times[next] < end {
            let ch = Int(spikes.channels[next]); next += 1
            if ch >= 0 && ch < signal.count { signal[ch] += 1; counts[ch] += 1 }
        }
    }
}
