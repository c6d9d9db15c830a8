// The grid engine's hot loops, on buffer pointers: the per-neuron phases run millions of times per
// sample (the MIF twin trains through them), and nested arrays would pay a uniqueness check and a
// retain per access. Every index stays below the population's size or the connection's shape, which
// `GridEngine.init`'s callers build from the same sizes (`GridEngine+Invariants` checks it in debug).

extension GridEngine {
    /// Runs `steps` steps; `input` feeds the input population (and may drive layer 1 itself),
    /// `observer` sees every read, every emission and the output layer at the end of every step.
    @inlinable
    public func run<Input: GridInput, Observer: GridObserver>(
        _ input: inout Input, steps: Int, observer: inout Observer
    ) -> Result where Observer.Model == Model {
        assert(invariantViolations.isEmpty, "GridEngine: \(invariantViolations)")
        let L = sizes.count - 1
        var state: [[Model.State]] = constants.map { $0.map { Model.rest($0) } }
        var signal = sizes.map { [Double](repeating: 0, count: $0) }
        var counts = sizes.map { [Int](repeating: 0, count: $0) }
        var acc = [Double](repeating: 0, count: sizes.max() ?? 0)
        var rows: [Int] = []
        var work = 0.0
        // The step order is `GridStepOrder`'s (the kernel's grid mode and the twin run the same one).
        GridStepOrder.run(
            steps: steps, layers: L,
            advance: { l, _ in
                state[l].withUnsafeMutableBufferPointer { st in
                    constants[l].withUnsafeBufferPointer { k in
                        for i in 0..<st.count { Model.advance(&st[i], k[i]) }
                    }
                }
            },
            readInputs: { n in
                // The input's amplitudes, unless nothing reads them (an input that drives its connections
                // itself, and an observer that books no reads).
                if !input.drivesFirstLayer || observer.booksReads {
                    signal[0].withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
                    input.signals(step: n, into: &signal[0], spikes: &counts[0])
                }
            },
            emit: { l, n in
                for k in feedForward[l] {
                    work += deliver(k, step: n, signal[connections[k].from], into: &state[l], &acc, &rows, input: &input, &observer)
                }
                state[l].withUnsafeMutableBufferPointer { st in
                    constants[l].withUnsafeBufferPointer { k in
                        signal[l].withUnsafeMutableBufferPointer { sig in
                            counts[l].withUnsafeMutableBufferPointer { cnt in
                                for i in 0..<st.count {
                                    observer.willEmit(layer: l, neuron: i, state: st[i], k[i])
                                    let out = Model.emit(&st[i], k[i])
                                    observer.didEmit(layer: l, neuron: i, step: n, state: st[i])
                                    sig[i] = out.signal
                                    if out.spiked {
                                        cnt[i] += 1
                                        observer.spiked(layer: l, neuron: i, step: n)
                                    }
                                }
                            }
                        }
                    }
                }
                for k in recurrent[l] {
                    work += deliver(k, step: n, signal[l], into: &state[l], &acc, &rows, input: &input, &observer)
                }
            },
            endStep: { n in if L >= 1 { observer.stepEnded(n, output: state[L]) } })
        return Result(spikes: counts.map { $0.reduce(0, +) }, spikeCounts: counts, synapseUpdates: work)
    }

    /// Connection k's drive at step n from amplitudes `s`; returns the synapse evaluations done.
    @inlinable @inline(__always)
    func deliver<Input: GridInput, Observer: GridObserver>(
        _ k: Int, step n: Int, _ s: [Double], into state: inout [Model.State], _ acc: inout [Double], _ rows: inout [Int],
        input: inout Input, _ observer: inout Observer
    ) -> Double where Observer.Model == Model {
        let c = connections[k]
        let inputs = min(s.count, c.inputs), outputs = c.outputs
        // The rows read: what the observer books and what `.activeRows` sums (skipped when neither needs them).
        let direct = c.from == 0 && input.drivesFirstLayer
        rows.removeAll(keepingCapacity: true)
        if observer.booksReads || (routing == .activeRows && !direct) {
            s.withUnsafeBufferPointer { sp in for j in 0..<inputs where sp[j] != 0 { rows.append(j) } }
        }
        observer.read(connection: k, step: n, rows: rows, amplitudes: s)
        acc.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        if direct {
            input.firstLayerDrive(step: n, connection: c, into: &acc)
            // The input computed the drive itself (in its own operation order).
        } else {
            acc.withUnsafeMutableBufferPointer { a in
                c.w.withUnsafeBufferPointer { w in
                    s.withUnsafeBufferPointer { sp in
                        switch routing {
                        case .everyRow:
                            for j in 0..<inputs {
                                let sj = sp[j], base = j * outputs
                                for i in 0..<outputs { a[i] += sj * w[base + i] }
                            }
                        case .activeRows:
                            for j in rows {
                                let sj = sp[j], base = j * outputs
                                for i in 0..<outputs { a[i] += sj * w[base + i] }
                            }
                        }
                        if let g = c.scale { for i in 0..<outputs { a[i] *= g } }
                    }
                }
            }
        }
        state.withUnsafeMutableBufferPointer { st in
            constants[c.to].withUnsafeBufferPointer { kc in
                acc.withUnsafeBufferPointer { a in
                    for i in 0..<outputs { Model.receive(&st[i], drive: a[i], kc[i]) }
                }
            }
        }
        return Double((routing == .everyRow ? c.inputs : rows.count) * c.outputs)
    }
}
