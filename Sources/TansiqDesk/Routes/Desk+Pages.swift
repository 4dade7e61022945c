import Foundation
import HTTPTypes
import Hummingbird
import TansiqAgent
import TansiqMessages

/// The HTML pages: sign-in, the lists, a referral and its actions, the new-referral form, the
/// service page. A form without its CSRF token is refused (403) before anything else.
extension Desk {
    func addPageRoutes(to router: Router<BasicRequestContext>) {
        router.get("/desk.css") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "max-age=3600"],
                     body: .init(byteBuffer: ByteBuffer(string: DeskAssets.css)))
        }
        router.get("/desk.js") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/javascript; charset=utf-8", .cacheControl: "max-age=3600"],
                     body: .init(byteBuffer: ByteBuffer(string: DeskAssets.javascript)))
        }
        router.get("/favicon.ico") { _, _ in Response(status: .noContent) }
        router.get("/login") { [self] request, _ in showLogin(visit(request), request: request) }
        router.post("/login") { [self] request, _ in try await answering { try await postLogin(request) } }
        router.post("/logout") { [self] request, _ in try await answering { try await postLogout(request) } }
        router.get("/") { [self] request, _ in try await answering { try await home(request) } }
        router.get("/referrals/new") { [self] request, _ in try await answering { try await newReferral(request) } }
        router.post("/referrals") { [self] request, _ in try await answering { try await postReferral(request) } }
        router.get("/referrals/:id") { [self] request, context in try await answering { try await referral(request, id: context.parameters.get("id")) } }
        router.post("/referrals/:id/:action") { [self] request, context in
            try await answering { try await postAction(request, id: context.parameters.get("id"), action: context.parameters.get("action") ?? "") }
        }
        router.get("/service") { [self] request, _ in try await answering { try await service(request) } }
        router.post("/service") { [self] request, _ in try await answering { try await postService(request) } }
        router.get("/events") { [self] request, _ in eventStream(request) }
    }

    // MARK: Signing in and out

    private func showLogin(_ visit: Visit, request: Request, status: HTTPResponse.Status = .ok, flash: Flash? = nil) -> Response {
        if visit.session != nil, flash == nil { return redirect("/", cookies: visit.cookies) }
        var cookies = visit.cookies
        let token: String
        if let existing = request.cookies[Visit.loginCookie]?.value, !existing.isEmpty {
            token = existing
        } else {
            token = DeskSessions.randomToken()
            cookies.append(cookie(Visit.loginCookie, token, maxAge: 3600))
        }
        var flash = flash
        if flash == nil, request.uri.queryParameters.get("signed-out") != nil { flash = .ok(visit.language("logout.done")) }
        var anonymous = visit
        anonymous.session = nil
        let body = LoginPage(language: visit.language).render(csrf: token, worker: nil)
        return html(status, page(anonymous, title: visit.language("login.title"), flash: flash).render(body), cookies: cookies)
    }

    private func postLogin(_ request: Request) async throws -> Response {
        var request = request
        let form = FormFields(try await Self.body(&request))
        let visit = visit(request)
        let l = visit.language
        guard let token = request.cookies[Visit.loginCookie]?.value, !token.isEmpty, form["_csrf"] == token else {
            return showLogin(visit, request: request, status: .forbidden, flash: .error(l("error.csrf")))
        }
        do {
            let session = try await login(worker: form["worker"] ?? "", password: form["password"] ?? "", language: l)
            return redirect("/", cookies: visit.cookies + [cookie(Visit.sessionCookie, session.token), expiredCookie(Visit.loginCookie)])
        } catch {
            return showLogin(visit, request: request, status: error.status, flash: .error(error.message))
        }
    }

    private func postLogout(_ request: Request) async throws -> Response {
        var request = request
        let form = FormFields(try await Self.body(&request))
        let visit = visit(request)
        guard let session = visit.session else { return redirect("/login", cookies: visit.cookies) }
        guard form["_csrf"] == session.csrf else { return refuseCSRF(visit) }
        sessions.close(session.token)
        await audit(session.worker, "logout")
        return redirect("/login?signed-out=1", cookies: visit.cookies + [expiredCookie(Visit.sessionCookie)])
    }

    private func refuseCSRF(_ visit: Visit) -> Response {
        html(.forbidden, page(visit, title: visit.language("app.title"), flash: .error(visit.language("error.csrf"))).render(""), cookies: visit.cookies)
    }

    /// The session of a page request; without one, the answer is the sign-in page.
    private func signedIn(_ request: Request) throws(Answer) -> (Visit, DeskSession) {
        let visit = visit(request)
        guard let session = visit.session else { throw Answer(redirect("/login", cookies: visit.cookies)) }
        return (visit, session)
    }

    /// The session and form of a POST; the answer is the sign-in page without a session, 403
    /// without the CSRF token.
    private func signedInForm(_ request: Request) async throws -> (Visit, DeskSession, FormFields) {
        var request = request
        let form = FormFields(try await Self.body(&request))
        let (visit, session) = try signedIn(request)
        guard let token = form["_csrf"], token == session.csrf else { throw Answer(refuseCSRF(visit)) }
        return (visit, session, form)
    }

    // MARK: Lists

    private func home(_ request: Request) async throws -> Response {
        let (visit, _) = try signedIn(request)
        let l = visit.language
        do {
            let referrals = try await agent { context in context.referrals.all(in: [.referrer, .receiver]) }
            let lists = ReferralLists(language: l, format: format(visit), configuration: configuration).render(referrals)
            if request.uri.queryParameters.get("fragment") == "lists" { return html(.ok, lists, cookies: visit.cookies) }
            let title = l("nav.home")
            return html(.ok, page(visit, title: title).render("<div id=\"lists\">\(lists)</div>"), cookies: visit.cookies)
        } catch {
            return html(error.status, page(visit, title: l("app.title"), flash: .error(l("error.agent"))).render(""), cookies: visit.cookies)
        }
    }

    // MARK: A referral

    private func referral(_ request: Request, id text: String?, status: HTTPResponse.Status = .ok, flash: Flash? = nil) async throws -> Response {
        let (visit, session) = try signedIn(request)
        let l = visit.language
        guard let id = text.flatMap(UUID.init(uuidString:)),
              let tracked = try? await agent({ context in context.referrals[id] }), tracked.part != .observer
        else {
            return html(.notFound, page(visit, title: l("referral.title"), flash: flash ?? .error(l("referral.unknown"))).render(""), cookies: visit.cookies)
        }
        let view = ReferralPage(language: l, format: format(visit), session: session)
        if request.uri.queryParameters.get("fragment") == "live" { return html(.ok, view.live(tracked), cookies: visit.cookies) }
        let title = "\(l("referral.title")) \(tracked.referral.caseReference) · \(l.label("category", tracked.referral.category.rawValue))"
        let referralID = id.uuidString.lowercased()
        return html(status, page(visit, title: title, flash: flash, referralID: referralID).render(view.render(tracked)), cookies: visit.cookies)
    }

    private func postAction(_ request: Request, id text: String?, action: String) async throws -> Response {
        let (visit, session, form) = try await signedInForm(request)
        let l = visit.language
        guard let id = text.flatMap(UUID.init(uuidString:)) else { return try await referral(request, id: text) }
        let input = ActionInput(reason: form["reason"], alternative: form["alternative"], outcome: form["outcome"], note: form["note"])
        do {
            let update = try await act(action, on: id, input: input, session: session, language: l)
            sessions.flash(session.token, .ok(l("action.done", l.label("state", update.state.rawValue))))
            return redirect("/referrals/\(id.uuidString.lowercased())", cookies: visit.cookies)
        } catch {
            return try await referral(request, id: text, status: error.status, flash: .error(error.message))
        }
    }

    // MARK: Writing a referral

    private func newReferral(_ request: Request) async throws -> Response {
        let (visit, session) = try signedIn(request)
        return try await referralForm(visit, session: session, fragment: request.uri.queryParameters.get("fragment"))
    }

    private func referralForm(_ visit: Visit, session: DeskSession, draft: ReferralDraft? = nil, status: HTTPResponse.Status = .ok, flash: Flash? = nil, fragment: String? = nil) async throws -> Response {
        let l = visit.language
        guard configuration.refers else {
            return html(.notFound, page(visit, title: l("form.title"), flash: .error(l("error.unknownAction"))).render(""), cookies: visit.cookies)
        }
        guard session.role.mayAct else {
            return html(.forbidden, page(visit, title: l("form.title"), flash: .error(l("action.forbidden"))).render(""), cookies: visit.cookies)
        }
        let directory = (try? await agent { context in context.serviceDirectory }) ?? []
        let view = ReferralFormPage(language: l, format: format(visit), session: session, configuration: configuration)
        if fragment == "directory" { return html(.ok, view.directoryOptions(directory, selected: nil), cookies: visit.cookies) }
        let body = view.render(directory: directory, draft: draft, suggestedCase: Self.suggestedCaseReference())
        return html(status, page(visit, title: l("form.title"), flash: flash).render(body), cookies: visit.cookies)
    }

    /// A fresh pseudonymous code for the form (the worker may type their case file's instead).
    static func suggestedCaseReference() -> String {
        "C\(UInt32.random(in: 100_000...999_999))-\(String(format: "%05d", Int.random(in: 1...99_999)))"
    }

    private func postReferral(_ request: Request) async throws -> Response {
        let (visit, session, form) = try await signedInForm(request)
        let draft = ReferralDraft(form: form)
        do {
            let referral = try await send(draft, session: session, language: visit.language)
            sessions.flash(session.token, .ok(visit.language("referral.sent")))
            return redirect("/referrals/\(referral.referralId.uuidString.lowercased())", cookies: visit.cookies)
        } catch {
            // What the protocol refused may be personal data: it is not shown again.
            var shown = draft
            if error.code == .refused {
                shown.note = nil
                shown.caseReference = nil
            }
            return try await referralForm(visit, session: session, draft: shown, status: error.status, flash: .error(error.message))
        }
    }

    // MARK: Service

    private func service(_ request: Request, status: HTTPResponse.Status = .ok, flash: Flash? = nil) async throws -> Response {
        let (visit, session) = try signedIn(request)
        let l = visit.language
        let current = (try? await agent { context in
            Dictionary(uniqueKeysWithValues: context.serviceDirectory.filter { $0.agency == context.agency }.map { ($0.category, $0) })
                .merging(context.ownServiceStatusesByCategory, uniquingKeysWith: { a, b in a.updatedAt >= b.updatedAt ? a : b })
        }) ?? [:]
        let body = ServicePage(language: l, format: format(visit), session: session, configuration: configuration).render(current: current)
        return html(status, page(visit, title: l("service.title"), flash: flash).render(body), cookies: visit.cookies)
    }

    private func postService(_ request: Request) async throws -> Response {
        let (visit, session, form) = try await signedInForm(request)
        let input = ServiceInput(
            category: form["category"], status: form["status"], accepting: form["accepting"], waitlist: form["waitlist"],
            available: form["available"].flatMap { Int($0) }, maximum: form["maximum"].flatMap { Int($0) }, unit: form["unit"])
        do {
            _ = try await setService(input, session: session, language: visit.language)
            sessions.flash(session.token, .ok(visit.language("service.published")))
            return redirect("/service", cookies: visit.cookies)
        } catch {
            return try await service(request, status: error.status, flash: .error(error.message))
        }
    }

    // MARK: Live

    /// Server-sent events: every desk event after the one named by `Last-Event-ID` or `?after=`.
    func eventStream(_ request: Request) -> Response {
        let visit = visit(request)
        guard visit.session != nil else {
            return Response(status: .unauthorized, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: "sign in first\n")))
        }
        let after = request.headers[HTTPField.Name("Last-Event-ID")!].flatMap { UInt64($0) }
            ?? request.uri.queryParameters.get("after").flatMap { UInt64($0) }
        let stream = events.subscribe(after: after)
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
            body: ResponseBody { writer in
                try await writer.write(ByteBuffer(string: "retry: 1000\n: connected\n\n"))
                for await event in stream {
                    try await writer.write(ByteBuffer(string: event.serverSentEvent))
                }
                try await writer.finish(nil)
            })
    }
}

/// An answer given instead of the page asked for (sign in first, 403 without the CSRF token).
struct Answer: Error {
    let response: Response
    init(_ response: Response) { self.response = response }
}

extension Desk {
    /// Runs a handler; an ``Answer`` it throws is the response.
    func answering(_ handler: () async throws -> Response) async throws -> Response {
        do {
            return try await handler()
        } catch let answer as Answer {
            return answer.response
        }
    }
}

extension AgentContext {
    /// The statuses this agency's workers set, by category.
    var ownServiceStatusesByCategory: [ServiceCategory: ServiceStatus] {
        var result: [ServiceCategory: ServiceStatus] = [:]
        for category in ServiceCategory.knownValues { if let status = ownServiceStatus(category) { result[category] = status } }
        return result
    }
}
