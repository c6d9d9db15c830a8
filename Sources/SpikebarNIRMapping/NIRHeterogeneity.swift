import SpikebarCore
import SpikebarNIR

/// Heterogeneity added on top of an imported graph's neurons (an NIR scenario's `heterogeneity:
/// { tau_cv }`): every time constant of every neuron node (τ_mem, τ_syn of LIF, CubaLIF, CubaLI, LI)
/// multiplied by a lognormal factor of mean 1 and the given coefficient of variation — the spread the
/// chip draws for its own LIF neurons (`Chip.sampleNeurons`, DESIGN §2; Moro et al., ISCAS 2022).
/// IF and I nodes have no time constant and are unchanged. Draws are keyed by (seed, neuron node in
/// `sortedNames` order with subgraphs in place, chip sample): the same chip sample is the same chip.
public enum NIRHeterogeneity {
    public static func apply(_ graph: NIRGraph, tauCV: Double, seed: UInt64, chipSample: Int = 0) -> NIRGraph {
        guard tauCV > 0 else { return graph }
        var index = 0
        func spread(_ values: [Double]?, _ rng: inout RandomStream) -> [Double]? {
            values.map { $0.map { $0 * rng.nextLognormal(mean: 1, cv: tauCV) } }
        }
        func walk(_ g: NIRGraph) -> NIRGraph {
            var out = g
            for name in g.sortedNames {
                guard let node = g.nodes[name] else { continue }
                switch node {
                case var .neuron(n):
                    index += 1
                    var rng = RandomStream(seed: seed, purpose: .timeConstants, index: UInt64(index), sample: UInt64(chipSample))
                    n.tauMem = spread(n.tauMem, &rng)
                    n.tauSyn = spread(n.tauSyn, &rng)
                    out.nodes[name] = .neuron(n)
                case let .graph(sub): out.nodes[name] = .graph(walk(sub))
                default: break
                }
            }
            return out
        }
        return walk(graph)
    }
}
