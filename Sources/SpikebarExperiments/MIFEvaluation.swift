import Foundation
import SpikebarChip
import SpikebarCore
import SpikebarPipeline

/// What `spikebar evaluate` reports for a MIF scenario.
public struct MIFEvaluation: Codable, Sendable {
    public struct Cost: Codable, Sendable {
        public var architecture: String
        public var meanEnergy: Double, meanLatency: Double, area: Double
    }
    public var scenario: String
    public var weights: String
    public var samples: Int
    /// Twin with the trained (float) weights.
    public var twinAccuracy: Double
    /// Twin of the programmed chip (levels + programming error).
    public var chipTwinAccuracy: Double
    /// Kernel (grid mode) on the programmed chip.
    public var kernelAccuracy: Double
    /// Kernel vs twin of the same chip: fraction of samples with identical output spikes, same class.
    public var identicalOutputSpikes: Double, sameClass: Double
    public var meanOutputSpikes: Double, meanHiddenSpikes: Double
    /// Mean neuron-circuit energy per inference (J).
    public var meanNeuronEnergy: Double
    public var costs: [Cost]
    public var seconds: Double

    /// Evaluates `weights` on the first `samples` test digits.
    public static func run(
        setup: MIFSetup, weights: [WeightMatrix], weightsName: String, samples: Int?, threads: Int,
        progress: @escaping @Sendable (Int) -> Void = { _ in }
    ) throws -> MIFEvaluation {
        let started = Date()
        let test = try setup.testSet(samples: samples)
        let n = test.labels.count
        let float = try setup.network(weights: weights.map { $0.values.map(Double.init) })
        let twin = float.infer(test.images, threads: threads)
        let chip = try setup.chip(weights: weights)
        let chipTwin = try setup.network(chip: chip).infer(test.images, threads: threads)
        let kernel = try setup.kernel(chip)
        let runs = setup.runKernel(kernel, images: test.images, threads: threads, progress: progress)
        func acc(_ p: [Int]) -> Double { Double(zip(p, test.labels).filter { $0 == $1 }.count) / Double(max(n, 1)) }
        var identical = 0, same = 0
        for (t, k) in zip(chipTwin, runs) {
            if t.outputSpikes.map({ [$0.step, $0.neuron] }) == k.outputSpikes.map({ [$0.step, $0.neuron] }) { identical += 1 }
            if t.predictedClass == k.predictedClass { same += 1 }
        }
        let priced = runs.map(setup.price)
        let costs = (0..<(priced.first?.count ?? 0)).map { a in
            Cost(
                architecture: priced[0][a].architecture,
                meanEnergy: priced.reduce(0) { $0 + $1[a].totalEnergy } / Double(max(n, 1)),
                meanLatency: priced.reduce(0) { $0 + $1[a].totalLatency } / Double(max(n, 1)),
                area: priced[0][a].totalArea)
        }
        let L = setup.sizes.count - 1
        return MIFEvaluation(
            scenario: setup.scenario.name, weights: weightsName, samples: n,
            twinAccuracy: acc(twin.map(\.predictedClass)), chipTwinAccuracy: acc(chipTwin.map(\.predictedClass)),
            kernelAccuracy: acc(runs.map(\.predictedClass)),
            identicalOutputSpikes: Double(identical) / Double(max(n, 1)), sameClass: Double(same) / Double(max(n, 1)),
            meanOutputSpikes: Double(runs.reduce(0) { $0 + $1.spikeCounts[L - 1].reduce(0, +) }) / Double(max(n, 1)),
            meanHiddenSpikes: L > 1 ? Double(runs.reduce(0) { $0 + $1.spikeCounts[0].reduce(0, +) }) / Double(max(n, 1)) : 0,
            meanNeuronEnergy: runs.reduce(0) { $0 + $1.neuronEnergy } / Double(max(n, 1)),
            costs: costs, seconds: Date().timeIntervalSince(started))
    }

    /// The evaluation as a Markdown table.
    public var markdown: String {
        func pct(_ x: Double) -> String { String(format: "%.2f %%", 100 * x) }
        var s = "# \(scenario): MIF neurons, \(samples) MNIST test digits\n\n"
        s += "| engine | accuracy |\n|---|---|\n"
        s += "| twin, trained weights | \(pct(twinAccuracy)) |\n| twin, programmed chip | \(pct(chipTwinAccuracy)) |\n"
        s += "| kernel (grid), programmed chip | \(pct(kernelAccuracy)) |\n\n"
        s +=
            "Kernel vs twin on the same chip: identical output spikes on \(pct(identicalOutputSpikes)) of samples, same class on \(pct(sameClass)).\n"
        s += String(
            format: "Mean spikes per inference: hidden %.1f, output %.1f; MIF neuron energy %@ per inference.\n\n",
            meanHiddenSpikes, meanOutputSpikes, Units.format(meanNeuronEnergy, "J"))
        s += "| architecture | energy / inference | latency / inference | area |\n|---|---|---|---|\n"
        for c in costs {
            s +=
                "| \(c.architecture) | \(Units.format(c.meanEnergy, "J")) | \(Units.format(seconds: c.meanLatency)) | \(String(format: "%.3f mm²", c.area * 1e6)) |\n"
        }
        return s
    }
}
