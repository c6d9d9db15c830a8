import Foundation
import SpikebarCore

/// Small inline-SVG chart primitives for `report.html`: stacked and grouped bars, histogram, heat map,
/// raster, lines and points with error bars — each with axes, units, ticks and a legend, in the
/// Okabe–Ito palette (distinguishable with the common colour-vision deficiencies; Okabe & Ito 2008,
/// "Color Universal Design").
///
/// Every chart is one `<figure>` holding an `<svg>` whose `id` is the caller's, so that tests and
/// readers can find it; output is well-formed XML (no entities but the five predefined, every element
/// closed) and deterministic (coordinates printed with fixed decimals, no random ids).
///
/// ```swift
/// let svg = SVGChart.histogram(id: "chart-x", title: "x", edges: [0, 1, 2], counts: [3, 4],
///                              xLabel: "x", xUnit: "s", yLabel: "inferences")
/// ```
public enum SVGChart {
    /// Okabe–Ito colours, black last.
    public static let palette = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000"]

    /// One coloured part of a bar.
    public struct Segment: Sendable {
        public var name: String, value: Double, color: String
        public init(name: String, value: Double, color: String) { self.name = name; self.value = value; self.color = color }
    }

    /// One named series of (x, y) points, optionally with an error interval per point.
    public struct Series: Sendable {
        public var name: String
        public var x: [Double], y: [Double]
        /// Lower and upper ends of the error bar of each point (same count as `y`), or empty.
        public var low: [Double], high: [Double]
        public init(name: String, x: [Double], y: [Double], low: [Double] = [], high: [Double] = []) {
            self.name = name; self.x = x; self.y = y; self.low = low; self.high = high
        }
    }

    // MARK: - Scales

    /// A linear or logarithmic axis mapping `[lo, hi]` onto `[0, 1]`.
    public struct Scale: Sendable {
        public var lo: Double, hi: Double, log: Bool
        public init(lo: Double, hi: Double, log: Bool) {
            self.log = log
            if log {
                self.lo = lo > 0 ? lo : 1e-30
                self.hi = hi > self.lo ? hi : self.lo * 10
            } else {
                self.lo = lo
                self.hi = hi > lo ? hi : lo + 1
            }
        }

        /// Fraction of the axis at which `v` sits (clamped to [0, 1]).
        public func fraction(_ v: Double) -> Double {
            let f =
                log
                ? (Foundation.log10(Swift.max(v, lo)) - Foundation.log10(lo)) / (Foundation.log10(hi) - Foundation.log10(lo))
                : (v - lo) / (hi - lo)
            return Swift.min(1, Swift.max(0, f.isFinite ? f : 0))
        }

        /// Tick values: decades on a log axis, 1/2/5 steps on a linear one.
        public func ticks(_ target: Int = 5) -> [Double] {
            if log {
                let a = Int(Foundation.log10(lo).rounded(.up)), b = Int(Foundation.log10(hi).rounded(.down))
                guard a <= b else { return [lo, hi] }
                let stride = Swift.max(1, (b - a + 1 + 7) / 8)
                let decades = Swift.stride(from: a, through: b, by: stride).map { pow(10, Double($0)) }
                // Two decades or fewer: 2× and 5× ticks too, so that the axis can be read.
                if b - a <= 1 {
                    return Swift.stride(from: a - 1, through: b, by: 1).flatMap { d in [1.0, 2, 5].map { $0 * pow(10, Double(d)) } }
                        .filter { $0 >= lo * 0.999 && $0 <= hi * 1.001 }
                }
                return decades
            }
            let raw = (hi - lo) / Double(Swift.max(1, target))
            let mag = pow(10, (Foundation.log10(raw)).rounded(.down))
            let step = [1.0, 2, 5, 10].map { $0 * mag }.first { $0 >= raw } ?? 10 * mag
            var out: [Double] = []
            var v = (lo / step).rounded(.up) * step
            while v <= hi + step * 1e-9 && out.count < 50 { out.append(abs(v) < step * 1e-9 ? 0 : v); v += step }
            return out
        }

        /// A scale covering `values` (log when asked and every value is positive), starting at 0 when linear.
        public static func covering(_ values: [Double], log: Bool, includeZero: Bool = true) -> Scale {
            let finite = values.filter(\.isFinite)
            if log {
                let pos = finite.filter { $0 > 0 }
                let mn = pos.min() ?? 1e-12, mx = pos.max() ?? 1
                var a = Foundation.log10(mn).rounded(.down)
                if Foundation.log10(mn) - a < 0.15 { a -= 1 }  // keep the smallest bar visible
                return Scale(lo: pow(10, a), hi: pow(10, Foundation.log10(mx).rounded(.up)), log: true)
            }
            let mn = includeZero ? Swift.min(0, finite.min() ?? 0) : (finite.min() ?? 0)
            let mx = finite.max() ?? 1
            let pad = (mx - mn) * 0.05
            let s = Scale(lo: mn, hi: mx + (mx > mn ? pad : 1), log: false)
            let t = s.ticks()
            return Scale(lo: s.lo, hi: Swift.max(s.hi, t.last ?? s.hi), log: false)
        }
    }

    /// Whether values spanning `[min, max]` need a log axis (more than a factor 30 apart).
    public static func needsLog(_ values: [Double]) -> Bool {
        let pos = values.filter { $0 > 0 && $0.isFinite }
        guard let mn = pos.min(), let mx = pos.max() else { return false }
        return mx / mn > 30
    }

    // MARK: - Charts

    /// Vertical bars, one per category, each stacked from its segments; `labels` are written above the
    /// bars. On a log axis a bar's length is its total and its segments split that length in proportion
    /// to their values (stacking in log space would misstate shares); the axis title says so.
    public static func stackedBars(
        id: String, title: String, categories: [String], segments: [[Segment]],
        unit: String, quantity: String, labels: [String], log: Bool? = nil,
        legendNames: [String: String] = [:]
    ) -> String {
        let totals = segments.map { $0.reduce(0) { $0 + Swift.max(0, $1.value) } }
        let useLog = log ?? needsLog(totals)
        // Headroom above the tallest bar for its label.
        let scale = Scale.covering(totals + [(totals.max() ?? 0) * (useLog ? 4 : 1.15)], log: useLog)
        var p = Plot(id: id, title: title, width: 720, height: 380)
        if useLog { p.note = "Log scale: a bar's length is its total; its segments split that length in proportion to their values." }
        p.yAxis(scale, label: axisTitle(quantity, unit, log: useLog, stacked: true), unit: unit)
        let n = Double(Swift.max(1, categories.count))
        let slot = p.plotW / n, barW = Swift.min(120, slot * 0.55)
        for (k, cat) in categories.enumerated() {
            let x = p.left + slot * (Double(k) + 0.5) - barW / 2
            let total = totals[k]
            let barH = p.plotH * scale.fraction(total)
            var y = p.top + p.plotH
            for s in segments[k] where s.value > 0 && total > 0 {
                let h = barH * s.value / total
                y -= h
                p.body +=
                    "<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(barW))\" height=\"\(f(h))\" fill=\"\(s.color)\" stroke=\"#fff\" stroke-width=\"0.5\"><title>\(esc(cat)): \(esc(s.name)) \(esc(Units.format(s.value, unit))) (\(Units.fixed(s.value / total * 100, significant: 3)) %)</title></rect>"
            }
            if k < labels.count {
                p.body +=
                    "<text x=\"\(f(x + barW / 2))\" y=\"\(f(p.top + p.plotH - barH - 6))\" text-anchor=\"middle\" class=\"barlabel\">\(esc(labels[k]))</text>"
            }
            p.xCategory(cat, at: x + barW / 2)
        }
        // Legend: one entry per colour, named by the first segment that used it (callers colour by category
        // and name the legend through `legendNames`).
        var seen: [String] = []
        var items: [(String, String)] = []
        for s in segments.joined() where s.value > 0 && !seen.contains(s.color) {
            seen.append(s.color)
            items.append((legendNames[s.color] ?? s.name, s.color))
        }
        p.legend(items)
        return p.render()
    }

    /// Groups of side-by-side bars: `values[g][s]` is series `s` in group `g`; `labels[g][s]` above each bar.
    public static func groupedBars(
        id: String, title: String, groups: [String], series: [String], values: [[Double]],
        unit: String, quantity: String, labels: [[String]], log: Bool? = nil
    ) -> String {
        let all = values.flatMap { $0 }
        let useLog = log ?? needsLog(all)
        let scale = Scale.covering(all + [(all.max() ?? 0) * (useLog ? 4 : 1.15)], log: useLog)
        var p = Plot(id: id, title: title, width: 720, height: 380)
        p.yAxis(scale, label: axisTitle(quantity, unit, log: useLog, stacked: false), unit: unit)
        let slot = p.plotW / Double(Swift.max(1, groups.count))
        let barW = Swift.min(60, slot * 0.8 / Double(Swift.max(1, series.count)))
        for (g, name) in groups.enumerated() {
            let x0 = p.left + slot * (Double(g) + 0.5) - barW * Double(series.count) / 2
            for s in series.indices where s < values[g].count {
                let v = values[g][s]
                let h = p.plotH * scale.fraction(v)
                let x = x0 + barW * Double(s)
                p.body +=
                    "<rect x=\"\(f(x))\" y=\"\(f(p.top + p.plotH - h))\" width=\"\(f(barW * 0.92))\" height=\"\(f(h))\" fill=\"\(palette[s % palette.count])\"><title>\(esc(name)) / \(esc(series[s])): \(esc(Units.format(v, unit)))</title></rect>"
                if g < labels.count, s < labels[g].count {
                    p.body +=
                        "<text x=\"\(f(x + barW * 0.46))\" y=\"\(f(p.top + p.plotH - h - 5))\" text-anchor=\"middle\" class=\"small\">\(esc(labels[g][s]))</text>"
                }
            }
            p.xCategory(name, at: p.left + slot * (Double(g) + 0.5))
        }
        p.legend(series.enumerated().map { ($1, palette[$0 % palette.count]) })
        return p.render()
    }

    /// Histogram of counts over `edges` (`counts.count + 1` bin edges).
    public static func histogram(
        id: String, title: String, edges: [Double], counts: [Int], xLabel: String, xUnit: String,
        yLabel: String, logX: Bool = false, color: String = palette[0]
    ) -> String {
        var p = Plot(id: id, title: title, width: 720, height: 320)
        guard edges.count == counts.count + 1, let first = edges.first, let last = edges.last else {
            p.body += "<text x=\"\(f(p.left + 10))\" y=\"\(f(p.top + 30))\" class=\"small\">no data</text>"
            return p.render()
        }
        let xs = Scale(lo: first, hi: last, log: logX)
        let ys = Scale.covering(counts.map(Double.init), log: false)
        p.yAxis(ys, label: yLabel, unit: "")
        p.xAxis(xs, label: axisTitle(xLabel, xUnit, log: logX, stacked: false), unit: xUnit)
        for (k, c) in counts.enumerated() where c > 0 {
            let x0 = p.left + p.plotW * xs.fraction(edges[k]), x1 = p.left + p.plotW * xs.fraction(edges[k + 1])
            let h = p.plotH * ys.fraction(Double(c))
            p.body +=
                "<rect x=\"\(f(x0))\" y=\"\(f(p.top + p.plotH - h))\" width=\"\(f(Swift.max(0.5, x1 - x0 - 0.5)))\" height=\"\(f(h))\" fill=\"\(color)\"><title>\(esc(Units.format(edges[k], xUnit))) … \(esc(Units.format(edges[k + 1], xUnit))): \(c)</title></rect>"
        }
        return p.render()
    }

    /// A heat map: `counts[r][c]` with row and column labels, shaded by the fraction of the row's total
    /// (one sequential hue, readable in grey scale), each cell printing its count.
    public static func heatMap(
        id: String, title: String, rows: [String], columns: [String], counts: [[Int]],
        xLabel: String, yLabel: String
    ) -> String {
        let cellH = 18.0
        let height = 90 + cellH * Double(rows.count)
        var p = Plot(id: id, title: title, width: 720, height: height, left: 110)
        let cellW = p.plotW / Double(Swift.max(1, columns.count))
        for (r, name) in rows.enumerated() {
            let total = Swift.max(1, counts[r].reduce(0, +))
            let y = p.top + cellH * Double(r)
            p.body += "<text x=\"\(f(p.left - 6))\" y=\"\(f(y + cellH * 0.7))\" text-anchor=\"end\" class=\"small\">\(esc(name))</text>"
            for c in columns.indices {
                let v = c < counts[r].count ? counts[r][c] : 0
                let share = Double(v) / Double(total)
                // Light to dark blue; white text on the darker half.
                let light = Int((1 - share) * 200 + 40)
                let fill = String(format: "#%02x%02x%02x", Swift.min(255, light), Swift.min(255, light + 20), 255 - Int(share * 80))
                p.body +=
                    "<rect x=\"\(f(p.left + cellW * Double(c)))\" y=\"\(f(y))\" width=\"\(f(cellW - 1))\" height=\"\(f(cellH - 1))\" fill=\"\(v == 0 ? "#f4f4f4" : fill)\"><title>\(esc(name)), \(esc(columns[c])): \(v) (\(Units.fixed(share * 100, significant: 3)) %)</title></rect>"
                if v > 0 && cellW > 26 {
                    p.body +=
                        "<text x=\"\(f(p.left + cellW * (Double(c) + 0.5)))\" y=\"\(f(y + cellH * 0.7))\" text-anchor=\"middle\" class=\"tiny\" fill=\"\(share > 0.5 ? "#fff" : "#000")\">\(v)</text>"
                }
            }
        }
        for (c, name) in columns.enumerated() {
            p.body +=
                "<text x=\"\(f(p.left + cellW * (Double(c) + 0.5)))\" y=\"\(f(p.top + cellH * Double(rows.count) + 14))\" text-anchor=\"middle\" class=\"small\">\(esc(name))</text>"
        }
        p.body +=
            "<text x=\"\(f(p.left + p.plotW / 2))\" y=\"\(f(p.top + cellH * Double(rows.count) + 34))\" text-anchor=\"middle\" class=\"axis\">\(esc(xLabel))</text>"
        p.body += "<text x=\"14\" y=\"\(f(p.top - 10))\" class=\"axis\">\(esc(yLabel))</text>"
        return p.render()
    }

    /// Spike raster: one panel per population (neuron index against time), `window` seconds wide.
    public static func raster(
        id: String, title: String, populations: [(name: String, size: Int, times: [Double], neurons: [Int])],
        window: Double
    ) -> String {
        let heights = populations.map { Swift.min(160, Swift.max(40, 20 * Foundation.log2(Double(Swift.max(2, $0.size))))) }
        let gap = 14.0
        let total = heights.reduce(0, +) + gap * Double(Swift.max(0, populations.count - 1))
        var p = Plot(id: id, title: title, width: 720, height: total + 90, left: 110)
        p.plotH = total
        let xs = Scale(lo: 0, hi: window * 1e3, log: false)
        var y = p.top
        for (k, pop) in populations.enumerated() {
            let h = heights[k]
            let rowH = Swift.max(0.6, h / Double(Swift.max(1, pop.size)))
            p.body += "<rect x=\"\(f(p.left))\" y=\"\(f(y))\" width=\"\(f(p.plotW))\" height=\"\(f(h))\" fill=\"#fafafa\" stroke=\"#ccc\"/>"
            p.body += "<text x=\"\(f(p.left - 6))\" y=\"\(f(y + h / 2))\" text-anchor=\"end\" class=\"small\">\(esc(pop.name))</text>"
            p.body += "<text x=\"\(f(p.left - 6))\" y=\"\(f(y + h / 2 + 13))\" text-anchor=\"end\" class=\"tiny\">\(pop.size) neurons</text>"
            var d = ""
            for (t, i) in zip(pop.times, pop.neurons) {
                let x = p.left + p.plotW * xs.fraction(t * 1e3)
                let yy = y + h - (Double(i) + 0.5) * h / Double(Swift.max(1, pop.size))
                d += "M\(f(x)) \(f(yy))h2.4"
            }
            if !d.isEmpty {
                p.body +=
                    "<path d=\"\(d)\" stroke=\"\(palette[k % palette.count])\" stroke-width=\"\(f(Swift.max(2.2, rowH)))\" fill=\"none\"><title>\(esc(pop.name)): \(pop.times.count) spikes</title></path>"
            }
            y += h + gap
        }
        p.xAxis(xs, label: "time within the inference (ms)", unit: "")
        return p.render()
    }

    /// Lines (optionally with markers and error bars) on linear or log axes.
    public static func lines(
        id: String, title: String, series: [Series], xLabel: String, xUnit: String, yLabel: String,
        yUnit: String, logX: Bool = false, logY: Bool = false, markers: Bool = false
    ) -> String {
        var p = Plot(id: id, title: title, width: 720, height: 340)
        let xsAll = series.flatMap(\.x), ysAll = series.flatMap { $0.y + $0.low + $0.high }
        let xs = logX ? Scale.covering(xsAll, log: true) : Scale(lo: xsAll.min() ?? 0, hi: xsAll.max() ?? 1, log: false)
        let ys = Scale.covering(ysAll, log: logY)
        p.yAxis(ys, label: axisTitle(yLabel, yUnit, log: logY, stacked: false), unit: yUnit)
        p.xAxis(xs, label: axisTitle(xLabel, xUnit, log: logX, stacked: false), unit: xUnit)
        for (k, s) in series.enumerated() {
            let color = palette[k % palette.count]
            func px(_ v: Double) -> Double { p.left + p.plotW * xs.fraction(v) }
            func py(_ v: Double) -> Double { p.top + p.plotH * (1 - ys.fraction(v)) }
            let pts = zip(s.x, s.y).map { "\(f(px($0))),\(f(py($1)))" }.joined(separator: " ")
            p.body +=
                "<polyline points=\"\(pts)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"\(k % 2 == 1 ? " stroke-dasharray=\"6 3\"" : "")/>"
            for n in s.x.indices where n < s.y.count {
                if n < s.low.count, n < s.high.count {
                    p.body +=
                        "<line x1=\"\(f(px(s.x[n])))\" x2=\"\(f(px(s.x[n])))\" y1=\"\(f(py(s.low[n])))\" y2=\"\(f(py(s.high[n])))\" stroke=\"\(color)\" stroke-width=\"1.5\"/>"
                    for e in [s.low[n], s.high[n]] {
                        p.body +=
                            "<line x1=\"\(f(px(s.x[n]) - 4))\" x2=\"\(f(px(s.x[n]) + 4))\" y1=\"\(f(py(e)))\" y2=\"\(f(py(e)))\" stroke=\"\(color)\" stroke-width=\"1.5\"/>"
                    }
                }
                if markers {
                    p.body +=
                        "<circle cx=\"\(f(px(s.x[n])))\" cy=\"\(f(py(s.y[n])))\" r=\"3.5\" fill=\"\(color)\"><title>\(esc(s.name)): \(esc(Units.format(s.x[n], xUnit))) → \(esc(Units.format(s.y[n], yUnit)))</title></circle>"
                }
            }
        }
        p.legend(series.enumerated().map { ($1.name, palette[$0 % palette.count]) })
        return p.render()
    }

    /// Accuracy (or any score) against a swept parameter: mean per point with an error bar from the
    /// spread over chip samples (`low`/`high`, e.g. min–max or mean ± std; say which in `yLabel`).
    public static func accuracyVsParameter(
        id: String, title: String, series: [Series], parameter: String, unit: String,
        yLabel: String = "accuracy (%, mean; bars: spread over chip samples)",
        logX: Bool = false
    ) -> String {
        lines(
            id: id, title: title, series: series, xLabel: parameter, xUnit: unit, yLabel: yLabel, yUnit: "",
            logX: logX, markers: true)
    }

    // MARK: - Helpers

    static func axisTitle(_ quantity: String, _ unit: String, log: Bool, stacked: Bool) -> String {
        var s = quantity + (unit.isEmpty ? "" : " (\(unit))")
        if log { s += ", log scale" }
        return s
    }

    /// Fixed one-decimal coordinates: deterministic and compact.
    static func f(_ x: Double) -> String { String(format: "%.1f", x.isFinite ? x : 0) }

    /// XML text/attribute escaping.
    public static func esc(_ s: String) -> String {
        var o = ""
        o.reserveCapacity(s.count)
        for ch in s {
            switch ch {
            case "&": o += "&amp;"
            case "<": o += "&lt;"
            case ">": o += "&gt;"
            case "\"": o += "&quot;"
            case "'": o += "&#39;"
            default: o.append(ch)
            }
        }
        return o
    }

    /// Tick text: SI-prefixed with the unit when there is one, plain otherwise.
    static func tickText(_ v: Double, unit: String) -> String {
        if unit.isEmpty {
            if v == 0 { return "0" }
            let a = abs(v)
            if a >= 1e6 || a < 1e-2 { return String(format: "%.1e", v) }
            return a >= 10 ? String(format: "%.0f", v) : String(format: "%g", (v * 1000).rounded() / 1000)
        }
        if v == 0 { return "0 \(unit)" }
        let (scale, prefix) = Units.prefixes.first { abs(v) >= $0.0 * 0.9995 } ?? (1e-18, "a")
        return String(format: "%g", (v / scale * 1000).rounded() / 1000) + " " + prefix + unit
    }

    /// The drawing area of one chart and the SVG text accumulated for it.
    struct Plot {
        let id: String, title: String
        let width: Double, height: Double
        let left: Double, right = 24.0, top = 48.0
        var plotH: Double
        var body = ""
        /// A smaller line under the title (scale notes).
        var note = ""
        var plotW: Double { width - left - right }

        init(id: String, title: String, width: Double, height: Double, left: Double = 86) {
            self.id = id; self.title = title; self.width = width; self.height = height; self.left = left
            plotH = height - top - 70
        }

        mutating func yAxis(_ s: Scale, label: String, unit: String) {
            for t in s.ticks() {
                let y = top + plotH * (1 - s.fraction(t))
                body += "<line x1=\"\(f(left))\" x2=\"\(f(left + plotW))\" y1=\"\(f(y))\" y2=\"\(f(y))\" class=\"grid\"/>"
                body += "<text x=\"\(f(left - 6))\" y=\"\(f(y + 4))\" text-anchor=\"end\" class=\"small\">\(esc(tickText(t, unit: unit)))</text>"
            }
            body += "<line x1=\"\(f(left))\" x2=\"\(f(left))\" y1=\"\(f(top))\" y2=\"\(f(top + plotH))\" class=\"axisline\"/>"
            body += "<line x1=\"\(f(left))\" x2=\"\(f(left + plotW))\" y1=\"\(f(top + plotH))\" y2=\"\(f(top + plotH))\" class=\"axisline\"/>"
            body +=
                "<text x=\"14\" y=\"\(f(top + plotH / 2))\" transform=\"rotate(-90 14 \(f(top + plotH / 2)))\" text-anchor=\"middle\" class=\"axis\">\(esc(label))</text>"
        }

        mutating func xAxis(_ s: Scale, label: String, unit: String) {
            for t in s.ticks(8) {
                let x = left + plotW * s.fraction(t)
                body += "<line x1=\"\(f(x))\" x2=\"\(f(x))\" y1=\"\(f(top + plotH))\" y2=\"\(f(top + plotH + 5))\" class=\"axisline\"/>"
                body +=
                    "<text x=\"\(f(x))\" y=\"\(f(top + plotH + 18))\" text-anchor=\"middle\" class=\"small\">\(esc(tickText(t, unit: unit)))</text>"
            }
            body += "<line x1=\"\(f(left))\" x2=\"\(f(left + plotW))\" y1=\"\(f(top + plotH))\" y2=\"\(f(top + plotH))\" class=\"axisline\"/>"
            body += "<text x=\"\(f(left + plotW / 2))\" y=\"\(f(top + plotH + 40))\" text-anchor=\"middle\" class=\"axis\">\(esc(label))</text>"
        }

        mutating func xCategory(_ name: String, at x: Double) {
            body += "<text x=\"\(f(x))\" y=\"\(f(top + plotH + 20))\" text-anchor=\"middle\" class=\"cat\">\(esc(name))</text>"
        }

        mutating func legend(_ items: [(String, String)]) {
            var x = left
            var y = height - 16
            let rows = items.reduce((1, left)) { acc, item in
                let w = 28 + Double(item.0.count) * 6.5
                return acc.1 + w > width - right ? (acc.0 + 1, left + w) : (acc.0, acc.1 + w)
            }.0
            y -= Double(rows - 1) * 16
            for (name, color) in items {
                if x + 28 + Double(name.count) * 6.5 > width - right && x > left { x = left; y += 16 }
                body += "<rect x=\"\(f(x))\" y=\"\(f(y - 10))\" width=\"12\" height=\"12\" fill=\"\(color)\"/>"
                body += "<text x=\"\(f(x + 16))\" y=\"\(f(y))\" class=\"small\">\(esc(name))</text>"
                x += 28 + Double(name.count) * 6.5
            }
        }

        func render() -> String {
            // A title longer than the chart is squeezed to fit rather than clipped.
            let room = width - left - 8
            let fit = Double(title.count) * 8.3 > room ? " textLength=\"\(f(room))\" lengthAdjust=\"spacingAndGlyphs\"" : ""
            let noteText = note.isEmpty ? "" : "<text x=\"\(f(left))\" y=\"38\" class=\"small\">\(esc(note))</text>"
            return
                "<figure><svg id=\"\(esc(id))\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(f(width)) \(f(height))\" width=\"\(f(width))\" height=\"\(f(height))\" role=\"img\" aria-label=\"\(esc(title))\"><text x=\"\(f(left))\" y=\"22\" class=\"title\"\(fit)>\(esc(title))</text>\(noteText)\(body)</svg></figure>"
        }
    }
}
