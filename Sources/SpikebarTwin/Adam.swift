#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Adam (Kingma & Ba, ICLR 2015, arXiv:1412.6980) over the twin's weight matrices, with bias
/// correction. After each update the weights are clipped to the conductance window [−1, 1]: a pair
/// cannot hold more than one full cell of difference (projected gradient).
public struct Adam: Sendable, Codable, Equatable {
    public var beta1: Double, beta2: Double, epsilon: Double
    /// Updates done so far (the bias correction's t).
    public var step: Int
    public var m: [[Double]], v: [[Double]]

    public init(shapes: [Int], beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8) {
        self.beta1 = beta1; self.beta2 = beta2; self.epsilon = epsilon
        step = 0
        m = shapes.map { [Double](repeating: 0, count: $0) }
        v = m
    }

    /// One update of `params` with `grads` at learning rate `lr`; `mask` (per connection, optional)
    /// zeroes the gradient of entries it marks 0 (stuck devices).
    public mutating func update(_ params: inout [[Double]], grads: [[Double]], lr: Double, mask: [[UInt8]]? = nil, clip: ClosedRange<Double> = -1...1)
    {
        step += 1
        let c1 = 1 - pow(beta1, Double(step)), c2 = 1 - pow(beta2, Double(step))
        let b1 = beta1, b2 = beta2, eps = epsilon, lo = clip.lowerBound, hi = clip.upperBound
        for c in params.indices {
            let n = params[c].count
            let mk = mask?[c]
            params[c].withUnsafeMutableBufferPointer { p in
                m[c].withUnsafeMutableBufferPointer { mm in
                    v[c].withUnsafeMutableBufferPointer { vv in
                        grads[c].withUnsafeBufferPointer { g in
                            for i in 0..<n {
                                var gi = g[i]
                                if let mk, mk[i] == 0 { gi = 0 }
                                mm[i] = b1 * mm[i] + (1 - b1) * gi
                                vv[i] = b2 * vv[i] + (1 - b2) * gi * gi
                                let mhat = mm[i] / c1, vhat = vv[i] / c2
                                p[i] = min(hi, max(lo, p[i] - lr * mhat / (vhat.squareRoot() + eps)))
                            }
                        }
                    }
                }
            }
        }
    }
}
