extension NIRConvolution2D {
    /// Debug-build check of what `+Unsafe`'s loops assume: buffers of the layer's input and output sizes,
    /// weights of `C_out · C_in/groups · k_h · k_w`, channels divisible by the groups.
    @inline(__always)
    func assertBuffers(input: Int, output: Int) {
        assert(input == inChannels * inHeight * inWidth, "input buffer \(input) ≠ \(inChannels)·\(inHeight)·\(inWidth)")
        assert(output == outChannels * outHeight * outWidth, "output buffer \(output) ≠ \(outChannels)·\(outHeight)·\(outWidth)")
        assert(groups >= 1 && inChannels % groups == 0 && outChannels % groups == 0, "groups")
        assert(weight.count == outChannels * (inChannels / groups) * kernelHeight * kernelWidth, "weight count")
        assert(strideY >= 1 && strideX >= 1 && dilationY >= 1 && dilationX >= 1, "stride, dilation")
    }
}
