import SpikebarChip
import SpikebarCore
import SpikebarDevices
import SpikebarNeurons
import SpikebarChip

/// The hardware effects applied to the twin's weights in the forward pass of each batch
/// ("Neuromorphic Hardware Calibrated" training; Moro et al., ISCAS 2022; stuck-device and
/// programming-error injection as in Drolet et al., hardware-aware training for ex-situ transfer onto
/// TiO₂ crossbars). In window units, a weight `w` is the pair `P − M` (`P`, `M` in [0, 1]: each cell's
/// conductance above G_min over the window):
///
/// - quantisation: `P, M` = the pair's levels (`RRAMDevice.pairLevels`, the chip's own rule) / (L − 1);
///   straight-through estimator: the backward pass treats it as the identity;
/// - programming error: `P += σ_{level(P)}/ΔG · ξ₁`, `M += σ_{level(M)}/ΔG · ξ₂`, ξ ~ N(0, 1) drawn per
///   batch (reparametrisation: the gradient flows to `w` unchanged);
/// - stuck cells: with probability `stuckFraction` a cell is replaced by the lowest or highest level
///   (equally likely), drawn per batch; the synapse's gradient is masked to 0;
/// - a known stuck map (`stuckMap`, fault-aware retraining): the chip's own stuck cells (`Chip.stuckMap`
///   codes) are fixed at their stuck level in every batch and in validation, their synapses' gradients
///   masked to 0, so the free cells learn to compensate.
public struct WeightCalibration: Sendable {
    public var spec: CalibrationSpec
    public var device: RRAMDevice
    public var seed: UInt64
    /// One `Connection.stuck` code per synapse per connection (bit 0: G⁺ stuck, bit 1: high; bit 2: G⁻
    /// stuck, bit 3: high), or nil.
    public var stuckMap: [[UInt8]]? = nil
    /// Passive crossbars (`spec.passive`): each connection's layout (writes after each cell). When set,
    /// every batch programs the weights as `Chip` does on a passive array — `PassiveArraySpec.program`
    /// per cell with the stream (seed, connection, cell, batch) — instead of the programming-noise and
    /// stuck-fraction draws; failed cells' synapses get a zero gradient mask.
    public var passiveLayouts: [PassiveLayout]? = nil
    /// Technology-aware training (`CalibrationSpec.parasitics`): the tile parasitics and each connection's
    /// shape; nil when off.
    public var parasitics: ParasiticTraining? = nil

    /// What the twin needs to apply the tiles' read attenuation to its weights.
    public struct ParasiticTraining: Sendable {
        public var model: CrossbarParasitics
        public var tiles: TileSpec
        /// `(inputs, outputs)` of each connection, in the weights' order.
        public var shapes: [(inputs: Int, outputs: Int)]
        public init(model: CrossbarParasitics, tiles: TileSpec, shapes: [(inputs: Int, outputs: Int)]) {
            self.model = model; self.tiles = tiles; self.shapes = shapes
        }
    }

    public init(spec: CalibrationSpec, device: RRAMDevice, seed: UInt64) {
        self.spec = spec; self.device = device; self.seed = seed
    }

    /// Effective weights for batch number `batch` (keyed random draws: the same batch gets the same
    /// noise on resume), and the gradient mask (nil when no cell is stuck).
    public func effective(_ weights: [[Double]], batch: Int) -> (weights: [[Double]], mask: [[UInt8]]?) {
        let top = Double(device.levels - 1), span = device.conductanceWindow
        let sigma = device.programmingError.map { $0 / span }
        let f = spec.stuckFraction
        var out = weights
        if let layouts = passiveLayouts, let model = device.passive { return passiveEffective(weights, batch: batch, layouts: layouts, model: model) }
        var mask: [[UInt8]]? = f > 0 || stuckMap != nil ? weights.map { [UInt8](repeating: 1, count: $0.count) } : nil
        for c in weights.indices {
            var pp = parasitics == nil ? [] : [Double](repeating: 0, count: weights[c].count), mm = pp
            var rng = RandomStream(seed: seed, purpose: .training, index: UInt64(c), sample: UInt64(batch))
            for k in weights[c].indices {
                let w = weights[c][k]
                let (lp, lm) = device.pairLevels(weight: w)
                var p: Double, m: Double
                if spec.quantize { p = Double(lp) / top; m = Double(lm) / top } else { p = max(0, min(1, w)); m = max(0, min(1, -w)) }
                if spec.programmingNoise {
                    p += sigma[lp] * rng.nextGaussian()
                    m += sigma[lm] * rng.nextGaussian()
                }
                if f > 0 {
                    // The chip's rule and its high fraction (`device.faults.high_fraction`), not a fixed one half.
                    let h = device.faults.highFraction
                    if rng.nextUniform() < f { p = StuckCellCode.sticksHigh(rng.nextUniform(), highFraction: h) ? 1 : 0; mask?[c][k] = 0 }
                    if rng.nextUniform() < f { m = StuckCellCode.sticksHigh(rng.nextUniform(), highFraction: h) ? 1 : 0; mask?[c][k] = 0 }
                }
                if let code = stuckMap?[c][k], code != 0 {
                    if let high = StuckCellCode.plusStuckHigh(code) { p = high ? 1 : 0 }
                    if let high = StuckCellCode.minusStuckHigh(code) { m = high ? 1 : 0 }
                    mask?[c][k] = 0
                }
                out[c][k] = p - m
                if parasitics != nil { pp[k] = p; mm[k] = m }
            }
            if parasitics != nil { out[c] = attenuate(c, plus: pp, minus: mm) }
        }
        return (out, mask)
    }

    /// The weights on the chip's levels, without noise: the "quantised twin" (with the known stuck cells
    /// at their stuck levels when `stuckMap` is set).
    public func quantized(_ weights: [[Double]]) -> [[Double]] {
        let top = device.levels - 1
        return weights.enumerated().map { c, ws in
            ws.enumerated().map { k, w in
                var (p, m) = device.pairLevels(weight: w)
                if let code = stuckMap?[c][k], code != 0 {
                    if let high = StuckCellCode.plusStuckHigh(code) { p = high ? top : 0 }
                    if let high = StuckCellCode.minusStuckHigh(code) { m = high ? top : 0 }
                }
                return device.weight(levelPlus: p, levelMinus: m)
            }
        }.enumerated().map { c, w in
            guard parasitics != nil else { return w }
            let pm = weights[c].enumerated().map { k, x -> (Double, Double) in
                var (p, m) = device.pairLevels(weight: x)
                if let code = stuckMap?[c][k], code != 0 {
                    if let high = StuckCellCode.plusStuckHigh(code) { p = high ? top : 0 }
                    if let high = StuckCellCode.minusStuckHigh(code) { m = high ? top : 0 }
                }
                return (Double(p) / Double(top), Double(m) / Double(top))
            }
            return attenuate(c, plus: pm.map(\.0), minus: pm.map(\.1))
        }
    }

    /// Effective weights (window units) of connection `c` read through its tiles' parasitics, from each
    /// cell's position in the window `P`, `M` ∈ [0, 1]: `G = G_min + P·ΔG`, attenuation `f` of each cell's
    /// single-row read (`Chip.parasiticAttenuation`, the kernel's own factors), and
    /// `w = (G⁺ f⁺ − G⁻ f⁻)/ΔG`. The factors are constants of the batch: the straight-through estimator
    /// passes the effective weight's gradient to `w` unchanged (Docs/circuits.md §6).
    func attenuate(_ c: Int, plus p: [Double], minus m: [Double]) -> [Double] {
        guard let par = parasitics, c < par.shapes.count else { return zip(p, m).map { $0 - $1 } }
        let span = device.conductanceWindow
        let gp = p.map { device.gMin + max(0, $0) * span }, gm = m.map { device.gMin + max(0, $0) * span }
        let a = Chip.parasiticAttenuation(
            gPlus: gp, gMinus: gm, inputs: par.shapes[c].inputs, outputs: par.shapes[c].outputs,
            spec: par.tiles, model: par.model)
        return gp.indices.map { (gp[$0] * a.plus[$0] - gm[$0] * a.minus[$0]) / span }
    }

    /// Whether any effect changes the weights.
    public var isActive: Bool {
        spec.quantize || spec.programmingNoise || spec.stuckFraction > 0 || stuckMap != nil || passiveLayouts != nil || parasitics != nil
    }

    /// Reparametrised passive transfer: `w → (G⁺, G⁻)` targets (levels when `quantize`), one sampled
    /// passive programming of each cell, back to window units. The backward pass treats the map as the
    /// identity (the perturbations are additive or within ±1 % multiplicative), so the gradient reaches
    /// the ideal weights; synapses with a failed cell are masked.
    func passiveEffective(
        _ weights: [[Double]], batch: Int, layouts: [PassiveLayout], model: PassiveArraySpec
    ) -> (weights: [[Double]], mask: [[UInt8]]?) {
        let top = Double(device.levels - 1), span = device.conductanceWindow, g0 = device.gMin
        var out = weights
        var mask = weights.map { [UInt8](repeating: 1, count: $0.count) }
        for c in weights.indices {
            let layout = layouts[c]
            for k in weights[c].indices {
                let w = weights[c][k]
                var p: Double, m: Double
                if spec.quantize {
                    let (lp, lm) = device.pairLevels(weight: w); p = Double(lp) / top; m = Double(lm) / top
                } else {
                    p = max(0, min(1, w)); m = max(0, min(1, -w))
                }
                var rp = PassiveLayout.stream(seed: seed, purpose: .training, connection: c, key: layout.keyPlus[k], sample: batch)
                let a = model.program(target: g0 + p * span, after: Int(layout.afterPlus[k]), gHRS: g0, using: &rp)
                var rm = PassiveLayout.stream(seed: seed, purpose: .training, connection: c, key: layout.keyMinus[k], sample: batch)
                let b = model.program(target: g0 + m * span, after: Int(layout.afterMinus[k]), gHRS: g0, using: &rm)
                if a.stuck || b.stuck { mask[c][k] = 0 }
                out[c][k] = (a.g - b.g) / span
            }
        }
        return (out, mask)
    }
}
