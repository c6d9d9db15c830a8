import Testing
import SpikebarNeurons

/// The one grid step order (Docs/kernel.md, "Grid mode"): per step, every layer advances (from the second
/// step on), then the input is read, then the layers emit in order, then the step ends — the order the
/// kernel's grid mode, the twin and `GridEngine` all run.
@Suite struct GridStepOrderTests {
    @Test func phasesRunInTheGridOrder() {
        var calls: [String] = []
        GridStepOrder.run(
            steps: 3, layers: 2, advance: { l, n in calls.append("a\(l)@\(n)") }, readInputs: { n in calls.append("in@\(n)") },
            emit: { l, n in calls.append("e\(l)@\(n)") }, endStep: { n in calls.append("end@\(n)") })
        #expect(
            calls == [
                "in@0", "e1@0", "e2@0", "end@0",
                "a1@1", "a2@1", "in@1", "e1@1", "e2@1", "end@1",
                "a1@2", "a2@2", "in@2", "e1@2", "e2@2", "end@2",
            ])
    }

    /// No layers (an input population only): the input is still read and every step still ends.
    @Test func aNetworkWithoutLayersStillReadsItsInput() {
        var calls: [String] = []
        GridStepOrder.run(
            steps: 2, layers: 0, advance: { _, _ in calls.append("a") }, readInputs: { n in calls.append("in@\(n)") },
            emit: { _, _ in calls.append("e") }, endStep: { n in calls.append("end@\(n)") })
        #expect(calls == ["in@0", "end@0", "in@1", "end@1"])
    }
}
