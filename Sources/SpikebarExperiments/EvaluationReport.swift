import Foundation
import SpikebarCore
import SpikebarReport

/// `spikebar evaluate`'s files: `evaluate.md` and `evaluate.html` (the same numbers as `evaluate.json`,
/// which is the `Codable` evaluation itself). The HTML page uses the report's building blocks
/// (`HTMLPage`, `SVGChart`): accuracy by model, the replay contract, energy and latency per inference by
/// architecture, transfer robustness over chip samples, and the scenario and command that produced it.
public enum EvaluationReport {
    public static func html(
        _ r: TwinEvaluation, monteCarlo mc: ChipMonteCarlo?, commandLine: String,
        scenarioText: String?, scenarioFile: String, digest: String
    ) -> String {
        let pct = { (x: Double) in Units.fixed(100 * x, significant: 4) + " %" }
        var sections: [HTMLSection] = []
        var body = SVGChart.groupedBars(
            id: "chart-accuracy", title: "Test accuracy by model (\(r.samples) test samples)",
            groups: r.accuracies.map { shortName($0.name) }, series: ["test accuracy"],
            values: r.accuracies.map { [100 * $0.accuracy] }, unit: "%", quantity: "test accuracy",
            labels: r.accuracies.map { [pct($0.accuracy)] }, log: false)
        body += HTMLPage.table(
            id: "table-accuracy", header: ["model", "test accuracy", "note"],
            rows: r.accuracies.enumerated().map { k, a in
                [SVGChart.esc(a.name), HTMLPage.number(pct(a.accuracy), value: a.accuracy, key: "accuracies[\(k)].accuracy"), SVGChart.esc(a.note)]
            })
        sections.append(
            HTMLSection(id: "accuracy", title: "Accuracy", intro: "Weights \(r.weights); programmed chip sample \(r.chipSample).", body: body))
        sections.append(
            HTMLSection(
                id: "replay", title: "Replay contract",
                intro: "Kernel in grid mode vs the twin on the same programmed chip and inputs, read noise off (DESIGN §2).",
                body: HTMLPage.table(
                    id: "table-replay", header: ["measure", "value", "required"],
                    rows: [
                        [
                            "identical output spikes",
                            HTMLPage.number(
                                pct(r.replay.identicalOutputSpikes), value: r.replay.identicalOutputSpikes, key: "replay.identicalOutputSpikes"),
                            "≥ 99.5 %",
                        ],
                        [
                            "same predicted class", HTMLPage.number(pct(r.replay.sameClass), value: r.replay.sameClass, key: "replay.sameClass"),
                            "≥ 99.9 %",
                        ],
                        ["output spikes compared", "\(r.replay.outputSpikes)", ""],
                    ])))
        var cost = SVGChart.groupedBars(
            id: "chart-eval-energy", title: "Energy per inference by architecture", groups: r.costs.map(\.architecture),
            series: ["energy"], values: r.costs.map { [$0.meanEnergy] }, unit: "J", quantity: "energy per inference",
            labels: r.costs.map { [Units.format($0.meanEnergy, "J")] })
        cost += SVGChart.groupedBars(
            id: "chart-eval-latency", title: "Latency per inference by architecture", groups: r.costs.map(\.architecture),
            series: ["latency"], values: r.costs.map { [$0.meanLatency] }, unit: "s", quantity: "latency per inference",
            labels: r.costs.map { [Units.format($0.meanLatency, "s")] })
        cost += HTMLPage.table(
            id: "table-eval-cost", header: ["architecture", "energy per inference", "latency per inference"],
            rows: r.costs.enumerated().map { k, c in
                [
                    SVGChart.esc(c.architecture),
                    HTMLPage.number(Units.format(c.meanEnergy, "J"), value: c.meanEnergy, key: "costs[\(k)].meanEnergy"),
                    HTMLPage.number(Units.format(c.meanLatency, "s"), value: c.meanLatency, key: "costs[\(k)].meanLatency"),
                ]
            })
        sections.append(
            HTMLSection(
                id: "cost", title: "Energy and latency",
                intro: "The programmed chip's kernel activity priced by every cost model (PriceLists.models).", body: cost))
        if let mc {
            sections.append(
                HTMLSection(
                    id: "chips", title: "Over \(mc.chips) programmed chips",
                    intro: "Each chip sample draws its own programming errors, stuck cells and time constants.",
                    body: HTMLPage.table(
                        id: "table-chips", header: ["measure", "value"],
                        rows: [
                            ["mean accuracy", HTMLPage.number(pct(mc.meanAccuracy), value: mc.meanAccuracy, key: "monteCarlo.meanAccuracy")],
                            ["worst chip", HTMLPage.number(pct(mc.worstAccuracy), value: mc.worstAccuracy, key: "monteCarlo.worstAccuracy")],
                            [
                                "test points right on ≥ 95 % of chips",
                                HTMLPage.number(pct(mc.robustFraction), value: mc.robustFraction, key: "monteCarlo.robustFraction"),
                            ],
                        ])))
        }
        sections += HTMLReport.provenance(scenarioText: scenarioText, commandLine: commandLine, digest: digest, file: scenarioFile)
        return HTMLPage(
            title: "Spikebar evaluation: \(r.scenario)", subtitle: ["\(r.samples) test samples · weights \(r.weights)"], sections: sections
        ).render()
    }

    /// A chart label that fits under a bar: "programmed chip, kernel grid(1.000 ms)" → "chip, grid".
    static func shortName(_ name: String) -> String {
        var n = name.replacingOccurrences(of: "programmed chip, kernel ", with: "chip, ")
        if let open = n.firstIndex(of: "(") { n = String(n[..<open]) }
        return n.replacingOccurrences(of: " twin", with: "").trimmingCharacters(in: .whitespaces)
    }

    public static func markdown(_ r: TwinEvaluation, monteCarlo mc: ChipMonteCarlo?) -> String {
        var s = "# Evaluation: \(r.scenario)\n\n\(r.samples) test samples, weights `\(r.weights)`, chip sample \(r.chipSample).\n\n"
        s += "| model | test accuracy | note |\n|---|---:|---|\n"
        for a in r.accuracies { s += "| \(a.name) | \(Units.fixed(100 * a.accuracy, significant: 4)) % | \(a.note) |\n" }
        s +=
            "\nReplay contract (kernel grid vs twin, read noise off): \(Units.fixed(100 * r.replay.identicalOutputSpikes, significant: 5)) % of \(r.replay.outputSpikes) output spikes identical, same class on \(Units.fixed(100 * r.replay.sameClass, significant: 5)) % of samples.\n\n"
        s += "| architecture | energy per inference | latency per inference |\n|---|---:|---:|\n"
        for c in r.costs { s += "| \(c.architecture) | \(Units.format(c.meanEnergy, "J")) | \(Units.format(c.meanLatency, "s")) |\n" }
        if let mc {
            s +=
                "\nOver \(mc.chips) programmed chips: mean accuracy \(Units.fixed(100 * mc.meanAccuracy, significant: 4)) %, worst \(Units.fixed(100 * mc.worstAccuracy, significant: 4)) %, \(Units.fixed(100 * mc.robustFraction, significant: 4)) % of test points right on ≥ 95 % of the chips.\n"
        }
        return s
    }
}
