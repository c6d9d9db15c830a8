import SpikebarCore
import SpikebarCost
import SpikebarReport
import SpikebarScenario

/// What an architecture comparison assumes, as the sentences every rendering shows above the numbers
/// (console, `report.md`, `report.json` `assumptions`, the first section of `report.html`): a chip reviewer
/// reads them before any ratio (issue #16, "caveats travel with the numbers").
public enum ComparisonAssumptions {
    /// The assumption lines of a run of `scenario` priced as `architectures`.
    public static func lines(
        scenario s: Scenario, weightSource: String, architectures: [ArchitectureSummary],
        accuracy: Double?
    ) -> [String] {
        var out: [String] = []
        let window = Units.format(seconds: s.input.window)
        out.append(
            "Latency on two bases, never mixed: streaming = input arriving in real time over the \(window) window, start of input → decision; compute = input already buffered. For the analog chips both are equal (their neurons integrate in real time); time-stepped designs wait for each step's input when streaming."
        )
        if s.architectures.overheads {
            let loihiLeak =
                architectures.contains { $0.architecture == "loihi" } && s.architectures.loihi.staticPowerPerCore == 0
                ? " — except loihi, whose leakage has no sourced figure (static_power_per_core = 0; SANA-FE prices none)" : ""
            out.append(
                "Energy per inference includes idle, bias and leakage power over the \(window) window and the read current's supply loss, on every architecture alike (architectures.overheads: true; their defaults are assumptions A, Docs/cost-models.md)\(loihiLeak)."
            )
        } else {
            out.append("Idle, bias, leakage and supply/driver energies are NOT priced (architectures.overheads: false): event energies only.")
        }
        if s.nir != nil {
            out.append(
                "Weights: \(weightSource)\(accuracy.map { "; accuracy on the run's labelled inputs \(Units.fixed($0 * 100, significant: 3)) %" } ?? "")."
            )
        } else if s.weights.source == .generated {
            out.append(
                "The network is UNTRAINED (\(weightSource)): activity, decision times and every ratio are those of calibrated random weights, not of a working classifier."
            )
        } else if let accuracy {
            out.append("Weights: \(weightSource); accuracy on the run's labelled inputs \(Units.fixed(accuracy * 100, significant: 3)) %.")
        }
        if let same = s.architectures.sameNode {
            out.append(
                "Technology nodes equalised to \(same.node) at \(Units.fixed(same.vdd, significant: 3)) V (architectures.same_node): each architecture's CMOS logic — RRAM-SNN drivers, decoding, neuron spikes and periphery (from 130 nm, 1.2 V), DYNAP routing and encoding (180 nm, 1.8 V), ADC/DAC/shift-and-add (32 nm, 0.9 V), digital neuron updates and the loihi cores (14 nm, 0.8 V) — scaled by the Stillmaker & Baas 2017 fits (energy, delay, area; confidence M). Device physics, static and bias power, analog circuits and prices set in the scenario keep their values; each architecture's notes list what was scaled."
            )
        } else {
            out.append(
                "Technology nodes are NOT equalised: RRAM array and analog neurons 130 nm (seed 000), DYNAP 180 nm, ADC/DAC/shift-and-add 32 nm (ISAAC), digital neuron update and the loihi cores 14 nm (Loihi). architectures.same_node: {node: HP45} prices their CMOS logic at one node (Docs/cost-models.md, \"Same technology node\")."
            )
        }
        if architectures.contains(where: { $0.architecture == "adc-cim-ann" }) {
            out.append(
                "ADC-CIM appears twice: adc-cim runs the SNN time-stepped (every row, every step, 1-bit inputs: a weak baseline); adc-cim-ann runs the same weights once as a rate-coded ANN — the fair baseline. Its accuracy is assumed equal to the SNN's, not simulated."
            )
        }
        // Loihi's missing leakage is said in the overheads line above; any other zero is the scenario's.
        let noStatic = architectures.filter { $0.meanBreakdown.staticEnergy == 0 && $0.architecture != "loihi" }.map(\.architecture)
        if s.architectures.overheads, !noStatic.isEmpty {
            out.append(
                "No idle or leakage energy is priced for " + noStatic.joined(separator: ", ")
                    + " (static-power prices set to 0 in this scenario): next to architectures that pay it, their energy is a lower bound.")
        }
        for a in architectures where !a.feasible {
            out.append(
                "\(a.architecture) is INFEASIBLE as mapped (see its notes): its figures price an idealised mapping and are a lower bound, not a design."
            )
        }
        let shaky = architectures.filter { $0.confidence.unverified + $0.confidence.assumption >= 0.5 }
        if !shaky.isEmpty {
            let list = shaky.map {
                "\($0.architecture) \(Units.fixed(($0.confidence.unverified + $0.confidence.assumption) * 100, significant: 2)) %"
            }
            out.append(
                "Energy resting on unverified (U) or assumed (A) prices: " + list.joined(separator: ", ")
                    + " — replace those prices before trusting these ratios.")
        }
        return out
    }
}
