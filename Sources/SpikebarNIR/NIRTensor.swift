/// A dense array read from an NIR file: shape (slowest dimension first, C order, as NumPy and HDF5
/// store it) and values. Units are those of the parameter it holds (see `Docs/nir.md`).
public struct NIRTensor: Sendable, Equatable {
    /// Dimensions; `[]` for a scalar.
    public var shape: [Int]
    /// Values in C order; `values.count == shape.reduce(1, *)`.
    public var values: [Double]

    public init(shape: [Int], values: [Double]) { self.shape = shape; self.values = values }

    /// A 1-D tensor.
    public init(_ values: [Double]) { self.shape = [values.count]; self.values = values }

    /// Number of elements.
    public var count: Int { values.count }
}
