import Testing
import SpikebarChip
import SpikebarCore
import SpikebarDevices
import SpikebarScenario
import SpikebarTwin
import SpikebarTestSupport

/// The twin's hand-written backward pass against central finite differences. The Heaviside spike is
/// replaced by the smooth function whose derivative is the surrogate (`smoothSpikes`), and the reset is
/// not detached, so the analytic gradient is the exact gradient of a smooth forward pass — any error in
/// a backward term (propagator, reset, recurrent or feed-forward delivery, readout) shows.
@Suite struct TwinGradientTests {
    func tinyTwin(recurrent: Bool, readout: Readout) throws -> (TwinNetwork, [StepSpikes], [Int]) {
        let (s, w) = try gradientCheckNetwork(recurrent: recurrent)
        var twin = try TwinNetwork(
            network: s.network, neurons: Chip.sampleNeurons(scenario: s), device: s.device,
            weights: w, dt: 1e-3, steps: 12, readout: readout, readoutScale: 2, surrogateSlope: 4)
        twin.smoothSpikes = true
        twin.detachReset = false
        var rng = RandomStream(seed: 9, purpose: .training)
        let xs = (0..<3).map { _ in StepSpikes.bernoulli(probability: Array(repeating: 0.35, count: 6), steps: 12, using: &rng) }
        return (twin, xs, [0, 2, 1])
    }

    /// Workspaces and gradient buffers are reused from one mini-batch to the next (`TwinScratchPool`):
    /// whatever ran before — another batch, another network's shape, another thread count — a gradient
    /// is bit-identical to the one a fresh process computes.
    @Test func reusedScratchGivesBitIdenticalGradients() throws {
        let (twin, xs, labels) = try tinyTwin(recurrent: true, readout: .spikeCount)
        let batch = Array(repeating: xs, count: 7).flatMap { $0 }, batchLabels = Array(repeating: labels, count: 7).flatMap { $0 }
        let first = twin.gradient(batch, labels: batchLabels, threads: 1)
        let (other, ys, otherLabels) = try tinyTwin(recurrent: false, readout: .maxMembrane)
        _ = other.gradient(ys + ys, labels: otherLabels + otherLabels, threads: 2)
        var rng = RandomStream(seed: 4, purpose: .training)
        let noise = (0..<5).map { _ in StepSpikes.bernoulli(probability: Array(repeating: 0.8, count: 6), steps: 12, using: &rng) }
        _ = twin.gradient(noise, labels: [0, 1, 2, 0, 1], threads: 3)
        for threads in [1, 2, 3] {
            let again = twin.gradient(batch, labels: batchLabels, threads: threads)
            #expect(again.gradients == first.gradients && again.loss == first.loss, "threads \(threads)")
        }
    }

    @Test(arguments: [(false, Readout.spikeCount), (true, Readout.spikeCount), (true, Readout.maxMembrane), (false, Readout.maxMembrane)])
    func backwardMatchesFiniteDifferences(recurrent: Bool, readout: Readout) throws {
        let (twin, xs, labels) = try tinyTwin(recurrent: recurrent, readout: readout)
        let g = twin.gradient(xs, labels: labels, threads: 1)
        #expect(g.loss.isFinite && g.loss > 0)
        var checked = 0, largest = 0.0
        for c in twin.weights.indices {
            let flat = g.gradients[c]
            largest = max(largest, flat.map(abs).max() ?? 0)
            for idx in stride(from: 0, to: twin.weights[c].count, by: 2) {
                let h = 1e-6
                var plus = twin.weights, minus = twin.weights
                plus[c][idx] += h; minus[c][idx] -= h
                let lp = twin.gradient(xs, labels: labels, effective: plus, threads: 1).loss
                let lm = twin.gradient(xs, labels: labels, effective: minus, threads: 1).loss
                let fd = (lp - lm) / (2 * h)
                let tol = 1e-6 + 1e-4 * max(abs(fd), abs(flat[idx]))
                #expect(abs(fd - flat[idx]) <= tol, "connection \(c) entry \(idx): finite difference \(fd), backward \(flat[idx])")
                checked += 1
            }
        }
        #expect(checked > 20)
        #expect(largest > 1e-4)  // the network is not saturated: gradients are not trivially zero
    }

    /// The gradient of a mini-batch does not depend on the number of threads (fixed work units summed in order).
    @Test func gradientIsThreadCountInvariant() throws {
        var (twin, _, _) = try tinyTwin(recurrent: true, readout: .spikeCount)
        twin.smoothSpikes = false
        twin.detachReset = true
        var rng = RandomStream(seed: 4, purpose: .training)
        let xs = (0..<21).map { _ in StepSpikes.bernoulli(probability: Array(repeating: 0.3, count: 6), steps: 12, using: &rng) }
        let labels = (0..<21).map { $0 % 3 }
        let one = twin.gradient(xs, labels: labels, threads: 1), two = twin.gradient(xs, labels: labels, threads: 3)
        #expect(one.loss == two.loss)
        #expect(one.gradients == two.gradients)
    }

    /// Adam moves a parameter against its gradient by about the learning rate, and clips to the window.
    @Test func adamStepsAndClips() {
        var adam = Adam(shapes: [3])
        var p: [[Double]] = [[0.5, -0.5, 0.999]]
        adam.update(&p, grads: [[1, -2, -1]], lr: 0.01)
        #expect(abs(p[0][0] - 0.49) < 1e-6)
        #expect(abs(p[0][1] + 0.49) < 1e-6)
        #expect(p[0][2] == 1)
    }
}
