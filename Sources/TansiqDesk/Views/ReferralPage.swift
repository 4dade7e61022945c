import Foundation
import TansiqAgent
import TansiqMessages

/// One referral: what it says, its deadlines, its whole trail and what the worker can do next.
struct ReferralPage {
    var language: Language
    var format: DeskFormat
    var session: DeskSession

    /// The page body; `#referral-live` (trail and actions) is what the live script refreshes.
    func render(_ tracked: TrackedReferral) -> String {
        let l = language
        let referral = tracked.referral
        func row(_ key: String, _ value: String) -> String { "<dt>\(h(l(key)))</dt><dd>\(value)</dd>" }
        let none = h(l("referral.none"))
        var facts = ""
        facts += row("referral.state", "<span id=\"referral-state\" class=\"state\" title=\"\(h(l.label("state", tracked.state.rawValue)))\">\(tracked.state.rawValue)</span><span class=\"label\" data-field=\"state-label\">\(h(l.label("state", tracked.state.rawValue)))</span>")
        facts += row("referral.case", h(referral.caseReference))
        facts += row("referral.category", h(l.label("category", referral.category.rawValue)))
        facts += row("referral.priority", "<span class=\"priority-\(referral.priority.rawValue)\">\(h(l.label("priority", referral.priority.rawValue)))</span>")
        facts += row("referral.reasons", h(referral.reasonCodes.map { l.label("reasonCode", $0.rawValue) }.joined(separator: ", ")))
        facts += row("referral.referrer", h("\(referral.referringAgency) · \(referral.referringWorker)"))
        facts += row("referral.receiver", tracked.receiver.map(h) ?? h(l("referral.open")))
        let consent = referral.consent
        // Isolated runs, so that a role id and a date keep their order in a right-to-left page.
        facts += row("referral.consent", "<bdi>\(h(l.label("consent", consent.status.rawValue)))</bdi> · <bdi>\(h(l("referral.consentRecorded", consent.recordedBy)))</bdi> · <bdi>\(h(format.date(consent.recordedAt)))</bdi>")
        facts += row("referral.consentScope", h(consent.scope.map { l.label("scope", $0.rawValue) }.joined(separator: ", ")))
        if let subject = referral.subject {
            facts += row("referral.ageBand", subject.ageBand.map { h(l.label("age", $0.rawValue)) } ?? none)
            facts += row("referral.language", subject.language.map(h) ?? none)
            facts += row("referral.needs", subject.needsFlags.isEmpty ? none : h(subject.needsFlags.map { l.label("needs", $0.rawValue) }.joined(separator: ", ")))
        }
        facts += row("referral.note", referral.note.map { "<span id=\"referral-note\">\(h($0))</span>" } ?? none)
        facts += row("deadline.acknowledge", format.deadline(referral.acknowledgeBy))
        facts += row("deadline.decide", format.deadline(referral.decideBy))
        facts += row("deadline.followUp", format.deadline(referral.followUpOn))
        return "<dl id=\"referral-facts\">\(facts)</dl><div id=\"referral-live\">\(live(tracked))</div>"
    }

    /// The trail and the actions, refreshed live.
    func live(_ tracked: TrackedReferral) -> String {
        let l = language
        var html = ""
        if let refusal = tracked.refusal {
            // The hub's own words only when no label says it in the page's language, as a sentence.
            let why = l.label("refusal", refusal.reason.rawValue)
            let explanation = why == refusal.reason.rawValue ? refusal.message.prefix(1).uppercased() + refusal.message.dropFirst() : why
            html += """
                <p id="referral-refused" class="refused" role="alert" data-reason="\(h(refusal.reason.rawValue))">\(h(l("referral.refused", l.label("state", refusal.state.rawValue)))) \
                <bdi>\(h(explanation))</bdi> · <bdi>\(h(format.date(refusal.at)))</bdi></p>
                """
        }
        if !tracked.escalated.isEmpty {
            html += "<h2>\(h(l("referral.escalated")))</h2><p id=\"referral-escalations\">\(h(tracked.escalated.map { l("escalation.\($0.rawValue)") }.sorted().joined(separator: ", ")))</p>"
        }
        let actions = actions(tracked)
        if !actions.isEmpty { html += "<h2>\(h(l("referral.actions")))</h2>" }
        html += "<div id=\"actions\">\(actions)</div>"
        html += "<h2>\(h(l("referral.trail")))</h2>"
        var rows = ""
        let written = tracked.sentAt ?? tracked.referral.consent.recordedAt
        rows += "<tr><td>\(h(format.date(written)))</td><td><span class=\"state\">requested</span> <span class=\"label\">\(h(l("referral.trail.written")))</span></td><td>\(h("\(tracked.referral.referringAgency) · \(tracked.referral.referringWorker)"))</td><td></td></tr>"
        for update in tracked.history {
            var details: [String] = []
            if let reason = update.reason { details.append(l.label("reason", reason.rawValue)) }
            if let alternative = update.suggestedAlternative { details.append("→ \(alternative)") }
            if let outcome = update.outcome { details.append(l.label("outcome", outcome.code.rawValue)) }
            if let note = update.note { details.append("“\(note)”") }
            rows += """
                <tr data-trail-state="\(update.state.rawValue)"><td>\(h(format.date(update.changedAt)))</td>
                <td><span class="state">\(update.previousState.rawValue)</span> \(l.direction == "rtl" ? "←" : "→") <span class="state">\(update.state.rawValue)</span> <span class="label">\(h(l.label("state", update.state.rawValue)))</span></td>
                <td>\(h(update.changedBy))</td><td>\(h(details.joined(separator: " · ")))</td></tr>
                """
        }
        html += """
            <table id="trail"><thead><tr><th>\(h(l("referral.trail.time")))</th><th>\(h(l("referral.trail.move")))</th><th>\(h(l("referral.trail.by")))</th><th>\(h(l("referral.trail.details")))</th></tr></thead>
            <tbody>\(rows)</tbody></table>
            """
        return html
    }

    /// The actions this worker may take now: none for a viewer or a closed referral.
    private func actions(_ tracked: TrackedReferral) -> String {
        guard session.role.mayAct, !tracked.isFinal else { return "" }
        let l = language
        let id = tracked.referral.referralId.uuidString.lowercased()
        func form(_ action: String, _ fields: String = "") -> String {
            """
            <form method="post" action="/referrals/\(id)/\(action)" class="action" data-form="\(action)">
            <input type="hidden" name="_csrf" value="\(h(session.csrf))">\(fields)
            <button type="submit" data-action="\(action)">\(h(l("action.\(action)")))</button></form>
            """
        }
        func note(_ action: String) -> String {
            "<span><label for=\"\(action)-note\">\(h(l("action.note")))</label><input type=\"text\" name=\"note\" id=\"\(action)-note\" maxlength=\"280\"></span>"
        }
        let outcomes = ReferralStatusUpdate.Outcome.Code.knownValues.map(\.rawValue)
        switch tracked.part {
        case .receiver:
            switch tracked.state {
            case .requested, .received:
                let reasons = ReferralStatusUpdate.Reason.allCases.filter { $0.state == .rejected }.map(\.rawValue)
                return form("accept")
                    + form("reject", """
                        <span><label for="reject-reason">\(h(l("action.reason")))</label><select name="reason" id="reject-reason">\(options(reasons, prefix: "reason", l))</select></span>
                        <span><label for="reject-alternative">\(h(l("action.alternative")))</label><input type="text" name="alternative" id="reject-alternative"></span>
                        """ + note("reject"))
            case .accepted:
                return form("start")
            case .inProgress:
                return form("hold", note("hold"))
                    + form("complete", "<span><label for=\"complete-outcome\">\(h(l("action.outcome")))</label><select name=\"outcome\" id=\"complete-outcome\">\(options(outcomes.filter { $0 != "service-unavailable" }, prefix: "outcome", l))</select></span>" + note("complete"))
                    + form("fail", "<span><label for=\"fail-outcome\">\(h(l("action.outcome")))</label><select name=\"outcome\" id=\"fail-outcome\">\(options(outcomes.filter { $0 != "service-provided" }, prefix: "outcome", l, selected: ["service-unavailable"]))</select></span>" + note("fail"))
            case .onHold:
                return form("resume", note("resume"))
            default:
                return ""
            }
        case .referrer:
            guard session.role == .supervisor || tracked.referral.referringWorker == session.worker else { return "" }
            return form("cancel", note("cancel"))
        case .observer:
            return ""
        }
    }
}
