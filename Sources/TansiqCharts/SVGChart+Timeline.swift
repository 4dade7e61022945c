import Foundation

extension SVGChart {
    /// The words of the arrivals-and-backlog charts, in the page's language.
    public struct TimelineWords: Sendable {
        public var arrivals: String
        public var backlog: String
        public var day: String
        public var hour: String
        public var sample: String
        public var table: String
        public var period: String
        public init(arrivals: String, backlog: String, day: String, hour: String, sample: String, table: String, period: String) {
            self.arrivals = arrivals
            self.backlog = backlog
            self.day = day
            self.hour = hour
            self.sample = sample
            self.table = table
            self.period = period
        }

        public static let english = TimelineWords(
            arrivals: "arrivals", backlog: "backlog (open at the end of the period)", day: "day", hour: "hour", sample: "n",
            table: "The figures as a table", period: "period")
    }

    /// One small chart per group on one scale: arrivals as bars, the backlog as a line; the
    /// sample size in each caption; the figures again as a table for those who cannot see the charts.
    public static func arrivalsAndBacklog(
        _ data: ArrivalsAndBacklog, words: TimelineWords = .english, groupLabel: (String) -> String = { $0 }, id: String = "chart-timeline"
    ) -> String {
        guard !data.groups.isEmpty else { return "" }
        let unitHours = data.inDays ? 24.0 : 1.0
        let perPeriod = data.periodHours / unitHours
        let unit = data.inDays ? words.day : words.hour
        let axis = Axis(unit) { SVGChart.number(($0 * perPeriod).rounded()) }
        // One scale for every group; at least 4, so that ticks are whole referrals.
        let highest = Double(data.groups.flatMap { $0.arrivals + $0.backlog }.max() ?? 0)
        let count = data.groups.first?.arrivals.count ?? 0
        var html = "<div class=\"small-multiples\" id=\"\(escape(id))\" style=\"display:flex;flex-wrap:wrap;gap:8px 16px\">"
        for group in data.groups {
            let label = groupLabel(group.name)
            let arrivals = Line(words.arrivals, colour: Colour.arrivals, style: .bars,
                                points: group.arrivals.enumerated().map { Point(x: Double($0.offset), y: Double($0.element)) })
            let backlog = Line(words.backlog, colour: Colour.backlog,
                               points: [Point(x: 0, y: 0)] + group.backlog.enumerated().map { Point(x: Double($0.offset + 1), y: Double($0.element)) })
            let caption = "\(label) (\(words.sample) \(group.total))"
            html += "<figure style=\"margin:0\" data-group=\"\(escape(group.name))\"><figcaption><b>\(escape(caption))</b></figcaption>"
            html += plot([arrivals, backlog], x: axis, y: Axis(""), title: "\(caption): \(words.arrivals), \(words.backlog)",
                         xDomain: 0...Double(max(count, 1)), width: 540, height: 190, yMaximum: max(highest, 4))
            html += "</figure>"
        }
        html += "</div><details><summary>\(escape(words.table))</summary><table><thead><tr><th>\(escape(words.period)) (\(escape(unit)))</th>"
        html += data.groups.map { "<th>\(escape(groupLabel($0.name))): \(escape(words.arrivals))</th><th>\(escape(words.backlog))</th>" }.joined()
        html += "</tr></thead><tbody>"
        for index in 0..<count {
            let from = Double(index) * perPeriod, to = Double(index + 1) * perPeriod
            html += "<tr><th scope=\"row\">\(number(from))–\(number(to))</th>"
            html += data.groups.map { "<td>\($0.arrivals[index])</td><td>\($0.backlog[index])</td>" }.joined() + "</tr>"
        }
        return html + "</tbody></table></details>"
    }
}
