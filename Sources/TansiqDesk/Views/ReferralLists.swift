import Foundation
import TansiqAgent
import TansiqMessages

/// The home page's lists: the inbox of a provider (by next deadline, then priority) and the
/// referrals a referrer sent ("my referrals", with escalations).
struct ReferralLists {
    var language: Language
    var format: DeskFormat
    var configuration: DeskConfiguration

    func render(_ referrals: [TrackedReferral]) -> String {
        let l = language
        var html = ""
        let inbox = referrals.filter { $0.part == .receiver }
        let mine = referrals.filter { $0.part == .referrer }
        if configuration.provides || !inbox.isEmpty {
            html += "<h2>\(h(l("home.inbox")))</h2>"
            html += table(Self.sorted(inbox), counterpart: l("col.from"), empty: l("home.inbox.empty"), id: "inbox") { tracked in
                h(tracked.referral.referringAgency)
            }
        }
        if configuration.refers || !mine.isEmpty {
            html += "<h2>\(h(l("home.mine")))</h2>"
            html += table(Self.sorted(mine), counterpart: l("col.to"), empty: l("home.mine.empty"), id: "mine", escalations: true) { tracked in
                tracked.receiver.map(h) ?? h(l("referral.open"))
            }
        }
        return html
    }

    /// Open referrals first, by their next deadline then priority (most urgent first); closed
    /// ones after, latest first.
    static func sorted(_ referrals: [TrackedReferral]) -> [TrackedReferral] {
        referrals.sorted { a, b in
            if a.isFinal != b.isFinal { return !a.isFinal }
            if a.isFinal { return a.updatedAt > b.updatedAt }
            let (da, db) = (nextDeadline(a).date, nextDeadline(b).date)
            if da != db { return da < db }
            return urgency(a.referral.priority) > urgency(b.referral.priority)
        }
    }

    static func urgency(_ priority: Priority) -> Int {
        switch priority {
        case .routine: 0
        case .urgent: 1
        case .asap: 2
        case .stat: 3
        }
    }

    /// The deadline that matters now: acknowledging, then deciding, then following up.
    static func nextDeadline(_ tracked: TrackedReferral) -> (key: String, date: Date) {
        switch tracked.state {
        case .requested: ("deadline.acknowledge", tracked.referral.acknowledgeBy)
        case .received: ("deadline.decide", tracked.referral.decideBy)
        default: ("deadline.followUp", tracked.referral.followUpOn)
        }
    }

    private func table(
        _ referrals: [TrackedReferral], counterpart: String, empty: String, id: String, escalations: Bool = false,
        party: (TrackedReferral) -> String
    ) -> String {
        let l = language
        guard !referrals.isEmpty else { return "<p class=\"muted\" id=\"\(id)-empty\">\(h(empty))</p>" }
        var rows = ""
        for tracked in referrals {
            let referral = tracked.referral
            let id = referral.referralId.uuidString.lowercased()
            let deadline = Self.nextDeadline(tracked)
            let overdue = !tracked.isFinal && deadline.date < format.now
            let escalated = tracked.escalated.map { l("escalation.\($0.rawValue)") }.sorted().joined(separator: ", ")
            rows += """
                <tr data-referral-id="\(id)" class="\(tracked.isFinal ? "final" : "open")">
                <td><a href="/referrals/\(id)">\(h(referral.caseReference))</a></td>
                <td>\(h(l.label("category", referral.category.rawValue)))</td>
                <td class="priority-\(referral.priority.rawValue)">\(h(l.label("priority", referral.priority.rawValue)))</td>
                <td><span class="state" data-field="state" title="\(h(l.label("state", tracked.state.rawValue)))">\(tracked.state.rawValue)</span><span class="label" data-field="state-label">\(h(l.label("state", tracked.state.rawValue)))</span></td>
                <td class="\(overdue ? "overdue" : "")">\(tracked.isFinal ? "" : "\(h(l(deadline.key))) \(format.deadline(deadline.date))")</td>
                <td>\(party(tracked))</td>
                \(escalations ? "<td data-field=\"escalations\">\(h(escalated))</td>" : "")
                </tr>
                """
        }
        return """
            <table id="\(id)"><thead><tr><th>\(h(l("col.case")))</th><th>\(h(l("col.category")))</th><th>\(h(l("col.priority")))</th>
            <th>\(h(l("col.state")))</th><th>\(h(l("col.deadline")))</th><th>\(h(counterpart))</th>\(escalations ? "<th>\(h(l("col.escalations")))</th>" : "")</tr></thead>
            <tbody>\(rows)</tbody></table>
            """
    }
}
