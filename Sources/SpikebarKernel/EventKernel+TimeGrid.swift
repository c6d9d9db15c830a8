import SpikebarCore

extension EventKernel {
    /// The lattice every spike time of one run lies on, for writers that must store times exactly
    /// (`.sbt` recordings): each time the kernel reports for a `window` — input spikes as processed and
    /// every layer's spikes — is a multiple of `unit` picoseconds and lies in `0 ..< span`.
    ///
    /// Exact mode: `unit` = 1 ps, `span` = the window in ps (nothing at or after it is processed).
    /// Grid mode: `unit` = the step `dt` in ps and `span` = steps · dt, because inputs are counted at the
    /// start of their step and thresholds are tested only at step boundaries (`RunState+Grid.swift`,
    /// which computes the step and the step count the same way).
    public func timeGrid(window: Seconds) -> (unit: Int64, span: Int64) {
        switch timing {
        case .exact:
            return (1, max(1, Int64((window * 1e12).rounded())))
        case let .grid(dt):
            let dtPs = max(1, Int64((dt * 1e12).rounded()))
            let steps = max(1, Int((window / dt).rounded()))
            return (dtPs, Int64(steps) * dtPs)
        }
    }
}
