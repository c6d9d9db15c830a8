import SpikebarActivity
import SpikebarCore
import SpikebarNeurons

/// Prices the spike-driven RRAM crossbar whose neurons are memristive integrate-and-fire (MIF) circuits
/// (Docs/mif-neurons.md, "Energy, latency, area"): the crossbar terms of `RRAMCrossbarCost` (array reads
/// weighted by the squared drive amplitude, word lines, bit lines) plus the neurons' own energy,
/// measured by the kernel from the circuit — the Joule heat `Σ G·(V − E)²·dt` of both memristors of
/// every neuron at every step (the battery energy; the capacitor's `½CV²` swings are part of it, since
/// every charge that moves the membrane flows through a memristor or the input) — instead of the
/// per-spike figure of the DPI + LIF neuron.
///
/// Area: a MIF neuron is its membrane capacitor (`C / capacitanceDensity`) plus two memristor cells.
public enum MIFNeuronCost {
    /// Component names of the breakdown.
    public static let neuronCircuit = "MIF neurons (memristor Joule heat)"
    public static let neuronArea = "MIF neurons (capacitor + 2 memristors)"

    /// MIM capacitor density (F/m²): 2 fF/µm², a common analog MIM option (assumption, documented).
    public static let capacitanceDensity = 2e-3

    /// The RRAM-SNN estimate of `activity` with `neuronEnergy` (J, from `MIFKernelResult`) as the
    /// neurons' energy and MIF neurons of capacitance `capacitance` (F) in the area.
    public static func price(
        _ activity: Activity, neuronEnergy: Joules, capacitance: Double,
        prices: RRAMCrossbarPrices, read: ReadConditions
    ) -> CostEstimate {
        var p = prices
        p.neuronEnergyPerSpike = 0
        // The scenario's `neuron_area` wins over the circuit estimate (seed 001 Table IV leaves it out: 0).
        if prices.neuronArea == RRAMCrossbarPrices.default.neuronArea {
            p.neuronArea = capacitance / capacitanceDensity + 2 * prices.cellArea
        }
        var e = RRAMCrossbarCost(prices: p, read: read).price(activity)
        let spikes = Double(activity.layers.dropFirst().reduce(0) { $0 + $1.spikes })
        if let k = e.energy.firstIndex(where: { $0.name == RRAMCrossbarCost.Component.neuronSpikes }) {
            e.energy[k] = CostComponent(name: neuronCircuit, value: neuronEnergy, count: spikes, confidence: .physics)
        } else {
            e.energy.append(CostComponent(name: neuronCircuit, value: neuronEnergy, count: spikes, confidence: .physics))
        }
        if let k = e.area.firstIndex(where: { $0.name == RRAMCrossbarCost.Component.neurons }) {
            e.area[k].name = neuronArea
        }
        e.architecture = "rram-snn-mif"
        e.notes.append(
            "MIF neurons: energy measured from the circuit (\(fmt(neuronEnergy, "J")) over the window), area = C/(\(fmt(capacitanceDensity * 1e-12, "F"))/µm²) + 2 cells"
        )
        return e
    }
}
