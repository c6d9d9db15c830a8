import Testing
import SpikebarChip
import SpikebarCore
import SpikebarDevices
import SpikebarScenario
import SpikebarTwin
import SpikebarNeurons
import SpikebarTestSupport

/// ∂L/∂τ_mem and ∂L/∂τ_syn of the twin (trainable time constants) against central finite differences on
/// the smooth twin (`smoothSpikes`, reset not detached), as `TwinGradientTests` checks ∂L/∂W: every path
/// through α, β, κ and the input scale gain/τ_syn is covered, recurrent layer included.
@Suite struct TimeConstantGradientTests {
    @Test(arguments: [false, true])
    func timeConstantGradientsMatchFiniteDifferences(recurrent: Bool) throws {
        let (s, w) = try gradientCheckNetwork(recurrent: recurrent)
        let neurons = Chip.sampleNeurons(scenario: s)
        func twin(_ n: [[NeuronParameters]]) throws -> TwinNetwork {
            var t = try TwinNetwork(
                network: s.network, neurons: n, device: s.device, weights: w, dt: 1e-3, steps: 12,
                readout: .spikeCount, readoutScale: 2, surrogateSlope: 4)
            t.smoothSpikes = true; t.detachReset = false
            return t
        }
        var rng = RandomStream(seed: 9, purpose: .training)
        let xs = (0..<3).map { _ in StepSpikes.bernoulli(probability: Array(repeating: 0.35, count: 6), steps: 12, using: &rng) }
        let labels = [0, 2, 1]
        let g = try twin(neurons).gradient(xs, labels: labels, threads: 1, timeConstants: true)
        let gm = try #require(g.tauMem), gs = try #require(g.tauSyn)
        var largest = 0.0, checked = 0
        for l in 0..<2 {
            for i in 0..<s.network.layers[l].size {
                for syn in [false, true] {
                    var plus = neurons, minus = neurons
                    let tau = syn ? neurons[l][i].tauSyn : neurons[l][i].tauMem
                    let h = 1e-7 * tau
                    if syn { plus[l][i].tauSyn += h; minus[l][i].tauSyn -= h } else { plus[l][i].tauMem += h; minus[l][i].tauMem -= h }
                    let fd =
                        (try twin(plus).gradient(xs, labels: labels, threads: 1).loss
                            - twin(minus).gradient(xs, labels: labels, threads: 1).loss) / (2 * h)
                    let analytic = syn ? gs[l][i] : gm[l][i]
                    largest = max(largest, abs(analytic) * tau)
                    #expect(
                        abs(fd - analytic) <= 1e-4 * max(abs(fd), abs(analytic)) + 1e-6 / tau,
                        "layer \(l) neuron \(i) \(syn ? "τ_syn" : "τ_mem"): finite difference \(fd), backward \(analytic)")
                    checked += 1
                }
            }
        }
        #expect(checked == 16 && largest > 1e-4)
        // Asking for them changes nothing else.
        let plain = try twin(neurons).gradient(xs, labels: labels, threads: 1)
        #expect(plain.gradients == g.gradients && plain.loss == g.loss && plain.tauMem == nil)
    }
}
