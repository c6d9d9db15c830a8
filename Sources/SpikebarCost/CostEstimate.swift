import SpikebarCore
import SpikebarActivity

/// Whether an energy is paid per event (`dynamic`) or for being powered during the window (`static`).
///
/// Only energy components use the distinction; latency and area components carry `.dynamic` and the
/// field has no meaning for them.
public enum EnergyKind: String, Codable, Sendable {
    /// Proportional to counted events (row reads, spikes, conversions…): zero when nothing happens.
    case dynamic
    /// Power × time (leakage, bias currents): paid even when nothing happens.
    case `static`
}

/// One line of a cost breakdown: what was priced, how many events, and the resulting value.
///
/// Units depend on the list the component sits in: joules (`CostEstimate.energy`), seconds
/// (`CostEstimate.latency`) or square metres (`CostEstimate.area`). `count` is the number of events
/// (or instances, for area) the value was computed from, so `value / count` is the unit price.
public struct CostComponent: Codable, Sendable, Equatable {
    /// Stable, human-readable name (the `Component` constants of each cost model).
    public var name: String
    /// J, s or m² (see the enclosing list).
    public var value: Double
    /// Events priced (row reads, spikes, conversions, hops…) or instances (tiles, chips) for area.
    public var count: Double
    /// Dynamic (per event) or static (power × time); meaningful for energy only.
    public var kind: EnergyKind
    /// How well the price behind `value` is known (H / M / U / A, or physics).
    public var confidence: PriceConfidence

    public init(
        name: String, value: Double, count: Double, kind: EnergyKind = .dynamic,
        confidence: PriceConfidence = .assumption
    ) {
        self.name = name; self.value = value; self.count = count; self.kind = kind; self.confidence = confidence
    }
}

/// How an architecture's latency figures are to be read (Docs/cost-models.md, "One latency basis").
///
/// Every estimate carries both bases so that no table or chart mixes them:
/// - **streaming**: the input arrives in real time (as from a sensor); the time from the start of the
///   input to the decision. A time-stepped design cannot process step k before its input has arrived.
/// - **compute**: the input is already buffered; the time to compute the decision from it. For analog
///   neurons integrating in real time it equals the streaming latency (the dynamics cannot be sped up).
public enum LatencyBasis: String, Codable, Sendable, CaseIterable {
    case streaming
    case compute
}

/// The price of one inference on one architecture: energy, latency and area, each with a breakdown,
/// plus the assumptions and feasibility warnings a chip architect must read next to the numbers.
///
/// Totals are plain sums of the components in list order (`reduce(0, +)`), so a test that adds the
/// same components in the same order gets a bit-identical total.
public struct CostEstimate: Codable, Sendable, Equatable {
    /// `"rram-snn"`, `"dynap"` or `"adc-cim"`.
    public var architecture: String
    /// Joules per inference, by component.
    public var energy: [CostComponent]
    /// Seconds per inference, by component; the components add up to the latency.
    public var latency: [CostComponent]
    /// Square metres, by component.
    public var area: [CostComponent]
    /// Assumptions and feasibility warnings (e.g. a DYNAP CAM fan-in exceeded).
    public var notes: [String]
    /// Seconds per inference on the **compute** basis (input already buffered), by component. `latency`
    /// is the **streaming** basis (input arriving in real time). Equal lists for real-time analog chips.
    public var computeLatency: [CostComponent]
    /// Why the two latency bases are what they are for this architecture (one sentence, shown with them).
    public var latencyBasisNote: String
    /// Length of the input window the energy was spent over (s): mean power = energy / window.
    public var window: Seconds
    /// False when the mapping cannot be built on this architecture as priced (e.g. a DYNAP fan-in beyond
    /// the CAM words without splitting): the numbers then price an idealised mapping and must be shown
    /// as infeasible, never as a bare number.
    public var feasible: Bool

    public init(
        architecture: String, energy: [CostComponent], latency: [CostComponent],
        area: [CostComponent], notes: [String], computeLatency: [CostComponent]? = nil,
        latencyBasisNote: String = "", window: Seconds = 0, feasible: Bool = true
    ) {
        self.architecture = architecture; self.energy = energy; self.latency = latency
        self.area = area; self.notes = notes
        self.computeLatency = computeLatency ?? latency
        self.latencyBasisNote = latencyBasisNote; self.window = window; self.feasible = feasible
    }

    /// Σ energy components (J).
    public var totalEnergy: Joules { energy.reduce(0) { $0 + $1.value } }
    /// Σ energy components of kind `.dynamic` (J): exactly 0 for an architecture that only pays per event
    /// when nothing happened.
    public var dynamicEnergy: Joules { energy.reduce(0) { $1.kind == .dynamic ? $0 + $1.value : $0 } }
    /// Σ energy components of kind `.static` (J).
    public var staticEnergy: Joules { energy.reduce(0) { $1.kind == .static ? $0 + $1.value : $0 } }
    /// Σ latency components (s): the **streaming** latency (input in real time, start of input → decision).
    public var totalLatency: Seconds { latency.reduce(0) { $0 + $1.value } }
    /// Σ compute-latency components (s): input already buffered.
    public var totalComputeLatency: Seconds { computeLatency.reduce(0) { $0 + $1.value } }
    /// Latency on `basis` (s).
    public func latency(on basis: LatencyBasis) -> Seconds {
        basis == .streaming ? totalLatency : totalComputeLatency
    }
    /// Mean power over the input window (W): energy / window; nil for a zero window.
    public var meanPower: Watts? { window > 0 ? totalEnergy / window : nil }
    /// Energy-delay product on the streaming basis (J·s).
    public var energyDelayProduct: Double { totalEnergy * totalLatency }
    /// Inferences per second, one at a time (no pipelining across inferences): the next inference starts
    /// when the previous decision is read, with buffered input (1 / compute latency); nil for zero latency.
    public var throughput: Double? { totalComputeLatency > 0 ? 1 / totalComputeLatency : nil }
    /// Share of the energy from prices of each confidence.
    public var confidence: ConfidenceShares { ConfidenceShares(energy) }
    /// Σ area components (m²).
    public var totalArea: SquareMetres { area.reduce(0) { $0 + $1.value } }

    /// The energy component called `name`, if any.
    public func energy(named name: String) -> CostComponent? { energy.first { $0.name == name } }
    /// The latency component called `name`, if any.
    public func latency(named name: String) -> CostComponent? { latency.first { $0.name == name } }
    /// The area component called `name`, if any.
    public func area(named name: String) -> CostComponent? { area.first { $0.name == name } }
}

/// An architecture cost model: prices an architecture-agnostic `Activity` (DESIGN §4).
///
/// A model holds only its price list (data, from the scenario) and multiplies counts by prices; it never
/// sees the event queue. Adding an architecture is adding a `CostModel` and a YAML block.
public protocol CostModel: Sendable {
    /// Identifier used in reports: `"rram-snn"`, `"dynap"`, `"adc-cim"`.
    var architecture: String { get }
    /// Energy, latency and area of the inference described by `activity`.
    func price(_ activity: Activity) -> CostEstimate
}

/// Read pulse of the RRAM cells, taken from the scenario's `device` section (not a price: the kernel
/// uses the same values for the column charge).
public struct ReadConditions: Sendable, Equatable {
    /// Read voltage across a cell (V).
    public var readVoltage: Volts
    /// Duration of one word-line read pulse (s).
    public var readPulse: Seconds

    public init(readVoltage: Volts, readPulse: Seconds) {
        self.readVoltage = readVoltage; self.readPulse = readPulse
    }

    /// 0.1 V, 100 ns: the example of Docs/cost-models.md (50 fJ per 50 µS cell read).
    public static let `default` = ReadConditions(readVoltage: 0.1, readPulse: 100e-9)
}

// MARK: - Shared helpers

/// ⌈a / b⌉ for a ≥ 0, b > 0.
@inline(__always) func ceilDiv(_ a: Int, _ b: Int) -> Int { b > 0 ? (a + b - 1) / b : 0 }

extension Activity {
    /// Populations after the input: the layers of neurons.
    var neuronLayers: ArraySlice<LayerActivity> { layers.dropFirst() }
    /// Number of neurons (input channels excluded).
    var neuronCount: Int { neuronLayers.reduce(0) { $0 + $1.size } }
    /// Number of layers of neurons.
    var neuronLayerCount: Int { Swift.max(0, layers.count - 1) }

    /// Fan-in of the neurons of layer `l` (≥ 1): the previous population's size, or more when the
    /// layer's tiles hold more weights than a dense feed-forward layer (recurrent connections).
    /// A signed weight is a differential pair (two cells, DESIGN §3), so the tiles of layer `l` hold
    /// `2 · fanIn · size` used cells.
    func fanIn(ofLayer l: Int) -> Int {
        guard l >= 1, l < layers.count else { return 0 }
        let previous = layers[l - 1].size
        let size = layers[l].size
        guard size > 0 else { return previous }
        let cells = tiles.reduce(0) { $1.layer == l ? $0 + $1.usedRows * $1.usedCols : $0 }
        return Swift.max(previous, cells / (2 * size))
    }
}

/// Formats a value with an SI prefix for notes.
func fmt(_ value: Double, _ unit: String) -> String { Units.format(value, unit) }
