import Foundation
import SpikebarCore
import SpikebarReport

/// `spikebar sweep`'s `sweep-<param>.html`: accuracy against the swept parameter (mean over the chip
/// samples, bars spanning the worst to the best chip), energy per inference against it, and every point
/// as a table (failed points included, with their error) — the same numbers as `sweep-<param>.json`.
public enum SweepReport {
    public static func html(_ s: DeviceSweep, commandLine: String, scenarioText: String?, scenarioFile: String, digest: String) -> String {
        let ok = s.points.filter { $0.error == nil && $0.meanAccuracy != nil }
        let unit = s.parameter == .timeSinceProgramming ? "s" : ""
        // A log axis when the values span decades; a 0 (e.g. "just programmed") is drawn a decade below
        // the smallest positive value, and the title says so.
        let positive = ok.map(\.value).filter { $0 > 0 }
        let logX = (positive.max() ?? 0) / Swift.max(positive.min() ?? 1, .leastNormalMagnitude) > 30
        let zeroAt = (positive.min() ?? 1) / 10
        let x = ok.map { logX && $0.value <= 0 ? zeroAt : $0.value }
        let zeroText = unit.isEmpty ? String(format: "%g", zeroAt) : Units.format(zeroAt, unit)
        let note = logX && ok.contains { $0.value <= 0 } ? " (0 drawn at \(zeroText))" : ""
        let acc = SVGChart.Series(name: "mean over \(s.chips) chips", x: x, y: ok.map { 100 * ($0.meanAccuracy ?? 0) },
                                  low: ok.map { 100 * ($0.accuracies.min() ?? 0) }, high: ok.map { 100 * ($0.accuracies.max() ?? 0) })
        var body = SVGChart.accuracyVsParameter(id: "chart-sweep-accuracy", title: "Accuracy against \(s.parameter.rawValue)\(note)",
                                                series: [acc], parameter: s.parameter.rawValue, unit: unit,
                                                yLabel: "accuracy (%, mean; bars: worst to best chip)", logX: logX)
        let energy = SVGChart.Series(name: "energy per inference (rram-snn)", x: x, y: ok.map { $0.meanEnergy ?? 0 })
        body += SVGChart.lines(id: "chart-sweep-energy", title: "Energy per inference against \(s.parameter.rawValue)\(note)", series: [energy],
                               xLabel: s.parameter.rawValue, xUnit: unit, yLabel: "energy per inference", yUnit: "J", logX: logX, markers: true)
        body += HTMLPage.table(id: "table-sweep", header: ["value", "mean accuracy", "std", "worst chip", "energy / inference", "write pulses / chip", "note"],
                               rows: s.points.enumerated().map { k, p in
            let v = unit == "s" ? Units.format(p.value, "s") : "\(p.value)"
            guard p.error == nil, let mean = p.meanAccuracy else { return [SVGChart.esc(v), "", "", "", "", "", SVGChart.esc("FAILED: \(p.error ?? "no result")")] }
            return [SVGChart.esc(v), HTMLPage.number(Units.fixed(100 * mean, significant: 4) + " %", value: mean, key: "points[\(k)].meanAccuracy"),
                    Units.fixed(100 * (p.stdAccuracy ?? 0), significant: 2) + " %", Units.fixed(100 * (p.worstAccuracy ?? 0), significant: 4) + " %",
                    HTMLPage.number(Units.format(p.meanEnergy ?? 0, "J"), value: p.meanEnergy ?? 0, key: "points[\(k)].meanEnergy"),
                    "\(Int(p.programmingPulses ?? 0))", ""]
        })
        var sections = [HTMLSection(id: "sweep", title: "Sweep of \(s.parameter.rawValue)",
                                    intro: "\(s.chips) programmed chip samples × \(s.samples) inputs per point, event kernel, seed \(s.seed).", body: body)]
        sections += HTMLReport.provenance(scenarioText: scenarioText, commandLine: commandLine, digest: digest, file: scenarioFile)
        return HTMLPage(title: "Spikebar sweep: \(s.scenario)", subtitle: ["\(s.parameter.rawValue): \(s.points.count) points"], sections: sections).render()
    }
}
