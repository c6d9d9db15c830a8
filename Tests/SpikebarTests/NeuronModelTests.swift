import Foundation
import Testing
import SpikebarChip
import SpikebarCore
import SpikebarData
import SpikebarKernel
import SpikebarNeurons
import SpikebarScenario
import SpikebarTestSupport

/// The neuron-model contract (`SpikingNeuronModel`), the scenario's model as a sum type, and the
/// refusal of a model a command cannot simulate.
@Suite struct NeuronModelTests {
    @Test func scenarioNeuronsAreASumType() throws {
        let lif = try scenario(tinyScenarioYAML()).scenario
        #expect(lif.neurons.kind == .lifDPI)
        #expect(lif.mif == nil)
        let mif = try ScenarioLoader.load(
            path: packageRoot().appendingPathComponent("Scenarios/mif-mnist.yaml").path,
            requireWeightsFile: false
        ).scenario
        #expect(mif.neurons.kind == .mif)
        #expect(mif.neurons.lifDPI == nil)
    }

    /// A MIF scenario on a command that programs a LIF event-kernel chip is refused by type, naming the
    /// model, instead of being simulated with default LIF neurons (the bug this sum type removes).
    @Test func lifOnlyPathsRefuseMIFScenarios() throws {
        let loaded = try ScenarioLoader.load(
            path: packageRoot().appendingPathComponent("Scenarios/mif-mnist.yaml").path,
            requireWeightsFile: false)
        let s = loaded.scenario
        #expect(throws: SpikebarError.self) { try s.requireNeuronModel([.lifDPI], for: "spikebar sweep") }
        do {
            try s.requireNeuronModel([.lifDPI], for: "spikebar sweep")
        } catch {
            #expect("\(error)".contains("memristive integrate-and-fire"))
            #expect("\(error)".contains("spikebar sweep"))
        }
        let w = Chip.connectionPlan(network: s.network).map { p in
            WeightMatrix.generated(
                inputs: p.from == 0 ? s.network.input : s.network.layers[p.from - 1].size,
                outputs: s.network.layers[p.to - 1].size, mean: 0, std: 0.1, seed: 1, connection: 0)
        }
        #expect(throws: SpikebarError.self) { _ = try Chip(scenario: s, weights: w) }
        // The MIF pipeline programs the crossbars from the spec, without LIF neurons.
        #expect(try Chip(spec: s.chipSpec, weights: w).connections.count == w.count)
        try s.requireNeuronModel([.lifDPI, .mif], for: "spikebar run")
    }

    @Test func sweepAndCompareCLIRefuseAMIFScenarioBeforeWorking() throws {
        guard spikebarExecutable() != nil else { return }
        let dir = try freshTemporaryDirectory("mif-refusal")
        let yaml = """
            name: tiny-mif
            network: {input: 4, layers: [{name: out, size: 2}]}
            neurons: {model: mif, gains: [0.3]}
            input: {source: uniform, window: 1e-3, samples: 1}
            simulation: {timing: grid, dt: 1e-5}
            """
        let path = dir.appendingPathComponent("tiny-mif.yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        for args in [["sweep", path, "--set", "device.read_noise=0,0.01"], ["compare", path]] {
            let r = try runCLI(args, in: dir)
            #expect(r.status == 2, "\(args[0]): \(r.stderr)")
            #expect(r.stderr.contains("memristive integrate-and-fire"), "\(args[0]): \(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("spikebar-out").path), "\(args[0]) wrote outputs")
        }
    }

    /// The dense reference (`GridEngine` with `LIFDPIModel`, what `ClockDrivenReference` runs)
    /// and the event kernel's grid mode agree spike count for spike count on a noise-free chip.
    @Test(arguments: [false, true])
    func denseEngineMatchesGridMode(recurrent: Bool) throws {
        let (chip, input) = try twoLayerTestChip(hidden: 24, out: 6, recurrent: recurrent)
        let dt = 1e-3
        let grid = EventKernel(chip: chip, timing: .grid(dt: dt)).run(input: input, options: RunOptions(window: 0.2))
        let dense = ClockDrivenReference.run(chip: chip, input: input, window: 0.2, dt: dt)
        #expect(grid.activity.layers.map(\.spikes) == dense.spikes)
        #expect(grid.activity.layers[1].spikes > 20)
    }

    /// `MIFModel`'s phases are `MIFConstants.step` with the current of the step: one neuron driven by a
    /// constant current through the generic engine equals the plain loop, and fires.
    @Test func mifModelStepsAsTheMIFEquations() throws {
        let p = MIFParameters.default
        let k = MIFModel.constants(p, dt: 1e-6)
        var viaModel = MIFModel.rest(k)
        var plain = k.rest
        var spikesModel = 0, spikesPlain = 0
        for _ in 0..<20_000 {
            MIFModel.advance(&viaModel, k)
            MIFModel.receive(&viaModel, drive: 4e-9, k)
            if MIFModel.emit(&viaModel, k).spiked { spikesModel += 1 }
            let before = plain.x1
            k.step(&plain, current: 4e-9)
            if before < k.spikeThreshold && plain.x1 >= k.spikeThreshold { spikesPlain += 1 }
        }
        #expect(viaModel.neuron == plain)
        #expect(spikesModel == spikesPlain)
        #expect(spikesModel > 0)
    }

    /// `LIFDPIModel`'s exact propagator and its grid step agree at t = dt, and its first crossing is
    /// where the closed form reaches θ.
    @Test func lifModelExactAndSteppedAgree() throws {
        var p = NeuronParameters.default
        p.refractory = 0
        let dt = 1e-4
        let k = LIFDPIModel.constants(p, dt: dt)
        var s = LIFDPIModel.State(v: 0.2, i: 0)
        LIFDPIModel.receive(&s, drive: 3e-13, k)
        let exact = LIFDPIModel.propagate(s, by: dt, k.neuron)
        var stepped = s
        LIFDPIModel.advance(&stepped, k)
        #expect(abs(exact.v - stepped.v) <= 1e-12 * max(1, abs(exact.v)))
        #expect(abs(exact.i - stepped.i) <= 1e-12 * max(1e-30, abs(exact.i)))
        if let t = LIFDPIModel.firstCrossing(s, k.neuron) {
            let at = LIFDPIModel.propagate(s, by: t, k.neuron)
            #expect(abs(at.v - p.threshold) < 1e-9)
        }
    }
}
