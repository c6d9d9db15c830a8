import SpikebarCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// State of one MIF neuron: membrane voltage (V) and the two memristor states (0…1).
public struct MIFState: Sendable, Equatable {
    public var v: Double, x1: Double, x2: Double
    public init(v: Double, x1: Double, x2: Double) { self.v = v; self.x1 = x1; self.x2 = x2 }
}
