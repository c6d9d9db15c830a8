import Foundation
import SpikebarCore

extension SVGChart {
    /// The points of one architecture on a Pareto chart: coordinates, a label per point (its settings)
    /// and the indices of its Pareto front (`ParetoFront.indices`).
    public struct ScatterSeries: Sendable {
        public var name: String
        public var x: [Double], y: [Double]
        public var labels: [String]
        public var front: [Int]
        public init(name: String, x: [Double], y: [Double], labels: [String], front: [Int]) {
            self.name = name; self.x = x; self.y = y; self.labels = labels; self.front = front
        }
    }

    /// A scatter of design points, one colour per series (architecture), each series' Pareto front
    /// drawn as a line through its front points (sorted by x) with ringed markers. Log axes when the
    /// values span more than a factor 30 (the axis title says so).
    /// With `annotate`, each front point is labelled with its settings (for one architecture's chart).
    /// `colorOffset` keeps an architecture's colour when its series is drawn alone.
    public static func paretoScatter(
        id: String, title: String, series: [ScatterSeries], xLabel: String, xUnit: String,
        yLabel: String, yUnit: String, annotate: Bool = false, colorOffset: Int = 0
    ) -> String {
        var p = Plot(id: id, title: title, width: 720, height: 400)
        let xsAll = series.flatMap(\.x).filter(\.isFinite), ysAll = series.flatMap(\.y).filter(\.isFinite)
        let logX = needsLog(xsAll), logY = needsLog(ysAll)
        func padded(_ v: [Double], log: Bool) -> Scale {
            guard let lo = v.min(), let hi = v.max() else { return Scale(lo: 0, hi: 1, log: false) }
            if log { return Scale.covering(v, log: true) }
            let pad = hi > lo ? (hi - lo) * 0.08 : Swift.max(abs(hi) * 0.05, 1e-30)
            return Scale(lo: lo - pad, hi: hi + pad, log: false)
        }
        let xs = padded(xsAll, log: logX), ys = padded(ysAll, log: logY)
        p.note = "Filled: every design point; ringed and joined: the Pareto front of each architecture."
        p.yAxis(ys, label: axisTitle(yLabel, yUnit, log: logY, stacked: false), unit: yUnit)
        p.xAxis(xs, label: axisTitle(xLabel, xUnit, log: logX, stacked: false), unit: xUnit)
        func px(_ v: Double) -> Double { p.left + p.plotW * xs.fraction(v) }
        func py(_ v: Double) -> Double { p.top + p.plotH * (1 - ys.fraction(v)) }
        func value(_ v: Double, _ unit: String) -> String { unit.isEmpty ? Units.fixed(v, significant: 4) : Units.format(v, unit) }
        for (k, s) in series.enumerated() {
            let color = palette[(k + colorOffset) % palette.count]
            let front = s.front.filter { $0 < s.x.count && $0 < s.y.count }.sorted { s.x[$0] < s.x[$1] }
            if front.count > 1 {
                let pts = front.map { "\(f(px(s.x[$0]))),\(f(py(s.y[$0])))" }.joined(separator: " ")
                p.body +=
                    "<polyline points=\"\(pts)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.5\"\(k % 2 == 1 ? " stroke-dasharray=\"6 3\"" : "")/>"
            }
            for n in s.x.indices where n < s.y.count && s.x[n].isFinite && s.y[n].isFinite {
                let label = n < s.labels.count ? s.labels[n] : ""
                let onFront = front.contains(n)
                p.body +=
                    "<circle cx=\"\(f(px(s.x[n])))\" cy=\"\(f(py(s.y[n])))\" r=\"3.5\" fill=\"\(color)\"\(onFront ? " class=\"pareto\"" : "")><title>\(esc(s.name)) \(esc(label)): \(esc(value(s.x[n], xUnit))), \(esc(value(s.y[n], yUnit)))\(onFront ? " (Pareto front)" : "")</title></circle>"
                if onFront {
                    p.body +=
                        "<circle cx=\"\(f(px(s.x[n])))\" cy=\"\(f(py(s.y[n])))\" r=\"7\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.5\"/>"
                    // One label per position: front points that coincide (equal figures) share it.
                    let same = front.filter { f(px(s.x[$0])) == f(px(s.x[n])) && f(py(s.y[$0])) == f(py(s.y[n])) }
                    if annotate, same.first == n, !label.isEmpty {
                        let text = same.count > 1 ? "\(label) (+\(same.count - 1) equal)" : label
                        p.body += "<text x=\"\(f(px(s.x[n]) + 9))\" y=\"\(f(py(s.y[n]) - 8))\" class=\"tiny\">\(esc(text))</text>"
                    }
                }
            }
        }
        p.legend(series.enumerated().map { ($1.name, palette[($0 + colorOffset) % palette.count]) })
        return p.render()
    }
}
