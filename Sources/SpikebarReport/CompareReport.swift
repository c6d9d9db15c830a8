import Foundation
import SpikebarCore

/// The result of `spikebar compare`: the same input through several scenarios (tile sizes, levels,
/// devices…), each priced on every architecture, with ratios to the first scenario. `compare.json` is
/// this value with sorted keys; the table, `compare.md` and `compare.html` render it without recomputing.
public struct CompareReport: Codable, Sendable, Equatable {
    public var tool: String = "spikebar-compare"
    /// 2: `differences`, `pareto`, power and EDP per architecture.
    public var formatVersion: Int = 2
    /// Seed and number of inferences shared by every scenario.
    public var seed: UInt64
    public var inferences: Int
    /// Architecture names, in the order of every entry's `architectures`.
    public var architectures: [String]
    /// One entry per scenario, in command-line order; the first is the reference of the ratios.
    public var scenarios: [Entry]
    /// What differs between the resolved scenarios (and what was recalibrated), one value per scenario.
    public var differences: [Difference] = []
    /// Per architecture, the scenarios on the Pareto fronts (indices into `scenarios`).
    public var pareto: [Front] = []

    public init(seed: UInt64, inferences: Int, architectures: [String], scenarios: [Entry]) {
        self.seed = seed; self.inferences = inferences; self.architectures = architectures; self.scenarios = scenarios
        pareto = CompareReport.fronts(scenarios, architectures: architectures)
    }

    /// A resolved-scenario key (or recalibrated quantity) whose value differs between the scenarios.
    public struct Difference: Codable, Sendable, Equatable {
        public var key: String
        /// One value per scenario, in order.
        public var values: [String]
        /// Why it differs when the user did not write it (a recalibration), else empty.
        public var note: String
        public init(key: String, values: [String], note: String) { self.key = key; self.values = values; self.note = note }
    }

    /// The Pareto fronts of one architecture over the scenarios (`ParetoFront`).
    public struct Front: Codable, Sendable, Equatable {
        public var architecture: String
        /// Lowest energy for a given accuracy (empty without labels).
        public var energyAccuracy: [Int]
        /// Lowest energy for a given latency.
        public var energyLatency: [Int]
    }

    static func fronts(_ entries: [Entry], architectures: [String]) -> [Front] {
        architectures.enumerated().map { m, name in
            let ok = entries.indices.filter { m < entries[$0].architectures.count }
            let labelled = ok.filter { entries[$0].accuracy != nil }
            let ea = ParetoFront.indices(
                labelled.map { (entries[$0].architectures[m].energy, entries[$0].accuracy ?? 0) },
                x: .minimize, y: .maximize
            ).map { labelled[$0] }
            let el = ParetoFront.indices(
                ok.map { (entries[$0].architectures[m].energy, entries[$0].architectures[m].latency) },
                x: .minimize, y: .minimize
            ).map { ok[$0] }
            return Front(architecture: name, energyAccuracy: ea, energyLatency: el)
        }
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

        public init(
            scenario: String, scenarioFile: String, scenarioDigest: String, chip: [Setting], tiles: Int,
            timing: String, meanActivity: ActivitySummary, accuracy: Double?, architectures: [Architecture]
        ) {
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
        /// Power over the input window (W) and energy-delay product (J·s), as `DesignMetrics` defines them.
        public var power: Double = 0, edp: Double = 0

        public init(
            architecture: String, energy: Double, latency: Double, area: Double, energyRatioToFirst: Double,
            latencyRatioToFirst: Double, areaRatioToFirst: Double, energyRatioToRRAM: Double
        ) {
            self.architecture = architecture; self.energy = energy; self.latency = latency; self.area = area
            self.energyRatioToFirst = energyRatioToFirst; self.latencyRatioToFirst = latencyRatioToFirst
            self.areaRatioToFirst = areaRatioToFirst; self.energyRatioToRRAM = energyRatioToRRAM
        }

        enum CodingKeys: String, CodingKey {
            case architecture, energy, latency, area, energyRatioToFirst, latencyRatioToFirst, areaRatioToFirst
            case energyRatioToRRAM, power, edp
        }

        /// A ratio to a zero reference has no meaning: read back as NaN when absent.
        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            architecture = try c.decode(String.self, forKey: .architecture)
            energy = try c.decode(Double.self, forKey: .energy)
            latency = try c.decode(Double.self, forKey: .latency)
            area = try c.decode(Double.self, forKey: .area)
            energyRatioToFirst = try c.decodeIfPresent(Double.self, forKey: .energyRatioToFirst) ?? .nan
            latencyRatioToFirst = try c.decodeIfPresent(Double.self, forKey: .latencyRatioToFirst) ?? .nan
            areaRatioToFirst = try c.decodeIfPresent(Double.self, forKey: .areaRatioToFirst) ?? .nan
            energyRatioToRRAM = try c.decodeIfPresent(Double.self, forKey: .energyRatioToRRAM) ?? .nan
            power = try c.decodeIfPresent(Double.self, forKey: .power) ?? 0
            edp = try c.decodeIfPresent(Double.self, forKey: .edp) ?? 0
        }

        /// Ratios to a zero reference are left out of compare.json, not written "nan" (issue #22, class 6).
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(architecture, forKey: .architecture)
            try c.encode(energy, forKey: .energy)
            try c.encode(latency, forKey: .latency)
            try c.encode(area, forKey: .area)
            for (key, x) in [
                (CodingKeys.energyRatioToFirst, energyRatioToFirst), (.latencyRatioToFirst, latencyRatioToFirst),
                (.areaRatioToFirst, areaRatioToFirst), (.energyRatioToRRAM, energyRatioToRRAM),
            ] where x.isFinite {
                try c.encode(x, forKey: key)
            }
            try c.encode(power, forKey: .power)
            try c.encode(edp, forKey: .edp)
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
                let d = DesignMetrics(architecture: a.architecture, energy: a.energy.mean, latency: a.latency.mean, area: a.area, window: r.window)
                var x = Architecture(
                    architecture: a.architecture, energy: d.energy, latency: d.latency, area: d.area,
                    energyRatioToFirst: ratio(a.energy.mean, ref?.energy.mean),
                    latencyRatioToFirst: ratio(a.latency.mean, ref?.latency.mean),
                    areaRatioToFirst: ratio(a.area, ref?.area), energyRatioToRRAM: a.energyRatioToRRAM)
                x.power = d.power; x.edp = d.edp
                return x
            }
            return Entry(
                scenario: r.scenario, scenarioFile: r.scenarioFile, scenarioDigest: r.scenarioDigest,
                chip: k < chips.count ? chips[k] : [], tiles: r.tiles, timing: r.timing,
                meanActivity: r.meanActivity, accuracy: r.accuracy, architectures: archs)
        }
        pareto = CompareReport.fronts(scenarios, architectures: architectures)
    }
}

/// Renderings of a `CompareReport`.
public enum CompareRenderer {
    /// `compare.json` (sorted keys; NaN ratios, which JSON cannot hold, become strings "nan").
    public static func json(_ r: CompareReport) throws -> Data {
        let enc = JSONEncoder.spikebar(pretty: true)
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
            rows.append(
                ["\(name) energy"]
                    + r.scenarios.map { e in
                        m < e.architectures.count
                            ? "\(Units.format(e.architectures[m].energy, "J")) (\(ratio(e.architectures[m].energyRatioToFirst)))" : "—"
                    })
            rows.append(
                ["\(name) latency"]
                    + r.scenarios.map { e in
                        m < e.architectures.count
                            ? "\(Units.format(e.architectures[m].latency, "s")) (\(ratio(e.architectures[m].latencyRatioToFirst)))" : "—"
                    })
            rows.append(
                ["\(name) area"]
                    + r.scenarios.map { e in
                        m < e.architectures.count
                            ? "\(Units.format(area: e.architectures[m].area)) (\(ratio(e.architectures[m].areaRatioToFirst)))" : "—"
                    })
        }
        rows.append(["row reads"] + r.scenarios.map { Units.fixed($0.meanActivity.rowReads, significant: 4) })
        rows.append(["spikes"] + r.scenarios.map { Units.fixed($0.meanActivity.spikes, significant: 4) })
        rows.append(["peak concurrent rows"] + r.scenarios.map { Units.fixed($0.meanActivity.peakConcurrentRows, significant: 3) })
        if r.scenarios.contains(where: { $0.accuracy != nil }) {
            rows.append(["accuracy"] + r.scenarios.map { $0.accuracy.map { Units.fixed($0 * 100, significant: 3) + " %" } ?? "—" })
        }
        return ReportRenderer.format(rows)
            + "(ratios in parentheses: to the same architecture in \(r.scenarios.first?.scenario ?? "the first scenario"); \(r.inferences) inferences, seed \(r.seed))\n"
    }

    /// The resolved-scenario diff as a Markdown table (or a sentence when nothing differs).
    public static func differencesText(_ r: CompareReport) -> String {
        guard !r.differences.isEmpty else { return "The resolved scenarios are identical (apart from their names).\n" }
        func cell(_ x: String) -> String { x.replacingOccurrences(of: "|", with: "\\|") }
        var s = "| key | " + r.scenarios.map { cell($0.scenario) }.joined(separator: " | ") + " | note |\n"
        s += "|---|" + String(repeating: "---|", count: r.scenarios.count) + "---|\n"
        for d in r.differences {
            s += "| `\(d.key)` | " + d.values.map(cell).joined(separator: " | ") + " | \(cell(d.note)) |\n"
        }
        return s
    }

    /// `compare.md`.
    public static func markdown(_ r: CompareReport) -> String {
        var s = "# Spikebar comparison: " + r.scenarios.map(\.scenario).joined(separator: " vs ") + "\n\n"
        for e in r.scenarios { s += "- `\(e.scenarioFile)` (\(e.scenario), digest `\(e.scenarioDigest)`), \(e.timing)\n" }
        s += "\nSame input, seed \(r.seed), \(r.inferences) inferences.\n"
        s += "\n## What differs\n\n" + differencesText(r) + "\n```\n" + table(r) + "```\n"
        if !r.pareto.isEmpty {
            s +=
                "\n## Pareto fronts\n\n"
                + r.pareto.map { f in
                    "- \(f.architecture): energy–latency: " + f.energyLatency.map { r.scenarios[$0].scenario }.joined(separator: ", ")
                        + (f.energyAccuracy.isEmpty
                            ? "" : "; energy–accuracy: " + f.energyAccuracy.map { r.scenarios[$0].scenario }.joined(separator: ", "))
                }.joined(separator: "\n") + "\n"
        }
        return s
    }

    /// `compare.html`: the table with exact values, grouped bars of energy and latency per architecture.
    /// `reports[k]`, when given, is the relative path of scenario `k`'s own report.html (linked from the page).
    public static func html(_ r: CompareReport, commandLine: String, reports: [String] = []) -> String {
        var page = HTMLPage(
            title: "Spikebar comparison: " + r.scenarios.map(\.scenario).joined(separator: " vs "),
            subtitle: [
                "Same input through \(r.scenarios.count) scenarios: \(r.inferences) inferences, seed \(r.seed). Ratios are to \(r.scenarios.first?.scenario ?? "the first scenario")."
            ])
        var header = [""] + r.scenarios.map(\.scenario)
        header[0] = "per inference (mean)"
        var rows: [[String]] = []
        for key in r.scenarios.first?.chip.map(\.key) ?? [] {
            rows.append([SVGChart.esc(key)] + r.scenarios.map { e in SVGChart.esc(e.chip.first { $0.key == key }?.value ?? "—") })
        }
        rows.append(["tiles"] + r.scenarios.map { "\($0.tiles)" })
        for (m, name) in r.architectures.enumerated() {
            for (q, unit) in [("energy", "J"), ("latency", "s"), ("area", "mm²")] {
                rows.append(
                    [SVGChart.esc("\(name) \(q)")]
                        + r.scenarios.map { e -> String in
                            guard m < e.architectures.count else { return "—" }
                            let a = e.architectures[m]
                            let (v, rt) =
                                q == "energy"
                                ? (a.energy, a.energyRatioToFirst)
                                : q == "latency" ? (a.latency, a.latencyRatioToFirst) : (a.area, a.areaRatioToFirst)
                            let text = unit == "mm²" ? Units.format(area: v) : Units.format(v, unit)
                            return HTMLPage.number(text, value: v, key: "\(e.scenario).\(name).\(q)") + " (" + SVGChart.esc(ratio(rt)) + ")"
                        })
            }
        }
        rows.append(["row reads"] + r.scenarios.map { Units.fixed($0.meanActivity.rowReads, significant: 4) })
        rows.append(["peak concurrent rows"] + r.scenarios.map { Units.fixed($0.meanActivity.peakConcurrentRows, significant: 3) })
        let labelled = r.scenarios.contains { $0.accuracy != nil }
        if labelled {
            rows.append(
                ["accuracy"]
                    + r.scenarios.enumerated().map { k, e in
                        e.accuracy.map { HTMLPage.number(Units.fixed($0 * 100, significant: 4) + " %", value: $0, key: "scenarios[\(k)].accuracy") }
                            ?? "—"
                    })
        }
        for (m, name) in r.architectures.enumerated() {
            rows.append(
                [SVGChart.esc("\(name) power / EDP")]
                    + r.scenarios.map { e in
                        m < e.architectures.count
                            ? SVGChart.esc("\(Units.format(e.architectures[m].power, "W")) / \(Units.format(e.architectures[m].edp, "J·s"))") : "—"
                    })
        }
        var body = HTMLPage.table(id: "table-compare", header: header, rows: rows)
        let groups = r.architectures
        let series = r.scenarios.map(\.scenario)
        // Ratios to the first scenario on a linear axis: architectures a thousand times apart would need a
        // log axis for absolute values, on which 1.03× and 1.26× look alike. Absolute values: the table.
        for (q, title) in [("energy", "Energy per inference"), ("latency", "Latency per inference")] {
            let values = groups.indices.map { m in
                r.scenarios.map { e -> Double in
                    guard m < e.architectures.count else { return 0 }
                    let x = q == "energy" ? e.architectures[m].energyRatioToFirst : e.architectures[m].latencyRatioToFirst
                    return x.isFinite ? x : 0
                }
            }
            let labels = values.map { $0.map { ratio($0) } }
            body += SVGChart.groupedBars(
                id: "chart-compare-\(q)",
                title: "\(title) relative to \(series.first ?? "the first scenario") (linear axis; absolute values in the table)",
                groups: groups, series: series, values: values, unit: "", quantity: "\(q) / \(q) of \(series.first ?? "first")", labels: labels,
                log: false)
        }
        if labelled {
            let acc = [r.scenarios.map { 100 * ($0.accuracy ?? 0) }]
            body += SVGChart.groupedBars(
                id: "chart-compare-accuracy", title: "Accuracy (\(r.inferences) labelled inputs)", groups: ["accuracy"], series: series,
                values: acc, unit: "", quantity: "accuracy (%)", labels: [acc[0].map { Units.fixed($0, significant: 3) + " %" }], log: false)
        }
        func scatter(_ y: (CompareReport.Entry, Int) -> Double?, front: (CompareReport.Front) -> [Int]) -> [SVGChart.ScatterSeries] {
            groups.enumerated().map { m, name in
                let idx = r.scenarios.indices.filter { m < r.scenarios[$0].architectures.count && y(r.scenarios[$0], m) != nil }
                let f = m < r.pareto.count ? front(r.pareto[m]) : []
                return SVGChart.ScatterSeries(
                    name: name, x: idx.map { r.scenarios[$0].architectures[m].energy }, y: idx.map { y(r.scenarios[$0], m) ?? 0 },
                    labels: idx.map { r.scenarios[$0].scenario }, front: idx.indices.filter { f.contains(idx[$0]) })
            }
        }
        var pareto = ""
        if labelled {
            pareto += SVGChart.paretoScatter(
                id: "chart-pareto-energy-accuracy", title: "Energy against accuracy, one point per scenario",
                series: scatter({ e, _ in e.accuracy.map { 100 * $0 } }, front: \.energyAccuracy),
                xLabel: "energy per inference", xUnit: "J", yLabel: "accuracy (%)", yUnit: "")
        }
        pareto += SVGChart.paretoScatter(
            id: "chart-pareto-energy-latency", title: "Energy against latency, one point per scenario",
            series: scatter({ e, m in e.architectures[m].latency }, front: \.energyLatency),
            xLabel: "energy per inference", xUnit: "J", yLabel: "streaming latency per inference", yUnit: "s")
        pareto += HTMLPage.table(
            id: "table-pareto", header: ["architecture", "energy–latency front", "energy–accuracy front"],
            rows: r.pareto.map { f in
                [
                    SVGChart.esc(f.architecture), SVGChart.esc(f.energyLatency.map { r.scenarios[$0].scenario }.joined(separator: ", ")),
                    SVGChart.esc(f.energyAccuracy.map { r.scenarios[$0].scenario }.joined(separator: ", ")),
                ]
            }, numeric: false)
        var diff =
            "<p>Keys of the resolved scenarios (defaults, device tables and command-line overrides applied) whose values differ, and what each run recalibrated.</p>"
        diff +=
            r.differences.isEmpty
            ? "<p>The resolved scenarios are identical (apart from their names).</p>"
            : HTMLPage.table(
                id: "table-differences", header: ["key"] + series.map(SVGChart.esc) + ["note"],
                rows: r.differences.map { d in ["<code>\(SVGChart.esc(d.key))</code>"] + d.values.map(SVGChart.esc) + [SVGChart.esc(d.note)] },
                numeric: false)
        page.sections = [
            HTMLSection(id: "differences", title: "What differs", body: diff),
            HTMLSection(id: "comparison", title: "Side by side", body: body),
            HTMLSection(
                id: "pareto", title: "Pareto fronts",
                intro: "A scenario is on an architecture's front when no other scenario is at least as good on both axes and better on one.",
                body: pareto),
        ]
        page.sections += [
            HTMLSection(
                id: "provenance", title: "Scenarios and command",
                body: "<pre id=\"command-line\">\(SVGChart.esc(commandLine))</pre>\n"
                    + HTMLPage.table(
                        header: ["scenario", "file", "digest", "report"],
                        rows: r.scenarios.enumerated().map { k, e in
                            [
                                SVGChart.esc(e.scenario), "<code>\(SVGChart.esc(e.scenarioFile))</code>", SVGChart.esc(e.scenarioDigest),
                                k < reports.count ? "<a href=\"\(SVGChart.esc(reports[k]))\">\(SVGChart.esc(reports[k]))</a>" : "—",
                            ]
                        }, numeric: false))
        ]
        return page.render()
    }
}
