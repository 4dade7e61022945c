import Foundation
import TansiqAgent
import TansiqHub
import TansiqMessages

/// What the overview is drawn from, read on the agent's thread in one go.
struct OverviewSnapshot: Sendable {
    var now: Date
    var overview: NetworkOverview
    var directory: [ServiceStatus]
}

/// Which cell of a matrix a list is filtered by.
struct OverviewFilter: Sendable {
    var state: ReferralState?
    var receiver: String?
    var category: ServiceCategory?

    var isEmpty: Bool { state == nil && receiver == nil && category == nil }

    func matches(_ view: ReferralView) -> Bool {
        (state == nil || view.state == state) && (receiver == nil || OverviewPage.receiverKey(view) == receiver)
            && (category == nil || view.category == category)
    }

    var query: String {
        var parts: [String] = []
        if let state { parts.append("state=\(state.rawValue)") }
        if let receiver { parts.append("receiver=\(receiver)") }
        if let category { parts.append("category=\(category.rawValue)") }
        return parts.joined(separator: "&")
    }
}

/// The coordinator's overview: open referrals by state × receiving agency and state ×
/// category (each cell links to its list), the overdue ones, the escalation queue, the service
/// directory, silent partners. Drawn only from the hub's de-identified views (never a case
/// reference, a note or a subject), the escalations and the statuses on the bus.
struct OverviewPage {
    var language: Language
    var format: DeskFormat
    var session: DeskSession
    var configuration: DeskConfiguration

    static let openStates: [ReferralState] = ReferralState.allCases.filter { !$0.isTerminal }
    /// The column of a referral nobody claimed yet.
    static let unclaimed = "-"

    static func receiverKey(_ view: ReferralView) -> String { view.receiver ?? unclaimed }

    /// The deadline the open referral waits on, and whose move it is.
    static func deadline(_ view: ReferralView) -> (deadline: Escalation.Deadline, date: Date) {
        switch view.state {
        case .requested: (.acknowledge, view.acknowledgeBy)
        case .received: (.decide, view.decideBy)
        default: (.followUp, view.followUpOn)
        }
    }

    func render(_ snapshot: OverviewSnapshot, filter: OverviewFilter) -> String {
        "<div id=\"overview-live\" data-query=\"\(h(filter.query))\">\(live(snapshot, filter: filter))</div>"
    }

    /// Everything that changes, refreshed by the page's live stream.
    func live(_ snapshot: OverviewSnapshot, filter: OverviewFilter) -> String {
        let open = snapshot.overview.views.values.filter { !$0.state.isTerminal }
        var html = ""
        html += "<section class=\"overview\" id=\"overview-open\"><h2>\(h(language("overview.open", "\(open.count)")))</h2>"
        // The matrices count the registry's records by the facts' rule (ReferralFacts.pending), the facts page's one way of counting.
        let records = Desk.registryRecords(snapshot.overview)
        let byReceiver = ReferralFacts.pending(records) { $0.receiver ?? Self.unclaimed }
        html += matrix(byReceiver, id: "matrix-receiver", columnTitle: language("overview.byReceiver"),
                       columnLabel: { $0 == Self.unclaimed ? language("overview.unclaimed") : $0 },
                       link: { state, column in OverviewFilter(state: state, receiver: column) })
        let byCategory = ReferralFacts.pending(records) { $0.category.rawValue }
        html += matrix(byCategory, id: "matrix-category", columnTitle: language("overview.byCategory"),
                       columnLabel: { language.label("category", $0) },
                       link: { state, column in OverviewFilter(state: state, category: ServiceCategory(rawValue: column)) })
        if !filter.isEmpty { html += list(open.filter(filter.matches), filter: filter) }
        html += "</section>"
        html += overdue(open, now: snapshot.now)
        html += escalations(snapshot.overview)
        html += directory(snapshot.directory, now: snapshot.now)
        html += presence(snapshot.overview)
        return html
    }

    private func matrix(
        _ counts: [ReferralState: [String: Int]], id: String, columnTitle: String, columnLabel: (String) -> String,
        link: (ReferralState, String) -> OverviewFilter
    ) -> String {
        let l = language
        guard !counts.isEmpty else { return "<p class=\"muted\" id=\"\(id)-empty\">\(h(l("overview.none")))</p>" }
        let columns = Set(counts.values.flatMap(\.keys)).sorted()
        var rows = ""
        for state in Self.openStates {
            var cells = ""
            for key in columns {
                let count = counts[state]?[key] ?? 0
                let cell = "data-state=\"\(state.rawValue)\" data-column=\"\(h(key))\""
                cells += count == 0 ? "<td \(cell)>·</td>" : "<td \(cell)><a href=\"/overview?\(h(link(state, key).query))#overview-list\">\(count)</a></td>"
            }
            rows += "<tr><th scope=\"row\"><span class=\"state\">\(state.rawValue)</span><span class=\"label\">\(h(l.label("state", state.rawValue)))</span></th>\(cells)</tr>"
        }
        let head = columns.map { "<th scope=\"col\">\(h(columnLabel($0)))</th>" }.joined()
        return "<h3>\(h(columnTitle))</h3><table class=\"matrix\" id=\"\(id)\"><thead><tr><th>\(h(l("col.state")))</th>\(head)</tr></thead><tbody>\(rows)</tbody></table>"
    }

    private func list(_ views: [ReferralView], filter: OverviewFilter) -> String {
        let l = language
        var title: [String] = []
        if let state = filter.state { title.append(l.label("state", state.rawValue)) }
        if let receiver = filter.receiver { title.append(receiver == Self.unclaimed ? l("overview.unclaimed") : receiver) }
        if let category = filter.category { title.append(l.label("category", category.rawValue)) }
        let rows = views.sorted { Self.deadline($0).date < Self.deadline($1).date }.map(row).joined()
        return "<h3 id=\"overview-list\">\(h(l("overview.list", title.joined(separator: " · "))))</h3>"
            + "<table id=\"overview-list-table\">\(header())<tbody>\(rows)</tbody></table>"
            + "<p><a href=\"/overview\">\(h(l("overview.clear")))</a></p>"
    }

    private func header(extra: String = "") -> String {
        let l = language
        return "<thead><tr><th>\(h(l("col.category")))</th><th>\(h(l("col.priority")))</th><th>\(h(l("col.state")))</th>"
            + "<th>\(h(l("overview.referrer")))</th><th>\(h(l("overview.receiver")))</th><th>\(h(l("col.deadline")))</th>\(extra)</tr></thead>"
    }

    private func row(_ view: ReferralView) -> String {
        let l = language
        let (deadline, date) = Self.deadline(view)
        let key = deadline == .followUp ? "deadline.followUp" : "deadline.\(deadline.rawValue)"
        return """
            <tr data-referral-id="\(view.referralId.uuidString.lowercased())"><td>\(h(l.label("category", view.category.rawValue)))</td>
            <td class="priority-\(view.priority.rawValue)">\(h(l.label("priority", view.priority.rawValue)))</td>
            <td><span class="state" data-field="state">\(view.state.rawValue)</span><span class="label">\(h(l.label("state", view.state.rawValue)))</span></td>
            <td>\(h(view.referrer))</td><td>\(h(view.receiver ?? l("overview.unclaimed")))</td>
            <td class="\(date < format.now ? "overdue" : "")">\(h(l(key))) \(format.deadline(date))</td></tr>
            """
    }

    private func overdue(_ open: [ReferralView], now: Date) -> String {
        let l = language
        let late = open.filter { Self.deadline($0).date < now }.sorted { Self.deadline($0).date < Self.deadline($1).date }
        let html = "<section class=\"overview\" id=\"overview-overdue\"><h2>\(h(l("overview.overdue", "\(late.count)")))</h2>"
        guard !late.isEmpty else { return html + "<p class=\"muted\" id=\"overdue-empty\">\(h(l("overview.overdue.none")))</p></section>" }
        var rows = ""
        for view in late {
            let (deadline, date) = Self.deadline(view)
            // Acknowledging and deciding are the receiver's moves (nobody's, while unclaimed);
            // a missed follow-up is the receiver's report the referrer waits for.
            let who = view.receiver ?? l("overview.unclaimed")
            rows += """
                <tr data-referral-id="\(view.referralId.uuidString.lowercased())" data-deadline="\(deadline.rawValue)">
                <td>\(h(l("escalation.\(deadline.rawValue)")))</td><td class="overdue">\(format.deadline(date))</td>
                <td data-field="late">\(h(who))</td><td>\(h(view.referrer))</td><td>\(h(l.label("category", view.category.rawValue)))</td>
                <td><span class="state" data-field="state">\(view.state.rawValue)</span></td></tr>
                """
        }
        return html + """
            <table id="overdue"><thead><tr><th>\(h(l("overview.missed")))</th><th>\(h(l("overview.due")))</th><th>\(h(l("overview.late")))</th>
            <th>\(h(l("overview.referrer")))</th><th>\(h(l("col.category")))</th><th>\(h(l("col.state")))</th></tr></thead><tbody>\(rows)</tbody></table></section>
            """
    }

    private func escalations(_ overview: NetworkOverview) -> String {
        let l = language
        let entries = overview.escalations.values.sorted { a, b in
            if (a.acknowledgement == nil) != (b.acknowledgement == nil) { return a.acknowledgement == nil }
            return a.escalation.dueAt < b.escalation.dueAt
        }
        let waiting = entries.filter { $0.acknowledgement == nil }.count
        let html = "<section class=\"overview\" id=\"overview-escalations\"><h2>\(h(l("overview.escalations", "\(waiting)")))</h2>"
        guard !entries.isEmpty else { return html + "<p class=\"muted\" id=\"escalations-empty\">\(h(l("overview.escalations.none")))</p></section>" }
        var rows = ""
        for entry in entries {
            let escalation = entry.escalation
            let id = escalation.referralId.uuidString.lowercased()
            var what: String
            if let done = entry.acknowledgement {
                what = "<span data-field=\"acknowledged\">\(h(l.label("ackAction", done.action.rawValue)))</span> · \(h(format.date(done.acknowledgedAt)))"
                if let note = done.note { what += "<br><span class=\"muted\">\(h(note))</span>" }
            } else if session.role.mayAct {
                let actions = options(EscalationAcknowledgement.Action.knownValues.map(\.rawValue), prefix: "ackAction", l)
                what = """
                    <form method="post" action="/overview/escalations/\(id)/\(escalation.deadline.rawValue)" class="action ack">
                    <input type="hidden" name="_csrf" value="\(h(session.csrf))">
                    <select name="action" aria-label="\(h(l("overview.ack.action")))">\(actions)</select>
                    <input type="text" name="note" maxlength="280" placeholder="\(h(l("overview.ack.note")))" aria-label="\(h(l("overview.ack.note")))">
                    <button type="submit">\(h(l("overview.ack.submit")))</button></form>
                    """
            } else {
                what = "<span class=\"muted\">\(h(l("overview.ack.waiting")))</span>"
            }
            rows += """
                <tr data-referral-id="\(id)" data-deadline="\(escalation.deadline.rawValue)" class="\(entry.acknowledgement == nil ? "open" : "final")">
                <td>\(h(l("escalation.\(escalation.deadline.rawValue)")))</td><td>\(h(format.date(escalation.dueAt)))</td>
                <td>\(h(escalation.referrer))</td><td>\(h(escalation.receiver ?? l("overview.unclaimed")))</td>
                <td>\(h(l.label("category", escalation.category.rawValue)))</td><td>\(what)</td></tr>
                """
        }
        return html + """
            <table id="escalations"><thead><tr><th>\(h(l("overview.missed")))</th><th>\(h(l("overview.due")))</th><th>\(h(l("overview.referrer")))</th>
            <th>\(h(l("overview.receiver")))</th><th>\(h(l("col.category")))</th><th>\(h(l("overview.ack")))</th></tr></thead><tbody>\(rows)</tbody></table></section>
            """
    }

    private func directory(_ services: [ServiceStatus], now: Date) -> String {
        let l = language
        let html = "<section class=\"overview\" id=\"overview-directory\"><h2>\(h(l("overview.directory")))</h2>"
        guard !services.isEmpty else { return html + "<p class=\"muted\" id=\"directory-empty\">\(h(l("overview.directory.none")))</p></section>" }
        var rows = ""
        for service in services {
            let stale = (service.validUntil.map { $0 < now } ?? false) || now.timeIntervalSince(service.updatedAt) > configuration.staleServiceAge
            rows += """
                <tr data-agency="\(h(service.agency))" data-category="\(h(service.category.rawValue))">
                <td>\(h(service.agency))</td><td>\(h(l.label("category", service.category.rawValue)))</td>
                <td>\(h(l.label("availability", service.status.rawValue)))</td><td>\(h(l.label("accepting", service.accepting.rawValue)))</td>
                <td>\(h(service.waitlistBand.map { l.label("waitlist", $0.rawValue) } ?? ""))</td>
                <td>\(service.capacity.available)/\(service.capacity.maximum) \(h(l.label("unit", service.capacity.unit.rawValue)))</td>
                <td>\(h(format.date(service.updatedAt)))\(stale ? " <span class=\"stale\" data-field=\"stale\">\(h(l("overview.stale")))</span>" : "")</td></tr>
                """
        }
        return html + """
            <table id="directory"><thead><tr><th>\(h(l("overview.agency")))</th><th>\(h(l("col.category")))</th><th>\(h(l("overview.status")))</th>
            <th>\(h(l("overview.accepting")))</th><th>\(h(l("overview.waitlist")))</th><th>\(h(l("overview.capacity")))</th><th>\(h(l("overview.updated")))</th></tr></thead>
            <tbody>\(rows)</tbody></table></section>
            """
    }

    private func presence(_ overview: NetworkOverview) -> String {
        let l = language
        let silent = overview.silentAgencies
        let html = "<section class=\"overview\" id=\"overview-presence\"><h2>\(h(l("overview.silent", "\(silent.count)")))</h2>"
        guard !silent.isEmpty else { return html + "<p class=\"muted\" id=\"silent-empty\">\(h(l("overview.silent.none")))</p></section>" }
        let rows = silent.map { notice in
            "<tr data-agency=\"\(h(notice.agency))\"><td class=\"silent\">\(h(notice.agency))</td><td>\(h(l("overview.silentSince", format.date(notice.lastSeen))))</td></tr>"
        }.joined()
        return html + "<table id=\"silent\"><thead><tr><th>\(h(l("overview.agency")))</th><th>\(h(l("overview.lastHeard")))</th></tr></thead><tbody>\(rows)</tbody></table></section>"
    }
}
