/// How `NIRProgram` turns NIR's continuous-time nodes into time steps. NIR fixes the ODEs but not
/// their discretisation, the time step, the reset rule beyond `v_reset`, or `>` vs `≥`; exporters
/// differ, and `Docs/nir.md` lists which settings reproduce which framework.
public struct NIRRunOptions: Sendable, Equatable {
    /// ODE integration rule.
    public enum Discretisation: String, Sendable, Equatable, CaseIterable {
        /// `x ← x + dt·f(x, u)` (the NIR paper's reference simulators, snnTorch's and Sinabs's update).
        case forwardEuler = "euler"
        /// `x ← x_∞ + (x − x_∞)·e^(−dt/τ)` with the input held over the step (exact for piecewise-constant input).
        case exponential = "exact"
    }

    /// What a spike does to the membrane.
    public enum Reset: String, Sendable, Equatable, CaseIterable {
        /// `v ← v_reset` (NIR spec; `v_reset` = 0 when the file has none).
        case toResetPotential = "zero"
        /// `v ← v − v_threshold` (Sinabs's `MembraneSubtract`, snnTorch's `reset_mechanism="subtract"`;
        /// NIR files cannot express it, the braille files say it in their names).
        case subtract = "subtract"
    }

    /// Spike condition.
    public enum Comparison: String, Sendable, Equatable, CaseIterable {
        /// `v > v_threshold` (NIR spec).
        case greater = ">"
        /// `v ≥ v_threshold` (Sinabs's spike functions).
        case greaterOrEqual = ">="
    }

    /// Time step in the unit of the file's time constants and delays (s for snnTorch, Norse, Rockpool).
    /// Its value multiplies `r·I` in IF and I nodes too (`dv/dt = r·I`): Sinabs graphs, which have no
    /// time constant, count time in frames, so they run with `dt = 1`.
    public var dt: Double
    public var discretisation: Discretisation
    public var reset: Reset
    public var comparison: Comparison

    public init(
        dt: Double, discretisation: Discretisation = .forwardEuler, reset: Reset = .toResetPotential,
        comparison: Comparison = .greater
    ) {
        self.dt = dt; self.discretisation = discretisation; self.reset = reset; self.comparison = comparison
    }

    /// The step a graph runs with when the user gives none: 1 (frames) for a graph without time
    /// constants or delays (Sinabs), else 1e-4 s, the step of snnTorch's braille export (NIR paper, `paper/`).
    public static func defaultStep(for graph: NIRGraph) -> Double {
        func timed(_ g: NIRGraph) -> Bool {
            g.nodes.values.contains { node in
                switch node {
                case let .neuron(n): return n.tauMem != nil || n.tauSyn != nil
                case .delay: return true
                case let .graph(sub): return timed(sub)
                default: return false
                }
            }
        }
        return timed(graph) ? 1e-4 : 1
    }
}
