import SpikebarActivity
import SpikebarCore
import SpikebarCost
import SpikebarReport

/// What a run's activities come to, per inference and per architecture: the one rule both engines'
/// reports use (`Simulation.report` for networks of layers, `NIRSimulation.report` for NIR graphs), so
/// that a comparison between them means the same thing in every column.
public struct RunSummary: Sendable {
    public var inferences: [InferenceSummary]
    public var architectures: [ArchitectureSummary]
    /// Correct / inferences when labels are known.
    public var accuracy: Double?
    /// Mean RRAM-SNN energy per inference (J): the reference of every ratio (the first cost model).
    public var meanRRAMEnergy: Joules

    /// Prices nothing: `estimates[k][m]` is cost model `m`'s estimate of inference `k`.
    public init(activities: [Activity], estimates: [[CostEstimate]], architectures names: [String], labels: [Int]?, sampleIDs: [Int], window: Seconds)
    {
        var inferences: [InferenceSummary] = []
        var correct = 0
        for (k, a) in activities.enumerated() {
            let label = labels?[k]
            if let label, a.predictedClass == label { correct += 1 }
            inferences.append(
                InferenceSummary(
                    sample: sampleIDs[k], label: label, predictedClass: a.predictedClass,
                    outputSpikeCounts: a.outputSpikeCounts, activity: ActivitySummary(a),
                    energy: estimates[k].map(\.totalEnergy), latency: estimates[k].map(\.totalLatency)))
        }
        let rramEnergy = activities.indices.map { estimates[$0][0].totalEnergy }
        let rramLatency = activities.indices.map { estimates[$0][0].totalLatency }
        let meanRRAM = Statistics(rramEnergy).mean, meanRRAMLatency = Statistics(rramLatency).mean
        let meanRRAMCompute = Statistics(activities.indices.map { estimates[$0][0].totalComputeLatency }).mean
        architectures = names.enumerated().map { m, name in
            let per = estimates.map { $0[m] }
            let e = Statistics(per.map(\.totalEnergy)), l = Statistics(per.map(\.totalLatency))
            let c = Statistics(per.map(\.totalComputeLatency))
            return ArchitectureSummary(
                architecture: name, firstInference: per[0], meanBreakdown: RunSummary.mean(per),
                energy: e, latency: l, area: per[0].totalArea,
                energyRatioToRRAM: meanRRAM > 0 ? e.mean / meanRRAM : .nan,
                latencyRatioToRRAM: meanRRAMLatency > 0 ? l.mean / meanRRAMLatency : .nan,
                computeLatency: c,
                computeLatencyRatioToRRAM: meanRRAMCompute > 0 ? c.mean / meanRRAMCompute : .nan,
                window: window)
        }
        self.inferences = inferences
        accuracy = labels == nil ? nil : Double(correct) / Double(max(1, activities.count))
        meanRRAMEnergy = meanRRAM
    }

    /// Component-wise mean of estimates with the same components.
    public static func mean(_ xs: [CostEstimate]) -> CostEstimate {
        guard var m = xs.first else { return CostEstimate(architecture: "", energy: [], latency: [], area: [], notes: []) }
        let n = Double(xs.count)
        func avg(_ path: WritableKeyPath<CostEstimate, [CostComponent]>) {
            for k in m[keyPath: path].indices {
                m[keyPath: path][k].value = xs.reduce(0) { $0 + $1[keyPath: path][k].value } / n
                m[keyPath: path][k].count = xs.reduce(0) { $0 + $1[keyPath: path][k].count } / n
            }
        }
        avg(\.energy); avg(\.latency); avg(\.computeLatency)
        m.feasible = xs.allSatisfy(\.feasible)
        return m
    }
}
