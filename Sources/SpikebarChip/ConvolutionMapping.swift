/// How a convolution is laid out on crossbar tiles (issue #18, point 3; used by NIR graphs, `network.mapping`). Dense layers
/// (Affine, Linear) have one layout: inputs on rows, outputs on differential column pairs.
public enum ConvolutionMapping: String, Sendable, Codable, CaseIterable {
    /// The convolution as its full (Toeplitz) matrix, input pixels × output neurons: an input pixel's row
    /// holds all its targets, so a spike reads that row once on each tile holding some of them (once when
    /// they fit in one tile's columns); weights are duplicated for every output position, and every
    /// tile holding a target is built (cells and area counted).
    case unrolled
    /// The `C_in·k_h·k_w × C_out` kernel matrix on tiles: a spike at `(c, y, x)` reads one row per kernel
    /// offset that reaches an output (up to `k_h·k_w`), each read delivering to the `C_out` neurons of
    /// one output position; weights stored once.
    case kernelStationary = "kernel-stationary"
}
