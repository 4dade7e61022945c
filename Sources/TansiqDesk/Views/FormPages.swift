import Foundation
import TansiqAgent
import TansiqMessages

/// The new-referral form: receiver from the live service directory or open to a category,
/// priority with its deadlines, reasons, consent (required) with its scope, coarse facts, a note.
struct ReferralFormPage {
    var language: Language
    var format: DeskFormat
    var session: DeskSession
    var configuration: DeskConfiguration

    func render(directory: [ServiceStatus], draft: ReferralDraft?, suggestedCase: String) -> String {
        let l = language
        let draft = draft ?? ReferralDraft(priority: "routine", consentScope: ["share-with-receiver", "share-with-coordinator"])
        let categories = ServiceCategory.knownValues.map(\.rawValue)
        let openOptions = categories.map { code -> String in
            let value = "open:\(code)"
            return "<option value=\"\(h(value))\"\(draft.receiver == value ? " selected" : "")>\(h(l("form.receiver.openOption", l.label("category", code))))</option>"
        }.joined()
        let priorities = Priority.allCases.map { priority -> String in
            let text = "\(l.label("priority", priority.rawValue)) — \(l("form.ackWithin", format.duration(priority.acknowledgementTime))), \(l("form.decideWithin", format.duration(priority.decisionTime)))"
            return "<option value=\"\(priority.rawValue)\"\(draft.priority == priority.rawValue ? " selected" : "")>\(h(text))</option>"
        }.joined()
        func select(_ name: String, _ id: String, _ labelKey: String, _ codes: [String], prefix: String, selected: [String], multiple: Bool = false, required: Bool = false, choose: Bool = false) -> String {
            """
            <label for="\(id)">\(h(l(labelKey)))</label>
            <select name="\(name)" id="\(id)"\(multiple ? " multiple size=\"\(min(8, codes.count))\"" : "")\(required ? " required" : "")>\(choose ? "<option value=\"\">\(h(l("form.choose")))</option>" : "")\(options(codes, prefix: prefix, l, selected: Set(selected)))</select>
            """
        }
        return """
            <form method="post" action="/referrals" id="referral-form">
            <input type="hidden" name="_csrf" value="\(h(session.csrf))">
            <label for="referral-receiver">\(h(l("form.receiver")))</label>
            <select name="receiver" id="referral-receiver" required>
            <option value="">\(h(l("form.choose")))</option>
            <optgroup label="\(h(l("form.receiver.directory")))" id="directory">\(directoryOptions(directory, selected: draft.receiver))</optgroup>
            <optgroup label="\(h(l("form.receiver.open")))">\(openOptions)</optgroup>
            </select>
            \(select("category", "referral-category", "form.category", categories, prefix: "category", selected: draft.category.map { [$0] } ?? [], choose: true))
            <label for="referral-priority">\(h(l("form.priority")))</label>
            <select name="priority" id="referral-priority">\(priorities)</select>
            \(select("reason", "referral-reason", "form.reasons", Referral.ReasonCode.knownValues.map(\.rawValue), prefix: "reasonCode", selected: draft.reasons, multiple: true, required: true))
            <label><input type="checkbox" name="consent" value="given" id="referral-consent" required\(draft.consent ? " checked" : "")> \(h(l("form.consent")))</label>
            \(select("scope", "referral-consent-scope", "form.consentScope", Referral.Consent.Scope.knownValues.map(\.rawValue), prefix: "scope", selected: draft.consentScope, multiple: true))
            <label for="referral-case">\(h(l("form.case")))</label>
            <input type="text" name="case" id="referral-case" required maxlength="32" value="\(h(draft.caseReference ?? suggestedCase))" autocomplete="off">
            \(select("age-band", "referral-age-band", "form.ageBand", Referral.Subject.AgeBand.allCases.map(\.rawValue), prefix: "age", selected: draft.ageBand.map { [$0] } ?? [], choose: true))
            <label for="referral-language">\(h(l("form.language")))</label>
            <input type="text" name="language" id="referral-language" maxlength="12" value="\(h(draft.language ?? ""))" autocomplete="off">
            \(select("needs", "referral-needs", "form.needs", Referral.Subject.NeedsFlag.knownValues.map(\.rawValue), prefix: "needs", selected: draft.needs, multiple: true))
            <label for="referral-note">\(h(l("form.note")))</label>
            <p class="warning" id="note-warning">\(h(l("form.noteWarning")))</p>
            <textarea name="note" id="referral-note" maxlength="280">\(h(draft.note ?? ""))</textarea>
            <p><button type="submit" id="referral-submit">\(h(l("form.submit")))</button></p>
            </form>
            """
    }

    /// Other agencies' services, with what they have left; refreshed live.
    func directoryOptions(_ directory: [ServiceStatus], selected: String?) -> String {
        let l = language
        var seen = Set<String>()
        var html = ""
        for status in directory where status.agency != configuration.agency && status.status != .inactive {
            guard seen.insert("\(status.agency)/\(status.category.rawValue)").inserted else { continue }
            var text = "\(status.agency) — \(l.label("category", status.category.rawValue)): "
            text += status.accepting == .no ? l.label("accepting", "no") : l("form.capacity", "\(status.capacity.available)/\(status.capacity.maximum) \(l.label("unit", status.capacity.unit.rawValue))")
            if status.accepting == .waitlist { text += " · \(l.label("accepting", "waitlist"))" }
            html += "<option value=\"\(h(status.agency))\" data-category=\"\(h(status.category.rawValue))\"\(selected == status.agency && !seen.contains("selected") ? " selected" : "")>\(h(text))</option>"
            if selected == status.agency { seen.insert("selected") }
        }
        return html
    }
}

/// The service page: per category offered, its published status and a form to change it.
struct ServicePage {
    var language: Language
    var format: DeskFormat
    var session: DeskSession
    var configuration: DeskConfiguration

    func render(current: [ServiceCategory: ServiceStatus]) -> String {
        let l = language
        guard configuration.provides else { return "<p class=\"muted\">\(h(l("service.none")))</p>" }
        var html = ""
        for (category, offer) in configuration.offers.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            let status = current[category]
            let code = category.rawValue
            let summary = status.map { s in
                "\(l.label("availability", s.status.rawValue)) · \(l("service.accepting")): \(l.label("accepting", s.accepting.rawValue)) · \(s.capacity.available)/\(s.capacity.maximum) \(l.label("unit", s.capacity.unit.rawValue)) · \(format.date(s.updatedAt))"
            } ?? l("service.notSet")
            let disabled = session.role.mayAct ? "" : " disabled"
            html += """
                <section data-service="\(h(code))"><h2>\(h(l.label("category", code)))</h2>
                <p id="service-\(h(code))-current">\(h(l("service.current", summary)))</p>
                <form method="post" action="/service" class="action">
                <input type="hidden" name="_csrf" value="\(h(session.csrf))"><input type="hidden" name="category" value="\(h(code))">
                <span><label for="service-\(code)-status">\(h(l("service.status")))</label><select name="status" id="service-\(code)-status"\(disabled)>\(options(ServiceStatus.Availability.allCases.map(\.rawValue), prefix: "availability", l, selected: [status?.status.rawValue ?? "active"]))</select></span>
                <span><label for="service-\(code)-accepting">\(h(l("service.accepting")))</label><select name="accepting" id="service-\(code)-accepting"\(disabled)>\(options(ServiceStatus.Accepting.allCases.map(\.rawValue), prefix: "accepting", l, selected: [status?.accepting.rawValue ?? "yes"]))</select></span>
                <span><label for="service-\(code)-waitlist">\(h(l("service.waitlist")))</label><select name="waitlist" id="service-\(code)-waitlist"\(disabled)><option value="">\(h(l("referral.none")))</option>\(options(ServiceStatus.WaitlistBand.knownValues.map(\.rawValue), prefix: "waitlist", l, selected: Set([status?.waitlistBand?.rawValue].compactMap { $0 })))</select></span>
                <span><label for="service-\(code)-available">\(h(l("service.available")))</label><input type="number" min="0" name="available" id="service-\(code)-available" value="\(status?.capacity.available ?? offer.capacity)"\(disabled)></span>
                <span><label for="service-\(code)-maximum">\(h(l("service.maximum")))</label><input type="number" min="0" name="maximum" id="service-\(code)-maximum" value="\(status?.capacity.maximum ?? offer.capacity)"\(disabled)></span>
                <span><label for="service-\(code)-unit">\(h(l("service.unit")))</label><select name="unit" id="service-\(code)-unit"\(disabled)>\(options(ServiceStatus.Capacity.Unit.knownValues.map(\.rawValue), prefix: "unit", l, selected: [status?.capacity.unit.rawValue ?? offer.unit]))</select></span>
                \(session.role.mayAct ? "<button type=\"submit\" data-action=\"publish-service\">\(h(l("service.publish")))</button>" : "")
                </form></section>
                """
        }
        return html
    }
}

/// The sign-in form.
struct LoginPage {
    var language: Language

    func render(csrf: String, worker: String?) -> String {
        let l = language
        return """
            <form method="post" action="/login" id="login-form">
            <input type="hidden" name="_csrf" value="\(h(csrf))">
            <label for="login-worker">\(h(l("login.worker")))</label>
            <input type="text" name="worker" id="login-worker" autocomplete="username" required value="\(h(worker ?? ""))">
            <p class="muted">\(h(l("login.hint")))</p>
            <label for="login-password">\(h(l("login.password")))</label>
            <input type="password" name="password" id="login-password" autocomplete="current-password" required>
            <p><button type="submit" id="login-submit">\(h(l("login.submit")))</button></p>
            </form>
            """
    }
}
