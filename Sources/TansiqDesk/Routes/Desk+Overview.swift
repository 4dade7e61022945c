import Foundation
import HTTPTypes
import Hummingbird
import TansiqAgent
import TansiqMessages

/// The coordinator's overview (`/overview`) and its escalation acknowledgements; only on the
/// coordinator's desk (404 elsewhere).
extension Desk {
    func addOverviewRoutes(to router: Router<BasicRequestContext>) {
        router.get("/overview") { [self] request, _ in try await answering { try await overview(request) } }
        router.post("/overview/escalations/:id/:deadline") { [self] request, context in
            try await answering {
                try await postAcknowledgement(request, id: context.parameters.get("id"), deadline: context.parameters.get("deadline"))
            }
        }
    }

    /// The views, escalations, presence and directory, and the agent's time, in one read.
    func overviewSnapshot() async throws(DeskError) -> OverviewSnapshot {
        try await agent { context in
            OverviewSnapshot(now: context.now(), overview: context.networkOverview, directory: context.serviceDirectory)
        }
    }

    private func overview(_ request: Request, status: HTTPResponse.Status = .ok, flash: Flash? = nil) async throws -> Response {
        let visit = visit(request)
        guard let session = visit.session else { return redirect("/login", cookies: visit.cookies) }
        let l = visit.language
        guard configuration.coordinates else {
            return html(.notFound, page(visit, title: l("overview.title"), flash: .error(l("overview.coordinatorOnly"))).render(""), cookies: visit.cookies)
        }
        let query = request.uri.queryParameters
        let filter = OverviewFilter(
            state: query.get("state").flatMap(ReferralState.init(rawValue:)), receiver: query.get("receiver"),
            category: query.get("category").map(ServiceCategory.init(rawValue:)))
        do {
            let snapshot = try await overviewSnapshot()
            let format = DeskFormat(language: l, timeZone: configuration.timeZone, now: snapshot.now)
            let view = OverviewPage(language: l, format: format, session: session, configuration: configuration)
            if query.get("fragment") == "live" { return html(.ok, view.live(snapshot, filter: filter), cookies: visit.cookies) }
            return html(status, page(visit, title: l("overview.title"), flash: flash).render(view.render(snapshot, filter: filter)), cookies: visit.cookies)
        } catch {
            return html(error.status, page(visit, title: l("overview.title"), flash: .error(l("error.agent"))).render(""), cookies: visit.cookies)
        }
    }

    private func postAcknowledgement(_ request: Request, id text: String?, deadline code: String?) async throws -> Response {
        var request = request
        let form = FormFields(try await Self.body(&request))
        let visit = visit(request)
        let l = visit.language
        guard let session = visit.session else { return redirect("/login", cookies: visit.cookies) }
        guard form["_csrf"] == session.csrf else {
            return html(.forbidden, page(visit, title: l("overview.title"), flash: .error(l("error.csrf"))).render(""), cookies: visit.cookies)
        }
        do {
            _ = try await acknowledge(
                id: text, deadline: code, action: form["action"], note: form["note"].flatMap { $0.isEmpty ? nil : $0 },
                session: session, language: l)
            sessions.flash(session.token, .ok(l("overview.ack.done")))
            return redirect("/overview#overview-escalations", cookies: visit.cookies)
        } catch {
            return try await overview(request, status: error.status, flash: .error(error.message))
        }
    }

    /// The coordinator acknowledges an escalation: published on the bus by the agent.
    func acknowledge(
        id text: String?, deadline code: String?, action: String?, note: String?, session: DeskSession, language l: Language
    ) async throws(DeskError) -> EscalationAcknowledgement {
        guard configuration.coordinates else { throw DeskError(.notFound, l("overview.coordinatorOnly")) }
        guard session.role.mayAct else { throw DeskError(.forbidden, l("action.forbidden")) }
        guard let id = text.flatMap(UUID.init(uuidString:)), let deadline = code.flatMap(Escalation.Deadline.init(rawValue:)) else {
            throw DeskError(.notFound, l("overview.ack.unknown"))
        }
        let action = EscalationAcknowledgement.Action(rawValue: action ?? EscalationAcknowledgement.Action.noActionNeeded.rawValue)
        let worker = session.worker
        return try await agent { context in
            try context.acknowledgeEscalation(id, deadline: deadline, action: action, note: note, worker: worker)
        }
    }
}
