import SpikebarDevices
import SpikebarNeurons
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Trainable per-neuron time constants (Perez-Nieves et al., "Neural heterogeneity promotes robust
/// learning", Nat. Commun. 12:5791, 2021): Adam on ln τ_mem and ln τ_syn (a relative step, whatever the
/// scale of τ), projected after every update onto the range the chip can realise, and τ_syn ≤
/// `maxSynToMem` · τ_mem (the closed-form propagator's coupling R·τ_s/(τ_s − τ_m) is singular at
/// τ_s = τ_m).
public struct TimeConstantBounds: Sendable, Equatable {
    /// Realisable τ_mem and τ_syn (s).
    public var tauMem: ClosedRange<Double>, tauSyn: ClosedRange<Double>
    public static let maxSynToMem = 0.8

    public init(tauMem: ClosedRange<Double>, tauSyn: ClosedRange<Double>) { self.tauMem = tauMem; self.tauSyn = tauSyn }

    /// The projection: (τ_mem, τ_syn) clamped to the ranges, then τ_syn to `maxSynToMem · τ_mem`.
    public func project(mem: Double, syn: Double) -> (mem: Double, syn: Double) {
        let m = min(tauMem.upperBound, max(tauMem.lowerBound, mem))
        let s = min(tauSyn.upperBound, max(tauSyn.lowerBound, syn), TimeConstantBounds.maxSynToMem * m)
        return (m, s)
    }

    /// `neurons` with the time constants of `logTau` (layers' ln τ_mem, then layers' ln τ_syn).
    public static func neurons(_ base: [[NeuronParameters]], logTau: [[Double]]) -> [[NeuronParameters]] {
        let L = base.count
        return base.enumerated().map { l, layer in
            layer.enumerated().map { i, p in
                var q = p
                q.tauMem = exp(logTau[l][i]); q.tauSyn = exp(logTau[L + l][i])
                return q
            }
        }
    }

    /// ln τ of `neurons` after projection: layers' ln τ_mem, then layers' ln τ_syn.
    public func logTau(_ neurons: [[NeuronParameters]]) -> [[Double]] {
        let p = neurons.map { $0.map { project(mem: $0.tauMem, syn: $0.tauSyn) } }
        return p.map { $0.map { log($0.mem) } } + p.map { $0.map { log($0.syn) } }
    }

    /// Projects `logTau` in place.
    public func project(_ logTau: inout [[Double]]) {
        let L = logTau.count / 2
        for l in 0..<L {
            for i in logTau[l].indices {
                let p = project(mem: exp(logTau[l][i]), syn: exp(logTau[L + l][i]))
                logTau[l][i] = log(p.mem); logTau[L + l][i] = log(p.syn)
            }
        }
    }
}
