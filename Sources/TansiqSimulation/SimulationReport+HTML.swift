import TansiqAgent
import Foundation
import TansiqCharts

extension SimulationReport {
    /// The report as one self-contained HTML page: tables, inline SVG charts (TansiqCharts, shared with the desk's facts) and a diagram
    /// of `topology`; no script, no external resource.
    public func html(topology network: Topology) -> String {
        let r = referrals
        var body = """
            <h1>Simulation of \(Self.escape(topology))</h1>
            <p>Seed \(seed), \(Self.number(simulatedHours / 24)) simulated days at ×\(Self.number(timeScale)), \
            \(agents) agents as \(mode), \(cases) cases, wall time \(String(format: "%.1f", wallSeconds)) s.</p>
            <p class="\(r.lost > 0 ? "bad" : "good")"><b>\(r.lost) lost</b> referrals of \(r.created) created \
            (\(r.open) open); \(r.received) received, \(r.accepted) accepted, \(r.rejected) rejected, \
            \(r.completed) completed, \(r.failed) failed, \(r.escalated) escalated, \(r.unanswered) unanswered\
            \(r.waiting > 0 ? "; \(r.waiting) waiting for a partner (or the hub) down at the end" : "").</p>
            <p class="\(r.lostStatusUpdates > 0 ? "bad" : "good")"><b>\(r.lostStatusUpdates) lost</b> status updates of \
            \(r.statusUpdates) published for the referrers (\(r.statusUpdatesInFlight) still on their way at the end).</p>
            """
        if !r.rejectedByReason.isEmpty { body += "<p>Rejected by reason: \(Self.escape(Self.pairs(r.rejectedByReason)))</p>" }
        if !r.escalatedByDeadline.isEmpty { body += "<p>Escalations by deadline: \(Self.escape(Self.pairs(r.escalatedByDeadline)))</p>" }
        let outcomes = [SVGChart.Series("completed", colour: SVGChart.Colour.completed), SVGChart.Series("failed", colour: SVGChart.Colour.failed),
                        SVGChart.Series("rejected", colour: SVGChart.Colour.rejected)]
        let percentiles = [SVGChart.Series("p50", colour: SVGChart.Colour.p50), SVGChart.Series("p90", colour: SVGChart.Colour.p90),
                           SVGChart.Series("p99", colour: SVGChart.Colour.p99)]
        body += "<h2>Outcomes per service category</h2>"
        body += SVGChart.bars(
            categories.map { .init($0.name, [Double($0.counts.completed), Double($0.counts.failed), Double($0.counts.rejected)], sampleSize: $0.counts.created) },
            series: outcomes)
        body += "<h2>Time to complete per category (simulated time)</h2>"
        body += SVGChart.bars(
            categories.map { .init($0.name, [$0.complete?.p50 ?? 0, $0.complete?.p90 ?? 0, $0.complete?.p99 ?? 0], sampleSize: $0.counts.completed) },
            series: percentiles, scale: .hours)
        body += "<h2>Time to decide per category (simulated time)</h2>"
        body += SVGChart.bars(
            categories.map { .init($0.name, [$0.decide?.p50 ?? 0, $0.decide?.p90 ?? 0, $0.decide?.p99 ?? 0], sampleSize: $0.counts.accepted + $0.counts.rejected) },
            series: percentiles, scale: .hours)
        if let timeline, !timeline.groups.isEmpty {
            body += "<h2>Arrivals and backlog per category (simulated \(timeline.inDays ? "days" : "hours"))</h2>"
            body += "<p>Bars: referrals sent in the period; line: referrals not completed, failed or rejected at its end (lost ones included).</p>"
            body += SVGChart.arrivalsAndBacklog(timeline)
        }
        body += "<h2>Categories</h2>" + Self.table(categories, withLoad: false)
        body += "<h2>Agencies</h2>" + Self.table(agencies, withLoad: true)
        body += "<h2>Bottlenecks</h2><ul>" + bottlenecks.map { "<li><b>\(Self.escape($0.agency))</b>: \(Self.escape($0.reason))</li>" }.joined() + "</ul>"
        body += "<h2>Hub</h2><p>\(hub.messagesIn) messages in, \(hub.messagesOut) out, \(hub.rejected) rejected, \(Self.number(hub.messagesPerSecond)) messages/s in.</p>"
        if !faults.isEmpty {
            let unit = DurationUnit(fittingHours: simulatedHours)
            body += "<h2>Faults injected</h2><div class=\"wide\"><table><tr><th>fault</th><th>on (\(unit.symbol))</th><th>off (\(unit.symbol))</th><th>referrals meanwhile</th><th>lost</th><th>what was done</th></tr>"
            for run in faults {
                let on = run.startedHours.map { unit.value(hours: $0) } ?? "–"
                let off = run.endedHours.map { unit.value(hours: $0) } ?? "end"
                body += "<tr><td>\(Self.escape(run.fault))</td><td>\(on)</td><td>\(off)</td><td>\(run.referralsDuring)</td><td>\(run.lostDuring)</td><td>\(Self.escape(run.actions.joined(separator: "; ")))</td></tr>"
            }
            body += "</table></div>"
        }
        for note in notes { body += "<p>Note: \(Self.escape(note))</p>" }
        if !faultsNotExecuted.isEmpty {
            body += "<p>Faults declared but not injected by this runner: \(Self.escape(faultsNotExecuted.joined(separator: "; ")))</p>"
        }
        if !lostReferrals.isEmpty {
            body += "<h2>Lost referrals</h2><ul>" + lostReferrals.map {
                "<li>\($0.referral) \(Self.escape($0.from)) → \(Self.escape($0.to ?? "open")) (\(Self.escape($0.category)))</li>"
            }.joined() + "</ul>"
        }
        body += "<h2>Topology</h2>" + Self.diagram(network)
        return Self.page(title: "Tansiq simulation — \(topology)", body: body)
    }

    /// A self-contained page around `body`: the reports' one style.
    static func page(title: String, body: String) -> String {
        """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>\(escape(title))</title>
            <style>
            body{font-family:system-ui,sans-serif;margin:2em;max-width:1200px;color:#222}
            table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}
            td:first-child,th:first-child{text-align:left}.bad{color:#b00}.good{color:#070}
            .wide{overflow-x:auto;max-width:100%}svg{max-width:100%;height:auto}figcaption{font-size:13px}
            </style></head><body>
            \(body)
            </body></html>
            """
    }

    /// Who refers to whom: an arrow per link, labelled with its categories, nodes coloured by role
    /// (the coordinator outlined).
    private static func diagram(_ topology: Topology) -> String {
        // Not the outcome or percentile colours of the charts above: a colour means one thing on the page.
        let colours: [AgentRole: String] = [.commune: "#7048e8", .iom: "#15aabf", .service: "#868e96", .civilSociety: "#e64980"]
        let nodes = topology.nodes.map { SVGChart.Node($0.id, colour: colours[$0.role] ?? "#888", emphasised: $0.isCoordinator, size: $0.agents) }
        let edges = topology.links.map {
            SVGChart.Edge(from: $0.from, to: $0.to, label: $0.services.map(\.rawValue).joined(separator: ", "), weight: $0.weight)
        }
        return SVGChart.directed(nodes, edges, legend: AgentRole.allCases.map { ($0.rawValue, colours[$0] ?? "#888") })
    }

    /// Durations in hours, or in days for a column whose longest figure passes two days (the
    /// charts' rule), the unit in the column's title.
    private static func table(_ groups: [Group], withLoad: Bool) -> String {
        let times: [(String, KeyPath<Group, Percentiles?>)] = [("acknowledge", \.acknowledge), ("decide", \.decide), ("complete", \.complete)]
        let units = times.map { _, path in DurationUnit(fittingHours: groups.compactMap { $0[keyPath: path]?.p99 }.max() ?? 0) }
        func cell(_ p: Percentiles?, _ unit: DurationUnit) -> String {
            p.map { "\(unit.value(hours: $0.p50)) / \(unit.value(hours: $0.p90)) / \(unit.value(hours: $0.p99)) (n \($0.count))" } ?? "–"
        }
        var html = "<div class=\"wide\"><table><tr><th>name</th><th>referrals</th><th>completed</th><th>failed</th><th>rejected</th><th>lost</th><th>escalated</th>"
        html += zip(times, units).map { "<th>\($0.0) p50 / p90 / p99 (\($1.symbol))</th>" }.joined()
        if withLoad { html += "<th>sent</th><th>peak in use / capacity</th>" }
        html += "</tr>"
        for group in groups {
            let c = group.counts
            html += "<tr><td>\(escape(group.name))</td><td>\(c.created)</td><td>\(c.completed)</td><td>\(c.failed)</td><td>\(c.rejected)</td><td>\(c.lost)</td><td>\(c.escalated)</td>"
            html += zip(times, units).map { "<td>\(cell(group[keyPath: $0.1], $1))</td>" }.joined()
            if withLoad {
                let load = group.capacity.map { "\(group.peakInUse ?? 0) / \($0) (\(Int(((group.peakUse ?? 0) * 100).rounded()))%)" } ?? "–"
                html += "<td>\(group.sent ?? 0)</td><td>\(load)</td>"
            }
            html += "</tr>"
        }
        return html + "</table></div>"
    }

    private static func pairs(_ counts: [String: Int]) -> String {
        counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }

    static func escape(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
