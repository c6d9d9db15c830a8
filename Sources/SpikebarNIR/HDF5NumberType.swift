/// The file type of a numeric HDF5 dataset, as `nir.write` (h5py) stores NumPy arrays: `float64`
/// for parameters, `float32` for arrays a framework exported in single precision, `int64` for shapes,
/// strides and other integers. Values are held as `Double` either way (exact for every `int64` up to 2⁵³
/// and for every `float32`).
public enum HDF5NumberType: String, Sendable, Equatable {
    case float64, float32, int64
}
