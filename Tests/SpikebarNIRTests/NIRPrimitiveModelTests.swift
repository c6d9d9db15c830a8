import Foundation
import SpikebarNIR
import SpikebarNeurons
import Testing

/// Issue #17: NIR's neuron primitives behind the one neuron-model contract. A dense graph of CubaLIF
/// (reset by subtraction), LIF and IF nodes run by the generic `GridEngine<NIRPrimitiveModel>` spikes
/// exactly as the NIR reference program (`NIRProgram.run`), step for step and neuron for neuron, under
/// both discretisations and both spike comparisons: the primitives' step is written once.
struct NIRPrimitiveModelTests {
    /// Records every spike (layer, neuron, step).
    struct SpikeRecorder: GridObserver {
        typealias Model = NIRPrimitiveModel
        var spikes: Set<[Int]> = []
        var booksReads: Bool { false }
        mutating func spiked(layer l: Int, neuron i: Int, step n: Int) { spikes.insert([l, i, n]) }
    }

    /// Dense frames as the input population's amplitudes.
    struct FrameInput: GridInput {
        let frames: [[Double]]
        mutating func signals(step n: Int, into signal: inout [Double], spikes: inout [Int]) {
            for (k, x) in frames[n].enumerated() where x != 0 { signal[k] = x; spikes[k] += 1 }
        }
    }

    @Test(arguments: [(false, false), (true, true), (false, true)])
    func gridEngineRunsANIRGraphAsTheReferenceProgram(exponential: Bool, inclusive: Bool) throws {
        var rng = TestRandom(17)
        let sizes = [5, 7, 4, 3]
        // NIR Linear weights: shape [out, in], row-major.
        let weights = (0..<3).map { l in (0..<(sizes[l] * sizes[l + 1])).map { _ in 0.9 * rng.unit() + 0.25 } }
        func population(_ n: Int, _ x: Double) -> [Double] { Array(repeating: x, count: n) }
        let cuba = NIRNeuron(
            model: .cubaLIF, shape: [7], tauMem: (0..<7).map { 0.02 + 0.002 * Double($0) }, tauSyn: population(7, 0.005),
            r: population(7, 1.2), vLeak: population(7, 0.05), vThreshold: population(7, 0.5), vReset: population(7, 0),
            wIn: population(7, 1.5))
        let lif = NIRNeuron(
            model: .lif, shape: [4], tauMem: population(4, 0.01), tauSyn: nil, r: population(4, 3), vLeak: population(4, 0),
            vThreshold: population(4, 0.3), vReset: population(4, -0.1), wIn: population(4, 1))
        let integrate = NIRNeuron(
            model: .integrateAndFire, shape: [3], tauMem: nil, tauSyn: nil, r: population(3, 60), vLeak: population(3, 0),
            vThreshold: population(3, 0.5), vReset: population(3, 0), wIn: population(3, 1))
        let graph = chain(
            [
                ("fc1", .linear(weight: NIRTensor(shape: [7, 5], values: weights[0]))), ("cuba", .neuron(cuba)),
                ("fc2", .linear(weight: NIRTensor(shape: [4, 7], values: weights[1]))), ("lif", .neuron(lif)),
                ("fc3", .linear(weight: NIRTensor(shape: [3, 4], values: weights[2]))), ("if", .neuron(integrate)),
            ], input: [5])
        let dt = 5e-3
        let options = NIRRunOptions(
            dt: dt, discretisation: exponential ? .exponential : .forwardEuler, reset: .subtract,
            comparison: inclusive ? .greaterOrEqual : .greater)
        let frames = (0..<80).map { _ in (0..<5).map { _ in rng.count() } }
        let program = try NIRProgram(graph: graph, options: options)
        let layerOf = ["cuba": 1, "lif": 2, "if": 3]
        var reference: Set<[Int]> = []
        _ = try program.run(
            frames: frames,
            spikes: { node, step, out in
                guard let l = layerOf[program.nodes[node].name] else { return }
                for (i, z) in out.enumerated() where z != 0 { reference.insert([l, i, step]) }
            })
        #expect(reference.count > 20, "\(reference.count)")  // every layer spikes
        #expect(Set(reference.map { $0[0] }) == [1, 2, 3])
        // The same graph on the generic engine: the primitives' constants, the Linear weights input-major.
        func constants(_ n: NIRNeuron) -> [NIRPrimitiveModel.Constants] {
            (0..<n.count).map { k in
                NIRPrimitiveModel.constants(
                    NIRPrimitiveModel.Parameters(
                        tauMem: n.tauMem?[k], tauSyn: n.tauSyn?[k], r: n.r[k], vLeak: n.vLeak[k], wIn: n.wIn[k], vReset: n.vReset[k],
                        threshold: n.vThreshold?[k], subtractiveReset: true, inclusiveThreshold: inclusive, exponential: exponential),
                    dt: dt)
            }
        }
        let connections = (0..<3).map { l -> GridEngine<NIRPrimitiveModel>.Connection in
            let (inputs, outputs) = (sizes[l], sizes[l + 1])
            let w = (0..<(inputs * outputs)).map { x in weights[l][(x % outputs) * inputs + x / outputs] }
            return .init(from: l, to: l + 1, recurrent: false, inputs: inputs, outputs: outputs, w: w)
        }
        let engine = GridEngine<NIRPrimitiveModel>(
            sizes: sizes, constants: [[], constants(cuba), constants(lif), constants(integrate)], connections: connections,
            routing: .activeRows)
        var input = FrameInput(frames: frames)
        var recorder = SpikeRecorder()
        _ = engine.run(&input, steps: frames.count, observer: &recorder)
        #expect(recorder.spikes == reference)
    }

    /// The contract's readouts: an LI node outputs its membrane as its signal and never spikes.
    @Test func aReadoutOutputsItsMembrane() {
        let k = NIRPrimitiveModel.constants(.init(tauMem: 0.01, tauSyn: nil, threshold: nil), dt: 1e-3)
        var s = NIRPrimitiveModel.rest(k)
        NIRPrimitiveModel.receive(&s, drive: 2, k)
        let out = NIRPrimitiveModel.emit(&s, k)
        #expect(!out.spiked && out.signal == 0.9 * 0 + 0.1 * 2 && s.drive == 0)
    }
}
