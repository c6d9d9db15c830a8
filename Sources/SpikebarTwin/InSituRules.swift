import Foundation
import SpikebarCore
import SpikebarDevices

/// How `InSituTrainer` turns a mini-batch's wanted weight change `Δw = −lr · ∂L/∂w` into programming pulses
/// (Docs/insitu.md has the equations and the pulse accounting of each rule).
///
/// - `ternary`: at most one pulse per synapse and batch, by stochastic rounding of `Δw / s` (the original
///   rule of issue #8; `InSituConfig` documents it).
/// - `mixed`: mixed-precision accumulation (Nandakumar et al., "Mixed-precision deep learning based on
///   computational memory", Front. Neurosci. 14:406, 2020): a digital accumulator `χ` per synapse collects
///   `Δw`; when `χ ≥ s_P` the device gets `n = min(cap, ⌊χ/s_P⌋)` potentiation pulses and `χ −= n·s_P`, when
///   `χ ≤ −s_D` it gets `n = min(cap, ⌊−χ/s_D⌋)` depression pulses and `χ += n·s_D`.
/// - `differential`: a pair `w = (G⁺ − G⁻)/(G_max − G_min)` programmed by potentiation only (Burr et al.,
///   IEEE TED 62:3498, 2015; Ambrogio et al., Nature 558:60, 2018): an increase of `w` potentiates G⁺, a
///   decrease potentiates G⁻, each pulse worth the device's nominal step at its present conductance, fed from
///   the same accumulator `χ`; a pair whose devices have both climbed is refreshed (both reset by depression
///   pulses, the difference reprogrammed by potentiation), the only place depression pulses occur.
public enum InSituRule: String, Sendable, Codable, CaseIterable {
    case ternary, mixed, differential
}

extension InSituTrainer {
    /// Mixed-precision update (`InSituRule.mixed`): whole pulses out of the accumulator, the nominal change
    /// `s_P` / `s_D` of every pulse subtracted from it, the remainder kept for later batches.
    func applyMixed(_ gradients: [[Double]]) -> (p: Int, d: Int) {
        let lr = config.lr, sP = config.scaleP, sD = config.scaleD, cap = max(1, config.maxPulsesPerBatch)
        var p = 0, d = 0
        for c in conductance.indices {
            for k in conductance[c].indices {
                var chi = accumulator[c][k] - lr * gradients[c][k]
                if chi >= sP {
                    let n = Swift.min(cap, Int((chi / sP).rounded(.down)))
                    let m = cells?[c][k] ?? config.device
                    var g = conductance[c][k]
                    for _ in 0..<n { g = m.potentiate(from: g) }
                    conductance[c][k] = g; chi -= Double(n) * sP; p += n
                } else if chi <= -sD {
                    let n = Swift.min(cap, Int((-chi / sD).rounded(.down)))
                    let m = cells?[c][k] ?? config.device
                    var g = conductance[c][k]
                    for _ in 0..<n { g = m.depress(from: g) }
                    conductance[c][k] = g; chi += Double(n) * sD; d += n
                }
                accumulator[c][k] = chi
            }
        }
        return (p, d)
    }

    /// Programs the pairs to hold `twin.weights`: the device of the weight's sign at `G_min + |w|·ΔG`, the
    /// other at `G_min` (initial programming, not counted as pulses, as for the other rules).
    func setUpDifferentialPairs() {
        let d = config.device, span = d.gMax - d.gMin
        let w = twin.weights.map { $0.map { Swift.max(-1, Swift.min(1, $0)) } }
        conductance = w.map { $0.map { d.gMin + Swift.max(0, $0) * span } }
        conductanceMinus = w.map { $0.map { d.gMin + Swift.max(0, -$0) * span } }
        if config.variation > 0 {
            cellsMinus = w.enumerated().map { c, row in
                var rng = RandomStream(seed: config.seed, purpose: .programming, index: UInt64(c) | 1 << 43)
                return row.indices.map { _ in d.sampled(cv: config.variation, using: &rng) }
            }
        }
    }

    /// `w = (G⁺ − G⁻)/(G_max − G_min)`, clipped to [−1, 1] (nominal window).
    var differentialWeights: [[Double]] {
        let d = config.device, span = d.gMax - d.gMin
        return zip(conductance, conductanceMinus).map { plus, minus in
            zip(plus, minus).map { Swift.max(-1, Swift.min(1, ($0 - $1) / span)) }
        }
    }

    /// Differential, potentiation-only update (`InSituRule.differential`). The controller's nominal step of a
    /// pulse is the nominal device's step at the device's present conductance, `(P(G) − G)/ΔG`: it knows
    /// the model, not the cell's variation. Pulses go while `χ` covers a whole step, up to the cap.
    func applyDifferential(_ gradients: [[Double]]) -> (p: Int, d: Int) {
        let lr = config.lr, cap = max(1, config.maxPulsesPerBatch)
        let nominal = config.device, span = nominal.gMax - nominal.gMin
        var p = 0
        for c in conductance.indices {
            for k in conductance[c].indices {
                var chi = accumulator[c][k] - lr * gradients[c][k]
                let up = chi > 0
                let m = (up ? cells?[c][k] : cellsMinus?[c][k]) ?? nominal
                var g = up ? conductance[c][k] : conductanceMinus[c][k]
                var n = 0
                while n < cap {
                    let step = (nominal.potentiate(from: g) - g) / span
                    guard step > 1e-9, abs(chi) >= step else { break }
                    g = m.potentiate(from: g); chi += up ? -step : step; n += 1
                }
                if up { conductance[c][k] = g } else { conductanceMinus[c][k] = g }
                p += n
                let hi = Swift.max(conductance[c][k], conductanceMinus[c][k]) - nominal.gMin
                let lo = Swift.min(conductance[c][k], conductanceMinus[c][k]) - nominal.gMin
                if hi >= config.refreshHigh * span, lo >= config.refreshLow * span { chi += refreshPair(c, k) }
                accumulator[c][k] = chi
            }
        }
        return (p, 0)
    }

    /// Refresh of pair (c, k): both devices reset towards `G_min` by depression pulses (until within 1 % of
    /// the window above `G_min`, or a pulse moves less than 0.1 %, at most 64), then the weight the pair held
    /// is reprogrammed on one device by potentiation pulses, closed loop (stop at the pulse count nearest
    /// the target, at most 256). Returns the weight error `w_before − w_after` (window units), which goes
    /// back into the accumulator so that no wanted change is lost.
    func refreshPair(_ c: Int, _ k: Int) -> Double {
        let nominal = config.device, span = nominal.gMax - nominal.gMin
        let before = (conductance[c][k] - conductanceMinus[c][k]) / span
        let mP = cells?[c][k] ?? nominal, mM = cellsMinus?[c][k] ?? nominal
        func reset(_ g: inout Double, _ m: NonlinearUpdateModel) -> Int {
            var n = 0
            while n < 64, g - nominal.gMin > 0.01 * span {
                let next = m.depress(from: g)
                n += 1
                let moved = g - next
                g = next
                if moved < 0.001 * span { break }
            }
            return n
        }
        var gp = conductance[c][k], gm = conductanceMinus[c][k]
        var dPulses = reset(&gp, mP)
        dPulses += reset(&gm, mM)
        let target = Swift.max(-1, Swift.min(1, before)), m = target >= 0 ? mP : mM
        var g = target >= 0 ? gp : gm
        let other = target >= 0 ? gm : gp
        var pPulses = 0
        // |w| held by the pair while the programmed device sits at g.
        func held(_ g: Double) -> Double { (g - other) / span }
        while pPulses < 256 {
            let next = m.potentiate(from: g)
            // Stop when the next pulse would land further from the target than the present state.
            guard abs(held(next) - abs(target)) < abs(held(g) - abs(target)) else { break }
            g = next; pPulses += 1
        }
        if target >= 0 { gp = g } else { gm = g }
        conductance[c][k] = gp; conductanceMinus[c][k] = gm
        refreshCount.n += 1; refreshCount.p += pPulses; refreshCount.d += dPulses
        return before - (gp - gm) / span
    }
}
