import Foundation
import SpikebarCore

/// The result of `spikebar compare`: the same input through several scenarios (tile sizes, levels,
/// devices…), each priced on every architecture, with ratios to the first scenario. `compare.json` is
/// this value with sorted keys; the table, `compare.md` and `compare.html` render it without recomputing.
public struct CompareReport: Codable, Sendable, Equatable {
    public var tool: String = "spikebar-compare"
    public var formatVersion: Int = 1
    /// Seed and number of inferences shared by every scenario.
    public var seed: UInt64
    public var inferences: Int
    /// Architecture names, in the order of every entry's `architectures`.
    public var architectures: [String]
    /// One entry per scenario, in command-line order; the first is the reference of the ratios.
    public var scenarios: [Entry]

    public init(seed: UInt64, inferences: Int, architectures: [String], scenarios: [Entry]) {
        self.seed = seed; self.inferences = inferences; self.architectures = architectures; self.scenarios = scenarios
    }

    /// One scenario of the comparison.
    public struct Entry: Codable, Sendable, Equatable {
        public var scenario: String
        public var scenarioFile: String
        public var scenarioDigest: String
        /// What distinguishes the chip: tile geometry and mapping, levels, conductance range, noise…
        public var chip: [Setting]
        public var tiles: Int
        public var timing: String
        public var meanActivity: ActivitySummary
        public var accuracy: Double?
        public var architectures: [Architecture]

        public init(scenario: String, scenarioFile: String, scenarioDigest: String, chip: [Setting], tiles: Int,
                    timing: String, meanActivity: ActivitySummary, accuracy: Double?, architectures: [Architecture]) {
            self.scenario = scenario; self.scenarioFile = scenarioFile; self.scenarioDigest = scenarioDigest
            self.chip = chip; self.tiles = tiles; self.timing = timing; self.meanActivity = meanActivity
            self.accuracy = accuracy; self.architectures = architectures
        }
    }

    /// A named chip setting (`tiles` → `64×64 differential_columns`).
    public struct Setting: Codable, Sendable, Equatable {
        public var key: String, value: String
        public init(key: String, value: String) { self.key = key; self.value = value }
    }

    /// One architecture in one scenario.
    public struct Architecture: Codable, Sendable, Equatable {
        public var architecture: String
        /// Means per inference (J, s) and area (m²).
        public var energy: Double, latency: Double, area: Double
        /// Divided by the same architecture's figure in the first scenario.
        public var energyRatioToFirst: Double, latencyRatioToFirst: Double, areaRatioToFirst: Double
        /// Divided by the spike-driven crossbar's energy in the same scenario (the run report's ratio).
        public var energyRatioToRRAM: Double

        public init(architecture: String, energy: Double, latency: Double, area: Double, energyRatioToFirst: Double,
                    latencyRatioToFirst: Double, areaRatioToFirst: Double, energyRatioToRRAM: Double) {
            self.architecture = architecture; self.energy = energy; self.latency = latency; self.area = area
            self.energyRatioToFirst = energyRatioToFirst; self.latencyRatioToFirst = latencyRatioToFirst
            self.areaRatioToFirst = areaRatioToFirst; self.energyRatioToRRAM = energyRatioToRRAM
        }
    }

    /// Builds the comparison from run reports of the same input (ratios to `reports[0]`).
    public init(reports: [RunReport], chips: [[Setting]]) {
        let first = reports.first
        seed = first?.seed ?? 0
        inferences = first?.inferences.count ?? 0
        architectures = first?.architectures.map(\.architecture) ?? []
        func ratio(_ a: Double, _ b: Double?) -> Double { guard let b, b > 0 else { return .nan }; return a / b }
        scenarios = reports.enumerated().map { k, r in
            let archs = r.architectures.map { a -> Architecture in
                let ref = first?.architectures.first { $0.architecture == a.architecture }
                return Architecture(architecture: a.architecture, energy: a.energy.mean, latency: a.latency.mean, area: a.area,
                                    energyRatioToFirst: ratio(a.energy.mean, ref?.energy.mean),
                                    latencyRatioToFirst: ratio(a.latency.mean, ref?.latency.mean),
                                    areaRatioToFirst: ratio(a.area, ref?.area), energyRatioToRRAM: a.energyRatioToRRAM)
            }
            return Entry(scenario: r.scenario, scenarioFile: r.scenarioFile, scenarioDigest: r.scenarioDigest,
                         chip: k < chips.count ? chips[k] : [], tiles: r.tiles, timing: r.timing,
                         meanActivity: r.meanActivity, accuracy: r.accuracy, architectures: archs)
        }
    }
}

/// Renderings of a `CompareReport`.
public enum CompareRenderer {
    /// `compare.json` (sorted keys; NaN ratios, which JSON cannot hold, become strings "nan").
    public static func json(_ r: CompareReport) throws -> Data {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .prettyPrinted]
        enc.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try enc.encode(r)
    }

    static func ratio(_ x: Double) -> String { x.isFinite ? Units.fixed(x, significant: 3) + "×" : "—" }

    /// The side-by-side table printed by `spikebar compare`.
    public static func table(_ r: CompareReport) -> String {
        var rows: [[String]] = [["per inference (mean)"] + r.scenarios.map(\.scenario)]
        let keys = r.scenarios.first?.chip.map(\.key) ?? []
        for key in keys {
            rows.append([key] + r.scenarios.map { e in e.chip.first { $0.key == key }?.value ?? "—" })
        }
        rows.append(["tiles"] + r.scenarios.map { "\($0.tiles)" })
        for (m, name) in r.architectures.enumerated() {
            rows.append(["\(name) energy"] + r.scenarios.map { e in m < e.architectures.count ? "\(Units.format(e.architectures[m].energy, "J")) (\(ratio(e.architectures[m].energyRatioToFirst)))" : "—" })
            rows.append(["\(name) latency"] + r.scenarios.map { e in m < e.architectures.count ? "\(Units.format(e.architectures[m].latency, "s")) (\(ratio(e.architectures[m].latencyRatioToFirst)))" : "—" })
            rows.append(["\(name) area"] + r.scenarios.map { e in m < e.architectures.count ? "\(Units.format(area: e.architectures[m].area)) (\(ratio(e.architectures[m].areaRatioToFirst)))" : "—" })
        }
        rows.append(["row reads"] + r.scenarios.map { Units.fixed($0.meanActivity.rowReads, significant: 4) })
        rows.append(["spikes"] + r.scenarios.map { Units.fixed($0.meanActivity.spikes, significant: 4) })
        rows.append(["peak concurrent rows"] + r.scenarios.map { Units.fixed($0.meanActivity.peakConcurrentRows, significant: 3) })
        if r.scenarios.contains(where: { $0.accuracy != nil }) {
            rows.append(["accuracy"] + r.scenarios.map { $0.accuracy.map { Units.fixed($0 * 100, significant: 3) + " %" } ?? "—" })
        }
        return ReportRenderer.format(rows) + "(ratios in parentheses: to the same architecture in \(r.scenarios.first?.scenario ?? "the first scenario"); \(r.inferences) inferences, seed \(r.seed))\n"
    }

    /// `compare.md`.
    public static func markdown(_ r: CompareReport) -> String {
        var s = "# Spikebar comparison: " + r.scenarios.map(\.scenario).joined(separator: " vs ") + "\n\n"
        for e in r.scenarios { s += "- `\(e.scenarioFile)` (\(e.scenario), digest `\(e.scenarioDigest)`), \(e.timing)\n" }
        s += "\nSame input, seed \(r.seed), \(r.inferences) inferences.\n\n```\n" + table(r) + "```\n"
        return s
    }

    /// `compare.html`: the table with exact values, grouped bars of energy and latency per architecture.
    /// `reports[k]`, when given, is the relative path of scenario `k`'s own report.html (linked from the page).
    public static func html(_ r: CompareReport, commandLine: String, reports: [String] = []) -> String {
        var page = HTMLPage(title: "Spikebar comparison: " + r.scenarios.map(\.scenario).joined(separator: " vs "),
                            subtitle: ["Same input through \(r.scenarios.count) scenarios: \(r.inferences) inferences, seed \(r.seed). Ratios are to \(r.scenarios.first?.scenario ?? "the first scenario")."])
        var header = ["", ] + r.scenarios.map(\.scenario)
        header[0] = "per inference (mean)"
        var rows: [[String]] = []
        for key in r.scenarios.first?.chip.map(\.key) ?? [] {
            rows.append([SVGChart.esc(key)] + r.scenarios.map { e in SVGChart.esc(e.chip.first { $0.key == key }?.value ?? "—") })
        }
        rows.append(["tiles"] + r.scenarios.map { "\($0.tiles)" })
        for (m, name) in r.architectures.enumerated() {
            for (q, unit) in [("energy", "J"), ("latency", "s"), ("area", "mm²")] {
                rows.append([SVGChart.esc("\(name) \(q)")] + r.scenarios.map { e -> String in
                    guard m < e.architectures.count else { return "—" }
                    let a = e.architectures[m]
                    let (v, rt) = q == "energy" ? (a.energy, a.energyRatioToFirst) : q == "latency" ? (a.latency, a.latencyRatioToFirst) : (a.area, a.areaRatioToFirst)
                    let text = unit == "mm²" ? Units.format(area: v) : Units.format(v, unit)
                    return HTMLPage.number(text, value: v, key: "\(e.scenario).\(name).\(q)") + " (" + SVGChart.esc(ratio(rt)) + ")"
                })
            }
        }
        rows.append(["row reads"] + r.scenarios.map { Units.fixed($0.meanActivity.rowReads, significant: 4) })
        rows.append(["peak concurrent rows"] + r.scenarios.map { Units.fixed($0.meanActivity.peakConcurrentRows, significant: 3) })
        var body = HTMLPage.table(id: "table-compare", header: header, rows: rows)
        let groups = r.architectures
        let series = r.scenarios.map(\.scenario)
        for (q, unit, title) in [("energy", "J", "Energy per inference"), ("latency", "s", "Latency per inference")] {
            let values = groups.indices.map { m in r.scenarios.map { e in m < e.architectures.count ? (q == "energy" ? e.architectures[m].energy : e.architectures[m].latency) : 0 } }
            let labels = groups.indices.map { m in r.scenarios.map { e in m < e.architectures.count ? ratio(q == "energy" ? e.architectures[m].energyRatioToFirst : e.architectures[m].latencyRatioToFirst) : "" } }
            body += SVGChart.groupedBars(id: "chart-compare-\(q)", title: "\(title) (mean); above each bar: ratio to \(series.first ?? "the first scenario")",
                                         groups: groups, series: series, values: values, unit: unit, quantity: "\(q) per inference", labels: labels)
        }
        page.sections = [HTMLSection(id: "comparison", title: "Side by side", body: body)]
        page.sections += [HTMLSection(id: "provenance", title: "Scenarios and command",
                                      body: "<pre id=\"command-line\">\(SVGChart.esc(commandLine))</pre>\n"
                                        + HTMLPage.table(header: ["scenario", "file", "digest", "report"], rows: r.scenarios.enumerated().map { k, e in
                                            [SVGChart.esc(e.scenario), "<code>\(SVGChart.esc(e.scenarioFile))</code>", SVGChart.esc(e.scenarioDigest),
                                             k < reports.count ? "<a href=\"\(SVGChart.esc(reports[k]))\">\(SVGChart.esc(reports[k]))</a>" : "—"]
                                        }, numeric: false))]
        return page.render()
    }
}
