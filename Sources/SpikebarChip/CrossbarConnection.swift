/// A connection as the crossbar holds it — the contract every connection kind meets (issue #17): a
/// matrix of `matrixRows` word lines × `matrixColumns` neuron columns, cut into tiles by the one
/// tile-layout rule (`TileSpec.blocks`), and, for every presynaptic event, the matrix rows it reads and
/// the synapses it reaches. A dense or recurrent layer is its weight matrix (`DenseCrossbarConnection`);
/// a convolution is either its unrolled (Toeplitz) matrix or its kernel matrix (`SpikebarNIRMapping`);
/// the cost models see only the reads this contract yields.
public protocol CrossbarConnection {
    /// Presynaptic elements whose events read the crossbar.
    var inputs: Int { get }
    /// Word lines of the matrix on the tiles.
    var matrixRows: Int { get }
    /// Neuron columns of the matrix (each a differential pair of cells).
    var matrixColumns: Int { get }
    /// The matrix rows one event on presynaptic element `m` reads, ascending.
    func rowsRead(byInput m: Int) -> [Int]
    /// Synapses one event on element `m` reaches: its synaptic events.
    func synapsesReached(byInput m: Int) -> Int
    /// The weights of matrix row `r`: `body(column, weight)` for every cell pair that holds a synapse.
    func forEachWeight(inRow r: Int, _ body: (_ column: Int, _ weight: Double) -> Void)
    /// Whether the tiles of `block` are built: every block of a dense matrix; only the blocks holding a
    /// synapse of a sparse one (an unrolled convolution).
    func occupies(_ block: TileBlock) -> Bool
}

extension CrossbarConnection {
    public func occupies(_ block: TileBlock) -> Bool { true }
}

/// A dense (or recurrent) connection: `inputs × outputs` weights, row-major by presynaptic neuron; an
/// event on input m reads row m, reaching every output.
public struct DenseCrossbarConnection: CrossbarConnection, Sendable {
    public var inputs: Int, outputs: Int
    public var weights: [Double]
    public init(inputs: Int, outputs: Int, weights: [Double]) {
        self.inputs = inputs; self.outputs = outputs; self.weights = weights
    }
    public var matrixRows: Int { inputs }
    public var matrixColumns: Int { outputs }
    public func rowsRead(byInput m: Int) -> [Int] { [m] }
    public func synapsesReached(byInput m: Int) -> Int { outputs }
    public func forEachWeight(inRow r: Int, _ body: (Int, Double) -> Void) {
        let base = r * outputs
        for o in 0..<outputs { body(o, weights[base + o]) }
    }
}

extension TileSpec {
    /// The tiles of one block: one with differential columns (G⁺, G⁻ side by side), a plus and a minus
    /// tile with differential arrays — the chip's order.
    public var polarities: [Tile.Polarity] { mapping == .columns ? [.both] : [.plus, .minus] }

    /// The blocks of `c`'s matrix whose tiles are built, in the chip's tile order (`blocks`).
    public func blocks<C: CrossbarConnection>(of c: C) -> [TileBlock] {
        blocks(inputs: c.matrixRows, outputs: c.matrixColumns).filter { c.occupies($0) }
    }
}
