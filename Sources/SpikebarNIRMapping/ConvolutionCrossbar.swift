import SpikebarChip
import SpikebarNIR

/// A convolution as its unrolled (Toeplitz) matrix on the crossbar (`ConvolutionMapping.unrolled`): word line
/// m is input element m = (c, y, x); neuron column n = position · C_out + o (position-major, so that an
/// input's targets are adjacent); an event reads its one row on every tile holding one of its targets.
/// Only the blocks holding a synapse are built.
public struct UnrolledConvolution: CrossbarConnection, Sendable {
    public let conv: NIRConvolution2D
    /// Target columns of each input element, ascending (for `occupies`).
    let targets: [[Int32]]

    public init(_ conv: NIRConvolution2D) {
        self.conv = conv
        let positions = conv.outHeight * conv.outWidth
        targets = (0..<(conv.inChannels * conv.inHeight * conv.inWidth)).map { m in
            var t: [Int32] = []
            UnrolledConvolution.forEachTarget(conv, m) { out, _ in
                t.append(Int32((out % positions) * conv.outChannels + out / positions))
            }
            return t.sorted()
        }
    }

    static func forEachTarget(_ c: NIRConvolution2D, _ m: Int, _ body: (Int, Int) -> Void) {
        let ch = m / (c.inHeight * c.inWidth), y = (m / c.inWidth) % c.inHeight, x = m % c.inWidth
        c.forEachTarget(channel: ch, y: y, x: x, body)
    }

    public var inputs: Int { targets.count }
    public var matrixRows: Int { targets.count }
    public var matrixColumns: Int { conv.outHeight * conv.outWidth * conv.outChannels }
    public func rowsRead(byInput m: Int) -> [Int] { [m] }
    public func synapsesReached(byInput m: Int) -> Int { targets[m].count }
    public func forEachWeight(inRow m: Int, _ body: (Int, Double) -> Void) {
        let positions = conv.outHeight * conv.outWidth, cout = conv.outChannels
        UnrolledConvolution.forEachTarget(conv, m) { out, w in body((out % positions) * cout + out / positions, conv.weight[w]) }
    }
    public func occupies(_ b: TileBlock) -> Bool {
        let lo = Int32(b.neuronStart), hi = Int32(b.neuronStart + b.neurons)
        for m in b.rowStart..<(b.rowStart + b.usedRows) where targets[m].contains(where: { $0 >= lo && $0 < hi }) { return true }
        return false
    }
}

/// A convolution as its kernel matrix on the crossbar (`ConvolutionMapping.kernelStationary`): word line
/// r = c · k_h·k_w + offset, neuron column o (the `C_out` kernels, zeros off the group blocks); an event at
/// (c, y, x) reads one row per kernel offset that reaches an output position, each read delivering to the
/// `C_out` neurons of that position. Weights are stored once.
public struct KernelStationaryConvolution: CrossbarConnection, Sendable {
    public let conv: NIRConvolution2D
    public init(_ conv: NIRConvolution2D) { self.conv = conv }

    var kernelSize: Int { conv.kernelHeight * conv.kernelWidth }
    public var inputs: Int { conv.inChannels * conv.inHeight * conv.inWidth }
    public var matrixRows: Int { conv.inChannels * kernelSize }
    public var matrixColumns: Int { conv.outChannels }
    public func rowsRead(byInput m: Int) -> [Int] {
        let k = kernelSize, ch = m / (conv.inHeight * conv.inWidth)
        var offsets = Set<Int>()
        UnrolledConvolution.forEachTarget(conv, m) { _, w in offsets.insert(w % k) }
        return offsets.sorted().map { ch * k + $0 }
    }
    public func synapsesReached(byInput m: Int) -> Int {
        var fan = 0
        UnrolledConvolution.forEachTarget(conv, m) { _, _ in fan += 1 }
        return fan
    }
    public func forEachWeight(inRow r: Int, _ body: (Int, Double) -> Void) {
        let k = kernelSize, ch = r / k, off = r % k
        let cinPG = conv.inChannels / conv.groups, coutPG = conv.outChannels / conv.groups
        let g = ch / cinPG, cl = ch % cinPG
        for o in (g * coutPG)..<((g + 1) * coutPG) { body(o, conv.weight[(o * cinPG + cl) * k + off]) }
    }
}
