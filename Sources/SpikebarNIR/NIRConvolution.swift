/// An NIR `Conv1d` or `Conv2d` node: `y = W ⋆ x + b` (cross-correlation, as PyTorch), input
/// `[C_in, (H,) W]`, weight `[C_out, C_in/groups, (k_h,) k_w]`. Padding is explicit zeros per spatial
/// dimension, resolved from the file's integers or its `"same"` / `"valid"` string when read.
public struct NIRConvolution: Sendable, Equatable {
    /// Weights `[C_out, C_in/groups, k…]` (dimensionless, like every NIR weight).
    public var weight: NIRTensor
    /// One bias per output channel (added every time step); zeros when absent.
    public var bias: [Double]
    /// Stride per spatial dimension (samples).
    public var stride: [Int]
    /// Zero padding before each spatial dimension (samples); the same after, except `"same"` with an
    /// even kernel, whose extra sample goes after (PyTorch's rule): `paddingAfter`.
    public var padding: [Int]
    /// Zero padding after each spatial dimension (samples).
    public var paddingAfter: [Int]
    /// Dilation per spatial dimension (samples).
    public var dilation: [Int]
    /// Groups: input and output channels split into this many independent blocks.
    public var groups: Int
    /// Spatial input size `[H, W]` or `[L]` when the file gives it (`input_shape`); nil otherwise.
    public var inputSpatial: [Int]?

    public init(
        weight: NIRTensor, bias: [Double], stride: [Int], padding: [Int], paddingAfter: [Int], dilation: [Int],
        groups: Int, inputSpatial: [Int]?
    ) {
        self.weight = weight; self.bias = bias; self.stride = stride; self.padding = padding
        self.paddingAfter = paddingAfter; self.dilation = dilation; self.groups = groups; self.inputSpatial = inputSpatial
    }

    /// Number of spatial dimensions (1 or 2).
    public var spatialRank: Int { weight.shape.count - 2 }
    public var outChannels: Int { weight.shape[0] }
    public var inChannelsPerGroup: Int { weight.shape[1] }
    /// Kernel size per spatial dimension.
    public var kernel: [Int] { Array(weight.shape.dropFirst(2)) }

    /// Output spatial size for an input spatial size (PyTorch's formula).
    public func outputSpatial(_ input: [Int]) -> [Int] {
        (0..<spatialRank).map { d in
            (input[d] + padding[d] + paddingAfter[d] - dilation[d] * (kernel[d] - 1) - 1) / stride[d] + 1
        }
    }
}
