import Foundation

extension SVGChart {
    /// One figure over seeds: its label, spread, mean and the values themselves.
    public struct Spread: Sendable {
        public var label: String
        public var low: Double
        public var mean: Double
        public var high: Double
        public var values: [Double]
        public init(_ label: String, low: Double, mean: Double, high: Double, values: [Double]) {
            self.label = label
            self.low = low
            self.mean = mean
            self.high = high
            self.values = values
        }
    }

    /// One row per figure, on one scale from zero: a bar over the spread, a tick per seed, a dot at
    /// the mean, and `mean [low–high]` written after it; `sampleSize` seeds in the caption.
    public static func spreads(_ rows: [Spread], title: String, sampleSize: Int, sampleLabel: String = "seeds") -> String {
        let maximum = max(rows.map(\.high).max() ?? 0, 1e-9)
        let left = 190.0, plot = 600.0, line = 22
        let height = rows.count * line + 40
        func x(_ value: Double) -> Double { left + plot * value / maximum }
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"940\" height=\(quote(height)) font-size=\"11\" role=\"img\" aria-label=\(quote(title))><title>\(escape(title))</title>"
        svg += "<text x=\"4\" y=\"12\" fill=\"#555\">\(escape("\(sampleLabel) \(sampleSize)")): mean ●, spread ▬, one tick per seed</text>"
        for (index, row) in rows.enumerated() {
            let y = 22 + index * line
            let label = row.label.count > 30 ? "…" + row.label.suffix(29) : row.label
            svg += "<text x=\(quote(left - 6)) y=\(quote(y + 10)) text-anchor=\"end\">\(escape(label))<title>\(escape(row.label))</title></text>"
            svg += "<rect x=\(quote(x(row.low))) y=\(quote(y + 2)) width=\(quote(max(2, x(row.high) - x(row.low)))) height=\"10\" fill=\(quote(Colour.spread)) fill-opacity=\"0.3\"/>"
            for value in row.values {
                svg += "<line x1=\(quote(x(value))) x2=\(quote(x(value))) y1=\(quote(y)) y2=\(quote(y + 14)) stroke=\(quote(Colour.spread))/>"
            }
            svg += "<circle cx=\(quote(x(row.mean))) cy=\(quote(y + 7)) r=\"4\" fill=\(quote(Colour.mean))/>"
            svg += "<text x=\(quote(left + plot + 8)) y=\(quote(y + 10))>\(number(row.mean)) [\(number(row.low))–\(number(row.high))]</text>"
        }
        svg += "<line x1=\(quote(left)) x2=\(quote(left + plot)) y1=\(quote(height - 14)) y2=\(quote(height - 14)) stroke=\"#999\"/>"
        svg += "<text x=\(quote(left)) y=\(quote(height - 2)) fill=\"#666\" text-anchor=\"middle\">0</text>"
        svg += "<text x=\(quote(left + plot)) y=\(quote(height - 2)) fill=\"#666\" text-anchor=\"middle\">\(number(maximum))</text>"
        return svg + "</svg>"
    }
}
