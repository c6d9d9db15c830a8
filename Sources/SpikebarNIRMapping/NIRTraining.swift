import Foundation
import SpikebarChip
import SpikebarCore
import SpikebarData
import SpikebarDevices
import SpikebarNIR
import SpikebarTwin

/// Training (or fine-tuning) an NIR graph's weights by backpropagation through time
/// (`NIRProgram.gradient`) on labelled samples given as the program's input steps (`Samples`: N-MNIST
/// recordings framed as in `NIREvaluation`, or MNIST digits rate-coded by the scenario's Poisson encoder
/// and framed the way `NIRSimulation` frames them) — convolutions and pooling included (issue #18 point 5). With `hardwareAware`, every batch runs on a freshly programmed
/// chip sample of the device (levels, programming error, drift, stuck cells: `NIRDeviceProgramming`)
/// and its gradient updates the float weights (straight-through): technology-aware training in the
/// sense of seed 003, with the device's non-idealities in the forward pass. Adam (`SpikebarTwin.Adam`,
/// no clipping); samples of a batch run in parallel and their gradients are summed in sample order, so
/// the result does not depend on the thread count.
public enum NIRTraining {
    public struct Options: Sendable {
        public var epochs: Int, batch: Int, lr: Double
        /// Logit = `scale · output count`; surrogate slope of the spike derivative.
        public var scale: Double, slope: Double
        public var threads: Int
        public var hardwareAware: Bool
        /// Keep every bias as the graph has it (zero for `nir new` graphs): crossbar rows carry no bias,
        /// and a bias-free graph without leak runs in exact (event-driven) timing.
        public var freezeBiases: Bool
        public var seed: UInt64
        /// Learning-rate schedule over the run (`TrainerConfig.learningRate`: constant, cosine, step).
        public var schedule: LearningRateSchedule
        /// Fraction of the samples (the last ones) held out to score every epoch; 0: none.
        public var validation: Double
        /// Stop after this many epochs without a better validation accuracy (0: never; needs `validation`).
        public var patience: Int
        public init(
            epochs: Int = 1, batch: Int = 16, lr: Double = 1e-4, scale: Double = 0.1, slope: Double = 5, threads: Int = 0,
            hardwareAware: Bool = false, freezeBiases: Bool = false, seed: UInt64 = 1, schedule: LearningRateSchedule = .constant,
            validation: Double = 0, patience: Int = 0
        ) {
            self.epochs = epochs; self.batch = batch; self.lr = lr; self.scale = scale; self.slope = slope
            self.threads = threads; self.hardwareAware = hardwareAware; self.freezeBiases = freezeBiases; self.seed = seed
            self.schedule = schedule; self.validation = validation; self.patience = patience
        }
    }

    /// Labelled training samples, each as the program's input steps (made on demand: a rate code is
    /// cheap to redraw and costly to hold for 60,000 digits).
    public struct Samples: Sendable {
        public var labels: [Int]
        /// Input channels the steps address (the graph's Input must take this many).
        public var channels: Int
        /// What the samples are, for errors and reports.
        public var description: String
        public var steps: @Sendable (Int) -> [[(index: Int, value: Double)]]
        public var count: Int { labels.count }
        public init(labels: [Int], channels: Int, description: String, steps: @escaping @Sendable (Int) -> [[(index: Int, value: Double)]]) {
            self.labels = labels; self.channels = channels; self.description = description; self.steps = steps
        }

        /// The first `limit` recordings of `<directory>/nmnist-subset/<labelFile>`, framed per `bin` from
        /// t = 0 to each recording's last event (as `nir evaluate` frames them).
        public static func nmnist(directory: String, labelFile: String, limit: Int, bin: Seconds) throws -> Samples {
            let data = try NMNISTSubset.load(directory: directory, labelFile: labelFile, limit: limit)
            let channels = NIREvaluation.frameShape.reduce(1, *)
            let binPs = max(1, Int64((bin * 1e12).rounded()))
            let frames: [[[(index: Int, value: Double)]]] = data.spikes.map { s in
                let count = (s.times.max().map { Int($0 / binPs) } ?? -1) + 1
                return NIREvaluation.sparseFrames(s, bin: bin, channels: channels, count: max(1, count))
            }
            return Samples(labels: data.labels, channels: channels, description: "N-MNIST recordings of \(labelFile)") { frames[$0] }
        }

        /// The first `limit` digits of MNIST's training split (`MNIST`, in `directory` or its `mnist/`),
        /// rate-coded by `encoder` — digit i on the keyed streams of sample `trainingKey(i)`, apart from
        /// the test digits' — and framed per `bin` over `steps` frames: what `NIRSimulation` runs in grid
        /// timing on a scenario with `input: { source: mnist }`.
        public static func mnist(directory: String, limit: Int, encoder: PoissonEncoder, bin: Seconds, steps: Int) throws -> Samples {
            let mnist = try MNIST(directory: directory, split: .train)
            let n = min(limit, mnist.images.count)
            let images = (0..<n).map { mnist.images.image($0) }
            let labels = (0..<n).map { Int(mnist.labels[$0]) }
            return Samples(labels: labels, channels: 784, description: "MNIST training digits (Poisson, \(Units.format(encoder.maxRate, "Hz")) peak)")
            { i in
                NIREvaluation.sparseFrames(encoder.encode(images[i], sample: trainingKey(i)), bin: bin, channels: 784, count: steps)
            }
        }

        /// The encoder's sample key of training digit `i` (test sample k uses k).
        public static func trainingKey(_ i: Int) -> Int { 1 << 40 | i }
    }

    /// One epoch's figures.
    public struct Epoch: Codable, Sendable, Equatable {
        public var epoch: Int
        public var loss: Double
        /// Fraction right during the epoch (on the batch's weights, before each update).
        public var trainAccuracy: Double
        /// Accuracy on the held-out samples after the epoch (`Options.validation`), nil without them.
        public var validationAccuracy: Double?
        /// What `validationAccuracy` was measured on, next to it in every output (nil without it).
        public var validationOn: String?
        public var seconds: Double

        /// The basis of every NIR validation figure.
        public static let validationBasis = "held-out training samples, the graph's float weights (no chip, no device effects)"

        public init(_ e: EpochRecord) {
            epoch = e.epoch; loss = e.trainLoss; trainAccuracy = e.trainAccuracy; validationAccuracy = e.validationAccuracy; seconds = e.seconds
            validationOn = e.validationAccuracy == nil ? nil : Self.validationBasis
        }
    }

    /// Trains `graph`; `device`/`tiles`/`seed` program the chips of hardware-aware batches. The loop is the
    /// project's one `Trainer` (constant learning rate, no projection, the NIR order
    /// `TrainingOrder.splitMix`); `epochDone` receives the graph after every epoch.
    public static func train(
        graph: NIRGraph, runOptions: NIRRunOptions, samples data: Samples, device: RRAMDevice, tiles: TileSpec, seed: UInt64,
        options o: Options, file: String = "<memory>", progress: ((_ epoch: Int, _ done: Int, _ total: Int) -> Void)? = nil,
        epochDone: ((_ graph: NIRGraph, _ epoch: Epoch) throws -> Void)? = nil
    ) throws -> (graph: NIRGraph, epochs: [Epoch]) {
        let run = try Run(graph: graph, runOptions: runOptions, samples: data, device: device, tiles: tiles, seed: seed, options: o, file: file)
        let (final, _) = try run.train(from: run.start(), progress: progress, epochDone: epochDone)
        return (try run.bestGraph(final), final.history.map(Epoch.init))
    }

    /// A training run of a graph on the project's one `Trainer` (constant learning rate, no projection,
    /// the NIR order `TrainingOrder.splitMix`), resumable from any `TrainingCheckpoint` it saved:
    /// every batch is keyed by (seed, epoch, batch), so a resumed run ends with the weights of an
    /// uninterrupted one.
    public struct Run {
        let problem: Problem
        public let trainer: Trainer<Problem>

        public init(
            graph: NIRGraph, runOptions: NIRRunOptions, samples data: Samples, device: RRAMDevice, tiles: TileSpec, seed: UInt64,
            options o: Options, file: String = "<memory>"
        ) throws {
            guard o.epochs >= 1, o.batch >= 1, o.lr > 0, o.lr.isFinite, data.count >= 1, o.scale > 0, o.scale.isFinite, o.slope > 0,
                o.slope.isFinite
            else {
                throw NIRError(file: file, "epochs, batch, lr, samples, scale and slope must be positive and finite")
            }
            guard (0..<1).contains(o.validation), o.patience >= 0, o.patience == 0 || o.validation > 0 else {
                throw NIRError(file: file, "validation must be in [0, 1) and patience ≥ 0 (patience needs a validation split)")
            }
            guard Problem.split(data.count, validation: o.validation).train >= 1 else {
                throw NIRError(file: file, "a validation fraction of \(o.validation) leaves no training sample of \(data.count)")
            }
            problem = try Problem(
                graph: graph, runOptions: runOptions, samples: data, device: device, tiles: tiles, seed: seed, options: o, file: file)
            trainer = Trainer(
                problem: problem,
                config: TrainerConfig(
                    epochs: o.epochs, batch: o.batch, lr: o.lr, schedule: o.schedule, patience: o.patience, threads: o.threads, seed: o.seed))
        }

        /// A fresh checkpoint at the graph's own weights.
        public func start() -> TrainingCheckpoint { trainer.start(weights: problem.initial) }

        /// The trainable tensors' lengths (a checkpoint to resume must have them).
        public var shapes: [Int] { problem.parameterShapes }

        /// The graph holding a checkpoint's weights.
        public func graph(_ ck: TrainingCheckpoint) throws -> NIRGraph { try problem.graph(ck.weights) }

        /// The graph of the best-scoring epoch when a validation split scores epochs, else the last weights.
        public func bestGraph(_ ck: TrainingCheckpoint) throws -> NIRGraph {
            try problem.graph(problem.options.validation > 0 && ck.bestEpoch > 0 ? ck.bestWeights : ck.weights)
        }

        /// Trains from `checkpoint` (`Trainer.train`); `epochDone` receives the graph after every epoch.
        public func train(
            from checkpoint: TrainingCheckpoint, progress: ((_ epoch: Int, _ done: Int, _ total: Int) -> Void)? = nil,
            shouldStop: () -> Bool = { false }, save: (TrainingCheckpoint) throws -> Void = { _ in },
            epochDone: ((_ graph: NIRGraph, _ epoch: Epoch) throws -> Void)? = nil
        ) throws -> (TrainingCheckpoint, TrainingEnd) {
            let problem = self.problem
            return try trainer.train(
                from: checkpoint,
                progress: { p in progress?(p.epoch + 1, p.samples, p.samplesPerEpoch) }, shouldStop: shouldStop, save: save,
                epochDone: { e, ck in try epochDone?(try problem.graph(ck.weights), Epoch(e)) })
        }
    }

    /// An NIR graph as a `TrainingProblem`: the parameters are every weight node's weights and bias (in the
    /// file's layouts), the gradient `NIRProgram.gradient` summed in sample order over the batch.
    public struct Problem: TrainingProblem {
        /// A weight node and whether its bias trains.
        struct Parameter { var name: String; var hasBias: Bool }
        let template: NIRGraph
        let parameters: [Parameter]
        /// The graph's own values, `[weights, bias]` per parameter.
        let initial: [[Double]]
        let runOptions: NIRRunOptions, data: Samples, device: RRAMDevice, tiles: TileSpec, seed: UInt64
        let options: Options, file: String

        init(
            graph: NIRGraph, runOptions: NIRRunOptions, samples: Samples, device: RRAMDevice, tiles: TileSpec, seed: UInt64, options o: Options,
            file: String
        ) throws {
            let first = try NIRProgram(graph: graph, options: runOptions, file: file)
            guard first.inputCount == samples.channels else {
                throw NIRError(
                    file: file, node: first.nodes[first.inputIndex].name,
                    "training runs \(samples.description), \(samples.channels) input channels; the Input takes \(first.inputCount)")
            }
            // The trainable tensors: every weight node's weights and (Affine, Conv) bias, by qualified name.
            var params: [Parameter] = []
            var values: [[Double]] = []
            for node in first.nodes {
                guard let n = try? NIRTraining.lookup(graph, node.name) else { continue }
                switch n {
                case let .affine(w, b): params.append(Parameter(name: node.name, hasBias: !o.freezeBiases)); values += [w.values, b]
                case let .linear(w): params.append(Parameter(name: node.name, hasBias: false)); values += [w.values, []]
                case let .convolution(c): params.append(Parameter(name: node.name, hasBias: !o.freezeBiases)); values += [c.weight.values, c.bias]
                default: continue
                }
            }
            template = graph; parameters = params; initial = values
            self.runOptions = runOptions; data = samples; self.device = device; self.tiles = tiles; self.seed = seed
            options = o; self.file = file
        }

        public var parameterShapes: [Int] { initial.map(\.count) }
        /// The training samples are the first ones; the last `options.validation` fraction scores epochs.
        public var sampleCount: Int { Self.split(data.count, validation: options.validation).train }

        /// Training and validation samples of `n` for a validation fraction: `⌊n·f⌋` held out at the end.
        static func split(_ n: Int, validation f: Double) -> (train: Int, validation: Int) {
            let held = Int((Double(n) * f).rounded(.down))
            return (n - held, held)
        }

        /// Accuracy of the checkpoint's graph (float weights, as written to the file; no chip) on the held-out
        /// samples, in parallel; nil without a validation split.
        public func validationAccuracy(_ ck: TrainingCheckpoint) -> Double? {
            let (train, held) = Self.split(data.count, validation: options.validation)
            guard held > 0, let g = try? graph(ck.weights), let program = try? NIRProgram(graph: g, options: runOptions, file: file) else {
                return nil
            }
            let data = self.data
            let right = ParallelMap.map(count: held, threads: options.threads) { k -> Bool in
                (try? program.run(sparse: data.steps(train + k)).predictedClass) == data.labels[train + k]
            }
            return Double(right.filter { $0 }.count) / Double(held)
        }
        /// Float weights: no window to project onto.
        public var parameterRange: ClosedRange<Double> { -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude }

        /// The graph holding `values`.
        func graph(_ values: [[Double]]) throws -> NIRGraph {
            var g = template
            for (k, p) in parameters.enumerated() {
                g = try NIRTraining.replace(g, p.name, weights: values[2 * k], bias: values[2 * k + 1], file: file)
            }
            return g
        }

        public func gradient(of batch: [Int], epoch: Int, step: Int, at ck: TrainingCheckpoint) throws -> TrainingBatch {
            let current = try graph(ck.weights)
            let forward =
                options.hardwareAware
                ? NIRDeviceProgramming.program(current, device: device, tiles: tiles, seed: seed, chipSample: 1_000_000 + step).0 : current
            let program = try NIRProgram(graph: forward, options: runOptions, file: file)
            let data = self.data, o = options
            let results = ParallelMap.map(count: batch.count, threads: o.threads) { b in
                Result { try program.gradient(sparse: data.steps(batch[b]), label: data.labels[batch[b]], scale: o.scale, slope: o.slope) }
            }
            var sum: NIRGradient?
            var right = 0
            for (b, r) in results.enumerated() {
                let g = try r.get()
                if g.predicted == data.labels[batch[b]] { right += 1 }
                if sum == nil { sum = g } else { sum?.add(g) }
            }
            guard let total = sum else { throw NIRError(file: file, "an empty training batch") }
            // Gradients in the file's layouts, averaged over the batch.
            let scaleBy = 1 / Double(batch.count)
            var grads: [[Double]] = []
            for p in parameters {
                guard let j = program.nodes.firstIndex(where: { $0.name == p.name }) else { grads += [[], []]; continue }
                let gw = total.weights[j] ?? [], gb = p.hasBias ? (total.biases[j] ?? []) : []
                if case let .dense(_, inputs, outputs, _) = program.nodes[j].operation, gw.count == inputs * outputs {
                    var w = [Double](repeating: 0, count: gw.count)
                    for o2 in 0..<outputs { for i in 0..<inputs { w[o2 * inputs + i] = gw[i * outputs + o2] * scaleBy } }
                    grads += [w, gb.map { $0 * scaleBy }]
                } else {
                    grads += [gw.map { $0 * scaleBy }, gb.map { $0 * scaleBy }]
                }
            }
            for k in grads.indices where grads[k].count != initial[k].count { grads[k] = [Double](repeating: 0, count: initial[k].count) }
            return TrainingBatch(lossSum: total.loss, correct: right, gradients: grads)
        }

        /// The order the NIR trainer has always drawn (`TrainingOrder.splitMix`).
        public func order(epoch: Int, seed: UInt64) -> [Int] { TrainingOrder.splitMix(sampleCount, epoch: epoch, seed: seed) }
    }

    /// The node a qualified name names (`outer.inner` inside subgraph `outer`; a name with dots of its own first).
    static func lookup(_ g: NIRGraph, _ name: String) throws -> NIRNode? {
        if let n = g.nodes[name] { return n }
        guard let dot = name.firstIndex(of: ".") else { return nil }
        guard case let .graph(sub)? = g.nodes[String(name[..<dot])] else { return nil }
        return try lookup(sub, String(name[name.index(after: dot)...]))
    }

    /// `g` with the weight node `name` holding `weights` (and `bias`).
    static func replace(_ g: NIRGraph, _ name: String, weights: [Double], bias: [Double], file: String) throws -> NIRGraph {
        var out = g
        if let n = g.nodes[name] {
            switch n {
            case let .affine(w, _): out.nodes[name] = .affine(weight: NIRTensor(shape: w.shape, values: weights), bias: bias)
            case let .linear(w): out.nodes[name] = .linear(weight: NIRTensor(shape: w.shape, values: weights))
            case var .convolution(c):
                c.weight = NIRTensor(shape: c.weight.shape, values: weights); c.bias = bias
                out.nodes[name] = .convolution(c)
            default: throw NIRError(file: file, node: name, "is not a weight node")
            }
            return out
        }
        guard let dot = name.firstIndex(of: "."), case let .graph(sub)? = g.nodes[String(name[..<dot])] else {
            throw NIRError(file: file, node: name, "not found")
        }
        out.nodes[String(name[..<dot])] = .graph(try replace(sub, String(name[name.index(after: dot)...]), weights: weights, bias: bias, file: file))
        return out
    }
}
