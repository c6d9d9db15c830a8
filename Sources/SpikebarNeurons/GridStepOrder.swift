/// The grid step order, written once (issue #17: it was typed out three times — the event kernel's grid
/// mode, the twin's forward pass and the generic `GridEngine`). Per step n, at t_n = n·dt
/// (Docs/kernel.md, "Grid mode"):
/// 1. `advance(l)`, layers 1…L, for n ≥ 1: every neuron moves from t_{n−1} to t_n on the input it has
///    received (V ← βV + κI, I ← αI for LIF; V held at reset while refractory);
/// 2. `readInputs(n)`: the input population's spikes binned to step n read their rows; their drive enters
///    the first layer's state at t_n;
/// 3. `emit(l)`, layers 1…L in order: neurons that reach θ spike and reset, and their rows are read at
///    once — feeding the next layer (before it is tested) and their own layer, for a recurrent connection;
/// 4. `endStep(n)`: what a run books per step (tile concurrency, probes, the trace BPTT needs, readouts).
///
/// Drive received at t_n moves V from step n+1 on. Each engine brings its own arithmetic (the kernel's
/// row reads with read noise and tile bookkeeping, the twin's recorded trace, `GridEngine`'s generic
/// model); the order of the phases is this function's, so the three cannot drift apart.
public enum GridStepOrder {
    /// Runs `steps` steps of a network whose layers are 1…`layers` (population 0 is the input).
    @inlinable @inline(__always)
    public static func run(
        steps: Int, layers: Int, advance: (_ layer: Int, _ step: Int) -> Void, readInputs: (_ step: Int) -> Void,
        emit: (_ layer: Int, _ step: Int) -> Void, endStep: (_ step: Int) -> Void
    ) {
        for n in 0..<steps {
            if n > 0 { for l in stride(from: 1, through: layers, by: 1) { advance(l, n) } }
            readInputs(n)
            for l in stride(from: 1, through: layers, by: 1) { emit(l, n) }
            endStep(n)
        }
    }
}
