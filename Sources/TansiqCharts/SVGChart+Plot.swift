import Foundation

extension SVGChart {
    /// One point of a plotted line: its value, and optionally the spread it summarises (the
    /// lowest and highest over seeds) and the values themselves (one dot each).
    public struct Point: Sendable {
        public var x: Double
        public var y: Double
        public var low: Double?
        public var high: Double?
        public var values: [Double]
        public init(x: Double, y: Double, low: Double? = nil, high: Double? = nil, values: [Double] = []) {
            self.x = x
            self.y = y
            self.low = low
            self.high = high
            self.values = values
        }
    }

    /// How a series is drawn: a line through its points (with its band where points have a
    /// spread), or bars each covering `[x, x + 1)` (counts per period).
    public enum Style: Sendable {
        case line
        case bars
    }

    /// One plotted series: its name in the legend, its colour, its style.
    public struct Line: Sendable {
        public var name: String
        public var colour: String
        public var style: Style
        public var points: [Point]
        public init(_ name: String, colour: String, style: Style = .line, points: [Point]) {
            self.name = name
            self.colour = colour
            self.style = style
            self.points = points
        }
    }

    /// An axis: its title and how its ticks are written; `ticks` fixes them (a sweep's values).
    public struct Axis: Sendable {
        public var title: String
        public var format: @Sendable (Double) -> String
        public var ticks: [Double]?
        public init(_ title: String, ticks: [Double]? = nil, format: @escaping @Sendable (Double) -> String = { SVGChart.number($0) }) {
            self.title = title
            self.ticks = ticks
            self.format = format
        }
    }

    /// An x–y plot from zero up, `title` as its accessible name and tooltip. `xDomain` defaults to
    /// the points' span (one more step for bars); `yMaximum` shares a scale between small multiples. Every bar and point carries a tooltip with its value.
    public static func plot(
        _ lines: [Line], x: Axis, y: Axis, title: String, xDomain: ClosedRange<Double>? = nil, width: Int = 560, height: Int = 210,
        yMaximum: Double? = nil, legend: Bool = true
    ) -> String {
        let left = 46.0, right = 14.0, top = legend ? 24.0 : 8.0, bottom = 34.0
        let plotWidth = Double(width) - left - right, plotHeight = Double(height) - top - bottom
        let points = lines.flatMap(\.points)
        let hasBars = lines.contains { $0.style == .bars }
        let domain = xDomain ?? {
            let xs = points.map(\.x)
            let low = xs.min() ?? 0, high = (xs.max() ?? 1) + (hasBars ? 1 : 0)
            return high > low ? low...high : (low - 1)...(low + 1)
        }()
        let highest: Double = yMaximum ?? (points.flatMap { [$0.y, $0.high ?? 0] + $0.values }.max() ?? 0)
        let yStep = niceStep(max(highest, 1e-9) / 4)
        let yTop = max(yStep, (highest / yStep).rounded(.up) * yStep)
        func px(_ value: Double) -> Double { left + plotWidth * (value - domain.lowerBound) / max(domain.upperBound - domain.lowerBound, 1e-9) }
        func py(_ value: Double) -> Double { top + plotHeight * (1 - value / yTop) }

        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\(quote(width)) height=\(quote(height)) font-size=\"11\" role=\"img\" aria-label=\(quote(title))><title>\(escape(title))</title>"
        if legend {
            var at = left
            for line in lines {
                svg += line.style == .bars
                    ? "<rect x=\(quote(at)) y=\"4\" width=\"10\" height=\"10\" fill=\(quote(line.colour))/>"
                    : "<line x1=\(quote(at)) x2=\(quote(at + 12)) y1=\"9\" y2=\"9\" stroke=\(quote(line.colour)) stroke-width=\"2.5\"/>"
                svg += "<text x=\(quote(at + 16)) y=\"13\">\(escape(line.name))</text>"
                at += 26 + Double(line.name.count) * 6.2
            }
        }
        // Grid and y ticks.
        var tick = 0.0
        while tick <= yTop + 1e-9 {
            svg += "<line x1=\(quote(left)) x2=\(quote(left + plotWidth)) y1=\(quote(py(tick))) y2=\(quote(py(tick))) stroke=\"#e9ecef\"/>"
            svg += "<text x=\(quote(left - 4)) y=\(quote(py(tick) + 4)) text-anchor=\"end\" fill=\"#555\">\(escape(y.format(tick)))</text>"
            tick += yStep
        }
        svg += "<line x1=\(quote(left)) x2=\(quote(left)) y1=\(quote(top)) y2=\(quote(top + plotHeight)) stroke=\"#999\"/>"
        svg += "<line x1=\(quote(left)) x2=\(quote(left + plotWidth)) y1=\(quote(top + plotHeight)) y2=\(quote(top + plotHeight)) stroke=\"#999\"/>"
        let span = domain.upperBound - domain.lowerBound
        let xTicks = x.ticks ?? {
            let step = niceStep(span / 6)
            return stride(from: (domain.lowerBound / step).rounded(.up) * step, through: domain.upperBound + 1e-9, by: step).map { $0 }
        }()
        for value in xTicks where domain.contains(value) {
            svg += "<line x1=\(quote(px(value))) x2=\(quote(px(value))) y1=\(quote(top + plotHeight)) y2=\(quote(top + plotHeight + 4)) stroke=\"#999\"/>"
            svg += "<text x=\(quote(px(value))) y=\(quote(top + plotHeight + 15)) text-anchor=\"middle\" fill=\"#555\">\(escape(x.format(value)))</text>"
        }
        svg += "<text x=\(quote(left + plotWidth / 2)) y=\(quote(Double(height) - 4)) text-anchor=\"middle\" fill=\"#333\">\(escape(x.title))</text>"
        svg += "<text x=\"10\" y=\(quote(top + plotHeight / 2)) text-anchor=\"middle\" fill=\"#333\" transform=\"rotate(-90 10 \(String(format: "%.1f", top + plotHeight / 2)))\">\(escape(y.title))</text>"

        for line in lines where line.style == .bars {
            let barWidth = max(1, px(domain.lowerBound + 1) - px(domain.lowerBound) - 1)
            for point in line.points where point.y > 0 {
                svg += "<rect x=\(quote(px(point.x) + 0.5)) y=\(quote(py(point.y))) width=\(quote(barWidth)) height=\(quote(py(0) - py(point.y))) fill=\(quote(line.colour))>"
                svg += "<title>\(escape(x.format(point.x))): \(escape(line.name)) \(escape(y.format(point.y)))</title></rect>"
            }
        }
        for line in lines where line.style == .line {
            let banded = line.points.filter { $0.low != nil && $0.high != nil }
            if banded.count == line.points.count, banded.contains(where: { $0.low != $0.high }) {
                let upper = banded.map { "\(String(format: "%.1f", px($0.x))),\(String(format: "%.1f", py($0.high!)))" }
                let lower = banded.reversed().map { "\(String(format: "%.1f", px($0.x))),\(String(format: "%.1f", py($0.low!)))" }
                svg += "<polygon points=\((upper + lower).joined(separator: " ").quoted) fill=\(quote(line.colour)) fill-opacity=\"0.18\" stroke=\"none\"/>"
            }
            let path = line.points.map { "\(String(format: "%.1f", px($0.x))),\(String(format: "%.1f", py($0.y)))" }.joined(separator: " ")
            svg += "<polyline points=\(path.quoted) fill=\"none\" stroke=\(quote(line.colour)) stroke-width=\"2\"/>"
            for point in line.points {
                for value in point.values {
                    svg += "<circle cx=\(quote(px(point.x))) cy=\(quote(py(value))) r=\"2\" fill=\"none\" stroke=\(quote(line.colour))/>"
                }
                if !point.values.isEmpty || line.points.count <= 12 {
                    let spread = point.low.flatMap { low in point.high.map { " [\(y.format(low))–\(y.format($0))]" } } ?? ""
                    svg += "<circle cx=\(quote(px(point.x))) cy=\(quote(py(point.y))) r=\"3.5\" fill=\(quote(line.colour))>"
                    svg += "<title>\(escape(x.format(point.x))): \(escape(y.format(point.y)))\(escape(spread))</title></circle>"
                }
            }
        }
        return svg + "</svg>"
    }

    /// 1, 2 or 5 times a power of ten, at least `raw`.
    static func niceStep(_ raw: Double) -> Double {
        guard raw > 0, raw.isFinite else { return 1 }
        let power = pow(10, (log10(raw)).rounded(.down))
        for factor in [1.0, 2, 5, 10] where factor * power >= raw { return factor * power }
        return 10 * power
    }
}

private extension String {
    var quoted: String { "\"\(self)\"" }
}
