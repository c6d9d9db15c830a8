import Foundation
import Testing
import SpikebarChip
import SpikebarCore
import SpikebarDevices
import SpikebarNIR
import SpikebarNIRMapping

/// An imported graph on a real device (`NIRDeviceProgramming`, `nir evaluate|price --device`).
@Suite struct NIRDeviceTests {
    func weights(_ g: NIRGraph) -> [[Double]] {
        g.sortedNames.compactMap { name -> [[Double]]? in
            switch g.nodes[name] {
            case let .affine(w, _)?, let .linear(w)?: return [w.values]
            case let .convolution(c)?: return [c.weight.values]
            case let .graph(sub)?: return weights(sub)
            default: return nil
            }
        }.flatMap { $0 }
    }

    /// A fine, error-free device gives back the graph's weights (to the level step); a coarse one rounds
    /// them to its levels: with L levels per polarity the error of a weight is at most half a step,
    /// `max|W| / (2(L − 1))`, and the RMS of a uniform rounding error is step/√12.
    @Test func programmingRoundsToTheLevelsAndKeepsTheScale() throws {
        let graph = try NIRGraph.read(path: fixture("cnn_sinabs.nir"))
        var device = RRAMDevice.default
        device.programmingError = [Double](repeating: 0, count: device.levels)
        device.readNoise = 0
        let (programmed, report) = NIRDeviceProgramming.program(graph, device: device, tiles: .default, seed: 1)
        #expect(report.weightNodes == 5)
        #expect(report.stuckCells == 0)
        let before = weights(graph), after = weights(programmed)
        #expect(before.count == after.count)
        for (w, p) in zip(before, after) {
            let s = w.reduce(0) { max($0, abs($1)) }
            let halfStep = s / (2 * Double(device.levels - 1))
            #expect(zip(w, p).allSatisfy { abs($0 - $1) <= halfStep * (1 + 1e-6) })
            #expect(abs((p.map(abs).max() ?? 0) - s) <= 1e-6 * s, "the largest weight sits on the top level")
        }
        let stepRMS = 1 / (Double(device.levels - 1) * 12.0.squareRoot())
        #expect(report.relativeRMSError > 0.2 * stepRMS && report.relativeRMSError < 1.2 * stepRMS, "\(report.relativeRMSError) vs \(stepRMS)")
    }

    /// Programming error and stuck cells are drawn per chip sample: the same sample is the same chip,
    /// another sample another chip; stuck cells follow `device.faults`.
    @Test func chipSamplesAreKeyedAndFaultsStick() throws {
        let graph = try NIRGraph.read(path: fixture("cnn_sinabs.nir"))
        var device = RRAMDevice.default
        device.faults = DeviceFaults(bitErrorRate: 0.01, highFraction: 0.5)
        let a = NIRDeviceProgramming.program(graph, device: device, tiles: .default, seed: 3, chipSample: 0)
        let b = NIRDeviceProgramming.program(graph, device: device, tiles: .default, seed: 3, chipSample: 0)
        let c = NIRDeviceProgramming.program(graph, device: device, tiles: .default, seed: 3, chipSample: 1)
        #expect(a.0 == b.0 && a.1 == b.1)
        #expect(a.0 != c.0)
        let fraction = Double(a.1.stuckCells) / Double(a.1.cells)
        #expect(abs(fraction - 0.01) < 0.003, "\(fraction)")
    }
}
