import SpikebarCore

/// The charge one synapse delivers to its neuron column per read (C), the one rule the event kernel
/// (`CompiledNetwork`) and the twin of a programmed chip (`TwinNetwork(chip:)`) both read, so that the
/// two engines add the same numbers in the same order (`GridStepOrder`) and the replay contract holds bit
/// for bit (issue #17, point 3):
/// - an ideal read: `V_read·t_read·(G⁺ − G⁻)` (Ohm's law over the read pulse; DESIGN §4);
/// - a single-row read through the tile's parasitics (Docs/circuits.md §6): each cell attenuated by its
///   factor a, `V·t·G⁺·a⁺ − V·t·G⁻·a⁻`.
/// `scale` is `V_read·t_read` (V·s).
public enum ReadCharge {
    /// `scale·(G⁺ − G⁻)` (C).
    @inlinable @inline(__always)
    public static func ideal(plus gPlus: Siemens, minus gMinus: Siemens, scale: Double) -> Coulombs { scale * (gPlus - gMinus) }

    /// One cell's attenuated charge `scale·G·a` (C): the kernel keeps the two parts for its concurrency
    /// corrections; a synapse delivers `attenuated(G⁺) − attenuated(G⁻)`.
    @inlinable @inline(__always)
    public static func attenuated(_ g: Siemens, factor a: Double, scale: Double) -> Coulombs { scale * g * a }

    /// The charges of every synapse of connection `c` (row-major, C), through `attenuation` (the chip's
    /// single-row factors of this connection) when given.
    public static func of(_ c: Connection, scale: Double, attenuation: (plus: [Double], minus: [Double])?) -> [Coulombs] {
        let (gPlus, gMinus) = c.conductances
        guard let a = attenuation else { return zip(gPlus, gMinus).map { ideal(plus: $0, minus: $1, scale: scale) } }
        return gPlus.indices.map {
            attenuated(gPlus[$0], factor: a.plus[$0], scale: scale) - attenuated(gMinus[$0], factor: a.minus[$0], scale: scale)
        }
    }
}
