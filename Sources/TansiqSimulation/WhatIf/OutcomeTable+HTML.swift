import Foundation
import TansiqCharts

extension OutcomeTable {
    /// A self-contained page: the table of intervals (and differences), then one chart per
    /// outcome. A comparison draws each plan's spread over the seeds side by side; a sweep
    /// (`parameter` names its axis) plots the outcome against the parameter: the mean as a line,
    /// the spread over the seeds as a band, each seed a dot.
    public func html(title: String, parameter: String? = nil) -> String {
        typealias R = SimulationReport
        var body = "<h1>\(R.escape(title))</h1>"
        body += "<p>\(seeds.count) seeds (\(seeds.map(String.init).joined(separator: ", "))), virtual time. Each figure: mean [lowest–highest] over the seeds."
        if columns.count == 2 { body += " Difference: \(R.escape(columns[1])) minus \(R.escape(columns[0])), seed by seed." }
        body += "</p><div class=\"wide\"><table><tr><th>outcome</th>"
        body += columns.map { "<th>\(R.escape(parameter.map { "\($0) = " } ?? "") + R.escape($0))</th>" }.joined()
        if columns.count == 2 { body += "<th>difference</th>" }
        body += "</tr>"
        for row in rows.map(\.readable) {
            body += "<tr><td>\(R.escape(row.metric))</td>" + row.intervals.map { "<td>\($0.text)</td>" }.joined()
            if let difference = row.difference {
                // A difference too small to show (0.0) is coloured neither way.
                let shown = Double(SeedInterval.format(difference.mean)) ?? difference.mean
                let better = shown == 0 ? "" : ((difference.mean > 0) == row.higherIsBetter ? "good" : "bad")
                let sure = difference.low > 0 || difference.high < 0 ? " (every seed)" : ""
                body += "<td class=\"\(better)\">\(difference.text)\(sure)</td>"
            }
            body += "</tr>"
        }
        body += "</table></div>"
        let charted = rows.map(\.readable).filter { $0.intervals.contains(where: { $0.high > 0 }) }
        if let parameter, let values = sweptValues {
            body += "<h2>Outcomes against \(R.escape(parameter))</h2><div style=\"display:flex;flex-wrap:wrap;gap:8px 16px\">"
            for row in charted { body += Self.sweepChart(row, values: values, parameter: parameter, seeds: seeds.count) }
            body += "</div>"
        } else {
            for row in charted {
                let spreads = zip(columns, row.intervals).map { column, interval in
                    SVGChart.Spread(column, low: interval.low, mean: interval.mean, high: interval.high, values: interval.values)
                }
                body += "<h2>\(R.escape(row.metric))</h2>" + SVGChart.spreads(spreads, title: row.metric, sampleSize: seeds.count)
            }
        }
        return R.page(title: title, body: body)
    }

    /// The columns as numbers, when every one is (a sweep's values).
    private var sweptValues: [Double]? {
        let values = columns.compactMap(Double.init)
        return values.count == columns.count && !values.isEmpty ? values : nil
    }

    /// One outcome against the swept parameter: mean line, band from lowest to highest, seeds as dots.
    private static func sweepChart(_ row: Row, values: [Double], parameter: String, seeds: Int) -> String {
        let points = zip(values, row.intervals).map { x, interval in
            SVGChart.Point(x: x, y: interval.mean, low: interval.low, high: interval.high, values: interval.values)
        }
        let line = SVGChart.Line("mean over \(seeds) seeds, band: lowest–highest", colour: SVGChart.Colour.spread, points: points)
        let short = String(parameter.split(separator: ".").suffix(2).joined(separator: "."))
        let step = values.count > 1 ? (values[values.count - 1] - values[0]) / Double(values.count - 1) : 1
        let domain = (values.first ?? 0) - step * 0.3...(values.last ?? 1) + step * 0.3
        let title = "\(row.metric) against \(parameter) (n \(seeds) seeds per value)"
        return "<figure style=\"margin:0\" data-metric=\"\(SimulationReport.escape(row.metric))\"><figcaption><b>\(SimulationReport.escape(row.metric))</b> (n \(seeds) seeds per value)</figcaption>"
            + SVGChart.plot([line], x: SVGChart.Axis(short, ticks: values), y: SVGChart.Axis(""), title: title, xDomain: domain)
            + "</figure>"
    }
}

extension OutcomeTable.Row {
    /// The row as people read it: a time (`… h`) whose spread passes two days, in days (`… d`),
    /// the rule of every chart and table.
    public var readable: OutcomeTable.Row {
        guard metric.hasSuffix(" h"), DurationUnit(fittingHours: intervals.map(\.high).max() ?? 0) == .days else { return self }
        var row = self
        row.metric = String(metric.dropLast(2)) + " d"
        row.intervals = intervals.map { SeedInterval($0.values.map { $0 / 24 }) }
        row.difference = difference.map { SeedInterval($0.values.map { $0 / 24 }) }
        return row
    }
}
