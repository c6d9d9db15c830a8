/// One entry of an NIR node's `metadata` dictionary (nir ≥ 1.0: a `metadata` group of scalar or array
/// datasets under the node; `nir.read` returns it as `node.metadata`). Spikebar's export stores the
/// device, the tile geometry and what NIR cannot express (refractory period, `≥` threshold) here.
public enum NIRMetadataValue: Sendable, Equatable {
    case string(String)
    /// A scalar number (HDF5 scalar dataspace, float64).
    case number(Double)
    /// A 1-D array of numbers (float64), e.g. one value per neuron.
    case numbers([Double])
}
