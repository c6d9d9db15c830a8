extension GridEngine {
    /// What the hot loops rely on (`GridEngine+Unsafe.swift`), checked by `run` in debug builds: one
    /// constants entry per neuron, every connection's shape within its populations and its weight count.
    @inlinable
    public var invariantViolations: [String] {
        var out: [String] = []
        if constants.count != sizes.count { out.append("constants for \(constants.count) populations, \(sizes.count) sizes") }
        for (l, k) in constants.enumerated() where l > 0 && l < sizes.count && k.count != sizes[l] {
            out.append("population \(l): \(k.count) constants for \(sizes[l]) neurons")
        }
        for (n, c) in connections.enumerated() {
            if !sizes.indices.contains(c.from) || !sizes.indices.contains(c.to) || c.to == 0 {
                out.append("connection \(n): populations \(c.from) → \(c.to)")
                continue
            }
            if c.inputs != sizes[c.from] || c.outputs != sizes[c.to] || c.w.count != c.inputs * c.outputs {
                out.append(
                    "connection \(n): \(c.inputs)×\(c.outputs) with \(c.w.count) weights between populations of \(sizes[c.from]) and \(sizes[c.to])")
            }
        }
        return out
    }
}
