import Foundation
import SpikebarCore
import SpikebarData
import SpikebarNIR
import SpikebarNIRMapping
import Testing

/// `NIRGraph.architecture` (`spikebar nir new`): seed 003's layer notation into a runnable graph, and
/// `NIRTraining.Samples.mnist` (`nir train` on an MNIST scenario): a fresh CNN learns rate-coded digits.
struct NIRArchitectureTests {
    @Test func notationBuildsTheGraphItSays() throws {
        let g = try NIRGraph.architecture("12x12x2-4c3-2s-6c5-3s-16o-3o", seed: 9)
        let p = try NIRProgram(graph: g, options: NIRRunOptions(dt: 1), file: "arch")
        #expect(p.inputCount == 2 * 12 * 12 && p.outputCount == 3)
        func shape(_ name: String) -> [Int]? { p.nodes.first { $0.name == name }?.outputShape }
        // "same" padding keeps 12×12; 2×2 pooling → 6×6; 5×5 "same" keeps 6×6; 3×3 pooling → 2×2; flatten 24.
        #expect(shape("conv0") == [4, 12, 12] && shape("pool1") == [4, 6, 6] && shape("conv2") == [6, 6, 6])
        #expect(shape("pool3") == [6, 2, 2] && shape("flatten") == [24] && shape("fc4") == [16] && shape("if5") == [3])
        // Weights uniform in ±gain·√(3/fan_in) (gain √2), biases zero, IF neurons of threshold 1.
        guard case let .convolution(c)? = g.nodes["conv2"], case let .affine(w, b)? = g.nodes["fc4"], case let .neuron(n)? = g.nodes["if4"] else {
            Issue.record("node kinds"); return
        }
        let convBound = 2.0.squareRoot() * (3.0 / Double(4 * 25)).squareRoot()
        #expect(c.weight.shape == [6, 4, 5, 5] && c.padding == [2, 2] && c.weight.values.allSatisfy { abs($0) <= convBound })
        let spread = c.weight.values.map { $0 * $0 }.reduce(0, +) / Double(c.weight.count)  // ≈ gain²/fan_in = 0.02
        #expect(abs(spread - 2.0 / 100) < 0.004, "weight variance \(spread)")
        #expect(w.shape == [16, 24] && b == Array(repeating: 0, count: 16))
        #expect(n.model == .integrateAndFire && n.vThreshold == Array(repeating: 1, count: 16))
        // Deterministic per seed.
        #expect(try NIRGraph.architecture("12x12x2-4c3-2s-6c5-3s-16o-3o", seed: 9) == g)
        #expect(try NIRGraph.architecture("12x12x2-4c3-2s-6c5-3s-16o-3o", seed: 10) != g)
        // A flat input is an FCN.
        let fcn = try NIRGraph.architecture("784-128o-10o", seed: 1)
        #expect(try NIRProgram(graph: fcn, options: NIRRunOptions(dt: 1), file: "fcn").inputCount == 784)
        // The graph survives the file format.
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("arch-\(getpid()).nir").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try g.write(path: path)
        var read = try NIRGraph.read(path: path)
        read.version = g.version
        #expect(read.nodes == g.nodes)
        // The same graph gives the same bytes whenever it is written: no HDF5 object time stamps
        // (their resolution is 1 s, hence the pause).
        let first = try Data(contentsOf: URL(fileURLWithPath: path))
        Thread.sleep(forTimeInterval: 1.1)
        try g.write(path: path)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == first)
    }

    @Test func malformedNotationIsRefusedNamingTheToken() {
        for (text, token, why) in [
            ("28x28x1-16c4-10o", "16c4", "odd kernel"), ("28x28x1-16c5-2s", "2s", "dense layer"), ("28x28-10o", "28x28", "H x W x C"),
            ("28x28x1-10o-4c3-10o", "4c3", "flat"), ("28x28x1-16x5-10o", "16x5", "a layer is"), ("4x4x1-8s-10o", "8s", "at least 8 x 8"),
            ("", "", "empty"), ("28x28x1-0o", "0o", "positive"),
            // Sizes are checked before any allocation, overflow included.
            ("99999999999x99999999999x9-10o", "input", "more than"), ("1000x1000x1-512c3-10o", "512c3 map", "more than"),
            ("784-200000o-10o", "200000o weights", "more than"),
        ] {
            do {
                _ = try NIRGraph.architecture(text, seed: 1)
                Issue.record("\(text) accepted")
            } catch {
                let m = "\(error)"
                #expect(m.contains("'\(token)'") && m.contains(why), "\(text): \(m)")
            }
        }
    }

    @Test func anInitialScaleOutsideItsRangeIsRefused() {
        for gain in [0, -1, .nan, .infinity, 1e308] {
            #expect(throws: SpikebarError.self) { _ = try NIRGraph.architecture("4-2o", seed: 1, gain: gain) }
        }
    }

    /// Tiny MNIST files (IDX, uncompressed) in `<dir>/mnist/`: `count` training digits whose class `k`
    /// lights row band `k` of the 28 × 28 image.
    static func syntheticMNIST(count: Int, classes: Int) throws -> (URL, [Int]) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spikebar-nir-mnist-\(getpid())-\(count)")
        let mnist = dir.appendingPathComponent("mnist")
        try FileManager.default.createDirectory(at: mnist, withIntermediateDirectories: true)
        let labels = (0..<count).map { $0 % classes }
        func header(_ magic: UInt8, _ dims: [Int]) -> [UInt8] {
            [0, 0, 8, magic] + dims.flatMap { v in [UInt8((v >> 24) & 255), UInt8((v >> 16) & 255), UInt8((v >> 8) & 255), UInt8(v & 255)] }
        }
        var images = header(3, [count, 28, 28])
        for l in labels { images += (0..<784).map { i in (i / 28) / (28 / classes) == l ? 255 : 0 } }
        try Data(images).write(to: mnist.appendingPathComponent("train-images-idx3-ubyte"))
        try Data(header(1, [count]) + labels.map { UInt8($0) }).write(to: mnist.appendingPathComponent("train-labels-idx1-ubyte"))
        return (dir, labels)
    }

    @Test func aFreshCNNLearnsRateCodedDigits() throws {
        let (dir, labels) = try Self.syntheticMNIST(count: 12, classes: 3)
        defer { try? FileManager.default.removeItem(at: dir) }
        let encoder = PoissonEncoder(maxRate: 300, window: 0.02, seed: 4, resolution: 1e-6)
        let data = try NIRTraining.Samples.mnist(directory: dir.path, limit: 100, encoder: encoder, bin: 1e-3, steps: 20)
        #expect(data.count == 12 && data.labels == labels && data.channels == 784)
        // Digit i is the encoder's rate code on training key i, in 1 ms frames over the window.
        let steps = data.steps(5)
        let spikes = encoder.encode((0..<784).map { i in (i / 28) / 9 == labels[5] ? 1.0 : 0 }, sample: NIRTraining.Samples.trainingKey(5))
        #expect(steps.count == 20 && steps.map(\.count).reduce(0, +) == spikes.count && spikes.count > 100)
        #expect(steps.allSatisfy { $0.allSatisfy { e in (e.index / 28) / 9 == labels[5] } })

        let fresh = try NIRGraph.architecture("28x28x1-2c3-4s-3o", seed: 2)
        func train(_ threads: Int) throws -> (NIRGraph, [NIRTraining.Epoch]) {
            try NIRTraining.train(
                graph: fresh, runOptions: NIRRunOptions(dt: 1, reset: .subtract, comparison: .greaterOrEqual), samples: data, device: .default,
                tiles: .default, seed: 1, options: .init(epochs: 5, batch: 4, lr: 0.02, scale: 0.3, threads: threads))
        }
        // A fresh graph has no bias: it runs event-driven; frozen biases stay zero through training.
        #expect(NIREvaluation.eventDrivenObstacle(try NIRProgram(graph: fresh, options: NIRRunOptions(dt: 1), file: "f")) == nil)
        let (frozen, _) = try NIRTraining.train(
            graph: fresh, runOptions: NIRRunOptions(dt: 1, reset: .subtract, comparison: .greaterOrEqual), samples: data, device: .default,
            tiles: .default, seed: 1, options: .init(epochs: 1, batch: 4, lr: 0.02, scale: 0.3, threads: 2, freezeBiases: true))
        guard case let .convolution(c)? = frozen.nodes["conv0"], case let .affine(w, b)? = frozen.nodes["fc2"] else { Issue.record("nodes"); return }
        guard case let .convolution(c0)? = fresh.nodes["conv0"] else { return }
        #expect(c.bias == [0, 0] && b == [0, 0, 0] && c.weight != c0.weight && w.count == 3 * 2 * 7 * 7)
        let (a, history) = try train(1)
        #expect(history.last!.loss < history.first!.loss && history.last!.trainAccuracy > history.first!.trainAccuracy, "\(history)")
        #expect(try train(2).0 == a)
        // Trained biases make a drive between events: exact mode is refused, naming the node.
        let program = try NIRProgram(graph: a, options: NIRRunOptions(dt: 1), file: "trained.nir")
        let refusal = NIREvaluation.exactModeRefusal(program)
        #expect(refusal.map { "\($0)".contains("bias") && ["conv0", "fc2"].contains($0.node) } == true, "\(String(describing: refusal))")
    }
}
