import Foundation
import Testing
import SpikebarActivity
import SpikebarCost
import SpikebarScenario
import SpikebarTestSupport

// Issue #16 point 4: the same technology node. The scaling fits against the paper's own example, and the
// equalised estimates component by component.

private func activity() -> Activity {
    let tile = TileActivity(
        layer: 1, rows: 128, cols: 128, usedRows: 10, usedCols: 8, rowReads: 5, cellReads: 40,
        conductanceRead: 3e-4, conductanceTotal: 4e-3, concurrency: [5], peakConcurrentRows: 1)
    func pop(_ n: String, _ size: Int, _ spikes: Int, _ syn: Int) -> LayerActivity {
        LayerActivity(
            name: n, size: size, spikes: spikes, synapticEventsIn: syn, neuronUpdates: 0, meanRate: 0,
            spikeCounts: [Int](repeating: 0, count: size))
    }
    return Activity(
        window: 0.1, dt: 1e-3, steps: 100, layers: [pop("input", 10, 5, 0), pop("out", 4, 2, 20)], tiles: [tile],
        outputSpikeCounts: [1, 1, 0, 0], firstOutputSpike: 0.02, decisionTime: 0.02, predictedClass: 0)
}

@Suite("Same technology node (issue #16)")
struct NodeScalingTests {
    /// Stillmaker & Baas corrigendum: 65 nm at 1.3 V → HP 32 nm at 0.9 V: E factors 2.604 and 0.4571, so
    /// 1 pJ becomes 0.1755 pJ.
    @Test("energy fits reproduce the paper's worked example")
    func corrigendumExample() throws {
        let n65 = try #require(TechnologyNode("65nm")), hp32 = try #require(TechnologyNode("32"))
        #expect(hp32.name == "HP32")
        #expect(abs(TechnologyScaling.relativeEnergy(n65, vdd: 1.3) - 2.604) < 5e-4)
        #expect(abs(TechnologyScaling.relativeEnergy(hp32, vdd: 0.9) - 0.4571) < 5e-5)
        #expect(abs(TechnologyScaling.energyFactor(from: n65, 1.3, to: hp32, 0.9) - 0.1755) < 5e-4)
        #expect(TechnologyScaling.energyFactor(from: hp32, 0.9, to: hp32, 0.9) == 1)
        // Area: 180 nm → 45 nm divides by 19 (the paper's factor), and back.
        let n180 = try #require(TechnologyNode("180")), hp45 = try #require(TechnologyNode("HP45"))
        #expect(abs(TechnologyScaling.areaFactor(from: n180, to: hp45) - 1.0 / 19) < 1e-12)
        #expect(abs(TechnologyScaling.areaFactor(from: hp45, to: n180) - 1 / 0.053) < 1e-9)
        // A newer node at its nominal supply is faster and spends less energy per operation.
        #expect(TechnologyScaling.delayFactor(from: n180, 1.8, to: hp45, 1.0) < 1)
        #expect(TechnologyScaling.energyFactor(from: n180, 1.8, to: hp45, 1.0) < 0.2)
        #expect(TechnologyNode("28") == nil)
    }

    @Test("same_node scales the CMOS logic of every architecture, and only that")
    func equalisedEstimates() throws {
        let read = ReadConditions(readVoltage: 0.1, readPulse: 100e-9)
        let target = NodeEqualisation(node: try #require(TechnologyNode("HP45")))
        #expect(target.vdd == 1.0)
        var lists = PriceLists()
        let plain = lists.models(read: read)
        lists.sameNode = target
        let same = lists.models(read: read)
        let a = activity()
        for (p, s) in zip(plain, same) {
            let before = p.price(a), after = s.price(a)
            #expect(before.architecture == after.architecture)
            guard let annotated = p as? any NodeAnnotatedCostModel else { Issue.record("\(p.architecture) not annotated"); continue }
            for (x, y) in zip(before.energy, after.energy) {
                if let n = annotated.sourceNodes[x.name], x.kind == .dynamic {
                    let f = TechnologyScaling.energyFactor(from: n.node, n.vdd, to: target.node, target.vdd)
                    #expect(abs(y.value - x.value * f) <= 1e-12 * max(abs(x.value), 1e-30), "\(p.architecture) \(x.name)")
                } else {
                    #expect(y.value == x.value, "\(p.architecture) \(x.name) must not scale")
                }
            }
            #expect(after.notes.last?.contains("HP 45 nm") == true)
        }
        // DYNAP's digital routing drops from 180 nm to 45 nm; the RRAM array's read heat (physics) stays.
        let dynapBefore = plain[1].price(a), dynapAfter = same[1].price(a)
        #expect(dynapAfter.totalEnergy < dynapBefore.totalEnergy)
        let rramBefore = plain[0].price(a), rramAfter = same[0].price(a)
        #expect(
            rramAfter.energy(named: RRAMCrossbarCost.Component.arrayRead)?.value
                == rramBefore.energy(named: RRAMCrossbarCost.Component.arrayRead)?.value)
    }

    @Test("same_node decodes strictly and names a bad node")
    func decoding() throws {
        let ok = try scenario(tinyScenarioYAML() + "\n" + "architectures: {same_node: {node: 65nm, vdd: 1.0}}").scenario
        #expect(ok.architectures.sameNode?.node.name == "65")
        #expect(ok.architectures.sameNode?.vdd == 1.0)
        #expect(throws: (any Error).self) { try scenario(tinyScenarioYAML() + "\n" + "architectures: {same_node: {node: 28}}") }
        #expect(throws: (any Error).self) { try scenario(tinyScenarioYAML() + "\n" + "architectures: {same_node: {node: HP45, volts: 1}}") }
    }

    @Test("run --set architectures.same_node.node prices at one node, and a bad node is refused naming the setting")
    func runWithSameNode() throws {
        guard spikebarExecutable() != nil else { return }
        let dir = try freshTemporaryDirectory("same-node")
        let path = dir.appendingPathComponent("tiny.yaml").path
        try tinyScenarioYAML(input: 4, layers: "[{name: out, size: 2}]").write(toFile: path, atomically: true, encoding: .utf8)
        let ok = try runCLI(["run", path, "--set", "architectures.same_node.node=HP45", "--json", "--out", dir.appendingPathComponent("out").path])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.contains("equalised to HP 45 nm"), "\(ok.stdout.prefix(2000))")
        let bad = try runCLI(["run", path, "--set", "architectures.same_node.node=28", "--out", dir.appendingPathComponent("bad").path])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("--set architectures.same_node.node=28") && bad.stderr.contains("unknown technology node"), "\(bad.stderr)")
    }
}
