/// The part of an HDF5 file that NIR uses, read into memory: groups holding groups and datasets.
///
/// Built by `HDF5Reader.read(path:)` (the only code touching libhdf5, `HDF5Reader+Unsafe.swift`);
/// everything that interprets it is plain Swift. Attributes are not read (NIR stores none).
/// `HDF5Writer.write(_:path:)` writes such a tree back (`HDF5Writer+Unsafe.swift`).
public struct HDF5Group: Sendable, Equatable {
    /// Datasets of this group by link name.
    public var datasets: [String: HDF5Dataset]
    /// Sub-groups of this group by link name.
    public var groups: [String: HDF5Group]

    public init(datasets: [String: HDF5Dataset] = [:], groups: [String: HDF5Group] = [:]) {
        self.datasets = datasets; self.groups = groups
    }
}

/// One HDF5 dataset: its shape (empty for a scalar) and its values, converted by HDF5 to `Double`
/// (integer and float classes) or to `String` (fixed and variable-length strings).
public struct HDF5Dataset: Sendable, Equatable {
    /// Dimensions, slowest first (C order); `[]` for a scalar.
    public var shape: [Int]
    /// Values in C order when the dataset is numeric.
    public var numbers: [Double]?
    /// Values in C order when the dataset holds strings.
    public var strings: [String]?
    /// HDF5 type class name when the dataset is neither numeric nor a string (`enum`, `compound`…).
    public var unsupportedClass: String?
    /// File type of `numbers` (read from the file; what `HDF5Writer` stores). Ignored for strings.
    public var numberType: HDF5NumberType

    public init(
        shape: [Int], numbers: [Double]? = nil, strings: [String]? = nil, unsupportedClass: String? = nil,
        numberType: HDF5NumberType = .float64
    ) {
        self.shape = shape; self.numbers = numbers; self.strings = strings; self.unsupportedClass = unsupportedClass
        self.numberType = numberType
    }

    /// Number of elements (1 for a scalar).
    public var count: Int { shape.reduce(1, *) }
}
