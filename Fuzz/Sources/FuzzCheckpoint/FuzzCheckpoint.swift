import Foundation
import FuzzSupport
import SpikebarExperiments
import SpikebarTwin

/// Files `spikebar` reads back (issue #22, class 7): a training checkpoint (`checkpoint.json`) and the
/// results logs of `ExperimentLog` (`sweep-*.jsonl`, `transfers.*.jsonl`, `chips.partial.jsonl`,
/// `retrain.partial.jsonl`, `evaluate.partial.jsonl` of a LIF network or an NIR scenario). JSON bytes → `TrainingCheckpoint` → `validationProblem`,
/// and the same bytes as a sweep log (`SweepLog.read`), a chip-transfers log, a retraining log and an
/// evaluation log. Every rejection must be an error, never a trap; a
/// checkpoint that validates must be usable: its rows have the shapes it declares and finite values.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCheckpoint(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Data(bytes(data, size))
    if let ck = try? JSONDecoder().decode(TrainingCheckpoint.self, from: input) {
        for shapes in [ck.shapes, [2, 3], []] where ck.validationProblem(shapes: shapes) == nil {
            require(ck.weights.map(\.count) == shapes && ck.adam.m.map(\.count) == shapes, "validated rows differ from the shapes")
            require(ck.weights.allSatisfy { $0.allSatisfy(\.isFinite) } && ck.epoch >= 0, "validated non-finite weights or negative epoch")
        }
    }
    let path = NSTemporaryDirectory() + "spikebar-fuzz-sweep-\(getpid()).jsonl"
    if FileManager.default.createFile(atPath: path, contents: input) {
        if let log = try? SweepLog.read(path: path) {
            for u in log.units {
                require((0..<log.header.unitCount).contains(u.unit), "unit \(u.unit) outside the sweep")
                require(u.accuracy.map { (0...1).contains($0) } ?? true, "accuracy \(String(describing: u.accuracy)) accepted")
            }
        }
        if let log = try? ExperimentLog<ChipTransfersLogHeader>.read(path: path) {
            for u in log.units {
                require((0..<log.header.chips).contains(u.unit), "chip \(u.unit) outside the run")
                require(u.bits.count == log.header.samples, "a chip with \(u.bits.count) results of \(log.header.samples) accepted")
            }
            let stats = ChipTransfers.Statistics(units: log.units, points: log.header.samples)
            require(stats.correct.allSatisfy { (0...log.units.count).contains($0) }, "a point right on more chips than ran")
        }
        if let log = try? ExperimentLog<ChipRetrainingLogHeader>.read(path: path) {
            for u in log.units {
                require((0..<log.header.chips).contains(u.unit), "retrained chip \(u.unit) outside the run")
                require(
                    [u.accuracyBefore, u.accuracyAfter, u.stuckFraction].allSatisfy { (0...1).contains($0) }, "a fraction outside 0 … 1 accepted")
            }
            let stats = ChipRetraining.Statistics(log.units)
            require(stats.meanAfter.isFinite && (-1...1).contains(stats.meanRecovered), "retraining statistics out of range")
        }
        if let log = try? ExperimentLog<TwinEvaluationLogHeader>.read(path: path) {
            let h = log.header
            for u in log.units {
                require((0..<h.unitCount).contains(u.unit), "block \(u.unit) outside the evaluation")
                require(u.energy.allSatisfy { $0.count == h.architectures.count }, "a sample priced on another set of architectures accepted")
                require(u.grid.count == min(h.samples, (u.unit + 1) * h.block) - u.unit * h.block, "a block of the wrong size accepted")
            }
        }
        if let log = try? ExperimentLog<NIRScenarioEvaluationLogHeader>.read(path: path) {
            let h = log.header
            for u in log.units {
                require((0..<h.unitCount).contains(u.unit), "unit \(u.unit) outside the NIR evaluation")
                if u.unit < h.rows {
                    require(u.row.map { $0.samples == h.samples && $0.correct <= h.samples } ?? false, "a row that does not fit accepted")
                } else {
                    require(u.correct?.count == h.samples, "a chip with the wrong number of results accepted")
                }
            }
        }
        unlink(path)
    }
    return 0
}

/// Entry point SwiftPM links as `main` (see CFuzzDriver.h): hands over to libFuzzer.
@_cdecl("FuzzCheckpoint_main")
public func fuzzCheckpointMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    spikebar_fuzz_main(argc, argv)
}
