import Foundation
import TansiqCharts
import Testing
@testable import TansiqSimulation

/// The charts the simulation report and the desk's facts share, on small figures worked out by hand.
@Suite("Report charts")
struct ReportChartsTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    static func at(days: Double) -> Date { start.addingTimeInterval(days * 86_400) }

    @Test func arrivalsPerDayAndTheBacklogAtEachDaysEnd() {
        let items = [
            ArrivalsAndBacklog.Item(group: "health", arrived: Self.at(days: 0.2), closed: Self.at(days: 0.5)),
            ArrivalsAndBacklog.Item(group: "health", arrived: Self.at(days: 0.4), closed: Self.at(days: 2.5)),
            ArrivalsAndBacklog.Item(group: "health", arrived: Self.at(days: 1.1), closed: nil),
            ArrivalsAndBacklog.Item(group: "legal", arrived: Self.at(days: 3.9), closed: nil),
            // Before the span: not counted.
            ArrivalsAndBacklog.Item(group: "legal", arrived: Self.at(days: -1), closed: nil),
        ]
        let series = ArrivalsAndBacklog(items, from: Self.start, to: Self.at(days: 4), order: ["legal", "health"])
        #expect(series.inDays && series.periodHours == 24)
        #expect(series.groups.map(\.name) == ["legal", "health"])
        let health = series.groups[1]
        #expect(health.arrivals == [2, 1, 0, 0])
        #expect(health.backlog == [1, 2, 1, 1])
        #expect(health.total == 3)
        #expect(series.groups[0].arrivals == [0, 0, 0, 1] && series.groups[0].backlog == [0, 0, 0, 1])
    }

    @Test func aSpanOfTwoDaysOrLessIsCountedInHours() {
        let series = ArrivalsAndBacklog([.init(group: "health", arrived: Self.start.addingTimeInterval(5400), closed: nil)],
                                        from: Self.start, to: Self.start.addingTimeInterval(6 * 3600))
        #expect(!series.inDays && series.groups[0].arrivals == [0, 1, 0, 0, 0, 0])
        let html = SVGChart.arrivalsAndBacklog(series)
        #expect(html.contains("(n 1)") && html.contains(">hour<") && html.contains("<details>") && html.contains("<title>"))
    }

    @Test func durationsPastTwoDaysAreInDays() {
        #expect(DurationUnit(fittingHours: 48) == .hours)
        #expect(DurationUnit(fittingHours: 1.0 / 60).text(hours: 1.0 / 60) == "1.0 min")
        #expect(DurationUnit(fittingHours: 0) == .hours)
        #expect(DurationUnit(fittingHours: 49).text(hours: 84) == "3.5 d")
        let row = OutcomeTable.Row(metric: "complete p50 h", higherIsBetter: false, intervals: [SeedInterval([96, 120])], difference: SeedInterval([-24, 0]))
        let readable = row.readable
        #expect(readable.metric == "complete p50 d" && readable.intervals[0].values == [4, 5] && readable.difference?.values == [-1, 0])
        #expect(readable.difference?.text == "-0.5 [-1 to 0]" && readable.intervals[0].text == "4.5 [4–5]")
        // A low end that rounds to 0 shows as 0: no "to" for it.
        #expect(SeedInterval([-0.01, 0.01]).text == "0 [0–0.0]")
        let short = OutcomeTable.Row(metric: "ack p50 h", higherIsBetter: false, intervals: [SeedInterval([1, 2])], difference: nil)
        #expect(short.readable == short)
    }

    @Test func aSweepPlotsEachOutcomeAgainstItsParameterWithTheSpreadAsABand() {
        let rows = [OutcomeTable.Row(metric: "completed", higherIsBetter: true, intervals: [SeedInterval([10, 12]), SeedInterval([14, 18])], difference: nil)]
        let table = OutcomeTable(columns: ["10", "20"], seeds: [1, 2], rows: rows)
        let sweep = table.html(title: "sweep", parameter: "nodes.health-office.capacity")
        #expect(sweep.contains("<polygon") && sweep.contains("<polyline") && sweep.contains("n 2 seeds per value"))
        let compare = table.html(title: "compare")
        #expect(!compare.contains("<polyline") && compare.contains("seeds 2"))
    }
}
