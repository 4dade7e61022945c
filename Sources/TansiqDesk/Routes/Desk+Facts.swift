import Foundation
import HTTPTypes
import Hummingbird
import TansiqAgent
import TansiqCharts
import TansiqHub
import TansiqMessages

/// The pilot's facts on the coordinator's desk (`/facts?since=&until=`, `/facts.csv`).
///
/// The desk runs inside the Commune's agent, which has no copy of the hub's database. The facts
/// are ``ReferralFacts``' own computation, fed with the registry's records as the coordinator
/// rebuilds them from the hub's views: the hub publishes a view at every move it accepts,
/// stamped with its own time, journals it and replays it at every catch-up, so the records carry
/// the registry's times and states (reasons come from the coded status updates, escalations and
/// their acknowledgements from the bus). No new request to the hub, no second way of counting.
extension Desk {
    func addFactsRoutes(to router: Router<BasicRequestContext>) {
        router.get("/facts") { [self] request, _ in try await answering { try await factsPage(request) } }
        router.get("/facts.csv") { [self] request, _ in try await answering { try await factsCSV(request) } }
    }

    /// The facts of `[since, until)`, deadlines judged at the agent's time.
    func facts(since: Date?, until: Date?) async throws(DeskError) -> ReferralFacts {
        try await factsAndFlows(since: since, until: until).facts
    }

    /// The facts, and who referred to whom for what in the period (referrer → receiver: categories).
    func factsAndFlows(since: Date?, until: Date?) async throws(DeskError) -> (facts: ReferralFacts, records: [ReferralRecord], timeline: ArrivalsAndBacklog) {
        let (overview, now) = try await agent { context in (context.networkOverview, context.now()) }
        let records = Self.registryRecords(overview)
        let inPeriod = records.filter { record in
            guard let created = record.createdAt else { return since == nil && until == nil }
            return (since.map { created >= $0 } ?? true) && (until.map { created < $0 } ?? true)
        }
        let facts = ReferralFacts(records: records, since: since, until: until, now: now)
        return (facts, inPeriod, Self.timeline(inPeriod, since: since, asOf: facts.asOf))
    }

    /// Who referred to whom for what: one arrow per referrer and receiver, labelled with the
    /// categories (in `category`'s words) and the number of referrals.
    static func flows(_ records: [ReferralRecord], category: (String) -> String = { $0 }) -> [SVGChart.Edge] {
        var flows: [String: (count: Int, categories: Set<String>)] = [:]
        for record in records {
            let key = "\(record.referrer)|\(record.receiver ?? OverviewPage.unclaimed)"
            flows[key, default: (0, [])].count += 1
            flows[key]?.categories.insert(record.category.rawValue)
        }
        return flows.sorted { $0.key < $1.key }.map { key, flow in
            let parts = key.split(separator: "|").map(String.init)
            let label = "\(flow.categories.sorted().map(category).joined(separator: ", ")) (\(flow.count))"
            return SVGChart.Edge(from: parts[0], to: parts[1], label: label, weight: Double(flow.count))
        }
    }

    /// Arrivals per day (per hour over two days or less) and the backlog, per category, from the
    /// registry's records of the period: the simulation report's series, by the same code.
    static func timeline(_ records: [ReferralRecord], since: Date?, asOf: Date) -> ArrivalsAndBacklog {
        let start = since ?? records.compactMap(\.createdAt).min() ?? asOf
        let items = records.compactMap { record in
            record.createdAt.map { ArrivalsAndBacklog.Item(group: record.category.rawValue, arrived: $0, closed: record.state.isTerminal ? record.closedAt : nil) }
        }
        return ArrivalsAndBacklog(items, from: start, to: max(asOf, start.addingTimeInterval(3600)), order: ServiceCategory.allCases.map(\.rawValue))
    }

    /// The registry's records, rebuilt from the views the coordinator heard.
    static func registryRecords(_ overview: NetworkOverview) -> [ReferralRecord] {
        var escalated: [UUID: [Escalation.Deadline]] = [:]
        var acknowledged: [UUID: [EscalationAcknowledgementRecord]] = [:]
        for (key, entry) in overview.escalations {
            escalated[key.referralId, default: []].append(key.deadline)
            if let done = entry.acknowledgement {
                acknowledged[key.referralId, default: []].append(EscalationAcknowledgementRecord(
                    deadline: done.deadline, acknowledgedBy: done.acknowledgedBy, acknowledgedAt: done.acknowledgedAt, action: done.action))
            }
        }
        return overview.views.values.map { view in
            ReferralRecord(
                latest: view, trail: overview.trails[view.referralId] ?? [(view.state, view.updatedAt)],
                closeReason: overview.closeReasons[view.referralId], escalated: escalated[view.referralId] ?? [],
                acknowledgements: acknowledged[view.referralId] ?? [])
        }
    }

    /// `since` and `until` as days (`2026-12-01`, the agency's time zone) or ISO 8601 times.
    private func period(_ request: Request, language l: Language) throws(DeskError) -> (Date?, Date?) {
        func parse(_ name: String) throws(DeskError) -> Date? {
            guard let text = request.uri.queryParameters.get(name), !text.isEmpty else { return nil }
            let day = DateFormatter()
            day.calendar = Calendar(identifier: .gregorian)
            day.locale = Locale(identifier: "en_US_POSIX")
            day.timeZone = configuration.timeZone
            day.dateFormat = "yyyy-MM-dd"
            if let date = day.date(from: text) ?? ISO8601DateFormatter().date(from: text) { return date }
            throw DeskError(.invalidRequest, l("facts.badDate", name))
        }
        let since = try parse("since"), until = try parse("until")
        if let since, let until, since >= until { throw DeskError(.invalidRequest, l("facts.badPeriod")) }
        return (since, until)
    }

    private func factsPage(_ request: Request) async throws -> Response {
        let visit = visit(request)
        guard visit.session != nil else { return redirect("/login", cookies: visit.cookies) }
        let l = visit.language
        guard configuration.coordinates else {
            return html(.notFound, page(visit, title: l("facts.title"), flash: .error(l("overview.coordinatorOnly"))).render(""), cookies: visit.cookies)
        }
        do {
            let (since, until) = try period(request, language: l)
            let (facts, records, timeline) = try await factsAndFlows(since: since, until: until)
            let flows = Self.flows(records) { l.label("category", $0) }
            let query = request.uri.query ?? ""
            let body = FactsPage(language: l, format: DeskFormat(language: l, timeZone: configuration.timeZone, now: facts.asOf))
                .render(facts, flows: flows, timeline: timeline, since: request.uri.queryParameters.get("since") ?? "", until: request.uri.queryParameters.get("until") ?? "", query: query)
            return html(.ok, page(visit, title: l("facts.title")).render(body), cookies: visit.cookies)
        } catch {
            return html(error.status, page(visit, title: l("facts.title"), flash: .error(error.message)).render(""), cookies: visit.cookies)
        }
    }

    private func factsCSV(_ request: Request) async throws -> Response {
        let visit = visit(request)
        guard visit.session != nil else { return redirect("/login", cookies: visit.cookies) }
        let l = visit.language
        guard configuration.coordinates else { return Response(status: .notFound) }
        do {
            let (since, until) = try period(request, language: l)
            let facts = try await facts(since: since, until: until)
            return Response(
                status: .ok,
                headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"tansiq-facts.csv\""],
                body: .init(byteBuffer: ByteBuffer(string: facts.csv + "\n")))
        } catch {
            return Response(status: error.status, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: error.message + "\n")))
        }
    }
}

/// The facts as tables people read: counts, times in hours or days with their sample sizes,
/// deadline shares with how many were due; printable (the desk's print style drops the forms).
struct FactsPage {
    var language: Language
    var format: DeskFormat

    func render(_ facts: ReferralFacts, flows: [SVGChart.Edge], timeline: ArrivalsAndBacklog, since: String, until: String, query: String) -> String {
        let l = language
        var html = """
            <form method="get" action="/facts" class="action" id="facts-period">
            <label>\(h(l("facts.since"))) <input type="text" name="since" value="\(h(since))" placeholder="2026-12-01"></label>
            <label>\(h(l("facts.until"))) <input type="text" name="until" value="\(h(until))" placeholder="2027-01-01"></label>
            <button type="submit">\(h(l("facts.show")))</button></form>
            <p><a href="/facts.csv\(query.isEmpty ? "" : "?" + h(query))" id="facts-csv">\(h(l("facts.csv")))</a> · \(h(l("facts.print")))</p>
            <p class="muted">\(h(l("facts.asOf", format.date(facts.asOf))))</p>
            """
        html += table("facts-total", l("facts.all"), [facts.total])
        html += table("facts-categories", l("col.category"), facts.categories, label: { l.label("category", $0) })
        html += table("facts-agencies", l("overview.agency"), facts.agencies)
        html += charts(facts, flows: flows, timeline: timeline)
        return html
    }

    /// Two tables a group: the counts, then the times and deadlines (`<id>-times`), so that each
    /// fits a 1280-pixel screen and a printed page.
    private func table(_ id: String, _ title: String, _ groups: [ReferralFacts.Group], label: (String) -> String = { $0 }) -> String {
        let l = language
        let countColumns = ["facts.sent", "facts.received", "facts.accepted", "facts.rejected", "facts.completed", "facts.failed", "facts.cancelled",
                            "facts.pending"]
        let timeColumns = ["facts.acknowledgeTime", "facts.decideTime", "facts.completeTime", "facts.acknowledgeMet", "facts.decideMet", "facts.followUpMet"]
        var counts = "", times = ""
        for group in groups {
            let c = group.counts
            let reasons = c.rejectedByReason.sorted { $0.key < $1.key }.map { "\(l.label("reason", $0.key)) \($0.value)" }.joined(separator: ", ")
            let countCells = [String(c.sent), String(c.received), String(c.accepted), "\(c.rejected)\(reasons.isEmpty ? "" : " (\(reasons))")",
                              String(c.completed), String(c.failed), String(c.cancelled), String(c.pending)]
            let timeCells = [duration(group.acknowledge), duration(group.decide), duration(group.complete),
                             share(group.acknowledgeDeadlines), share(group.decideDeadlines), share(group.followUpDeadlines)]
            let head = "<tr data-group=\"\(h(group.name))\"><th scope=\"row\">\(h(label(group.name)))</th>"
            counts += head + countCells.map { "<td>\(h($0))</td>" }.joined() + "</tr>"
            times += head + timeCells.map { "<td>\(h($0))</td>" }.joined() + "</tr>"
        }
        func table(_ id: String, _ columns: [String], _ rows: String) -> String {
            "<div class=\"wide\"><table class=\"facts\" id=\"\(id)\"><thead><tr><th></th>" + columns.map { "<th>\(h(l($0)))</th>" }.joined()
                + "</tr></thead><tbody>\(rows)</tbody></table></div>"
        }
        return "<h2>\(h(title))</h2>" + table(id, countColumns, counts)
            + "<h3>\(h(l("facts.times")))</h3>" + table("\(id)-times", timeColumns, times)
    }

    /// The simulation report's charts (TansiqCharts), on the registry's facts.
    private func charts(_ facts: ReferralFacts, flows: [SVGChart.Edge], timeline: ArrivalsAndBacklog) -> String {
        let l = language
        guard !facts.categories.isEmpty else { return "" }
        let outcomes = [SVGChart.Series(l("facts.completed"), colour: SVGChart.Colour.completed),
                        SVGChart.Series(l("facts.failed"), colour: SVGChart.Colour.failed),
                        SVGChart.Series(l("facts.rejected"), colour: SVGChart.Colour.rejected)]
        let percentiles = [SVGChart.Series("p50", colour: SVGChart.Colour.p50), SVGChart.Series("p90", colour: SVGChart.Colour.p90)]
        var html = "<h2>\(h(l("facts.chart.outcomes")))</h2><div class=\"chart\" id=\"chart-outcomes\">"
        html += SVGChart.bars(facts.categories.map {
            .init(l.label("category", $0.name), [Double($0.counts.completed), Double($0.counts.failed), Double($0.counts.rejected)], sampleSize: $0.counts.sent)
        }, series: outcomes) + "</div>"
        html += "<h2>\(h(l("facts.chart.decide")))</h2><div class=\"chart\" id=\"chart-decide\">"
        html += SVGChart.bars(facts.categories.map {
            .init(l.label("category", $0.name), [($0.decide?.median ?? 0) / 3600, ($0.decide?.p90 ?? 0) / 3600], sampleSize: $0.decide?.count ?? 0)
        }, series: percentiles, scale: .hours) + "</div>"
        let words = SVGChart.TimelineWords(
            arrivals: l("timeline.arrivals"), backlog: l("timeline.backlog"), day: l("timeline.day"), hour: l("timeline.hour"), sample: "n",
            table: l("timeline.table"), period: l("timeline.period"))
        html += "<h2>\(h(l("facts.chart.timeline")))</h2><div class=\"chart\" id=\"chart-timeline-block\">"
        html += SVGChart.arrivalsAndBacklog(timeline, words: words, groupLabel: { l.label("category", $0) }) + "</div>"
        let agencies = Set(flows.flatMap { [$0.from, $0.to] }).sorted()
        html += "<h2>\(h(l("facts.chart.flows")))</h2><div class=\"chart\" id=\"chart-flows\">"
        html += SVGChart.directed(agencies.map { SVGChart.Node($0, colour: "#868e96", label: $0 == OverviewPage.unclaimed ? l("overview.unclaimed") : nil) },
                                  flows, title: l("facts.chart.flows")) + "</div>"
        let rows = flows.map { "<tr><td>\(h($0.from))</td><td>\(h($0.to == OverviewPage.unclaimed ? l("overview.unclaimed") : $0.to))</td><td>\(h($0.label))</td></tr>" }.joined()
        html += "<details><summary>\(h(l("timeline.table")))</summary><div class=\"wide\"><table class=\"facts\" id=\"facts-flows\"><thead><tr><th>\(h(l("overview.referrer")))</th>"
            + "<th>\(h(l("overview.receiver")))</th><th>\(h(l("col.category")))</th></tr></thead><tbody>\(rows)</tbody></table></div></details>"
        return html
    }

    /// Median / 90th percentile, in minutes under an hour, hours under two days, days above, with the sample size.
    func duration(_ percentiles: ReferralFacts.Percentiles?) -> String {
        guard let percentiles else { return language("facts.none") }
        func one(_ seconds: Double) -> String {
            if seconds < 3600 { return language("unit.minutes", String(Int((seconds / 60).rounded(.up)))) }
            return seconds >= 2 * 86_400 ? language("unit.days", String(format: "%.1f", seconds / 86_400))
                : language("unit.hours", String(format: "%.1f", seconds / 3600))
        }
        return "\(one(percentiles.median)) / \(one(percentiles.p90)) (n \(percentiles.count))"
    }

    func share(_ share: ReferralFacts.DeadlineShare) -> String {
        guard let value = share.share else { return language("facts.none") }
        return String(format: "%.0f%%", value * 100) + " (\(share.met)/\(share.due))"
    }
}
