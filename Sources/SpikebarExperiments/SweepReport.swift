import Foundation
import SpikebarCore
import SpikebarReport

/// `spikebar sweep`'s `<stem>.html`: the Pareto charts (energy against accuracy, energy against
/// latency, every point of every architecture, each architecture's front marked) and a table of the
/// fronts; accuracy and energy against the first swept key (one line per value of the second key);
/// every point as a table (failed points included, with their error) — the numbers of `<stem>.json`.
public enum SweepReport {
    public static func html(_ s: DeviceSweep, commandLine: String, scenarioText: String?, scenarioFile: String, digest: String) -> String {
        let ok = s.points.indices.filter { s.points[$0].error == nil }
        let labelled = ok.contains { s.points[$0].meanAccuracy != nil }
        let short = SweepSpec(keys: s.keys, points: [], mode: s.mode).shortKeys
        func label(_ p: Int) -> String { zip(short, s.points[p].values).map { "\($0)=\($1)" }.joined(separator: ", ") }
        var body = ""
        // Pareto charts: one series per architecture.
        let names = s.pareto.map(\.architecture)
        func series(_ y: (DeviceSweep.Point, Int) -> Double?, front: (DeviceSweep.Front) -> [Int]) -> [SVGChart.ScatterSeries] {
            names.enumerated().map { m, name in
                let idx = ok.filter { m < s.points[$0].architectures.count && y(s.points[$0], m) != nil }
                let f = front(s.pareto[m])
                return SVGChart.ScatterSeries(
                    name: name, x: idx.map { s.points[$0].architectures[m].energy },
                    y: idx.map { y(s.points[$0], m) ?? 0 }, labels: idx.map(label),
                    front: idx.indices.filter { f.contains(idx[$0]) })
            }
        }
        if labelled {
            body += SVGChart.paretoScatter(
                id: "chart-pareto-energy-accuracy", title: "Energy against accuracy, \(s.points.count) design points",
                series: series({ p, _ in p.meanAccuracy.map { 100 * $0 } }, front: \.energyAccuracy),
                xLabel: "energy per inference", xUnit: "J", yLabel: "accuracy (%, mean over chips)", yUnit: "")
        }
        body += SVGChart.paretoScatter(
            id: "chart-pareto-energy-latency", title: "Energy against latency, \(s.points.count) design points",
            series: series({ p, m in p.architectures[m].latency }, front: \.energyLatency),
            xLabel: "energy per inference", xUnit: "J", yLabel: "streaming latency per inference", yUnit: "s")
        // One architecture per chart, on its own axes: the overview's axes span the architectures' decades,
        // which hides each architecture's own trade-offs.
        let perArch = names.indices.map { m -> String in
            var c = ""
            if labelled {
                c += SVGChart.paretoScatter(
                    id: "chart-pareto-energy-accuracy-\(names[m])", title: "\(names[m]): energy against accuracy",
                    series: [series({ p, _ in p.meanAccuracy.map { 100 * $0 } }, front: \.energyAccuracy)[m]],
                    xLabel: "energy per inference", xUnit: "J", yLabel: "accuracy (%, mean over chips)", yUnit: "",
                    annotate: true, colorOffset: m)
            }
            c += SVGChart.paretoScatter(
                id: "chart-pareto-energy-latency-\(names[m])", title: "\(names[m]): energy against latency",
                series: [series({ p, m in p.architectures[m].latency }, front: \.energyLatency)[m]],
                xLabel: "energy per inference", xUnit: "J", yLabel: "streaming latency per inference", yUnit: "s",
                annotate: true, colorOffset: m)
            return c
        }.joined()
        var frontRows: [[String]] = []
        for (m, f) in s.pareto.enumerated() {
            for (kind, list) in [("energy–accuracy", f.energyAccuracy), ("energy–latency", f.energyLatency)] {
                for p in list.sorted(by: { s.points[$0].architectures[m].energy < s.points[$1].architectures[m].energy }) {
                    let a = s.points[p].architectures[m]
                    frontRows.append([
                        SVGChart.esc(f.architecture), kind, SVGChart.esc(label(p)),
                        s.points[p].meanAccuracy.map { Units.fixed(100 * $0, significant: 4) + " %" } ?? "—",
                        HTMLPage.number(Units.format(a.energy, "J"), value: a.energy, key: "points[\(p)].architectures[\(m)].energy"),
                        Units.format(a.latency, "s"), Units.format(area: a.area), Units.format(a.power, "W"), Units.format(a.edp, "J·s"),
                    ])
                }
            }
        }
        body += "<h3>Each architecture on its own axes</h3>" + perArch
        body +=
            "<h3>The fronts</h3>"
            + HTMLPage.table(
                id: "table-pareto",
                header: ["architecture", "front", "point", "accuracy", "energy / inference", "latency (streaming)", "area", "power", "EDP"],
                rows: frontRows)
        var sections = [
            HTMLSection(
                id: "pareto", title: "Pareto fronts",
                intro:
                    "Energy, latency and area per inference from each architecture's cost model on the activity of the programmed chip; power = energy per inference / input window (one inference per window), EDP = energy × latency; latency on the streaming basis (input in real time, start of input → decision). A point is on a front when no other point of the same architecture is at least as good on both axes and better on one.",
                body: body)
        ]
        // Against the first key: one line per value of the second key (grids), or one line.
        var body2 = ""
        let numeric = ok.allSatisfy { s.points[$0].value != nil }
        if numeric, !ok.isEmpty {
            var groups: [String] = s.keys.count > 1 ? [] : [""]
            for p in ok where s.keys.count > 1 {
                let g = s.points[p].values.dropFirst().joined(separator: ", ")
                if !groups.contains(g) { groups.append(g) }
            }
            let xs = ok.compactMap { s.points[$0].value }
            let positive = xs.filter { $0 > 0 }
            let logX = (positive.max() ?? 0) / Swift.max(positive.min() ?? 1, .leastNormalMagnitude) > 30
            let zeroAt = (positive.min() ?? 1) / 10
            let note = logX && xs.contains { $0 <= 0 } ? " (0 drawn at \(String(format: "%g", zeroAt)))" : ""
            func x(_ p: Int) -> Double { let v = s.points[p].value ?? 0; return logX && v <= 0 ? zeroAt : v }
            let rest = short.dropFirst().joined(separator: ", ")
            func member(_ g: String) -> [Int] { ok.filter { s.keys.count == 1 || s.points[$0].values.dropFirst().joined(separator: ", ") == g } }
            if labelled {
                let acc = groups.map { g -> SVGChart.Series in
                    let idx = member(g).filter { s.points[$0].meanAccuracy != nil }
                    return SVGChart.Series(
                        name: g.isEmpty ? "mean over \(s.chips) chips" : "\(rest) = \(g)", x: idx.map(x),
                        y: idx.map { 100 * (s.points[$0].meanAccuracy ?? 0) },
                        low: idx.map { 100 * (s.points[$0].accuracies.min() ?? 0) }, high: idx.map { 100 * (s.points[$0].accuracies.max() ?? 0) })
                }
                body2 += SVGChart.accuracyVsParameter(
                    id: "chart-sweep-accuracy", title: "Accuracy against \(s.keys[0])\(note)", series: acc,
                    parameter: s.keys[0], unit: "", yLabel: "accuracy (%, mean; bars: worst to best chip)", logX: logX)
            }
            let energy = groups.flatMap { g in
                names.indices.map { m -> SVGChart.Series in
                    let idx = member(g).filter { m < s.points[$0].architectures.count }
                    return SVGChart.Series(
                        name: g.isEmpty ? names[m] : "\(names[m]), \(rest) = \(g)", x: idx.map(x), y: idx.map { s.points[$0].architectures[m].energy }
                    )
                }
            }
            body2 += SVGChart.lines(
                id: "chart-sweep-energy", title: "Energy per inference against \(s.keys[0])\(note)", series: energy,
                xLabel: s.keys[0], xUnit: "", yLabel: "energy per inference", yUnit: "J", logX: logX,
                logY: SVGChart.needsLog(energy.flatMap(\.y)), markers: true)
        }
        var rows: [[String]] = []
        for (k, p) in s.points.enumerated() {
            let v = p.values.map(SVGChart.esc)
            guard p.error == nil else {
                rows.append(v + ["", "", "", "", "", "", "", "", SVGChart.esc("FAILED: \(p.error ?? "no result")")]); continue
            }
            for (m, a) in p.architectures.enumerated() {
                rows.append(
                    v + [
                        SVGChart.esc(a.architecture),
                        p.meanAccuracy.map {
                            HTMLPage.number(Units.fixed(100 * $0, significant: 4) + " %", value: $0, key: "points[\(k)].meanAccuracy")
                        } ?? "—",
                        p.worstAccuracy.map { Units.fixed(100 * $0, significant: 4) + " %" } ?? "—",
                        HTMLPage.number(Units.format(a.energy, "J"), value: a.energy, key: "points[\(k)].architectures[\(m)].energy"),
                        Units.format(a.latency, "s"), Units.format(area: a.area), Units.format(a.power, "W"), Units.format(a.edp, "J·s"),
                        m == 0 ? "\(Int(p.programmingPulses ?? 0)) write pulses / chip" : "",
                    ])
            }
        }
        body2 += HTMLPage.table(
            id: "table-sweep",
            header: s.keys + [
                "architecture", "mean accuracy", "worst chip", "energy / inference", "latency (streaming)", "area", "power", "EDP", "note",
            ], rows: rows)
        sections.append(
            HTMLSection(
                id: "sweep", title: "Every point",
                intro:
                    "\(s.chips) programmed chip samples × \(s.samples) inputs per point, event kernel, seed \(s.seed); \(s.mode == "zip" ? "paired values" : "every combination of the values").",
                body: body2))
        sections += HTMLReport.provenance(scenarioText: scenarioText, commandLine: commandLine, digest: digest, file: scenarioFile)
        return HTMLPage(
            title: "Spikebar sweep: \(s.scenario)", subtitle: ["\(s.keys.joined(separator: " × ")): \(s.points.count) points"], sections: sections
        ).render()
    }
}
