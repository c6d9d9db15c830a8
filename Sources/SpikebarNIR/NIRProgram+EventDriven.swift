import Foundation
import HeapModule
import SpikebarNeurons

/// Exact timing for graphs whose state changes between events (leak, bias): NIR's ODEs integrated in
/// closed form from event to event, threshold crossings found as they happen — continuous time, no
/// step (Docs/nir.md, "Exact timing of leaky graphs").
///
/// Semantics, chosen so that the time-stepped run at `options.dt` is this run's forward-Euler
/// discretisation (the exporters' convention: a spike is the value 1 for one step of `dt`):
/// - a spike is a Dirac impulse of area `dt` (the graph's step, `network.dt`): through a weight `w` it
///   adds `dt·w·w_in/τ_syn` to a CubaLIF synapse, `dt·w·r/τ` to a LIF membrane, `dt·w·r` to an IF one;
/// - a bias `b` is a constant drive: the state relaxes towards `I∞ = w_in·b`, `v∞ = v_leak + r·I∞`
///   (LIF, CubaLIF), or an IF membrane rises at `r·b` per unit of time;
/// - between events: `v(t) = v∞ + (v₀ − v∞)·e^(−t/τ)` (LIF), `v₀ + r·b·t` (IF), and for CubaLIF the
///   closed form and first crossing of the event kernel (`LIFDynamics`, `NeuronConstants`) in the frame
///   shifted by (v∞, I∞); a resting potential at or above threshold (tonic firing) by bracketing;
/// - a neuron spikes when it reaches θ (a crossing) or is pushed to it by an impulse (`>` or `≥` as the
///   options say, for impulses), then resets (`v_reset` or `v − θ`); an edge that closes a cycle delays
///   its spikes by `dt` (the time-stepped run reads the previous step's spikes there);
/// - feed-forward edges deliver at once, in execution order, so impulses of one instant are summed
///   before any neuron of the next node is tested, as within a step.
/// Runs Input, Output, Affine, Linear, Scale, Flatten and spiking LIF, CubaLIF and IF nodes; anything
/// else is refused (`eventDrivenRefusal`).
extension NIRProgram {
    /// The first node this run cannot execute, with why; nil when it can.
    public func eventDrivenRefusal() -> (node: String, typeName: String, why: String)? {
        for node in nodes {
            switch node.operation {
            case .identity, .dense, .scale: continue
            case let .neuron(s):
                switch s.model {
                case .lif, .cubaLIF, .integrateAndFire: continue
                default: return (node.name, node.typeName, "does not spike (its output is its state): exact timing counts spikes only")
                }
            case .convolution, .pooling:
                return (node.name, node.typeName, "is a convolution or pooling: exact timing of graphs with leak or bias runs dense layers only")
            case .threshold, .delay:
                return (node.name, node.typeName, "is not supported in exact timing of graphs with leak or bias")
            }
        }
        return nil
    }

    /// Runs the input `events` (time in the graph's time unit, input channel) in continuous time up to
    /// `until` (same unit; events and crossings after it are not run: a bias can make a neuron fire
    /// without end).
    /// Returns the activity as `run` does (one "step" per distinct time at which something happened) and
    /// the time of each step; `observe` sees each weight node's input at each step, `spikes` each
    /// neuron node's output. Throws when the graph is not supported, or when a node fires more than
    /// `maxSpikesPerStep` spikes per neuron per `dt` on average over the run so far (a network that
    /// fires without end — e.g. one trained with at most one spike per step, whose continuous-time
    /// reading runs away), naming the node.
    public func runEventDriven(
        events: [(time: Double, channel: Int)], until: Double,
        observe: ((_ node: Int, _ step: Int, _ input: [Double]) -> Void)? = nil,
        spikes: ((_ node: Int, _ step: Int, _ output: [Double]) -> Void)? = nil,
        maxSpikesPerStep: Double = 10
    ) throws -> (result: NIRRunResult, times: [Double]) {
        if let r = eventDrivenRefusal() { throw NIRError(file: file, node: r.node, "\(r.typeName) \(r.why)") }
        let n = nodes.count, dt = options.dt
        let sizes = nodes.map { $0.outputShape.reduce(1, *) }
        let inSizes = nodes.map { $0.inputShape.reduce(1, *) }
        // Constant drive of each neuron node: the biases reaching it through feed-forward weight,
        // scale and pass-through nodes and through delayed (recurrent) ones alike.
        var constant = sizes.map { [Double](repeating: 0, count: $0) }
        for j in 0..<n {
            var input = [Double](repeating: 0, count: inSizes[j])
            for i in nodes[j].inputs { for k in 0..<inSizes[j] { input[k] += constant[i.source][k] } }
            switch nodes[j].operation {
            case .identity: constant[j] = input
            case let .scale(s): for k in 0..<sizes[j] { constant[j][k] = s[k] * input[k] }
            case let .dense(wt, inputs, outputs, bias):
                var y = bias
                for k in 0..<inputs where input[k] != 0 { for o in 0..<outputs { y[o] += wt[k * outputs + o] * input[k] } }
                constant[j] = y
            case .neuron: constant[j] = input  // the neuron's drive; its output (spikes) carries no constant
            default: break
            }
        }
        // Neuron state per node, lazily brought to the present: v, I, time of last update, and the
        // version of its scheduled crossing (an older entry in the queue is stale).
        var V = sizes.map { [Double](repeating: 0, count: $0) }
        var I = V, last = V
        var version = sizes.map { [Int](repeating: 0, count: $0) }
        // The closed forms are the primitives' own (`NIRPrimitiveModel`, continuous time).
        func constants(_ s: NIRNeuronStep, _ j: Int, _ k: Int) -> NIRPrimitiveModel.ExactConstants {
            NIRPrimitiveModel.ExactConstants(
                tauMem: s.tauMem?[k], tauSyn: s.tauSyn?[k], r: s.r[k], vLeak: s.vLeak[k], wIn: s.wIn[k], threshold: s.threshold?[k],
                drive: constant[j][k])
        }
        func advance(_ s: NIRNeuronStep, _ j: Int, _ k: Int, to t: Double) {
            let elapsed = t - last[j][k]
            if elapsed > 0 {
                let x = NIRPrimitiveModel.propagate(.init(v: V[j][k], syn: I[j][k], drive: 0), by: elapsed, constants(s, j, k))
                V[j][k] = x.v; I[j][k] = x.syn
            }
            last[j][k] = t
        }
        // Time from now (≥ 0) of the next crossing without further input, nil when none.
        func nextCrossing(_ s: NIRNeuronStep, _ j: Int, _ k: Int) -> Double? {
            NIRPrimitiveModel.firstCrossing(.init(v: V[j][k], syn: I[j][k], drive: 0), constants(s, j, k))
        }
        // Pending times: input events, crossings (with the neuron's version), delayed deliveries.
        var heap = Heap<NIREvent>()
        for (e, x) in events.enumerated() where x.channel >= 0 && x.channel < inputCount && x.time <= until {
            heap.insert(NIREvent(time: x.time, order: e, kind: .input(x.channel)))
        }
        var order = events.count
        var delayedPackets: [Int: [(target: Int, values: [Double])]] = [:]  // by order key
        func schedule(_ s: NIRNeuronStep, _ j: Int, _ k: Int, now: Double) {
            version[j][k] += 1
            if let dtCross = nextCrossing(s, j, k), now + dtCross <= until {
                order += 1
                heap.insert(NIREvent(time: now + dtCross, order: order, kind: .crossing(node: j, neuron: k, version: version[j][k])))
            }
        }
        // Each neuron's first crossing from rest (a bias alone can make it fire).
        for (j, node) in nodes.enumerated() {
            guard case let .neuron(s) = node.operation else { continue }
            for k in 0..<s.count { schedule(s, j, k, now: 0) }
        }

        var tally = NIRRunTally(self)
        var times: [Double] = []
        var out = sizes.map { [Double](repeating: 0, count: $0) }
        while let first = heap.min {
            let t = first.time
            // Everything due at t: input channels, neurons at their crossing, delayed packets.
            var inputNow = [Double](repeating: 0, count: inputCount)
            var due: [Int: Set<Int>] = [:]
            var arriving: [Int: [Double]] = [:]
            var any = false
            while let e = heap.min, e.time == t {
                _ = heap.popMin()
                switch e.kind {
                case let .input(c): inputNow[c] += 1; any = true
                case let .crossing(j, k, v):
                    if version[j][k] == v { due[j, default: []].insert(k); any = true }
                case .delivery:
                    for packet in delayedPackets.removeValue(forKey: e.order) ?? [] {
                        var a = arriving[packet.target] ?? [Double](repeating: 0, count: inSizes[packet.target])
                        for k in 0..<a.count { a[k] += packet.values[k] }
                        arriving[packet.target] = a
                        any = true
                    }
                }
            }
            guard any else { continue }
            let step = times.count
            times.append(t)
            for j in 0..<n {
                var input = arriving.removeValue(forKey: j) ?? [Double](repeating: 0, count: inSizes[j])
                if j == inputIndex {
                    input = inputNow
                } else {
                    for i in nodes[j].inputs where !i.delayed { for k in 0..<inSizes[j] where out[i.source][k] != 0 { input[k] += out[i.source][k] } }
                }
                var nonzero = 0, sum = 0.0
                for x in input where x != 0 { nonzero += 1; sum += abs(x) }
                tally.activity[j].nonzeroInputs += nonzero
                tally.activity[j].inputSum += sum
                var y = [Double](repeating: 0, count: sizes[j])
                switch nodes[j].operation {
                case .identity:
                    y = input
                case let .scale(s):
                    for k in 0..<sizes[j] { y[k] = s[k] * input[k] }
                case let .dense(wt, inputs, outputs, _):
                    if nonzero > 0 { observe?(j, step, input) }
                    for k in 0..<inputs where input[k] != 0 {
                        let x = input[k], base = k * outputs
                        for o in 0..<outputs { y[o] += wt[base + o] * x }
                    }
                case let .neuron(s):
                    let touched = Set((0..<s.count).filter { input[$0] != 0 }).union(due[j] ?? [])
                    for k in touched.sorted() {
                        advance(s, j, k, to: t)
                        guard let theta = s.threshold?[k] else { continue }
                        let x = input[k]
                        if x != 0 {
                            var state = NIRPrimitiveModel.State(v: V[j][k], syn: I[j][k], drive: 0)
                            NIRPrimitiveModel.impulse(&state, input: x, dt: dt, constants(s, j, k))
                            V[j][k] = state.v; I[j][k] = state.syn
                        }
                        let reached = s.comparison == .greater ? V[j][k] > theta : V[j][k] >= theta
                        if reached || (due[j]?.contains(k) ?? false) {
                            y[k] = 1
                            V[j][k] = s.reset == .subtract ? V[j][k] - theta : s.vReset[k]
                        }
                        schedule(s, j, k, now: t)
                    }
                    if let spikes, y.contains(where: { $0 != 0 }) { spikes(j, step, y) }
                default:
                    break  // refused above
                }
                out[j] = y
                tally.output(j, y)
                if case .neuron = nodes[j].operation,
                    Double(tally.activity[j].nonzeroOutputs) > maxSpikesPerStep * Double(sizes[j]) * (max(t, dt) / dt) + 100
                {
                    throw NIRError(
                        file: file, node: nodes[j].name,
                        "fires \(tally.activity[j].nonzeroOutputs) spikes from \(sizes[j]) neurons by t = \(t) (more than \(Int(maxSpikesPerStep)) per neuron per step dt = \(dt) on average): in continuous time this network runs away — typically one trained with at most one spike per step (its grid timing), whose leak, bias or recurrent weights drive neurons far above threshold. Use grid timing"
                    )
                }
            }
            // Delayed (cycle-closing) edges deliver these outputs `dt` later.
            var packets: [(target: Int, values: [Double])] = []
            for (j, node) in nodes.enumerated() {
                for i in node.inputs where i.delayed && out[i.source].contains(where: { $0 != 0 }) { packets.append((j, out[i.source])) }
            }
            if !packets.isEmpty, t + dt <= until {
                order += 1
                delayedPackets[order] = packets
                heap.insert(NIREvent(time: t + dt, order: order, kind: .delivery))
            }
            tally.closeStep(step, output: out[outputIndex])
            for j in 0..<n { for k in 0..<sizes[j] where out[j][k] != 0 { out[j][k] = 0 } }
        }
        return (tally.result(steps: times.count), times)
    }
}

/// A pending event of `runEventDriven`, earliest first (ties in the order they were made), kept in
/// swift-collections' `Heap`.
struct NIREvent: Comparable {
    enum Kind { case input(Int), crossing(node: Int, neuron: Int, version: Int), delivery }
    var time: Double
    var order: Int
    var kind: Kind
    static func < (a: NIREvent, b: NIREvent) -> Bool { a.time < b.time || (a.time == b.time && a.order < b.order) }
    static func == (a: NIREvent, b: NIREvent) -> Bool { a.time == b.time && a.order == b.order }
}
