import Foundation
import Testing
import SpikebarChip
import SpikebarCore
import SpikebarDevices
import SpikebarExperiments
import SpikebarPipeline
import SpikebarTestSupport

/// The rules that live in one place (issue #17): tile layout, stuck-cell codes, the robustness count,
/// the digest.
@Suite struct SharedRulesTests {
    /// The tile-layout rule cuts a connection into blocks that cover every synapse once, in the order
    /// the chip's tiles are built, for both differential mappings.
    @Test(arguments: [DifferentialMapping.columns, .arrays])
    func tileBlocksCoverTheConnectionOnce(mapping: DifferentialMapping) {
        let spec = TileSpec(rows: 16, cols: 10, mapping: mapping)
        let inputs = 37, outputs = 23
        var seen = [Int](repeating: 0, count: inputs * outputs)
        let blocks = spec.blocks(inputs: inputs, outputs: outputs)
        for b in blocks {
            #expect(b.usedRows <= spec.rows && b.neurons <= spec.neuronsPerTile)
            #expect(spec.usedColumns(neurons: b.neurons) <= spec.cols)
            for j in b.rowStart..<(b.rowStart + b.usedRows) { for i in b.neuronStart..<(b.neuronStart + b.neurons) { seen[j * outputs + i] += 1 } }
        }
        #expect(seen.allSatisfy { $0 == 1 })
        let perTile = mapping == .columns ? 5 : 10
        #expect(blocks.count == 3 * ((outputs + perTile - 1) / perTile))
        // G⁺ and G⁻ of a neuron never share a column of the same tile.
        #expect(spec.column(neuron: 3, positive: true) != spec.column(neuron: 3, positive: false) || mapping == .arrays)
    }

    @Test func stuckCodesRoundTrip() {
        for hp in [nil, false, true] as [Bool?] {
            for hm in [nil, false, true] as [Bool?] {
                var code: UInt8 = 0
                if let hp { code |= StuckCellCode.plus(high: hp) }
                if let hm { code |= StuckCellCode.minus(high: hm) }
                #expect(StuckCellCode.plusStuckHigh(code) == hp)
                #expect(StuckCellCode.minusStuckHigh(code) == hm)
                #expect(StuckCellCode.stuckCells(code) == (hp == nil ? 0 : 1) + (hm == nil ? 0 : 1))
            }
        }
        #expect(StuckCellCode.sticksHigh(0.6, highFraction: 0.5))
        #expect(!StuckCellCode.sticksHigh(0.4, highFraction: 0.5))
        #expect(!StuckCellCode.sticksHigh(0.999, highFraction: 0))
    }

    @Test func robustnessCountsInIntegers() {
        #expect(RobustnessRule.reaches(95, correct: 19, of: 20))
        #expect(!RobustnessRule.reaches(95, correct: 18, of: 20))
        #expect(RobustnessRule.reaches(90, correct: 9, of: 10))
        #expect(RobustnessRule.fraction(95, correct: [20, 19, 18, 0], of: 20) == 0.5)
        #expect(RobustnessRule.fraction(95, correct: [], of: 20) == 0)
    }

    /// FNV-1a 64 test vectors (Fowler–Noll–Vo reference: "" → cbf29ce484222325, "a" → af63dc4c8601ec8c,
    /// "foobar" → 85944171f73967e8).
    @Test func fnvMatchesTheReferenceVectors() {
        #expect(FNV1a64.hex(of: "") == "cbf29ce484222325")
        #expect(FNV1a64.hex(of: "a") == "af63dc4c8601ec8c")
        #expect(FNV1a64.hex(of: "foobar") == "85944171f73967e8")
    }
}

/// The chip's invariants hold after programming and after stuck cells, and catch a corrupted chip.
@Suite struct ChipInvariantTests {
    @Test func programmedChipsHoldTheirInvariantsAndCorruptionIsCaught() throws {
        var (chip, _) = try twoLayerTestChip(hidden: 24, out: 6, recurrent: true)
        #expect(chip.invariantViolations() == [])
        chip.injectStuckCells(fraction: 0.05, seed: 3)
        #expect(chip.invariantViolations() == [])
        var broken = chip
        broken.tiles[0].rowConductance[0] += 1e-6
        #expect(broken.invariantViolations().contains { $0.contains("Σ G") })
        broken = chip
        broken.connections[0].gPlus.removeLast()
        #expect(!broken.invariantViolations().isEmpty)
        broken = chip
        broken.neurons[0].removeLast()
        #expect(broken.invariantViolations().contains { $0.contains("neuron parameter sets") })
    }
}
