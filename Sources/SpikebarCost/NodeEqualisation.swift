import SpikebarCore
import SpikebarActivity

/// The CMOS node and supply one component's price was sourced at: what `NodeEqualisation` scales from.
public struct SourceNode: Sendable, Equatable {
    public var node: TechnologyNode
    public var vdd: Volts
    public init(_ node: TechnologyNode, _ vdd: Volts) { self.node = node; self.vdd = vdd }
}

/// Which of a model's components are CMOS logic priced at a known node (component name → node): the
/// components `NodeEqualisation` scales. Absent: device physics (cell read heat, the supply's V·I),
/// static and bias power (leakage and subthreshold biases do not follow the logic fits), analog circuits,
/// and the input's own timing. Declared next to each model's price sources.
public protocol NodeAnnotatedCostModel: CostModel {
    var sourceNodes: [String: SourceNode] { get }
}

/// `architectures.same_node`: price every architecture's CMOS logic at one node and supply, so that a
/// comparison does not credit an architecture with its newer process (issue #16). Dynamic energies are
/// scaled by the energy fit, logic latencies by the delay fit, logic areas by the area factor of
/// Stillmaker & Baas (`TechnologyScaling`); device physics, static/bias power, analog circuits and
/// every price set in the scenario (its node is unknown) keep their values — the report says which.
public struct NodeEqualisation: Codable, Sendable, Equatable {
    public var node: TechnologyNode
    /// Supply at the target node (V); default the node's nominal supply (an assumption).
    public var vdd: Volts

    public init(node: TechnologyNode, vdd: Volts? = nil) { self.node = node; self.vdd = vdd ?? node.nominalVdd }

    enum CodingKeys: String, CodingKey, CaseIterable { case node, vdd }
    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        node = try c.decode(TechnologyNode.self, forKey: .node)
        vdd = try c.decode(.vdd, default: node.nominalVdd, in: 0.3...2.5, unit: "V")
    }

    /// `estimate` of `model` with its CMOS logic at this node.
    public func apply(_ estimate: CostEstimate, sourceNodes: [String: SourceNode]) -> CostEstimate {
        var e = estimate
        var scaled: [String] = []
        func scale(_ list: inout [CostComponent], _ factor: (SourceNode) -> Double, energy: Bool) {
            for k in list.indices {
                guard let s = sourceNodes[list[k].name], list[k].confidence != .scenario else { continue }
                if energy && list[k].kind == .static { continue }
                let f = factor(s)
                list[k].value *= f
                if !scaled.contains(list[k].name) { scaled.append(list[k].name) }
            }
        }
        scale(&e.energy, { TechnologyScaling.energyFactor(from: $0.node, $0.vdd, to: node, vdd) }, energy: true)
        scale(&e.latency, { TechnologyScaling.delayFactor(from: $0.node, $0.vdd, to: node, vdd) }, energy: false)
        scale(&e.computeLatency, { TechnologyScaling.delayFactor(from: $0.node, $0.vdd, to: node, vdd) }, energy: false)
        scale(&e.area, { TechnologyScaling.areaFactor(from: $0.node, to: node) }, energy: false)
        let from = Set(sourceNodes.values.map { "\($0.node) at \(Units.fixed($0.vdd, significant: 3)) V" }).sorted().joined(separator: ", ")
        e.notes.append(
            scaled.isEmpty
                ? "Same node (\(node) at \(Units.fixed(vdd, significant: 3)) V): nothing here is CMOS logic at a known node, no value scaled."
                : "Same node: \(scaled.joined(separator: ", ")) scaled from \(from) to \(node) at \(Units.fixed(vdd, significant: 3)) V (Stillmaker & Baas 2017 logic fits, confidence M); device physics, static and bias power, analog circuits and prices set in the scenario are not scaled."
        )
        return e
    }
}

/// A cost model whose estimates are node-equalised (`PriceLists.models` wraps every model in it when
/// `architectures.same_node` is set).
public struct NodeEqualisedCostModel: CostModel {
    public var base: any NodeAnnotatedCostModel
    public var target: NodeEqualisation
    public var architecture: String { base.architecture }
    public init(base: any NodeAnnotatedCostModel, target: NodeEqualisation) { self.base = base; self.target = target }
    public func price(_ activity: Activity) -> CostEstimate {
        target.apply(base.price(activity), sourceNodes: base.sourceNodes)
    }
}
