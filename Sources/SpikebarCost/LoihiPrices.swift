import SpikebarCore

/// Price list of a Loihi-style digital neurosynaptic chip (Davies et al., "Loihi: A neuromorphic manycore
/// processor with on-chip learning", IEEE Micro 38(1):82–99, 2018, doi:10.1109/MM.2018.112130359): 14 nm,
/// 60 mm², 128 cores on a 2-D mesh of 32 tiles × 4 cores, 1024 compartments per core, time-stepped.
///
/// The per-operation energies and latencies are SANA-FE's Loihi description, `arch/loihi.yaml` of
/// SLAM-Lab/SANA-FE (identical to `sanafe/examples/loihi.yaml` in the `sanafe` 2.2.9 wheel), which its
/// header says were "taken from" Davies et al. 2018; the line of that file each default comes from is in
/// `sources` and Docs/cost-models.md §5. A scenario's `architectures.loihi` block may give any subset of
/// the keys; unknown keys are errors.
///
/// ```yaml
/// architectures:
///   loihi: { synapse_energy: 24.0e-12, synapses_per_core: 65536 }
/// ```
public struct LoihiPrices: Codable, Sendable, Equatable {
    /// One row of SANA-FE's time-step synchronisation table: from `tiles` mapped tiles upwards (until the
    /// next row) a time step ends with `latency` seconds of global barrier.
    public struct SyncStep: Codable, Sendable, Equatable {
        /// Smallest number of tiles holding neurons this row applies to (≥ 1).
        public var tiles: Int
        /// Barrier latency per time step (s).
        public var latency: Double

        public init(tiles: Int, latency: Double) { self.tiles = tiles; self.latency = latency }

        enum CodingKeys: String, CodingKey, CaseIterable { case tiles, latency }

        public init(from decoder: Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            guard c.contains(.tiles), c.contains(.latency) else {
                throw DecodingError.dataCorrupted(
                    .init(
                        codingPath: decoder.codingPath,
                        debugDescription: "a sync step needs both 'tiles' and 'latency'"))
            }
            tiles = try c.decode(.tiles, default: 1, in: 1...Int.max)
            latency = try c.nonNegative(.latency, default: 0, unit: "s")
        }
    }

    /// Provenance of one default: the YAML key, its confidence mark (H / M / U / A as in
    /// Docs/cost-models.md) and where the value was read.
    public struct Source: Sendable, Equatable {
        public var key: String
        public var confidence: PriceConfidence
        public var source: String
    }

    /// Compartments (neurons) per core. Default 1024 (SANA-FE `loihi.yaml` l. 33; Davies 2018).
    public var neuronsPerCore: Int
    /// Synapses one core's synaptic memory holds. Default 131 072: 128 KB per core (16 MB of synaptic
    /// memory / 128 cores) at 8 bits per weight, ignoring Loihi's per-axon headers (assumption).
    public var synapsesPerCore: Int
    /// Input units (spike generators fed by the host) per core. Default 1024 (`loihi_inputs[0..1023]`, l. 49).
    public var inputsPerCore: Int
    /// Cores per tile (share a router). Default 4 (`loihi_core[0..3]`, l. 29).
    public var coresPerTile: Int
    /// Tiles along x of one chip's mesh. Default 8 (l. 9).
    public var meshWidth: Int
    /// Tiles along y of one chip's mesh. Default 4 (l. 10). Tile `t` sits at (t / height, t % height).
    public var meshHeight: Int
    /// Energy of one synaptic operation: one (spike, synapse) look-up and accumulate (J). Default 35.5 pJ,
    /// `loihi_dense_synapse` (l. 73); sparse 33.6 pJ (l. 77), convolutional 24.0 pJ (l. 84).
    public var synapseEnergy: Double
    /// Latency of one synaptic operation (s). Default 3.8 ns (l. 74).
    public var synapseLatency: Double
    /// Energy to access one neuron's state, paid by every neuron every time step (J). Default 51.2 pJ (l. 43).
    public var neuronAccessEnergy: Double
    /// Latency of one neuron access (s). Default 6.0 ns (l. 44).
    public var neuronAccessLatency: Double
    /// Energy of one neuron (compartment) update (J). Default 21.6 pJ (l. 45).
    public var neuronUpdateEnergy: Double
    /// Latency of one neuron update (s). Default 3.7 ns (l. 46).
    public var neuronUpdateLatency: Double
    /// Energy of a neuron's spike out of the soma (J). Default 69.3 pJ (l. 47).
    public var spikeOutEnergy: Double
    /// Latency of a spike out of the soma (s). Default 30 ns (l. 48).
    public var spikeOutLatency: Double
    /// Energy to send one spike message, one per destination core (J). Default 111 pJ (`loihi_out`, l. 88).
    public var messageOutEnergy: Double
    /// Latency to send one spike message (s). Default 5.1 ns (l. 89).
    public var messageOutLatency: Double
    /// Energy to receive one spike message at a core (J). Default 0 (`loihi_in`, l. 37).
    public var messageInEnergy: Double
    /// Latency to receive one spike message (s). Default 16 ns (l. 38).
    public var messageInLatency: Double
    /// Energy of one east–west mesh hop between tiles (J). Default 3.0 pJ (l. 22, 26).
    public var hopEnergyEastWest: Double
    /// Latency of one east–west hop (s). Default 4.1 ns (l. 23, 27).
    public var hopLatencyEastWest: Double
    /// Energy of one north–south mesh hop (J). Default 4.2 pJ (l. 20, 24).
    public var hopEnergyNorthSouth: Double
    /// Latency of one north–south hop (s). Default 6.5 ns (l. 21, 25).
    public var hopLatencyNorthSouth: Double
    /// Time-step barrier latency by mapped tiles (SANA-FE `sync_model: table`, l. 15–16):
    /// 1 → 0.6 µs, 2 → 1.0 µs, 4 → 1.4 µs, 29 → 1.8 µs (the row with the largest `tiles` ≤ the count).
    public var timestepSyncLatency: [SyncStep]
    /// Static (leakage) power per core in use (W), × window, reported as `.static`. Default 0: SANA-FE's
    /// Loihi description prices none and no figure was found (assumption).
    public var staticPowerPerCore: Double
    /// Area of one chip (m²). Default 60 mm² (Davies 2018, abstract: "a 60-mm² chip fabricated in Intel's
    /// 14-nm process").
    public var chipArea: Double
    /// When the output is read: after the step holding the decision time (default, as the ADC-CIM baseline
    /// and the spiking chips are credited) or after every step of the window (what SANA-FE simulates).
    public var readOut: ADCReadOut

    public init(
        neuronsPerCore: Int = 1024, synapsesPerCore: Int = 131_072, inputsPerCore: Int = 1024,
        coresPerTile: Int = 4, meshWidth: Int = 8, meshHeight: Int = 4,
        synapseEnergy: Double = 35.5e-12, synapseLatency: Double = 3.8e-9,
        neuronAccessEnergy: Double = 51.2e-12, neuronAccessLatency: Double = 6.0e-9,
        neuronUpdateEnergy: Double = 21.6e-12, neuronUpdateLatency: Double = 3.7e-9,
        spikeOutEnergy: Double = 69.3e-12, spikeOutLatency: Double = 30e-9,
        messageOutEnergy: Double = 111e-12, messageOutLatency: Double = 5.1e-9,
        messageInEnergy: Double = 0, messageInLatency: Double = 16e-9,
        hopEnergyEastWest: Double = 3.0e-12, hopLatencyEastWest: Double = 4.1e-9,
        hopEnergyNorthSouth: Double = 4.2e-12, hopLatencyNorthSouth: Double = 6.5e-9,
        timestepSyncLatency: [SyncStep] = LoihiPrices.sanafeSyncTable,
        staticPowerPerCore: Double = 0, chipArea: Double = 60e-6, readOut: ADCReadOut = .decision
    ) {
        self.neuronsPerCore = neuronsPerCore; self.synapsesPerCore = synapsesPerCore
        self.inputsPerCore = inputsPerCore; self.coresPerTile = coresPerTile
        self.meshWidth = meshWidth; self.meshHeight = meshHeight
        self.synapseEnergy = synapseEnergy; self.synapseLatency = synapseLatency
        self.neuronAccessEnergy = neuronAccessEnergy; self.neuronAccessLatency = neuronAccessLatency
        self.neuronUpdateEnergy = neuronUpdateEnergy; self.neuronUpdateLatency = neuronUpdateLatency
        self.spikeOutEnergy = spikeOutEnergy; self.spikeOutLatency = spikeOutLatency
        self.messageOutEnergy = messageOutEnergy; self.messageOutLatency = messageOutLatency
        self.messageInEnergy = messageInEnergy; self.messageInLatency = messageInLatency
        self.hopEnergyEastWest = hopEnergyEastWest; self.hopLatencyEastWest = hopLatencyEastWest
        self.hopEnergyNorthSouth = hopEnergyNorthSouth; self.hopLatencyNorthSouth = hopLatencyNorthSouth
        self.timestepSyncLatency = timestepSyncLatency; self.staticPowerPerCore = staticPowerPerCore
        self.chipArea = chipArea; self.readOut = readOut
    }

    /// SANA-FE's `latency_sync` table (`loihi.yaml` l. 16).
    public static let sanafeSyncTable = [
        SyncStep(tiles: 1, latency: 0.6e-6), SyncStep(tiles: 2, latency: 1.0e-6),
        SyncStep(tiles: 4, latency: 1.4e-6), SyncStep(tiles: 29, latency: 1.8e-6),
    ]

    /// The documented defaults.
    public static let `default` = LoihiPrices()

    /// The same list without the overhead terms (`architectures.overheads: false`): no static power.
    public var withoutOverheads: LoihiPrices {
        var p = self
        p.staticPowerPerCore = 0
        return p
    }

    /// The documented confidence of `key`'s default (`sources`), or `.scenario` when `value` is not the
    /// default (the scenario set it).
    func confidence(_ key: String, _ value: Double, default fallback: Double) -> PriceConfidence {
        .of(value, default: fallback, Self.sources.first { $0.key == key }?.confidence ?? .assumption)
    }

    /// Cores of one chip: tiles × cores per tile (128 with the defaults, as Loihi).
    public var coresPerChip: Int { meshWidth * meshHeight * coresPerTile }

    /// Barrier latency per time step with `tiles` tiles in use: the row with the largest `tiles` ≤ the
    /// count (the first row below it), as SANA-FE's `LookupTable::get` (`src/utils.hpp`).
    public func syncLatency(tiles: Int) -> Double {
        guard let first = timestepSyncLatency.first else { return 0 }
        return timestepSyncLatency.last { $0.tiles <= tiles }?.latency ?? first.latency
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case neuronsPerCore = "neurons_per_core"
        case synapsesPerCore = "synapses_per_core"
        case inputsPerCore = "inputs_per_core"
        case coresPerTile = "cores_per_tile"
        case meshWidth = "mesh_width"
        case meshHeight = "mesh_height"
        case synapseEnergy = "synapse_energy"
        case synapseLatency = "synapse_latency"
        case neuronAccessEnergy = "neuron_access_energy"
        case neuronAccessLatency = "neuron_access_latency"
        case neuronUpdateEnergy = "neuron_update_energy"
        case neuronUpdateLatency = "neuron_update_latency"
        case spikeOutEnergy = "spike_out_energy"
        case spikeOutLatency = "spike_out_latency"
        case messageOutEnergy = "message_out_energy"
        case messageOutLatency = "message_out_latency"
        case messageInEnergy = "message_in_energy"
        case messageInLatency = "message_in_latency"
        case hopEnergyEastWest = "hop_energy_east_west"
        case hopLatencyEastWest = "hop_latency_east_west"
        case hopEnergyNorthSouth = "hop_energy_north_south"
        case hopLatencyNorthSouth = "hop_latency_north_south"
        case timestepSyncLatency = "timestep_sync_latency"
        case staticPowerPerCore = "static_power_per_core"
        case chipArea = "chip_area"
        case readOut = "read_out"
    }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = Self.default
        neuronsPerCore = try c.decode(.neuronsPerCore, default: d.neuronsPerCore, in: 1...1_000_000)
        synapsesPerCore = try c.decode(.synapsesPerCore, default: d.synapsesPerCore, in: 1...1_000_000_000)
        inputsPerCore = try c.decode(.inputsPerCore, default: d.inputsPerCore, in: 1...1_000_000)
        coresPerTile = try c.decode(.coresPerTile, default: d.coresPerTile, in: 1...1024)
        meshWidth = try c.decode(.meshWidth, default: d.meshWidth, in: 1...4096)
        meshHeight = try c.decode(.meshHeight, default: d.meshHeight, in: 1...4096)
        synapseEnergy = try c.nonNegative(.synapseEnergy, default: d.synapseEnergy, unit: "J")
        synapseLatency = try c.nonNegative(.synapseLatency, default: d.synapseLatency, unit: "s")
        neuronAccessEnergy = try c.nonNegative(.neuronAccessEnergy, default: d.neuronAccessEnergy, unit: "J")
        neuronAccessLatency = try c.nonNegative(.neuronAccessLatency, default: d.neuronAccessLatency, unit: "s")
        neuronUpdateEnergy = try c.nonNegative(.neuronUpdateEnergy, default: d.neuronUpdateEnergy, unit: "J")
        neuronUpdateLatency = try c.nonNegative(.neuronUpdateLatency, default: d.neuronUpdateLatency, unit: "s")
        spikeOutEnergy = try c.nonNegative(.spikeOutEnergy, default: d.spikeOutEnergy, unit: "J")
        spikeOutLatency = try c.nonNegative(.spikeOutLatency, default: d.spikeOutLatency, unit: "s")
        messageOutEnergy = try c.nonNegative(.messageOutEnergy, default: d.messageOutEnergy, unit: "J")
        messageOutLatency = try c.nonNegative(.messageOutLatency, default: d.messageOutLatency, unit: "s")
        messageInEnergy = try c.nonNegative(.messageInEnergy, default: d.messageInEnergy, unit: "J")
        messageInLatency = try c.nonNegative(.messageInLatency, default: d.messageInLatency, unit: "s")
        hopEnergyEastWest = try c.nonNegative(.hopEnergyEastWest, default: d.hopEnergyEastWest, unit: "J")
        hopLatencyEastWest = try c.nonNegative(.hopLatencyEastWest, default: d.hopLatencyEastWest, unit: "s")
        hopEnergyNorthSouth = try c.nonNegative(.hopEnergyNorthSouth, default: d.hopEnergyNorthSouth, unit: "J")
        hopLatencyNorthSouth = try c.nonNegative(.hopLatencyNorthSouth, default: d.hopLatencyNorthSouth, unit: "s")
        timestepSyncLatency = try c.decode(.timestepSyncLatency, default: d.timestepSyncLatency)
        if timestepSyncLatency.isEmpty {
            throw c.invalid(.timestepSyncLatency, "needs at least one {tiles, latency} row")
        }
        for (a, b) in zip(timestepSyncLatency, timestepSyncLatency.dropFirst()) where b.tiles <= a.tiles {
            throw c.invalid(.timestepSyncLatency, "rows must have strictly increasing 'tiles' (\(a.tiles) then \(b.tiles))")
        }
        staticPowerPerCore = try c.nonNegative(.staticPowerPerCore, default: d.staticPowerPerCore, unit: "W")
        chipArea = try c.nonNegative(.chipArea, default: d.chipArea, unit: "m²")
        readOut = try c.choice(.readOut, default: d.readOut)
    }

    /// Where each default comes from, with its confidence mark — the table of Docs/cost-models.md §5 as
    /// data (one row per YAML key, in key order). "loihi.yaml l. N" is SANA-FE's `arch/loihi.yaml`.
    public static let sources: [Source] = [
        Source(
            key: "neurons_per_core", confidence: .high,
            source: "SANA-FE loihi.yaml l. 33 (max_neurons_supported); Davies 2018: 1024 compartments per core"),
        Source(
            key: "synapses_per_core", confidence: .assumption,
            source:
                "128 KB per core (16 MB synaptic memory / 128 cores, Davies 2018 via IEEE CAS Mag. 2022 Q2, M) at 8 bits per weight, no per-axon overhead"
        ),
        Source(key: "inputs_per_core", confidence: .high, source: "SANA-FE loihi.yaml l. 49 (loihi_inputs[0..1023])"),
        Source(key: "cores_per_tile", confidence: .high, source: "SANA-FE loihi.yaml l. 29 (loihi_core[0..3])"),
        Source(key: "mesh_width", confidence: .high, source: "SANA-FE loihi.yaml l. 9"),
        Source(key: "mesh_height", confidence: .high, source: "SANA-FE loihi.yaml l. 10"),
        Source(key: "synapse_energy", confidence: .high, source: "SANA-FE loihi.yaml l. 73 (loihi_dense_synapse); after Davies 2018"),
        Source(key: "synapse_latency", confidence: .high, source: "SANA-FE loihi.yaml l. 74"),
        Source(key: "neuron_access_energy", confidence: .high, source: "SANA-FE loihi.yaml l. 43 (loihi_lif)"),
        Source(key: "neuron_access_latency", confidence: .high, source: "SANA-FE loihi.yaml l. 44"),
        Source(key: "neuron_update_energy", confidence: .high, source: "SANA-FE loihi.yaml l. 45"),
        Source(key: "neuron_update_latency", confidence: .high, source: "SANA-FE loihi.yaml l. 46"),
        Source(key: "spike_out_energy", confidence: .high, source: "SANA-FE loihi.yaml l. 47"),
        Source(key: "spike_out_latency", confidence: .high, source: "SANA-FE loihi.yaml l. 48"),
        Source(key: "message_out_energy", confidence: .high, source: "SANA-FE loihi.yaml l. 88 (loihi_out)"),
        Source(key: "message_out_latency", confidence: .high, source: "SANA-FE loihi.yaml l. 89"),
        Source(key: "message_in_energy", confidence: .high, source: "SANA-FE loihi.yaml l. 37 (loihi_in)"),
        Source(key: "message_in_latency", confidence: .high, source: "SANA-FE loihi.yaml l. 38"),
        Source(key: "hop_energy_east_west", confidence: .high, source: "SANA-FE loihi.yaml l. 22, 26; Davies 2018 tile hop E-W"),
        Source(key: "hop_latency_east_west", confidence: .high, source: "SANA-FE loihi.yaml l. 23, 27"),
        Source(key: "hop_energy_north_south", confidence: .high, source: "SANA-FE loihi.yaml l. 20, 24; Davies 2018 tile hop N-S"),
        Source(key: "hop_latency_north_south", confidence: .high, source: "SANA-FE loihi.yaml l. 21, 25"),
        Source(key: "timestep_sync_latency", confidence: .high, source: "SANA-FE loihi.yaml l. 15-16 (sync_model: table)"),
        Source(key: "static_power_per_core", confidence: .assumption, source: "not priced by SANA-FE's Loihi description; no figure found"),
        Source(key: "chip_area", confidence: .high, source: "Davies et al., IEEE Micro 2018, abstract: 60 mm², Intel 14 nm, 128 cores"),
        Source(
            key: "read_out", confidence: .assumption,
            source: "decision: the read-out credited to every architecture (ADC-CIM read_out); window: SANA-FE's full run"),
    ]
}
