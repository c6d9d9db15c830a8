import Foundation
import SpikebarCore
import SpikebarCost

/// Text renderings of a `RunReport`: the terminal table, `report.md` and `report.json`.
public enum ReportRenderer {
    /// `report.json`: sorted keys, so equal reports are equal bytes. A ratio to a zero reference (no
    /// input at all: the crossbar spends nothing) is infinite, which JSON cannot hold: written "inf".
    public static func json(_ r: RunReport) throws -> Data {
        let enc = JSONEncoder.spikebar(pretty: true)
        enc.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try enc.encode(r)
    }

    /// The side-by-side table printed by `spikebar run`, under the comparison's assumptions.
    public static func table(_ r: RunReport) -> String {
        var rows: [[String]] = []
        rows.append(["per inference"] + r.architectures.map(\.label))
        guard let first = r.inferences.first else { return "no inference" }
        func line(_ title: String, _ f: (ArchitectureSummary) -> String) { rows.append([title] + r.architectures.map(f)) }
        func ratio(_ x: Double) -> String { x.isFinite ? Units.fixed(x, significant: 3) + "×" : "—" }
        let reference = r.architectures.first?.architecture ?? "rram-snn"
        line("energy, inference #\(first.sample)") { Units.format($0.firstInference.totalEnergy, "J") }
        line("energy, mean of \(r.inferences.count)") { Units.format($0.energy.mean, "J") }
        line("energy p50 / p95") { "\(Units.format($0.energy.p50, "J")) / \(Units.format($0.energy.p95, "J"))" }
        line("  ratio to \(reference)") { ratio($0.energyRatioToRRAM) }
        line("  dynamic / static") { "\(Units.format($0.meanBreakdown.dynamicEnergy, "J")) / \(Units.format($0.meanBreakdown.staticEnergy, "J"))" }
        line("  energy sourced (phys+H+M)") { Units.fixed($0.confidence.sourced * 100, significant: 3) + " %" }
        line("latency, streaming (mean)") { Units.format($0.latency.mean, "s") }
        line("  ratio to \(reference)") { ratio($0.latencyRatioToRRAM) }
        line("latency, compute (mean)") { Units.format($0.computeLatency.mean, "s") }
        line("  ratio to \(reference)") { ratio($0.computeLatencyRatioToRRAM) }
        line("mean power over window") { $0.meanPower.map { Units.format($0, "W") } ?? "—" }
        line("energy-delay (streaming)") { Units.format($0.energyDelayProduct, "J·s") }
        line("throughput, buffered") { $0.throughput.map { Units.fixed($0, significant: 3) + "/s" } ?? "—" }
        line("area") { Units.format(area: $0.area) }
        var out = ""
        if !r.assumptions.isEmpty {
            out += "What this comparison assumes:\n" + r.assumptions.map { "  - \($0)\n" }.joined() + "\n"
        }
        out += format(rows)
        out +=
            "\nEnergy breakdown (mean per inference; confidence of each price: physics, H read in source, M second-hand, S scenario, A assumption, U unverified):\n"
        for a in r.architectures {
            out += "  \(a.architecture):\n"
            for c in a.meanBreakdown.energy where c.value > 0 || c.count > 0 {
                let share = a.meanBreakdown.totalEnergy > 0 ? c.value / a.meanBreakdown.totalEnergy * 100 : 0
                out +=
                    "    \(pad(c.name, 42)) \(pad(Units.format(c.value, "J"), 12)) \(pad(Units.fixed(share, significant: 3) + " %", 9)) \(pad(c.confidence.rawValue, 8)) \(c.kind == .static ? "static" : "")\n"
            }
            out += "    \(pad("energy by confidence", 42)) \(a.confidence.summary)\n"
            out += "    latency bases: \(a.latencyBasisNote)\n"
            for n in a.meanBreakdown.notes { out += "    note: \(n)\n" }
        }
        let m = r.meanActivity
        out += "\nMeasured activity (mean per inference; every ratio above depends on it):\n"
        var act: [[String]] = [["", "mean", "inference #\(first.sample)"]]
        let f = first.activity
        act.append(["spikes (all populations)", Units.fixed(m.spikes, significant: 4), "\(Int(f.spikes))"])
        for (k, p) in r.populations.enumerated() {
            act.append([
                "  \(p.name) (\(p.size)) rate", Units.fixed(m.meanRatePerLayer[k], significant: 3) + " Hz",
                Units.fixed(f.meanRatePerLayer[k], significant: 3) + " Hz",
            ])
        }
        act.append(["row reads", Units.fixed(m.rowReads, significant: 4), "\(Int(f.rowReads))"])
        act.append([
            "rows active per step", Units.fixed(m.rowActivityPerStep * 100, significant: 3) + " %",
            Units.fixed(f.rowActivityPerStep * 100, significant: 3) + " %",
        ])
        act.append(["synaptic events", Units.fixed(m.synapticEvents, significant: 4), "\(Int(f.synapticEvents))"])
        act.append(["cells read", Units.fixed(m.cellReads, significant: 4), "\(Int(f.cellReads))"])
        act.append(["peak concurrent rows / tile", Units.fixed(m.peakConcurrentRows, significant: 3), "\(Int(f.peakConcurrentRows))"])
        act.append([
            "decision time", m.decisionTime.map { Units.format(seconds: $0) } ?? "—", f.decisionTime.map { Units.format(seconds: $0) } ?? "—",
        ])
        out += format(act)
        if let p = r.programming {
            out += "\n" + programmingLine(p) + "\n"
        }
        if let acc = r.accuracy {
            out +=
                "\nAccuracy over \(r.inferences.count) labelled inferences: \(Units.fixed(acc * 100, significant: 3)) % (weights: \(r.weightSource))\n"
        }
        return out
    }

    /// `report.md`.
    public static func markdown(_ r: RunReport) -> String {
        var s = "# Spikebar report: \(r.scenario)\n\n"
        s += "- scenario file: `\(r.scenarioFile)` (digest `\(r.scenarioDigest)`), seed \(r.seed)\n"
        s += "- timing: \(r.timing), window \(Units.format(seconds: r.window)), step for time-stepped baselines \(Units.format(seconds: r.dt))\n"
        s += "- network: " + r.populations.map { "\($0.name) \($0.size)" }.joined(separator: " → ") + ", on \(r.tiles) crossbar tiles\n"
        s +=
            r.synapseGains.isEmpty
            ? "- weights: \(r.weightSource)\n"
            : "- weights: \(r.weightSource); DPI gain per layer: " + r.synapseGains.map { Units.fixed($0, significant: 4) }.joined(separator: ", ")
                + " (\(r.gainSource))\n"
        s += "- inferences: \(r.inferences.count)\n"
        if let p = r.programming { s += "- " + programmingLine(p) + "\n" }
        s += "\n"
        if !r.assumptions.isEmpty {
            s += "## What this comparison assumes\n\n" + r.assumptions.map { "- \($0)\n" }.joined() + "\n"
        }
        s += "## Side by side\n\n```\n" + table(r) + "```\n\n"
        s += "## Cost breakdown of inference #\(r.inferences.first?.sample ?? 0)\n\n"
        for a in r.architectures {
            s += "### \(a.label)\n\n| component | kind | confidence | events | energy |\n|---|---|---|---:|---:|\n"
            for c in a.firstInference.energy {
                s +=
                    "| \(c.name) | \(c.kind.rawValue) | \(c.confidence.rawValue) | \(Units.fixed(c.count, significant: 6)) | \(Units.format(c.value, "J")) |\n"
            }
            s += "| **total** | | \(a.firstInference.confidence.summary) | | **\(Units.format(a.firstInference.totalEnergy, "J"))** |\n\n"
            s += "Latency bases: \(a.latencyBasisNote)\n\n"
            s += "| streaming latency component | value |\n|---|---:|\n"
            for c in a.firstInference.latency { s += "| \(c.name) | \(Units.format(c.value, "s")) |\n" }
            s += "\n| compute latency component | value |\n|---|---:|\n"
            for c in a.firstInference.computeLatency { s += "| \(c.name) | \(Units.format(c.value, "s")) |\n" }
            s += "\n| area component | count | value |\n|---|---:|---:|\n"
            for c in a.firstInference.area { s += "| \(c.name) | \(Units.fixed(c.count, significant: 6)) | \(Units.format(area: c.value)) |\n" }
            if !a.firstInference.notes.isEmpty {
                s += "\nNotes:\n" + a.firstInference.notes.map { "- \($0)\n" }.joined()
            }
            s += "\n"
        }
        s +=
            "## Inferences\n\n| sample | label | predicted | spikes | row reads | "
            + r.architectures.map { "\($0.architecture) energy" }.joined(separator: " | ") + " |\n"
        s += "|---:|---:|---:|---:|---:|" + r.architectures.map { _ in "---:|" }.joined() + "\n"
        for i in r.inferences {
            s +=
                "| \(i.sample) | \(i.label.map(String.init) ?? "—") | \(i.predictedClass.map(String.init) ?? "—") | \(Int(i.activity.spikes)) | \(Int(i.activity.rowReads)) | "
            s += i.energy.map { Units.format($0, "J") }.joined(separator: " | ") + " |\n"
        }
        return s
    }

    /// One-time programming cost and the inference count at which inference energy catches up with it.
    static func programmingLine(_ p: ProgrammingSummary) -> String {
        var s = "Programming (once, before inference): \(p.cells) cells, \(p.pulses) write pulses, \(Units.format(p.energy, "J"))"
        if p.failures > 0 { s += ", \(p.failures) cells out of tolerance" }
        if let b = p.breakEvenInferences { s += "; equals the RRAM-SNN inference energy of \(Units.fixed(b, significant: 3)) inferences" }
        return s
    }

    static func pad(_ s: String, _ n: Int) -> String {
        let c = s.count
        return c >= n ? s : s + String(repeating: " ", count: n - c)
    }

    static func format(_ rows: [[String]]) -> String {
        guard let cols = rows.map(\.count).max() else { return "" }
        var widths = [Int](repeating: 0, count: cols)
        for r in rows { for (k, c) in r.enumerated() { widths[k] = max(widths[k], c.count) } }
        var out = ""
        for (n, r) in rows.enumerated() {
            out += r.enumerated().map { k, c in pad(c, widths[k]) }.joined(separator: "  ") + "\n"
            if n == 0 { out += widths.map { String(repeating: "─", count: $0) }.joined(separator: "  ") + "\n" }
        }
        return out
    }
}
