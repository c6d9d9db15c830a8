import Foundation
import SpikebarChip
import SpikebarCore
import SpikebarDevices
import SpikebarNIR
import SpikebarNeurons

/// A programmed chip as an NIR graph (issue #18 point 4; `Docs/nir.md`, "Export"): the network **as
/// programmed**, i.e. what this chip sample's crossbars and neurons compute, not the weights it was asked
/// to hold.
///
/// - every connection is a `Linear` node `[out, in]` holding the effective weights
///   `(G⁺ − G⁻)/(G_max − G_min)` of its cells (`Connection.effectiveWeights(window:)`, dimensionless,
///   in [−1, 1] up to programming error); a recurrent connection is a `Linear` from the layer back to
///   itself (a cycle);
/// - every layer is a `CubaLIF` node with each neuron's own parameters after heterogeneity
///   (`Chip.neurons`): `tau_mem`, `tau_syn` (s), `r` = R (Ω), `v_leak` = 0 V, `v_threshold` = θ (V),
///   `v_reset` (V), and `w_in = gain · Q₁ / dt` (A), Q₁ = `RRAMDevice.chargePerUnitWeight` (C).
///
/// Why `w_in = gain·Q₁/dt`: a row read adds `gain·ΔQ/τ_syn` to the DPI current, ΔQ = Q₁·w. NIR's readers
/// (Spikebar's `NIRProgram`, the NIR paper's simulators, snnTorch) feed a spike as the value 1 held for one
/// step of `dt`, so forward Euler adds `(dt/τ_syn)·w_in·w` to the synaptic current: equal to the chip's
/// jump exactly when `w_in = gain·Q₁/dt`. A simulator that reads spikes as Dirac impulses of unit area
/// should use `w_in·dt` instead. `dt` is the scenario's `simulation.dt`, stored in the metadata.
///
/// Not expressible in NIR, and put in the `CubaLIF` node's metadata: the refractory period (V held at
/// `v_reset`), the threshold rule `V ≥ θ` (NIR: `>`), the read noise, the DPI gain itself.
public enum NIRExport {
    /// The graph of `chip`, stepped at `dt` (s) by its readers. `scenarioName` and `weightSource` go to
    /// the metadata. Throws when a name cannot be a node name.
    public static func graph(chip: Chip, dt: Seconds, scenarioName: String = "", weightSource: String = "") throws -> NIRGraph {
        guard dt > 0, dt.isFinite else { throw SpikebarError.mismatch("NIR export: dt must be > 0 s, got \(dt)") }
        guard chip.layerCount >= 1, chip.neurons.count == chip.layerCount else {
            throw SpikebarError.mismatch("NIR export: the chip has no layer of neurons")
        }
        let names = nodeNames(chip)
        var nodes: [String: NIRNode] = [:]
        var metadata: [String: [String: NIRMetadataValue]] = [:]
        var edges: [NIREdge] = []
        let q = chip.device.chargePerUnitWeight
        let window = chip.conductanceWindow
        nodes["input"] = .input(shape: [chip.populations[0].size])
        metadata["input"] = ["population": .string(chip.populations[0].name)]
        for l in 1...chip.layerCount {
            let p = chip.neurons[l - 1]
            let n = p.count
            let neuron = NIRNeuron(
                model: .cubaLIF, shape: [n], tauMem: p.map(\.tauMem), tauSyn: p.map(\.tauSyn),
                r: p.map(\.resistance), vLeak: Array(repeating: 0, count: n),
                vThreshold: p.map(\.threshold), vReset: p.map(\.reset),
                wIn: p.map { $0.synapseGain * q / dt })
            nodes[names[l]] = .neuron(neuron)
            metadata[names[l]] = [
                "population": .string(chip.populations[l].name),
                "spikebar_model": .string(
                    "LIF with DPI synapse (Docs/neurons.md): tau_syn dI/dt = -I, a read adds gain*Q/tau_syn; tau_mem dV/dt = -V + R*I"),
                "dt_s": .number(dt),
                "w_in_rule": .string(
                    "w_in = dpi_gain * charge_per_unit_weight_C / dt_s (A): a spike is the value 1 held for one step of dt_s; multiply w_in by dt_s for spikes as unit-area impulses"
                ),
                "units": .string("tau_mem, tau_syn: s; r: ohm; v_threshold, v_reset, v_leak: V; w_in: A; synaptic current: A"),
                "threshold_rule": .string(">= (Spikebar spikes when V >= theta; NIR specifies >)"),
                "reset_rule": .string("V <- v_reset, then held at v_reset for refractory_s (not expressible in NIR)"),
                "refractory_s": .numbers(p.map(\.refractory)),
                "dpi_gain": .numbers(p.map(\.synapseGain)),
                "charge_per_unit_weight_C": .number(q),
                "read_noise": .number(chip.device.readNoise),
            ]
        }
        for (k, c) in chip.connections.enumerated() {
            let name = connectionName(c, names)
            let w = c.effectiveWeights(window: window)
            // Cells are row-major by presynaptic neuron (a spike reads one row); NIR's weight is [out, in].
            var t = [Double](repeating: 0, count: w.count)
            for j in 0..<c.inputs { for i in 0..<c.outputs { t[i * c.inputs + j] = w[j * c.outputs + i] } }
            nodes[name] = .linear(weight: NIRTensor(shape: [c.outputs, c.inputs], values: t))
            metadata[name] = connectionMetadata(chip, k, scenarioName: scenarioName, weightSource: weightSource)
            edges.append(NIREdge(names[c.from], name))
            edges.append(NIREdge(name, names[c.to]))
        }
        let last = chip.layerCount
        nodes["output"] = .output(shape: [chip.populations[last].size])
        edges.append(NIREdge(names[last], "output"))
        return NIRGraph(nodes: nodes, edges: edges, version: NIRGraph.writtenVersion, metadata: metadata)
    }

    /// Node name of each population: `input` for population 0, else the population's name with `.` and
    /// `/` (edge and HDF5 path separators) replaced by `_`, prefixed `layer_` where it would clash with
    /// `input`, `output` or a connection's `w_…` name.
    static func nodeNames(_ chip: Chip) -> [String] {
        var names = ["input"]
        for l in chip.populations.indices.dropFirst() {
            var s = chip.populations[l].name.replacingOccurrences(of: ".", with: "_").replacingOccurrences(of: "/", with: "_")
            if s.isEmpty || s == "input" || s == "output" || s.hasPrefix("w_") || names.contains(s) { s = "layer_\(l)_" + s }
            names.append(s)
        }
        return names
    }

    static func connectionName(_ c: Connection, _ names: [String]) -> String {
        "w_\(names[c.from])_\(names[c.to])"
    }

    /// The device, the tiles and the chip sample behind one connection's weights.
    static func connectionMetadata(_ chip: Chip, _ k: Int, scenarioName: String, weightSource: String) -> [String: NIRMetadataValue] {
        let c = chip.connections[k], d = chip.device, t = chip.tileSpec
        let tiles = chip.tiles.filter { $0.connection == k }
        var m: [String: NIRMetadataValue] = [
            "weights": .string("effective weights (G+ - G-)/(G_max - G_min) of chip sample \(chip.chipSample) as programmed (dimensionless)"),
            "recurrent": .string(c.recurrent ? "true" : "false"),
            "chip_sample": .number(Double(chip.chipSample)),
            "device_levels": .number(Double(d.levels)),
            "device_g_min_S": .number(d.gMin),
            "device_g_max_S": .number(d.gMax),
            "device_programming_error_S": .numbers(d.programmingError),
            "device_read_voltage_V": .number(d.readVoltage),
            "device_read_pulse_s": .number(d.readPulse),
            "device_read_noise": .number(d.readNoise),
            "device_array": .string(d.array.rawValue),
            "tile_rows": .number(Double(t.rows)),
            "tile_cols": .number(Double(t.cols)),
            "tile_mapping": .string(t.mapping.rawValue),
            "tile_parasitics": .string(t.parasitics == nil ? "none" : "present in the scenario; not folded into these weights (ideal reads)"),
            "tiles": .number(Double(tiles.count)),
            "tile_indices": .numbers(chip.tiles.indices.filter { chip.tiles[$0].connection == k }.map(Double.init)),
        ]
        if !scenarioName.isEmpty { m["scenario"] = .string(scenarioName) }
        if !weightSource.isEmpty { m["weight_source"] = .string(weightSource) }
        return m
    }

    /// An imported graph as programmed (an NIR scenario's `NIRSimulation.programmedGraph`), with the
    /// device, the tiles and the chip sample in every weight node's metadata (subgraphs included); the
    /// nodes themselves are the programmed ones. On an ideal device without heterogeneity the nodes are
    /// the imported graph's, node for node.
    public static func graph(
        programmed graph: NIRGraph, device d: RRAMDevice, tiles t: TileSpec, mapping: ConvolutionMapping, chipSample: Int,
        scenarioName: String, weightSource: String
    ) -> NIRGraph {
        func walk(_ g: NIRGraph) -> NIRGraph {
            var out = g
            for (name, node) in g.nodes {
                switch node {
                case .affine, .linear, .convolution:
                    var m = out.metadata[name] ?? [:]
                    m["weights"] = .string(
                        d.ideal
                            ? "the imported graph's weights exactly (ideal device)"
                            : "effective weights of chip sample \(chipSample) as programmed, s·(G+ - G-)/(G_max - G_min) with s the node's largest |W| (biases exact)"
                    )
                    m["chip_sample"] = .number(Double(chipSample))
                    m["device_ideal"] = .string(d.ideal ? "true" : "false")
                    if !d.ideal {
                        m["device_levels"] = .number(Double(d.levels))
                        m["device_programming_error_S"] = .numbers(d.programmingError)
                        m["device_array"] = .string(d.array.rawValue)
                    }
                    m["device_g_min_S"] = .number(d.gMin)
                    m["device_g_max_S"] = .number(d.gMax)
                    m["device_read_voltage_V"] = .number(d.readVoltage)
                    m["device_read_pulse_s"] = .number(d.readPulse)
                    m["tile_rows"] = .number(Double(t.rows))
                    m["tile_cols"] = .number(Double(t.cols))
                    m["tile_mapping"] = .string(t.mapping.rawValue)
                    if case .convolution = node { m["convolution_mapping"] = .string(mapping.rawValue) }
                    m["scenario"] = .string(scenarioName)
                    m["weight_source"] = .string(weightSource)
                    out.metadata[name] = m
                case let .graph(sub):
                    out.nodes[name] = .graph(walk(sub))
                default:
                    break
                }
            }
            return out
        }
        return walk(graph)
    }
}
