import TansiqAgent
import Foundation

extension SimulationReport {
    /// The report as one self-contained HTML page: tables, inline SVG bar charts and a diagram
    /// of `topology`; no script, no external resource.
    public func html(topology network: Topology) -> String {
        let r = referrals
        var body = """
            <h1>Simulation of \(Self.escape(topology))</h1>
            <p>Seed \(seed), \(Self.number(simulatedHours / 24)) simulated days at ×\(Self.number(timeScale)), \
            \(agents) agents as \(mode), \(cases) cases, wall time \(String(format: "%.1f", wallSeconds)) s.</p>
            <p class="\(r.lost > 0 ? "bad" : "good")"><b>\(r.lost) lost</b> referrals of \(r.created) created \
            (\(r.open) open); \(r.received) received, \(r.accepted) accepted, \(r.rejected) rejected, \
            \(r.completed) completed, \(r.failed) failed, \(r.escalated) escalated, \(r.unanswered) unanswered.</p>
            <p class="\(r.lostStatusUpdates > 0 ? "bad" : "good")"><b>\(r.lostStatusUpdates) lost</b> status updates of \
            \(r.statusUpdates) published for the referrers (\(r.statusUpdatesInFlight) still on their way at the end).</p>
            """
        if !r.rejectedByReason.isEmpty { body += "<p>Rejected by reason: \(Self.escape(Self.pairs(r.rejectedByReason)))</p>" }
        if !r.escalatedByDeadline.isEmpty { body += "<p>Escalations by deadline: \(Self.escape(Self.pairs(r.escalatedByDeadline)))</p>" }
        body += "<h2>Outcomes per service category</h2>"
        body += Self.barChart(
            categories.map { ($0.name, [Double($0.counts.completed), Double($0.counts.failed), Double($0.counts.rejected)]) },
            series: ["completed", "failed", "rejected"], unit: "")
        body += "<h2>Time to complete per category (simulated hours)</h2>"
        body += Self.barChart(
            categories.map { ($0.name, [$0.complete?.p50 ?? 0, $0.complete?.p90 ?? 0, $0.complete?.p99 ?? 0]) },
            series: ["p50", "p90", "p99"], unit: " h")
        body += "<h2>Time to decide per category (simulated hours)</h2>"
        body += Self.barChart(
            categories.map { ($0.name, [$0.decide?.p50 ?? 0, $0.decide?.p90 ?? 0, $0.decide?.p99 ?? 0]) },
            series: ["p50", "p90", "p99"], unit: " h")
        body += "<h2>Categories</h2>" + Self.table(categories, withLoad: false)
        body += "<h2>Agencies</h2>" + Self.table(agencies, withLoad: true)
        body += "<h2>Bottlenecks</h2><ul>" + bottlenecks.map { "<li><b>\(Self.escape($0.agency))</b>: \(Self.escape($0.reason))</li>" }.joined() + "</ul>"
        body += "<h2>Hub</h2><p>\(hub.messagesIn) messages in, \(hub.messagesOut) out, \(hub.rejected) rejected, \(Self.number(hub.messagesPerSecond)) messages/s in.</p>"
        if !faults.isEmpty {
            body += "<h2>Faults injected</h2><table><tr><th>fault</th><th>on (h)</th><th>off (h)</th><th>referrals meanwhile</th><th>lost</th><th>what was done</th></tr>"
            for run in faults {
                let on = run.startedHours.map { String(format: "%.1f", $0) } ?? "–"
                let off = run.endedHours.map { String(format: "%.1f", $0) } ?? "end"
                body += "<tr><td>\(Self.escape(run.fault))</td><td>\(on)</td><td>\(off)</td><td>\(run.referralsDuring)</td><td>\(run.lostDuring)</td><td>\(Self.escape(run.actions.joined(separator: "; ")))</td></tr>"
            }
            body += "</table>"
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
            </style></head><body>
            \(body)
            </body></html>
            """
    }

    static let palette = ["#2b8a3e", "#e67700", "#c92a2a", "#1864ab", "#862e9c"]

    /// Horizontal grouped bars: one group per label, one bar per series.
    static func barChart(_ rows: [(String, [Double])], series: [String], unit: String) -> String {
        let maximum = max(rows.flatMap(\.1).max() ?? 0, 1e-9)
        let bar = 12, gap = 8, left = 150, plot = 700
        let groupHeight = bar * series.count + gap
        let height = rows.count * groupHeight + 30
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(left + plot + 80)\" height=\(quote(height)) font-size=\"11\">"
        for (index, name) in series.enumerated() {
            let x = left + index * 90
            svg += "<rect x=\(quote(x)) y=\"2\" width=\"10\" height=\"10\" fill=\(quote(palette[index % palette.count]))/><text x=\(quote(x + 14)) y=\"11\">\(escape(name))</text>"
        }
        for (row, (label, values)) in rows.enumerated() {
            let top = 22 + row * groupHeight
            svg += "<text x=\(quote(left - 6)) y=\(quote(top + groupHeight / 2)) text-anchor=\"end\">\(escape(label))</text>"
            for (index, value) in values.enumerated() {
                let width = Int((value / maximum * Double(plot)).rounded())
                let y = top + index * bar
                svg += "<rect x=\(quote(left)) y=\(quote(y)) width=\(quote(width)) height=\(quote(bar - 2)) fill=\(quote(palette[index % palette.count]))/>"
                svg += "<text x=\(quote(left + width + 4)) y=\(quote(y + bar - 3))>\(number(value))\(unit)</text>"
            }
        }
        return svg + "</svg>"
    }

    /// Nodes on a circle coloured by role (the coordinator outlined), links as lines.
    private static func diagram(_ topology: Topology) -> String {
        let colours: [AgentRole: String] = [.commune: "#1864ab", .iom: "#e67700", .service: "#2b8a3e", .civilSociety: "#862e9c"]
        // Room on both sides for the labels of the leftmost and rightmost nodes.
        let width = 1050.0, height = 780.0, centre = 525.0, middle = 380.0, radius = 340.0
        let count = max(topology.nodes.count, 1)
        var position: [String: (Double, Double)] = [:]
        for (index, node) in topology.nodes.enumerated() {
            let angle = 2 * Double.pi * Double(index) / Double(count) - Double.pi / 2
            position[node.id] = (centre + radius * cos(angle), middle + radius * sin(angle))
        }
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height + 20))\" font-size=\"10\">"
        for (index, role) in AgentRole.allCases.enumerated() {
            svg += "<circle cx=\(quote(20 + index * 150)) cy=\"12\" r=\"6\" fill=\(quote(colours[role] ?? "#888"))/><text x=\(quote(30 + index * 150)) y=\"16\">\(role.rawValue)</text>"
        }
        svg += "<g transform=\"translate(0,10)\">"
        for link in topology.links {
            guard let from = position[link.from], let to = position[link.to] else { continue }
            svg += "<line x1=\(quote(from.0)) y1=\(quote(from.1)) x2=\(quote(to.0)) y2=\(quote(to.1)) stroke=\"#999\" stroke-width=\(quote(min(4, 0.8 + link.weight * 0.6)))><title>\(escape(link.from)) → \(escape(link.to)): \(escape(link.services.map(\.rawValue).joined(separator: ", ")))</title></line>"
        }
        for node in topology.nodes {
            guard let (x, y) = position[node.id] else { continue }
            let stroke = node.isCoordinator ? " stroke=\"#000\" stroke-width=\"3\"" : ""
            let r = 7 + min(8, node.agents * 2)
            svg += "<circle cx=\(quote(x)) cy=\(quote(y)) r=\(quote(r)) fill=\(quote(colours[node.role] ?? "#888"))\(stroke)><title>\(escape(node.name))</title></circle>"
            let anchor = x < centre - 5 ? "end" : (x > centre + 5 ? "start" : "middle")
            let dx = anchor == "end" ? -(Double(r) + 3) : (anchor == "start" ? Double(r) + 3 : 0)
            // A node at the top or bottom is labelled above or below, not across its circle.
            let dy = anchor != "middle" ? 3 : (y < middle ? -Double(r) - 4 : Double(r) + 12)
            svg += "<text x=\(quote(x + dx)) y=\(quote(y + dy)) text-anchor=\(quote(anchor))>\(escape(node.id))</text>"
        }
        return svg + "</g></svg>"
    }

    private static func table(_ groups: [Group], withLoad: Bool) -> String {
        func cell(_ p: Percentiles?) -> String {
            p.map { String(format: "%.1f / %.1f / %.1f", $0.p50, $0.p90, $0.p99) } ?? "–"
        }
        var html = "<table><tr><th>name</th><th>referrals</th><th>completed</th><th>failed</th><th>rejected</th><th>lost</th><th>escalated</th><th>acknowledge p50/p90/p99 h</th><th>decide p50/p90/p99 h</th><th>complete p50/p90/p99 h</th>"
        if withLoad { html += "<th>sent</th><th>peak in use / capacity</th>" }
        html += "</tr>"
        for group in groups {
            let c = group.counts
            html += "<tr><td>\(escape(group.name))</td><td>\(c.created)</td><td>\(c.completed)</td><td>\(c.failed)</td><td>\(c.rejected)</td><td>\(c.lost)</td><td>\(c.escalated)</td><td>\(cell(group.acknowledge))</td><td>\(cell(group.decide))</td><td>\(cell(group.complete))</td>"
            if withLoad {
                let load = group.capacity.map { "\(group.peakInUse ?? 0) / \($0) (\(Int(((group.peakUse ?? 0) * 100).rounded()))%)" } ?? "–"
                html += "<td>\(group.sent ?? 0)</td><td>\(load)</td>"
            }
            html += "</tr>"
        }
        return html + "</table>"
    }

    private static func pairs(_ counts: [String: Int]) -> String {
        counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }

    static func quote(_ value: Int) -> String { "\"\(value)\"" }
    static func quote(_ value: Double) -> String { String(format: "\"%.1f\"", value) }
    static func quote(_ value: String) -> String { "\"\(escape(value))\"" }

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
