import SpikebarCore
import SpikebarDevices
import SpikebarCost

/// A scenario: everything one `spikebar run` needs, as data (DESIGN §7). Decoded from YAML by
/// `ScenarioLoader`, which rejects unknown keys and reports errors as `file:line: key.path: message`.
/// Every key, unit, default and range: Docs/scenario-reference.md.
public struct Scenario: Sendable, Codable {
    /// Display name (defaults to the file name without extension).
    public var name: String
    /// Seed of every random draw (DESIGN §5): same seed ⇒ bit-identical outputs.
    public var seed: UInt64
    public var network: NetworkSpec
    public var neurons: NeuronParameters
    /// `neurons: { model: mif, … }`: every layer is made of memristive integrate-and-fire neurons
    /// (Docs/mif-neurons.md); nil for the default DPI + LIF neurons.
    public var mif: MIFParameters?
    public var heterogeneity: Heterogeneity
    public var device: RRAMDevice
    public var tiles: TileSpec
    public var weights: WeightSpec
    public var input: InputSpec
    public var simulation: SimulationSpec
    /// Price lists of the architectures the run is compared on.
    public var architectures: PriceLists
    /// What `spikebar train` / `evaluate` do (nil: the scenario is not for training).
    public var training: TrainingSpec?
    /// Trained per-neuron time-constant settings from the weights file (not a scenario key; set by the
    /// commands that load trained weights). nil: the chip's τ are its own draws.
    public var tunedTimeConstants: TunedTimeConstants? = nil

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, seed, network, neurons, heterogeneity, device, tiles, weights, input, simulation, architectures, training
    }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(.name, default: "")
        // The name becomes a folder (`spikebar-out/<name>/`): no separators, `..`, control characters.
        if !name.isEmpty, let why = OutputPath.componentProblem(name) { throw c.invalid(.name, "the scenario name \(why)") }
        seed = try c.decode(.seed, default: 1)
        network = try c.decode(NetworkSpec.self, forKey: .network)
        if c.contains(.neurons), (try? c.decode(NeuronModelProbe.self, forKey: .neurons))?.model == "mif" {
            mif = try c.decode(MIFParameters.self, forKey: .neurons)
            neurons = .default
        } else {
            neurons = try c.decode(.neurons, default: .default)
        }
        heterogeneity = try c.decode(.heterogeneity, default: .default)
        device = try c.decode(.device, default: .default)
        tiles = try c.decode(.tiles, default: .default)
        weights = try c.decode(.weights, default: .default)
        input = try c.decode(InputSpec.self, forKey: .input)
        simulation = try c.decode(.simulation, default: .default)
        architectures = try c.decode(.architectures, default: PriceLists())
        training = try c.decodeIfPresent(TrainingSpec.self, forKey: .training)
        if training?.calibration.parasitics == true, tiles.parasitics == nil {
            throw c.invalid(.training, "calibration.parasitics needs a tiles.parasitics block (r_source, r_neuron, r_wire)")
        }
        if let g = training?.gains, g.count != network.layers.count {
            throw c.invalid(.training, "gains has \(g.count) values but the network has \(network.layers.count) layers of neurons")
        }
        if let m = mif {
            if network.layers.contains(where: \.recurrent) { throw c.invalid(.network, "MIF neurons support feed-forward layers only") }
            if m.gains.count != network.layers.count {
                throw c.invalid(.neurons, "gains has \(m.gains.count) values but the network has \(network.layers.count) layers of neurons")
            }
        }
        if input.source == .mnist, network.input != 784 {
            throw c.invalid(.network, "input has \(network.input) channels but MNIST digits have 784 pixels")
        }
        if input.source == .twoMoons, network.input % 2 != 0 {
            throw c.invalid(.input, "two_moons input needs an even number of input channels (network.input is \(network.input))")
        }
        if input.source == .randman, training?.randman == nil {
            throw c.invalid(.input, "source: randman needs a training: section with dataset: randman (its task parameters)")
        }
        if let r = training?.randman, r.classes > network.layers.last?.size ?? 0 {
            throw c.invalid(.training, "randman.classes is \(r.classes) but the output layer has fewer neurons")
        }
        if input.source == .synthetic, let k = input.classes, k > network.layers.last?.size ?? 0 {
            throw c.invalid(.input, "synthetic input has \(k) classes but the output layer has fewer neurons")
        }
    }
}

/// Reads only the `model` key of the `neurons` section (to choose the neuron model's decoder).
struct NeuronModelProbe: Decodable {
    var model: String?
    enum CodingKeys: String, CodingKey { case model }
}

/// Topology: an input population and layers of neurons, each fully connected to the previous one,
/// optionally with recurrent (all-to-all, same-layer) connections.
public struct NetworkSpec: Sendable, Codable, Equatable {
    /// Number of input channels (e.g. 784 pixels).
    public var input: Int
    public var layers: [LayerSpec]

    enum CodingKeys: String, CodingKey, CaseIterable { case input, layers }
    public init(input: Int, layers: [LayerSpec]) { self.input = input; self.layers = layers }
    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        input = try c.decode(Int.self, forKey: .input)
        if !(1...10_000_000).contains(input) { throw c.invalid(.input, "value \(input) out of range (expected 1 … 10000000)") }
        layers = try c.decode([LayerSpec].self, forKey: .layers)
        if layers.isEmpty { throw c.invalid(.layers, "at least one layer of neurons is required") }
        if layers.last?.recurrent == true { throw c.invalid(.layers, "the output layer cannot be recurrent") }
        // Layer names key the populations of traces and reports (`trace cat` → `trace import` round trip).
        var seen = Set<String>()
        for l in layers {
            if l.name == "input" { throw c.invalid(.layers, "a layer cannot be named 'input' (the input population has that name)") }
            if !seen.insert(l.name).inserted { throw c.invalid(.layers, "two layers are named '\(l.name)' (layer names must be unique)") }
        }
    }
}

/// One layer of neurons.
public struct LayerSpec: Sendable, Codable, Equatable {
    public var name: String
    public var size: Int
    /// All-to-all connections within the layer (a recurrent hidden layer).
    public var recurrent: Bool

    enum CodingKeys: String, CodingKey, CaseIterable { case name, size, recurrent }
    public init(name: String, size: Int, recurrent: Bool = false) { self.name = name; self.size = size; self.recurrent = recurrent }
    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        if name.isEmpty || name.utf8.count > 256 || name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            throw c.invalid(.name, "a layer name must be 1 … 256 bytes without control characters")
        }
        size = try c.decode(Int.self, forKey: .size)
        if !(1...10_000_000).contains(size) { throw c.invalid(.size, "value \(size) out of range (expected 1 … 10000000)") }
        recurrent = try c.decode(.recurrent, default: false)
    }
}

/// How a layer's signed weights sit on crossbar tiles (DESIGN §3).
public enum DifferentialMapping: String, Sendable, Codable, CaseIterable {
    /// `G⁺` and `G⁻` in two adjacent columns of the same tile: a tile holds `cols/2` neurons.
    case columns = "differential_columns"
    /// `G⁺` and `G⁻` in the same column of two twin tiles: a tile pair holds `cols` neurons.
    case arrays = "differential_arrays"
}

/// Crossbar tile geometry and weight mapping.
public struct TileSpec: Sendable, Codable, Equatable {
    public var rows: Int, cols: Int
    public var mapping: DifferentialMapping
    /// Read-path parasitics and chip-to-chip corner (Docs/circuits.md); nil: ideal reads.
    public var parasitics: CrossbarParasitics?
    public static let `default` = TileSpec(rows: 128, cols: 128, mapping: .columns)
    public init(rows: Int, cols: Int, mapping: DifferentialMapping, parasitics: CrossbarParasitics? = nil) {
        self.rows = rows; self.cols = cols; self.mapping = mapping; self.parasitics = parasitics
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case rows, cols, mapping, parasitics }
    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        rows = try c.decode(.rows, default: 128, in: 1...65_536)
        cols = try c.decode(.cols, default: 128, in: 1...65_536)
        mapping = try c.choice(.mapping, default: .columns)
        parasitics = try c.decodeIfPresent(CrossbarParasitics.self, forKey: .parasitics)
        if mapping == .columns, cols < 2 { throw c.invalid(.cols, "differential_columns needs at least 2 columns") }
    }
}

/// Where the weights come from.
public struct WeightSpec: Sendable, Codable, Equatable {
    public enum Source: String, Sendable, Codable, CaseIterable { case generated, file }
    public var source: Source
    /// Weights file (`spikebar train` writes it), relative to the scenario file.
    public var file: String?
    /// Generated weights: normal with this mean and std, in units of the conductance window
    /// (±1 = one cell at G_max, its partner at G_min), clipped to [−1, 1].
    public var mean: Double, std: Double
    /// Generated weights: the DPI gain of each layer is calibrated so that its neurons fire at this
    /// mean rate (Hz) on the scenario's input, so that architecture comparisons see realistic activity.
    /// 0 disables the calibration.
    public var targetRate: Double
    /// Calibrated output-layer rate (Hz) (the output layer usually fires less than the hidden one).
    public var targetOutputRate: Double

    public static let `default` = WeightSpec(source: .generated, file: nil, mean: 0.1, std: 0.5, targetRate: 20, targetOutputRate: 10)
    public init(source: Source, file: String?, mean: Double, std: Double, targetRate: Double, targetOutputRate: Double) {
        self.source = source; self.file = file; self.mean = mean; self.std = std
        self.targetRate = targetRate; self.targetOutputRate = targetOutputRate
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case source, file, mean, std, targetRate = "target_rate", targetOutputRate = "target_output_rate"
    }
    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        file = try c.decodeIfPresent(String.self, forKey: .file)
        source = try c.choice(.source, default: file == nil ? .generated : .file)
        if source == .file, file == nil { throw c.invalid(.file, "source: file needs a weights file path") }
        mean = try c.decode(.mean, default: 0.1, in: -1...1)
        std = try c.decode(.std, default: 0.5, in: 0...10)
        targetRate = try c.decode(.targetRate, default: 20, in: 0...1000, unit: "Hz")
        targetOutputRate = try c.decode(.targetOutputRate, default: 10, in: 0...1000, unit: "Hz")
    }
}

/// The input presented to the network, one sample per inference.
public struct InputSpec: Sendable, Codable, Equatable {
    public enum Source: String, Sendable, Codable, CaseIterable {
        /// MNIST digits from an IDX image file (+ optional labels), pixel intensity → Poisson rate.
        case mnist
        /// A deterministic synthetic pattern: class k lights a band of channels (no file needed).
        case synthetic
        /// Homogeneous Poisson input: every channel at `max_rate` (throughput benchmarks).
        case uniform
        /// Recorded spikes from a `.sbt` trace (`file`): the trace's first population drives the input
        /// channels directly, no encoder (Docs/scenario-reference.md, "Trace input").
        case trace
        /// Two-moons test points (the `training:` section's noise, population-coded over the input
        /// channels, half per coordinate), the same points `spikebar evaluate` tests on.
        case twoMoons = "two_moons"
        /// Randman test samples (`training.randman`, Docs/randman.md): one spike time per unit and spike,
        /// no encoder; the same samples `spikebar evaluate` tests on.
        case randman
    }
    public enum Encoder: String, Sendable, Codable, CaseIterable { case poisson }
    public var source: Source
    public var encoder: Encoder
    /// IDX image file (mnist) or `.sbt` trace (trace), and IDX label file, relative to the scenario file.
    public var file: String?
    public var labels: String?
    /// Firing rate of a fully-on channel (Hz).
    public var maxRate: Hertz
    /// Presentation window per inference (s).
    public var window: Seconds
    /// Timestamp resolution of encoded input spikes (s, a whole number of picoseconds; default 1 ps,
    /// i.e. continuous time at the kernel's resolution). An AER input interface stamps events on a
    /// clock — 1 µs for DVS cameras and N-MNIST (Orchard et al. 2015), the FPGA interfaces of DYNAP-class
    /// boards — so `1e-6` models that interface; spikes are rounded to the nearest multiple.
    public var timeResolution: Seconds
    /// Number of inferences (samples) in a run, and the index of the first one.
    public var samples: Int
    public var firstSample: Int
    /// Whether `samples` was given (in the file or by an override). A trace input without it runs every
    /// sample the trace holds from `first_sample` on; other sources use the default of 10.
    public var samplesGiven: Bool
    /// Synthetic input: number of classes.
    public var classes: Int?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case source, encoder, file, labels, maxRate = "max_rate", window, timeResolution = "time_resolution", samples,
             firstSample = "first_sample", classes
    }
    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        source = try c.choice(.source)
        encoder = try c.choice(.encoder, default: .poisson)
        file = try c.decodeIfPresent(String.self, forKey: .file)
        labels = try c.decodeIfPresent(String.self, forKey: .labels)
        if source == .mnist, file == nil { throw c.invalid(.file, "source: mnist needs an IDX image file") }
        if source == .trace, file == nil { throw c.invalid(.file, "source: trace needs a .sbt trace file") }
        if source == .trace, labels != nil { throw c.invalid(.labels, "source: trace takes its labels from the trace metadata") }
        maxRate = try c.decode(.maxRate, default: 100, in: 0...1e6, unit: "Hz")
        window = try c.positive(.window, default: 0.1, unit: "s")
        timeResolution = try c.positive(.timeResolution, default: 1e-12, unit: "s")
        let ps = (timeResolution * 1e12).rounded()
        if ps < 1 || abs(timeResolution * 1e12 - ps) > 1e-6 * ps {
            throw c.invalid(.timeResolution, "must be a whole number of picoseconds ≥ 1e-12 s, got \(timeResolution) s")
        }
        if timeResolution > window { throw c.invalid(.timeResolution, "\(timeResolution) s is longer than the window (\(window) s)") }
        samples = try c.decode(.samples, default: 10, in: 1...10_000_000)
        samplesGiven = c.contains(.samples)
        firstSample = try c.decode(.firstSample, default: 0, in: 0...10_000_000)
        classes = try c.decodeIfPresent(Int.self, forKey: .classes)
        if let k = classes, k < 1 { throw c.invalid(.classes, "must be ≥ 1") }
    }
}

/// How the kernel advances time.
public struct SimulationSpec: Sendable, Codable, Equatable {
    public enum Timing: String, Sendable, Codable, CaseIterable {
        /// Continuous time (1 ps resolution), exact integration, threshold crossings by root finding.
        case exact
        /// Quantised to `dt`: the replay contract with the twin.
        case grid
    }
    public var timing: Timing
    /// Step of grid mode, of the twin and of the time-stepped ADC baseline (s).
    public var dt: Seconds
    /// Worker threads for multi-sample runs (0 = all cores). Results do not depend on it.
    public var threads: Int

    public static let `default` = SimulationSpec(timing: .exact, dt: 1e-3, threads: 0)
    public init(timing: Timing, dt: Seconds, threads: Int) { self.timing = timing; self.dt = dt; self.threads = threads }

    enum CodingKeys: String, CodingKey, CaseIterable { case timing, dt, threads }
    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        timing = try c.choice(.timing, default: .exact)
        dt = try c.positive(.dt, default: 1e-3, unit: "s")
        threads = try c.decode(.threads, default: 0, in: 0...4096)
    }
}
