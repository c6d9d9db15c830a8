import Foundation
import SpikebarCore
import SpikebarCost

/// One section of an HTML report: a heading, an optional paragraph and a body of HTML (charts, tables).
///
/// Commands other than `run` (`evaluate`'s accuracy tables, a `sweep`'s accuracy-vs-parameter chart
/// from `SVGChart.accuracyVsParameter`) add their own sections to an `HTMLPage`; the page supplies the
/// styles, the table of contents and the command/scenario footer.
public struct HTMLSection: Sendable {
    /// Stable anchor (`<section id>`).
    public var id: String
    public var title: String
    /// Plain text shown under the heading (escaped by the page).
    public var intro: String
    /// Raw, well-formed HTML (charts from `SVGChart`, tables from `HTMLPage.table`).
    public var body: String

    public init(id: String, title: String, intro: String = "", body: String) {
        self.id = id; self.title = title; self.intro = intro; self.body = body
    }
}

/// A self-contained HTML page (inline CSS and SVG, no script, no network) that is also well-formed XML,
/// so that tests can parse it.
public struct HTMLPage: Sendable {
    public var title: String
    /// Lines under the title (plain text).
    public var subtitle: [String]
    public var sections: [HTMLSection]

    public init(title: String, subtitle: [String] = [], sections: [HTMLSection] = []) {
        self.title = title; self.subtitle = subtitle; self.sections = sections
    }

    /// The page, UTF-8 text.
    public func render() -> String {
        let e = SVGChart.esc
        var s = "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
        s += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n<title>\(e(title))</title>\n"
        s += "<style>\n\(HTMLPage.css)</style>\n</head>\n<body>\n<header><h1>\(e(title))</h1>\n"
        for line in subtitle { s += "<p class=\"sub\">\(e(line))</p>\n" }
        s += "<nav>" + sections.map { "<a href=\"#\(e($0.id))\">\(e($0.title))</a>" }.joined(separator: " · ") + "</nav>\n</header>\n<main>\n"
        for sec in sections {
            s += "<section id=\"\(e(sec.id))\">\n<h2>\(e(sec.title))</h2>\n"
            if !sec.intro.isEmpty { s += "<p>\(e(sec.intro))</p>\n" }
            s += sec.body + "\n</section>\n"
        }
        s +=
            "</main>\n<footer><p>Written by spikebar. Colours: Okabe–Ito palette (colour-blind safe). Hover a mark for its exact value.</p></footer>\n</body>\n</html>\n"
        return s
    }

    /// A table; `cells` are raw HTML (escape text with `SVGChart.esc`). `numeric` right-aligns columns after the first.
    public static func table(id: String? = nil, header: [String], rows: [[String]], numeric: Bool = true) -> String {
        var s = "<table\(id.map { " id=\"\(SVGChart.esc($0))\"" } ?? "")\(numeric ? " class=\"num\"" : "")>\n<thead><tr>"
        s += header.map { "<th>\(SVGChart.esc($0))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
        for r in rows { s += "<tr>" + r.map { "<td>\($0)</td>" }.joined() + "</tr>\n" }
        return s + "</tbody>\n</table>\n"
    }

    /// A number cell: the formatted `text`, and the exact value in `data-value` (shortest round-trip
    /// decimal, as in report.json) so that scripts and tests read the same number the JSON holds.
    public static func number(_ text: String, value: Double, key: String) -> String {
        "<span class=\"v\" data-key=\"\(SVGChart.esc(key))\" data-value=\"\(value)\">\(SVGChart.esc(text))</span>"
    }

    /// A collapsible block of preformatted text.
    public static func details(summary: String, text: String, id: String) -> String {
        "<details id=\"\(SVGChart.esc(id))\"><summary>\(SVGChart.esc(summary))</summary><pre>\(SVGChart.esc(text))</pre></details>\n"
    }

    static let css = """
        body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; margin: 0 auto; max-width: 980px; padding: 0 18px 40px; color: #1b1b1b; background: #fff; }
        header { border-bottom: 2px solid #0072B2; margin-bottom: 12px; }
        h1 { font-size: 1.6em; margin: 18px 0 6px; }
        h2 { font-size: 1.25em; margin: 26px 0 6px; border-bottom: 1px solid #ddd; padding-bottom: 3px; }
        p.sub { margin: 2px 0; color: #444; font-size: 0.92em; }
        nav { margin: 8px 0 10px; font-size: 0.9em; }
        nav a { color: #0072B2; text-decoration: none; }
        figure { margin: 8px 0 14px; }
        svg { max-width: 100%; height: auto; font-family: inherit; }
        svg .title { font-size: 15px; font-weight: 600; fill: #1b1b1b; }
        svg .axis { font-size: 13px; fill: #333; }
        svg .small { font-size: 11.5px; fill: #333; }
        svg .tiny { font-size: 9.5px; }
        svg .cat { font-size: 13px; font-weight: 600; fill: #1b1b1b; }
        svg .barlabel { font-size: 13px; font-weight: 700; fill: #1b1b1b; }
        svg .grid { stroke: #e3e3e3; stroke-width: 1; }
        svg .axisline { stroke: #555; stroke-width: 1; }
        table { border-collapse: collapse; margin: 8px 0 14px; font-size: 0.88em; }
        th, td { border-bottom: 1px solid #e2e2e2; padding: 3px 9px; text-align: left; vertical-align: top; }
        th { background: #f2f6fa; }
        table.num td + td { text-align: right; font-variant-numeric: tabular-nums; }
        .swatch { display: inline-block; width: 11px; height: 11px; margin-right: 5px; vertical-align: -1px; }
        pre { background: #f6f6f6; padding: 10px; overflow-x: auto; font-size: 0.85em; }
        details summary { cursor: pointer; font-weight: 600; }
        code { background: #f2f2f2; padding: 1px 4px; }
        footer { margin-top: 30px; color: #666; font-size: 0.85em; }

        """
}

/// `report.html` of `spikebar run`: renders a `RunReport` — the same value `report.json` encodes — into
/// charts and tables. It formats numbers and never recomputes one that the JSON holds.
public enum HTMLReport {
    /// What the page shows besides the report: the command that produced it and the scenario text.
    public struct Context: Sendable {
        /// The command line, as typed (the executable shown as `spikebar`).
        public var commandLine: String
        /// The scenario file's text, shown collapsed.
        public var scenarioText: String?
        public init(commandLine: String, scenarioText: String?) { self.commandLine = commandLine; self.scenarioText = scenarioText }
    }

    /// The whole page for a run. `extra` sections (e.g. `evaluate`'s accuracy tables, a sweep's
    /// `SVGChart.accuracyVsParameter`) go after the run's own sections, before the provenance.
    public static func render(_ r: RunReport, context: Context, extra: [HTMLSection] = []) -> String {
        var page = HTMLPage(title: "Spikebar report: \(r.scenario)", subtitle: subtitle(r))
        page.sections =
            sections(r) + extra
            + provenance(
                scenarioText: context.scenarioText, commandLine: context.commandLine,
                digest: r.scenarioDigest, file: r.scenarioFile)
        return page.render()
    }

    static func subtitle(_ r: RunReport) -> [String] {
        [
            "\(r.populations.map { "\($0.name) \($0.size)" }.joined(separator: " → ")) on \(r.tiles) crossbar tiles; \(r.timing) timing; \(r.inferences.count) inferences of \(Units.format(seconds: r.window)); seed \(r.seed)",
            r.synapseGains.isEmpty ? "weights: \(r.weightSource)" : "weights: \(r.weightSource); DPI gains \(r.gainSource)",
        ]
    }

    /// Functional category of a cost component, for the colours of the stacked bars (the breakdown
    /// table under each chart names every component).
    public static func category(_ c: CostComponent) -> (name: String, color: String) {
        let n = c.name.lowercased()
        // Short abbreviations match whole words only ("broadcast" holds "adc").
        let words = Set(n.split { !$0.isLetter }.map(String.init))
        if c.kind == .static { return ("static (leakage, bias)", "#F0E442") }
        if n.contains("decision") || n.contains("window") { return ("event timing (decision / window)", "#000000") }
        if words.contains("adc") || words.contains("adcs") { return ("ADC", "#D55E00") }
        if words.contains("dac") || words.contains("dacs") || n.contains("driver") || n.contains("injection") { return ("drivers / DAC", "#56B4E9") }
        if n.contains("array") || n.contains("bit-line") || n.contains("row read") { return ("array read", "#0072B2") }
        if n.contains("rout") || words.contains("cam") || n.contains("encoding") { return ("routing / CAM", "#E69F00") }
        if n.contains("neuron") || n.contains("spike") || n.contains("synapse") || n.contains("pulse") { return ("neurons / synapses", "#009E73") }
        if n.contains("shift") || n.contains("digital") || n.contains("accum") { return ("digital", "#CC79A7") }
        return ("other", "#999999")
    }

    /// The sections of a run report (everything but the provenance), in reading order.
    public static func sections(_ r: RunReport) -> [HTMLSection] {
        [assumptions(r), summary(r), energy(r), latency(r), activity(r), crossbar(r)].compactMap { $0 }
    }

    /// "What this comparison assumes": the report's assumption lines, first on the page.
    static func assumptions(_ r: RunReport) -> HTMLSection? {
        guard !r.assumptions.isEmpty else { return nil }
        let items = r.assumptions.enumerated().map { k, line in
            "<li id=\"assumption-\(k)\">\(SVGChart.esc(line))</li>"
        }.joined(separator: "\n")
        return HTMLSection(
            id: "assumptions", title: "What this comparison assumes",
            intro: "Read these before any ratio below: each one changes what the numbers mean.",
            body: "<ul class=\"assumptions\">\n\(items)\n</ul>\n")
    }

    /// A ratio for display: "—" when it is not finite (nothing to compare with).
    static func ratioText(_ x: Double) -> String { x.isFinite ? Units.fixed(x, significant: 3) + "×" : "—" }

    static func summary(_ r: RunReport) -> HTMLSection {
        var rows: [[String]] = []
        for a in r.architectures {
            let name =
                a.feasible
                ? SVGChart.esc(a.architecture)
                : "<span class=\"infeasible\" style=\"color:#C00000;font-weight:bold\">\(SVGChart.esc(a.architecture)) — INFEASIBLE as mapped (lower bound)</span>"
            let k = a.architecture
            rows.append([
                name,
                HTMLPage.number(Units.format(a.energy.mean, "J"), value: a.energy.mean, key: "\(k).energy.mean"),
                HTMLPage.number(ratioText(a.energyRatioToRRAM), value: a.energyRatioToRRAM, key: "\(k).energyRatioToRRAM"),
                HTMLPage.number(
                    Units.fixed(a.confidence.sourced * 100, significant: 3) + " %", value: a.confidence.sourced, key: "\(k).confidence.sourced")
                    + "<br/><small>\(SVGChart.esc(a.confidence.summary))</small>",
                HTMLPage.number(Units.format(a.latency.mean, "s"), value: a.latency.mean, key: "\(k).latency.mean"),
                HTMLPage.number(Units.format(a.computeLatency.mean, "s"), value: a.computeLatency.mean, key: "\(k).computeLatency.mean"),
                a.meanPower.map { HTMLPage.number(Units.format($0, "W"), value: $0, key: "\(k).meanPower") } ?? "—",
                HTMLPage.number(Units.format(a.energyDelayProduct, "J·s"), value: a.energyDelayProduct, key: "\(k).energyDelayProduct"),
                a.throughput.map { HTMLPage.number(Units.fixed($0, significant: 3) + "/s", value: $0, key: "\(k).throughput") } ?? "—",
                HTMLPage.number(Units.format(area: a.area), value: a.area, key: "\(k).area"),
            ])
        }
        let reference = r.architectures.first?.architecture ?? "rram-snn"
        var body = HTMLPage.table(
            id: "table-summary",
            header: [
                "architecture", "energy mean", "ratio to \(reference)", "energy sourced (physics+H+M)", "latency, streaming", "latency, compute",
                "mean power over window", "energy-delay (streaming)", "throughput (buffered)", "area",
            ], rows: rows)
        var notes = ""
        for a in r.architectures {
            notes += "<li><b>\(SVGChart.esc(a.architecture))</b>: \(SVGChart.esc(a.latencyBasisNote))<ul>"
            notes += a.meanBreakdown.notes.map { "<li>\(SVGChart.esc($0))</li>" }.joined()
            notes += "</ul></li>\n"
        }
        body += "<h3>Notes that change what each number means</h3>\n<ul class=\"notes\">\n\(notes)</ul>\n"
        let m = r.meanActivity
        var act: [[String]] = [
            ["spikes (all populations)", HTMLPage.number(Units.fixed(m.spikes, significant: 4), value: m.spikes, key: "activity.spikes")],
            ["row reads", HTMLPage.number(Units.fixed(m.rowReads, significant: 4), value: m.rowReads, key: "activity.rowReads")],
            [
                "rows active per step",
                HTMLPage.number(
                    Units.fixed(m.rowActivityPerStep * 100, significant: 3) + " %", value: m.rowActivityPerStep, key: "activity.rowActivityPerStep"),
            ],
            [
                "synaptic events",
                HTMLPage.number(Units.fixed(m.synapticEvents, significant: 4), value: m.synapticEvents, key: "activity.synapticEvents"),
            ],
            [
                "peak concurrent rows / tile",
                HTMLPage.number(Units.fixed(m.peakConcurrentRows, significant: 3), value: m.peakConcurrentRows, key: "activity.peakConcurrentRows"),
            ],
        ]
        for (k, p) in r.populations.enumerated() where k < m.meanRatePerLayer.count {
            act.append([
                "\(SVGChart.esc(p.name)) (\(p.size)) rate",
                HTMLPage.number(
                    Units.fixed(m.meanRatePerLayer[k], significant: 3) + " Hz", value: m.meanRatePerLayer[k], key: "activity.rate.\(p.name)"),
            ])
        }
        if let d = m.decisionTime {
            act.append(["decision time", HTMLPage.number(Units.format(seconds: d), value: d, key: "activity.decisionTime")])
        }
        if let acc = r.accuracy {
            act.append(["accuracy", HTMLPage.number(Units.fixed(acc * 100, significant: 3) + " %", value: acc, key: "accuracy")])
        }
        body += "<h3>Measured activity (mean per inference)</h3>\n" + HTMLPage.table(id: "table-activity", header: ["", "mean"], rows: act)
        return HTMLSection(
            id: "summary", title: "Summary",
            intro: "Per inference, mean over \(r.inferences.count) inferences; every architecture prices the same measured activity.",
            body: body)
    }

    /// Stacked bars by component (labels: mean · ratio to the spike-driven crossbar) and the breakdown
    /// table, for energy or latency.
    static func breakdown(
        _ archs: [ArchitectureSummary], quantity: String, unit: String,
        list: KeyPath<CostEstimate, [CostComponent]>, mean: (ArchitectureSummary) -> Double,
        ratio: (ArchitectureSummary) -> Double
    ) -> String {
        let reference = archs.first?.architecture ?? "rram-snn"
        let totals = archs.map(mean)
        let labels = archs.map { Units.format(mean($0), unit) + " · " + ratioText(ratio($0)) }
        let legend = legendNames(archs.map { $0.meanBreakdown[keyPath: list] })
        let title = quantity.prefix(1).uppercased() + quantity.dropFirst()
        guard SVGChart.needsLog(totals) else {
            let segments = archs.map { a in
                a.meanBreakdown[keyPath: list].map { c in SVGChart.Segment(name: c.name, value: c.value, color: category(c).color) }
            }
            return SVGChart.stackedBars(
                id: "chart-\(quantity)", title: "\(title) per inference by component (labels: mean · ratio to \(reference))",
                categories: archs.map(\.label), segments: segments, unit: unit,
                quantity: quantity, labels: labels, log: false, legendNames: legend)
                + breakdownTable(id: "table-\(quantity)-breakdown", archs: archs, unit: unit, list: list, total: mean)
        }
        // Totals too far apart for one linear axis: the totals as plain bars (log axis, nothing stacked)
        // and each architecture's composition as shares of its own total (linear, 0–100 %).
        let totalsChart = SVGChart.groupedBars(
            id: "chart-\(quantity)", title: "\(title) per inference, total (labels: mean · ratio to \(reference))",
            groups: archs.map(\.label), series: [quantity], values: totals.map { [$0] },
            unit: unit, quantity: quantity, labels: labels.map { [$0] }, log: true)
        let shares = archs.map { a -> [SVGChart.Segment] in
            let t = a.meanBreakdown[keyPath: list].reduce(0) { $0 + $1.value }
            return a.meanBreakdown[keyPath: list].map { c in
                SVGChart.Segment(name: c.name, value: t > 0 ? c.value / t * 100 : 0, color: category(c).color)
            }
        }
        let sharesChart = SVGChart.stackedBars(
            id: "chart-\(quantity)-shares", title: "\(title) composition: share of each architecture's own total",
            categories: archs.map(\.label), segments: shares, unit: "%",
            quantity: "share of total", labels: archs.map { _ in "100 %" }, log: false, legendNames: legend)
        return totalsChart + sharesChart
            + breakdownTable(id: "table-\(quantity)-breakdown", archs: archs, unit: unit, list: list, total: mean)
    }

    static func energy(_ r: RunReport) -> HTMLSection {
        let body = breakdown(
            r.architectures, quantity: "energy", unit: "J", list: \.energy, mean: { $0.energy.mean }, ratio: { $0.energyRatioToRRAM })
        return HTMLSection(
            id: "energy", title: "Energy per inference",
            intro: "Stacked by component (mean breakdown over the inferences); colours group components by function, the table names each one.",
            body: body)
    }

    static func latency(_ r: RunReport) -> HTMLSection {
        var body = "<h3>Streaming basis: input arriving in real time, start of input → decision</h3>\n"
        body += breakdown(
            r.architectures, quantity: "latency", unit: "s", list: \.latency, mean: { $0.latency.mean }, ratio: { $0.latencyRatioToRRAM })
        body += "<h3>Compute basis: input already buffered</h3>\n"
        body += breakdown(
            r.architectures, quantity: "compute-latency", unit: "s", list: \.computeLatency, mean: { $0.computeLatency.mean },
            ratio: { $0.computeLatencyRatioToRRAM })
        let decisions = r.inferences.compactMap(\.activity.decisionTime)
        let silent = r.inferences.count - decisions.count
        body += decisionHistogram(decisions, window: r.window)
        body +=
            "<p>Decision time: earliest time after which the leading output class no longer changes; \(decisions.count) of \(r.inferences.count) inferences reached one\(silent > 0 ? " (\(silent) with a silent output layer)" : "").</p>\n"
        return HTMLSection(
            id: "latency", title: "Latency and decision time",
            intro: "Two bases, one chart each: a chart never puts a streaming latency next to a compute latency.",
            body: body)
    }

    /// Legend text per colour: the category names of the components.
    static func legendNames(_ lists: [[CostComponent]]) -> [String: String] {
        var names: [String: String] = [:]
        for c in lists.joined() { let k = category(c); names[k.color] = k.name }
        return names
    }

    static func decisionHistogram(_ d: [Double], window: Double) -> String {
        let bins = max(5, min(30, Int(Double(d.count).squareRoot().rounded(.up)) + 2))
        let edges = (0...bins).map { window * Double($0) / Double(bins) }
        var counts = [Int](repeating: 0, count: bins)
        for t in d { counts[min(bins - 1, max(0, Int(t / window * Double(bins))))] += 1 }
        return SVGChart.histogram(
            id: "chart-decision-time", title: "Decision-time distribution over the inferences",
            edges: edges, counts: counts, xLabel: "decision time", xUnit: "s", yLabel: "inferences",
            color: SVGChart.palette[2])
    }

    static func breakdownTable(
        id: String, archs: [ArchitectureSummary], unit: String,
        list: KeyPath<CostEstimate, [CostComponent]>, total: (ArchitectureSummary) -> Double
    ) -> String {
        let keyPrefix = list == \CostEstimate.energy ? "energy" : list == \CostEstimate.latency ? "latency" : "computeLatency"
        var rows: [[String]] = []
        for a in archs {
            let t = a.meanBreakdown[keyPath: list].reduce(0) { $0 + $1.value }
            for (k, c) in a.meanBreakdown[keyPath: list].enumerated() {
                let cat = category(c)
                rows.append([
                    k == 0 ? SVGChart.esc(a.architecture) : "",
                    "<span class=\"swatch\" style=\"background:\(cat.color)\"></span>\(SVGChart.esc(c.name))",
                    SVGChart.esc(cat.name),
                    SVGChart.esc(c.confidence.rawValue),
                    Units.fixed(c.count, significant: 4),
                    HTMLPage.number(Units.format(c.value, unit), value: c.value, key: "\(a.architecture).\(keyPrefix).\(c.name)"),
                    t > 0 ? Units.fixed(c.value / t * 100, significant: 3) + " %" : "—",
                ])
            }
            rows.append(["", "<b>total</b>", "", "", "", "<b>" + SVGChart.esc(Units.format(total(a), unit)) + "</b>", ""])
        }
        return HTMLPage.table(
            id: id, header: ["architecture", "component", "category", "confidence", "events", "mean", "share"], rows: rows, numeric: false)
    }

    static func activity(_ r: RunReport) -> HTMLSection? {
        guard let d = r.detail else { return nil }
        let pops = d.raster.map { (name: $0.name, size: $0.size, times: $0.times, neurons: $0.neurons) }
        var body = SVGChart.raster(
            id: "chart-raster", title: "Spike raster of inference #\(d.sample), per population",
            populations: pops, window: r.window)
        let truncated = d.raster.filter { $0.times.count < $0.spikes }
        if !truncated.isEmpty {
            body +=
                "<p>Raster truncated to the first \(PopulationRaster.limit) spikes of "
                + truncated.map { SVGChart.esc($0.name) }.joined(separator: ", ") + ".</p>\n"
        }
        let xs = d.rates.rates.first.map { $0.indices.map { (Double($0) + 0.5) * d.rates.binWidth } } ?? []
        let series = d.rates.rates.enumerated().map { k, ys in
            SVGChart.Series(name: k < d.rates.populations.count ? d.rates.populations[k] : "population \(k)", x: xs, y: ys)
        }
        body += SVGChart.lines(
            id: "chart-rate", title: "Rate per neuron over time, inference #\(d.sample) (\(Units.format(seconds: d.rates.binWidth)) bins)",
            series: series, xLabel: "time within the inference", xUnit: "s", yLabel: "rate per neuron", yUnit: "Hz")
        return HTMLSection(id: "activity", title: "Spikes of one inference", body: body)
    }

    static func crossbar(_ r: RunReport) -> HTMLSection? {
        guard let d = r.detail else { return nil }
        let maxK = d.tileConcurrency.map(\.counts.count).max() ?? 0
        var body = ""
        func layerName(_ l: Int) -> String { l < r.populations.count ? r.populations[l].name : "layer \(l)" }
        if maxK > 0 {
            var names = d.tileConcurrency.map { t in "tile \(t.tile) → \(layerName(t.layer))" }
            var counts = d.tileConcurrency.map(\.counts)
            var title = "Concurrent active rows per tile: reads over all \(r.inferences.count) inferences"
            // A chip with many tiles gets one row per layer (the tiles' histograms added up) so that the
            // chart stays one screen tall; report.json keeps every tile's histogram.
            if names.count > 40 {
                let layers = Array(Set(d.tileConcurrency.map(\.layer))).sorted()
                names = layers.map { l in "\(d.tileConcurrency.filter { $0.layer == l }.count) tiles → \(layerName(l))" }
                counts = layers.map { l in
                    var sum = [Int](repeating: 0, count: maxK)
                    for t in d.tileConcurrency where t.layer == l { for (k, x) in t.counts.enumerated() { sum[k] += x } }
                    return sum
                }
                title = "Concurrent active rows, each layer's tiles added up (\(r.inferences.count) inferences)"
            }
            body += SVGChart.heatMap(
                id: "chart-concurrency", title: title,
                rows: names, columns: (1...maxK).map(String.init), counts: counts,
                xLabel: "rows active on the tile at the onset of a read (itself included)",
                yLabel: "tile → layer fed")
        } else {
            body += "<p id=\"chart-concurrency\">No row was read.</p>\n"
        }
        let c = d.columnCurrents
        if let why = c.notSampled {
            body += "<p id=\"chart-column-current\">Column currents: \(SVGChart.esc(why))</p>\n"
            return HTMLSection(id: "crossbar", title: "Crossbar activity", body: body)
        }
        body += SVGChart.histogram(
            id: "chart-column-current", title: "Column currents of inference #\(d.sample): \(c.samples) (read, column) samples",
            edges: c.binEdges, counts: c.counts, xLabel: "column current at read onset", xUnit: "A",
            yLabel: "samples", logX: true, color: SVGChart.palette[3])
        body += HTMLPage.table(
            id: "table-column-current", header: ["column current", "value"],
            rows: [
                ["mean", HTMLPage.number(Units.format(c.mean, "A"), value: c.mean, key: "columnCurrent.mean")],
                ["p50", HTMLPage.number(Units.format(c.p50, "A"), value: c.p50, key: "columnCurrent.p50")],
                ["p95", HTMLPage.number(Units.format(c.p95, "A"), value: c.p95, key: "columnCurrent.p95")],
                ["max", HTMLPage.number(Units.format(c.max, "A"), value: c.max, key: "columnCurrent.max")],
            ])
        body +=
            "<p>Column current: at the onset of every row read, each used column of the tile carries I = V_read · Σ G over the rows active on that tile (the read row and every row whose read pulse is still on; in grid timing, every row read in the same step), with the programmed conductances and V_read = \(SVGChart.esc(Units.format(c.readVoltage, "V"))); read noise excluded. One sample per (read, column); log-spaced bins\(c.stride > 1 ? "; every \(c.stride)th sample kept (bounded memory)" : "").</p>\n"
        return HTMLSection(id: "crossbar", title: "Crossbar activity", body: body)
    }

    /// The scenario (collapsed) and the command line that produced the report.
    public static func provenance(scenarioText: String?, commandLine: String, digest: String, file: String) -> [HTMLSection] {
        var body = "<p>Command:</p><pre id=\"command-line\">\(SVGChart.esc(commandLine))</pre>\n"
        body += "<p>Scenario file <code>\(SVGChart.esc(file))</code>, digest <code>\(SVGChart.esc(digest))</code>.</p>\n"
        if let t = scenarioText {
            body += HTMLPage.details(summary: "Scenario (YAML, as read; command-line overrides above)", text: t, id: "scenario")
        }
        return [HTMLSection(id: "provenance", title: "Scenario and command", body: body)]
    }
}
