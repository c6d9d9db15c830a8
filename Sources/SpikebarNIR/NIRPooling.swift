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

    /// Every (output, input) element pair of the windows, `input` `[C, H, W]` and `output` `[C, OH, OW]`
    /// in C order: outputs in order, each window's taps row by row (padding taps skipped). The one
    /// window rule of the forward run and of its gradient.
    public func forEachTap(input: [Int], output: [Int], _ body: (_ out: Int, _ in: Int) -> Void) {
        let (h, w) = (input[1], input[2]), (oh, ow) = (output[1], output[2])
        for ch in 0..<input[0] {
            for oy in 0..<oh {
                for ox in 0..<ow {
                    let out = (ch * oh + oy) * ow + ox
                    for ky in 0..<kernel[0] {
                        let y = oy * stride[0] - padding[0] + ky
                        if y < 0 || y >= h { continue }
                        for kx in 0..<kernel[1] {
                            let x = ox * stride[1] - padding[1] + kx
                            if x < 0 || x >= w { continue }
                            body(out, (ch * h + y) * w + x)
                        }
                    }
                }
            }
        }
    }
}
