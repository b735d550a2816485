import Foundation

/// Convergence curves as an SVG picture, written by blomodel itself (`--plot FILE.svg`): the
/// leader's objective, and the projected hypergradient and the follower's stationarity on a
/// log scale, against the iteration. The same trace gives the same bytes.
public struct ConvergencePlot {
    public struct Series {
        public var label: String
        public var color: String
        public var points: [(Double, Double)]
        public init(label: String, color: String, points: [(Double, Double)]) {
            self.label = label
            self.color = color
            self.points = points
        }
    }

    public struct Panel {
        public var title: String
        public var logScale: Bool
        public var series: [Series]
        public init(title: String, logScale: Bool, series: [Series]) {
            self.title = title
            self.logScale = logScale
            self.series = series
        }
    }

    public var title: String
    public var xLabel: String
    public var panels: [Panel]
    public var width = 720.0
    public var panelHeight = 260.0

    public init(title: String, xLabel: String, panels: [Panel]) {
        self.title = title
        self.xLabel = xLabel
        self.panels = panels
    }

    /// The picture.
    public var svg: String {
        let left = 80.0, right = 24.0, top = 40.0, gap = 56.0
        let height = top + Double(panels.count) * (panelHeight + gap)
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(f(width))\" height=\"\(f(height))\" viewBox=\"0 0 \(f(width)) \(f(height))\" font-family=\"sans-serif\" font-size=\"12\">\n"
        s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        s += "<text x=\"\(f(width / 2))\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">\(escape(title))</text>\n"
        for (k, panel) in panels.enumerated() {
            let y0 = top + Double(k) * (panelHeight + gap)
            let plotW = width - left - right, plotH = panelHeight - 30
            let transformed = panel.series.map { series in
                series.points.compactMap { (x, y) -> (Double, Double)? in
                    guard x.isFinite, y.isFinite else { return nil }
                    if panel.logScale { return y > 0 ? (x, log10(y)) : nil }
                    return (x, y)
                }
            }
            let all = transformed.flatMap { $0 }
            s += "<text x=\"\(f(left))\" y=\"\(f(y0 + 4))\" font-size=\"13\">\(escape(panel.title))</text>\n"
            s += "<rect x=\"\(f(left))\" y=\"\(f(y0 + 12))\" width=\"\(f(plotW))\" height=\"\(f(plotH))\" fill=\"none\" stroke=\"#888\"/>\n"
            guard let xMin = all.map(\.0).min(), let xMax = all.map(\.0).max(), var yMin = all.map(\.1).min(), var yMax = all.map(\.1).max()
            else {
                s += "<text x=\"\(f(left + plotW / 2))\" y=\"\(f(y0 + 12 + plotH / 2))\" text-anchor=\"middle\" fill=\"#888\">no finite values</text>\n"
                continue
            }
            if yMax - yMin < 1e-12 * max(1, abs(yMax)) { yMin -= 0.5; yMax += 0.5 }
            let xSpan = max(xMax - xMin, 1)
            func px(_ x: Double) -> Double { left + (x - xMin) / xSpan * plotW }
            func py(_ y: Double) -> Double { y0 + 12 + plotH - (y - yMin) / (yMax - yMin) * plotH }
            // Axis ticks: five on each axis.
            for i in 0...4 {
                let yv = yMin + Double(i) / 4 * (yMax - yMin)
                let label = panel.logScale ? String(format: "%.2g", pow(10, yv)) : String(format: "%.6g", yv)
                s += "<line x1=\"\(f(left - 4))\" y1=\"\(f(py(yv)))\" x2=\"\(f(left))\" y2=\"\(f(py(yv)))\" stroke=\"#888\"/>"
                s += "<text x=\"\(f(left - 6))\" y=\"\(f(py(yv) + 4))\" text-anchor=\"end\">\(label)</text>\n"
                let xv = xMin + Double(i) / 4 * xSpan
                s += "<text x=\"\(f(px(xv)))\" y=\"\(f(y0 + 12 + plotH + 16))\" text-anchor=\"middle\">\(String(format: "%.0f", xv))</text>\n"
            }
            s += "<text x=\"\(f(left + plotW / 2))\" y=\"\(f(y0 + 12 + plotH + 30))\" text-anchor=\"middle\">\(escape(xLabel))</text>\n"
            for (series, points) in zip(panel.series, transformed) where !points.isEmpty {
                let path = points.map { "\(f(px($0.0))),\(f(py($0.1)))" }.joined(separator: " ")
                s += "<polyline fill=\"none\" stroke=\"\(series.color)\" stroke-width=\"1.6\" points=\"\(path)\"/>\n"
            }
            for (i, series) in panel.series.enumerated() {
                let lx = left + plotW - 210, ly = y0 + 28 + Double(i) * 16
                s += "<line x1=\"\(f(lx))\" y1=\"\(f(ly - 4))\" x2=\"\(f(lx + 20))\" y2=\"\(f(ly - 4))\" stroke=\"\(series.color)\" stroke-width=\"2\"/>"
                s += "<text x=\"\(f(lx + 26))\" y=\"\(f(ly))\">\(escape(series.label))</text>\n"
            }
        }
        return s + "</svg>\n"
    }

    private func f(_ v: Double) -> String { String(format: "%.2f", v) }

    private func escape(_ t: String) -> String {
        t.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}

extension GradientSummary {
    /// The run's convergence curves (`--plot`): the leader's objective, and the projected
    /// hypergradient and the follower's stationarity on a log scale, by iteration.
    public func plot(model: String) -> ConvergencePlot {
        let it = trace.map { Double($0.iteration) }
        return ConvergencePlot(
            title: "\(model): \(method), \(iterations) iteration(s), \(stop)", xLabel: "leader iteration",
            panels: [
                .init(
                    title: "leader objective", logScale: false,
                    series: [.init(label: "leader objective", color: "#1f77b4", points: Array(zip(it, trace.map(\.leaderObjective))))]),
                .init(
                    title: "stationarity (log scale)", logScale: true,
                    series: [
                        .init(label: "projected hypergradient", color: "#d62728", points: Array(zip(it, trace.map(\.stationarity)))),
                        .init(label: "follower stationarity", color: "#2ca02c", points: Array(zip(it, trace.map(\.followerStationarity)))),
                    ]),
            ])
    }
}
