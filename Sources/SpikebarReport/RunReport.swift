import SpikebarActivity
import SpikebarCore
import SpikebarCost

/// The result of `spikebar run`: one inference in detail and statistics over all inferences, priced on
/// every architecture. Pure data (numbers come from the kernel and the cost models); `report.json` is
/// this value encoded with sorted keys, so the same scenario and seed give byte-identical files.
public struct RunReport: Codable, Sendable, Equatable {
    public var tool: String = "spikebar"
    /// 2: adds `detail` (the charts of report.html).
    public var formatVersion: Int = 2
    public var scenario: String
    public var scenarioFile: String
    public var scenarioDigest: String
    public var seed: UInt64
    /// `exact` or `grid(dt)`.
    public var timing: String
    public var window: Seconds
    public var dt: Seconds
    public var populations: [PopulationSummary]
    public var tiles: Int
    /// DPI gain per layer of neurons, and how it was set (scenario, weights file or rate calibration).
    public var synapseGains: [Double]
    public var gainSource: String
    public var weightSource: String
    /// Per inference, in sample order.
    public var inferences: [InferenceSummary]
    /// Mean over inferences of the activity figures.
    public var meanActivity: ActivitySummary
    /// Classification accuracy when labels are known.
    public var accuracy: Double?
    public var architectures: [ArchitectureSummary]
    /// Spikes, rates, concurrency and column currents behind the charts of `report.html`; nil when the
    /// report was assembled without them.
    public var detail: InferenceDetail?
    /// What programming this chip cost once, before any inference (write pulses and their energy, from
    /// the device's write-verify or single-pulse model); nil when not known.
    public var programming: ProgrammingSummary?
    /// What the comparison assumes, in the words shown at the top of every rendering (console, md, html).
    public var assumptions: [String] = []

    public init(
        scenario: String, scenarioFile: String, scenarioDigest: String, seed: UInt64, timing: String,
        window: Seconds, dt: Seconds, populations: [PopulationSummary], tiles: Int, synapseGains: [Double],
        gainSource: String, weightSource: String, inferences: [InferenceSummary], meanActivity: ActivitySummary,
        accuracy: Double?, architectures: [ArchitectureSummary], detail: InferenceDetail? = nil
    ) {
        self.scenario = scenario; self.scenarioFile = scenarioFile; self.scenarioDigest = scenarioDigest
        self.seed = seed; self.timing = timing; self.window = window; self.dt = dt; self.populations = populations
        self.tiles = tiles; self.synapseGains = synapseGains; self.gainSource = gainSource
        self.weightSource = weightSource; self.inferences = inferences; self.meanActivity = meanActivity
        self.accuracy = accuracy; self.architectures = architectures
        self.detail = detail
    }
}

/// The one-time cost of programming the chip's crossbars (`SpikebarDevices.WriteVerify` pulses; energy per
/// pulse from the scenario's device: `V_write² · G · t_pulse`, Docs/devices.md#write-verify).
public struct ProgrammingSummary: Codable, Sendable, Equatable {
    /// Cells written (both cells of every differential pair).
    public var cells: Int
    /// Write pulses over all cells (SET/RESET and verify-driven retries).
    public var pulses: Int
    /// Energy of all write pulses (J).
    public var energy: Joules
    /// Cells that missed their tolerance after the pulse budget.
    public var failures: Int
    /// Inferences after which the spike-driven RRAM chip's inference energy equals the programming energy
    /// (programming energy / mean RRAM-SNN energy per inference): below it, programming dominates.
    public var breakEvenInferences: Double?

    public init(cells: Int, pulses: Int, energy: Joules, failures: Int, breakEvenInferences: Double?) {
        self.cells = cells; self.pulses = pulses; self.energy = energy; self.failures = failures
        self.breakEvenInferences = breakEvenInferences
    }
}

public struct PopulationSummary: Codable, Sendable, Equatable {
    public var name: String
    public var size: Int
    public init(name: String, size: Int) { self.name = name; self.size = size }
}

/// Activity figures every architecture ratio depends on.
public struct ActivitySummary: Codable, Sendable, Equatable {
    public var spikes: Double
    public var spikesPerLayer: [Double]
    public var meanRatePerLayer: [Double]
    public var rowReads: Double
    public var synapticEvents: Double
    public var cellReads: Double
    public var peakConcurrentRows: Double
    /// Fraction of (row, step) slots read — see `Activity.rowActivityPerStep`.
    public var rowActivityPerStep: Double
    public var decisionTime: Double?

    public init(_ a: Activity) {
        spikes = Double(a.totalSpikes)
        spikesPerLayer = a.layers.map { Double($0.spikes) }
        meanRatePerLayer = a.layers.map(\.meanRate)
        rowReads = Double(a.totalRowReads)
        synapticEvents = Double(a.totalSynapticEvents)
        cellReads = Double(a.totalCellReads)
        peakConcurrentRows = Double(a.peakConcurrentRows)
        rowActivityPerStep = a.rowActivityPerStep
        decisionTime = a.decisionTime
    }

    /// Element-wise mean (decision time over the inferences that reached one).
    public static func mean(_ xs: [ActivitySummary]) -> ActivitySummary {
        guard var m = xs.first else {
            return ActivitySummary(
                Activity(
                    window: 0, dt: 1, steps: 1, layers: [], tiles: [], outputSpikeCounts: [], firstOutputSpike: nil, decisionTime: nil,
                    predictedClass: nil))
        }
        let n = Double(xs.count)
        func avg(_ f: (ActivitySummary) -> Double) -> Double { xs.reduce(0) { $0 + f($1) } / n }
        m.spikes = avg(\.spikes); m.rowReads = avg(\.rowReads); m.synapticEvents = avg(\.synapticEvents)
        m.cellReads = avg(\.cellReads); m.peakConcurrentRows = avg(\.peakConcurrentRows)
        m.rowActivityPerStep = avg(\.rowActivityPerStep)
        m.spikesPerLayer = m.spikesPerLayer.indices.map { k in avg { $0.spikesPerLayer[k] } }
        m.meanRatePerLayer = m.meanRatePerLayer.indices.map { k in avg { $0.meanRatePerLayer[k] } }
        let d = xs.compactMap(\.decisionTime)
        m.decisionTime = d.isEmpty ? nil : d.reduce(0, +) / Double(d.count)
        return m
    }
}

/// One inference: what the kernel measured and what each architecture charged for it.
public struct InferenceSummary: Codable, Sendable, Equatable {
    public var sample: Int
    public var label: Int?
    public var predictedClass: Int?
    public var outputSpikeCounts: [Int]
    public var activity: ActivitySummary
    /// Energy (J) and latency (s) per architecture, in the order of `RunReport.architectures`.
    public var energy: [Double]
    public var latency: [Double]

    public init(
        sample: Int, label: Int?, predictedClass: Int?, outputSpikeCounts: [Int], activity: ActivitySummary,
        energy: [Double], latency: [Double]
    ) {
        self.sample = sample; self.label = label; self.predictedClass = predictedClass
        self.outputSpikeCounts = outputSpikeCounts; self.activity = activity; self.energy = energy; self.latency = latency
    }
}

/// One architecture over the run.
public struct ArchitectureSummary: Codable, Sendable, Equatable {
    public var architecture: String
    /// Full breakdown of the first inference.
    public var firstInference: CostEstimate
    /// Breakdown averaged over all inferences (component-wise mean).
    public var meanBreakdown: CostEstimate
    public var energy: Statistics
    public var latency: Statistics
    public var area: SquareMetres
    /// Mean energy divided by the spike-driven crossbar's mean energy; NaN when that is 0 (0/0 or x/0
    /// has no meaning), and then absent from report.json, not "inf" (issue #22).
    public var energyRatioToRRAM: Double
    /// Mean streaming latency divided by the spike-driven crossbar's (same basis on both sides).
    public var latencyRatioToRRAM: Double
    /// Latency with the input already buffered (s); `latency` is the streaming basis (input in real time).
    public var computeLatency: Statistics
    /// Mean compute latency divided by the spike-driven crossbar's.
    public var computeLatencyRatioToRRAM: Double
    /// Why this architecture's two latency bases are what they are.
    public var latencyBasisNote: String
    /// Mean power over the input window (W): mean energy / window.
    public var meanPower: Watts?
    /// Mean energy × mean streaming latency (J·s).
    public var energyDelayProduct: Double
    /// Inferences per second one at a time with buffered input (1 / mean compute latency), no pipelining.
    public var throughput: Double?
    /// Share of the mean energy resting on physics / H / M / S / A / U prices.
    public var confidence: ConfidenceShares
    /// False when the network cannot be mapped on this architecture as priced: the numbers are then an
    /// idealised lower bound and every rendering says so next to them.
    public var feasible: Bool

    enum CodingKeys: String, CodingKey {
        case architecture, firstInference, meanBreakdown, energy, latency, area, energyRatioToRRAM, latencyRatioToRRAM
        case computeLatency, computeLatencyRatioToRRAM, latencyBasisNote, meanPower, energyDelayProduct, throughput
        case confidence, feasible
    }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        architecture = try c.decode(String.self, forKey: .architecture)
        firstInference = try c.decode(CostEstimate.self, forKey: .firstInference)
        meanBreakdown = try c.decode(CostEstimate.self, forKey: .meanBreakdown)
        energy = try c.decode(Statistics.self, forKey: .energy)
        latency = try c.decode(Statistics.self, forKey: .latency)
        area = try c.decode(SquareMetres.self, forKey: .area)
        energyRatioToRRAM = try c.decodeIfPresent(Double.self, forKey: .energyRatioToRRAM) ?? .nan
        latencyRatioToRRAM = try c.decodeIfPresent(Double.self, forKey: .latencyRatioToRRAM) ?? .nan
        computeLatency = try c.decodeIfPresent(Statistics.self, forKey: .computeLatency) ?? latency
        computeLatencyRatioToRRAM = try c.decodeIfPresent(Double.self, forKey: .computeLatencyRatioToRRAM) ?? .nan
        latencyBasisNote = try c.decodeIfPresent(String.self, forKey: .latencyBasisNote) ?? ""
        meanPower = try c.decodeIfPresent(Double.self, forKey: .meanPower)
        energyDelayProduct = try c.decodeIfPresent(Double.self, forKey: .energyDelayProduct) ?? energy.mean * latency.mean
        throughput = try c.decodeIfPresent(Double.self, forKey: .throughput)
        confidence = try c.decodeIfPresent(ConfidenceShares.self, forKey: .confidence) ?? meanBreakdown.confidence
        feasible = try c.decodeIfPresent(Bool.self, forKey: .feasible) ?? true
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(architecture, forKey: .architecture)
        try c.encode(firstInference, forKey: .firstInference)
        try c.encode(meanBreakdown, forKey: .meanBreakdown)
        try c.encode(energy, forKey: .energy)
        try c.encode(latency, forKey: .latency)
        try c.encode(area, forKey: .area)
        // A ratio to a zero reference has no meaning: absent, not "inf" (issue #22).
        if energyRatioToRRAM.isFinite { try c.encode(energyRatioToRRAM, forKey: .energyRatioToRRAM) }
        if latencyRatioToRRAM.isFinite { try c.encode(latencyRatioToRRAM, forKey: .latencyRatioToRRAM) }
        if computeLatencyRatioToRRAM.isFinite { try c.encode(computeLatencyRatioToRRAM, forKey: .computeLatencyRatioToRRAM) }
        try c.encode(computeLatency, forKey: .computeLatency)
        try c.encode(latencyBasisNote, forKey: .latencyBasisNote)
        try c.encodeIfPresent(meanPower, forKey: .meanPower)
        try c.encode(energyDelayProduct, forKey: .energyDelayProduct)
        try c.encodeIfPresent(throughput, forKey: .throughput)
        try c.encode(confidence, forKey: .confidence)
        try c.encode(feasible, forKey: .feasible)
    }

    public init(
        architecture: String, firstInference: CostEstimate, meanBreakdown: CostEstimate, energy: Statistics,
        latency: Statistics, area: SquareMetres, energyRatioToRRAM: Double, latencyRatioToRRAM: Double,
        computeLatency: Statistics? = nil, computeLatencyRatioToRRAM: Double? = nil, window: Seconds = 0
    ) {
        self.architecture = architecture; self.firstInference = firstInference; self.meanBreakdown = meanBreakdown
        self.energy = energy; self.latency = latency; self.area = area
        self.energyRatioToRRAM = energyRatioToRRAM; self.latencyRatioToRRAM = latencyRatioToRRAM
        let compute = computeLatency ?? latency
        self.computeLatency = compute
        self.computeLatencyRatioToRRAM = computeLatencyRatioToRRAM ?? latencyRatioToRRAM
        self.latencyBasisNote = meanBreakdown.latencyBasisNote
        self.meanPower = window > 0 ? energy.mean / window : nil
        self.energyDelayProduct = energy.mean * latency.mean
        self.throughput = compute.mean > 0 ? 1 / compute.mean : nil
        self.confidence = meanBreakdown.confidence
        self.feasible = meanBreakdown.feasible
    }

    /// The architecture's name with its infeasibility mark when it cannot be mapped as priced.
    public var label: String { feasible ? architecture : "\(architecture) (INFEASIBLE)" }
}

/// Mean, median and 95th percentile (nearest-rank) of a sample.
public struct Statistics: Codable, Sendable, Equatable {
    public var mean: Double, p50: Double, p95: Double, min: Double, max: Double
    public init(_ xs: [Double]) {
        let s = xs.sorted()
        let n = s.count
        mean = n > 0 ? s.reduce(0, +) / Double(n) : 0
        func rank(_ q: Double) -> Double { n > 0 ? s[Swift.min(n - 1, Swift.max(0, Int((q * Double(n)).rounded(.up)) - 1))] : 0 }
        p50 = rank(0.5); p95 = rank(0.95)
        min = s.first ?? 0; max = s.last ?? 0
    }
}
