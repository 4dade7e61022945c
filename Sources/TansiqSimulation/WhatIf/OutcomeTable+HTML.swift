import Foundation

extension OutcomeTable {
    /// A self-contained page: the table of intervals (and differences), and one chart per
    /// outcome: each column's spread over the seeds as a bar from lowest to highest with the
    /// mean marked, in the simulation report's style. `parameter` names a sweep's axis.
    public func html(title: String, parameter: String? = nil) -> String {
        typealias R = SimulationReport
        var body = "<h1>\(R.escape(title))</h1>"
        body += "<p>\(seeds.count) seeds (\(seeds.map(String.init).joined(separator: ", "))), virtual time. Each figure: mean [lowest–highest] over the seeds."
        if columns.count == 2 { body += " Difference: \(R.escape(columns[1])) minus \(R.escape(columns[0])), seed by seed." }
        body += "</p><table><tr><th>outcome</th>"
        body += columns.map { "<th>\(R.escape(parameter.map { "\($0) = " } ?? "") + R.escape($0))</th>" }.joined()
        if columns.count == 2 { body += "<th>difference</th>" }
        body += "</tr>"
        for row in rows {
            body += "<tr><td>\(R.escape(row.metric))</td>" + row.intervals.map { "<td>\($0.text)</td>" }.joined()
            if let difference = row.difference {
                let better = difference.mean == 0 ? "" : ((difference.mean > 0) == row.higherIsBetter ? "good" : "bad")
                let sure = difference.low > 0 || difference.high < 0 ? " (every seed)" : ""
                body += "<td class=\"\(better)\">\(difference.text)\(sure)</td>"
            }
            body += "</tr>"
        }
        body += "</table>"
        for row in rows where row.intervals.contains(where: { $0.high > 0 }) {
            body += "<h2>\(R.escape(row.metric))</h2>" + Self.intervalChart(row, columns: columns, parameter: parameter)
        }
        return R.page(title: title, body: body)
    }

    /// One row per column: a bar over the spread, a dot at the mean, every seed a tick.
    static func intervalChart(_ row: Row, columns: [String], parameter: String?) -> String {
        typealias R = SimulationReport
        let maximum = max(row.intervals.map(\.high).max() ?? 0, 1e-9)
        let left = 170, plot = 620, line = 22
        let height = columns.count * line + 24
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(left + plot + 120)\" height=\(R.quote(height)) font-size=\"11\">"
        func x(_ value: Double) -> Double { Double(left) + Double(plot) * value / maximum }
        for (index, (column, interval)) in zip(columns, row.intervals).enumerated() {
            let y = 10 + index * line
            let label = (parameter.map { "\($0.split(separator: ".").last ?? "") = " } ?? "") + column
            svg += "<text x=\"4\" y=\(R.quote(y + 10))>\(R.escape(String(label.suffix(28))))</text>"
            svg += "<rect x=\(R.quote(x(interval.low))) y=\(R.quote(y + 2)) width=\(R.quote(max(2, x(interval.high) - x(interval.low)))) height=\"10\" fill=\(R.quote(R.palette[3])) fill-opacity=\"0.35\"/>"
            for value in interval.values {
                svg += "<line x1=\(R.quote(x(value))) x2=\(R.quote(x(value))) y1=\(R.quote(y)) y2=\(R.quote(y + 14)) stroke=\(R.quote(R.palette[3]))/>"
            }
            svg += "<circle cx=\(R.quote(x(interval.mean))) cy=\(R.quote(y + 7)) r=\"4\" fill=\(R.quote(R.palette[2]))/>"
            svg += "<text x=\(R.quote(Double(left + plot) + 8)) y=\(R.quote(y + 10))>\(R.escape(interval.text))</text>"
        }
        return svg + "<text x=\(R.quote(left)) y=\(R.quote(height - 2)) fill=\"#666\">0</text><text x=\(R.quote(Double(left + plot) - 30)) y=\(R.quote(height - 2)) fill=\"#666\">\(SeedInterval.format(maximum))</text></svg>"
    }
}
