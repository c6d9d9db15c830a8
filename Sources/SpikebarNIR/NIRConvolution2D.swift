/// A Conv1d or Conv2d node as `NIRProgram` runs it: always 2-D (a Conv1d has height 1), input
/// `[C_in, H, W]`, output `[C_out, OH, OW]`, computed by scattering each non-zero input into the outputs
/// it reaches — the same additions as the direct sum `y[o,i,j] = b[o] + Σ w[o,c,u,v]·x[c, i·s−p+u·d, j·s−p+v·d]`.
public struct NIRConvolution2D: Sendable, Equatable {
    public var weight: [Double]
    public var bias: [Double]
    public var inChannels: Int, outChannels: Int, groups: Int
    public var inHeight: Int, inWidth: Int, outHeight: Int, outWidth: Int
    public var kernelHeight: Int, kernelWidth: Int
    public var strideY: Int, strideX: Int, padY: Int, padX: Int, dilationY: Int, dilationX: Int

    init(_ c: NIRConvolution, input: [Int]) {
        weight = c.weight.values; bias = c.bias
        inChannels = input[0]; outChannels = c.outChannels; groups = c.groups
        let two = c.spatialRank == 2
        inHeight = two ? input[1] : 1; inWidth = two ? input[2] : input[1]
        let o = c.outputSpatial(Array(input.dropFirst()))
        outHeight = two ? o[0] : 1; outWidth = two ? o[1] : o[0]
        kernelHeight = two ? c.kernel[0] : 1; kernelWidth = two ? c.kernel[1] : c.kernel[0]
        strideY = two ? c.stride[0] : 1; strideX = two ? c.stride[1] : c.stride[0]
        padY = two ? c.padding[0] : 0; padX = two ? c.padding[1] : c.padding[0]
        dilationY = two ? c.dilation[0] : 1; dilationX = two ? c.dilation[1] : c.dilation[0]
    }

    /// Output positions `(o, oy, ox)` an input at `(c, y, x)` reaches, with the weight index of each:
    /// `body(outputIndex, weightIndex)`. `k²`-bounded per output channel of the input's group. The one
    /// rule of which taps an input feeds: the forward scatter, the backward pass (`+Unsafe`) and the
    /// crossbar mappings all go through it.
    @inline(__always)
    public func forEachTarget(channel c: Int, y: Int, x: Int, _ body: (Int, Int) -> Void) {
        let cinPG = inChannels / groups, coutPG = outChannels / groups
        let g = c / cinPG, cl = c % cinPG
        for ky in 0..<kernelHeight {
            let ny = y &+ padY &- ky &* dilationY
            if ny < 0 || ny % strideY != 0 { continue }
            let oy = ny / strideY
            if oy >= outHeight { continue }
            for kx in 0..<kernelWidth {
                let nx = x &+ padX &- kx &* dilationX
                if nx < 0 || nx % strideX != 0 { continue }
                let ox = nx / strideX
                if ox >= outWidth { continue }
                for o in (g &* coutPG)..<((g &+ 1) &* coutPG) {
                    body((o &* outHeight &+ oy) &* outWidth &+ ox, ((o &* cinPG &+ cl) &* kernelHeight &+ ky) &* kernelWidth &+ kx)
                }
            }
        }
    }

    /// `forEachTarget` for the flat input index `k` of `[C_in, H, W]`.
    @inline(__always)
    public func forEachTarget(input k: Int, _ body: (Int, Int) -> Void) {
        let hw = inHeight &* inWidth
        forEachTarget(channel: k / hw, y: (k % hw) / inWidth, x: k % inWidth, body)
    }
}
