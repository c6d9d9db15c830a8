/// An NIR `SumPool2d` or `AvgPool2d` node on `[C, H, W]`: each output is the sum (or mean over the
/// kernel's `k_h·k_w` positions, padding included as zeros) of its window.
public struct NIRPooling: Sendable, Equatable {
    /// Whether the window's sum is divided by its size (AvgPool2d).
    public var average: Bool
    /// Window size `[k_h, k_w]` (samples).
    public var kernel: [Int]
    /// Stride `[s_h, s_w]` (samples); NIR's default is the kernel size.
    public var stride: [Int]
    /// Zero padding `[p_h, p_w]` on both sides (samples).
    public var padding: [Int]

    public init(average: Bool, kernel: [Int], stride: [Int], padding: [Int]) {
        self.average = average; self.kernel = kernel; self.stride = stride; self.padding = padding
    }

    /// Output spatial size for an input `[H, W]`.
    public func outputSpatial(_ input: [Int]) -> [Int] {
        (0..<2).map { d in (input[d] + 2 * padding[d] - kernel[d]) / stride[d] + 1 }
    }
}
