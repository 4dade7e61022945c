import Foundation
import HTTPTypes
import Hummingbird
import TansiqAgent
import TansiqMessages

/// The JSON API for an agency's own case system: the same actions as the pages, under `/api`
/// (docs/desk-openapi.yaml). It signs in like a worker (`POST /api/login` sets the session
/// cookie and returns the CSRF token) and sends the token in `X-CSRF-Token` on every write.
extension Desk {
    /// One referral as the API lists it.
    struct ReferralSummary: Codable, Sendable {
        var referralId: String
        var part: String
        var state: String
        var caseReference: String
        var category: String
        var priority: String
        var referringAgency: String
        var receiver: String?
        var acknowledgeBy: Date
        var decideBy: Date
        var followUpOn: Date
        var escalated: [String]
        var updatedAt: Date

        init(_ tracked: TrackedReferral) {
            let referral = tracked.referral
            referralId = referral.referralId.uuidString.lowercased()
            part = tracked.part.rawValue
            state = tracked.state.rawValue
            caseReference = referral.caseReference
            category = referral.category.rawValue
            priority = referral.priority.rawValue
            referringAgency = referral.referringAgency
            receiver = tracked.receiver
            acknowledgeBy = referral.acknowledgeBy
            decideBy = referral.decideBy
            followUpOn = referral.followUpOn
            escalated = tracked.escalated.map(\.rawValue).sorted()
            updatedAt = tracked.updatedAt
        }
    }

    /// One referral with its wire body and its trail.
    struct ReferralDetail: Codable, Sendable {
        var summary: ReferralSummary
        var referral: Referral
        var trail: [ReferralStatusUpdate]
    }

    struct LoginRequest: Codable, Sendable {
        var worker: String
        var password: String
    }

    struct LoginAnswer: Codable, Sendable {
        var worker: String
        var role: String
        var csrfToken: String
    }

    struct ActionRequest: Codable, Sendable {
        var reason: String?
        var suggestedAlternative: String?
        var outcome: String?
        var note: String?
    }

    struct ServiceRequest: Codable, Sendable {
        var category: String
        var status: String?
        var accepting: String?
        var waitlistBand: String?
        var available: Int
        var maximum: Int
        var unit: String?
    }

    struct ErrorAnswer: Codable, Sendable {
        var error: String
        var message: String
    }

    func addAPIRoutes(to router: Router<BasicRequestContext>) {
        let api = router.group("api")
        api.post("login") { [self] request, _ in
            try await json {
                var request = request
                let body: LoginRequest = try await decode(&request)
                let l = apiLanguage(request)
                let session = try await login(worker: body.worker, password: body.password, language: l)
                return (.ok, LoginAnswer(worker: session.worker, role: session.role.rawValue, csrfToken: session.csrf), [cookie(Visit.sessionCookie, session.token)])
            }
        }
        api.post("logout") { [self] request, _ in
            try await json {
                let session = try apiSession(request, write: true)
                sessions.close(session.token)
                await audit(session.worker, "logout")
                return (.ok, ErrorAnswer(error: "none", message: "signed out"), [expiredCookie(Visit.sessionCookie)])
            }
        }
        api.get("referrals") { [self] request, _ in
            try await json {
                _ = try apiSession(request, write: false)
                let referrals = try await agent { context in context.referrals.all(in: [.referrer, .receiver]) }
                return (.ok, ["referrals": ReferralLists.sorted(referrals).map(ReferralSummary.init)], [])
            }
        }
        api.get("referrals/:id") { [self] request, context in
            try await json {
                _ = try apiSession(request, write: false)
                let tracked = try await apiReferral(context.parameters.get("id"))
                return (.ok, ReferralDetail(summary: ReferralSummary(tracked), referral: tracked.referral, trail: tracked.history), [])
            }
        }
        api.post("referrals") { [self] request, _ in
            try await json {
                let session = try apiSession(request, write: true)
                var request = request
                let draft: ReferralDraft = try await decode(&request)
                let referral = try await send(draft, session: session, language: apiLanguage(request))
                return (.created, ["referralId": referral.referralId.uuidString.lowercased(), "state": ReferralState.requested.rawValue], [])
            }
        }
        api.post("referrals/:id/:action") { [self] request, context in
            try await json {
                let session = try apiSession(request, write: true)
                var request = request
                let body: ActionRequest = try await decode(&request)
                let l = apiLanguage(request)
                guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw DeskError(.notFound, l("referral.unknown")) }
                let input = ActionInput(reason: body.reason, alternative: body.suggestedAlternative, outcome: body.outcome, note: body.note)
                let update = try await act(context.parameters.get("action") ?? "", on: id, input: input, session: session, language: l)
                return (.ok, update, [])
            }
        }
        api.get("service") { [self] request, _ in
            try await json {
                _ = try apiSession(request, write: false)
                let own = try await agent { context in context.ownServiceStatusesByCategory.values.sorted { $0.category.rawValue < $1.category.rawValue } }
                return (.ok, ["services": own], [])
            }
        }
        api.post("service") { [self] request, _ in
            try await json {
                let session = try apiSession(request, write: true)
                var request = request
                let body: ServiceRequest = try await decode(&request)
                let input = ServiceInput(
                    category: body.category, status: body.status, accepting: body.accepting, waitlist: body.waitlistBand,
                    available: body.available, maximum: body.maximum, unit: body.unit)
                return (.ok, try await setService(input, session: session, language: apiLanguage(request)), [])
            }
        }
        api.get("directory") { [self] request, _ in
            try await json {
                _ = try apiSession(request, write: false)
                return (.ok, ["services": try await agent { context in context.serviceDirectory }], [])
            }
        }
        api.get("events") { [self] request, _ in eventStream(request) }
    }

    private func apiLanguage(_ request: Request) -> Language {
        Language.preferred(acceptLanguage: request.headers[.acceptLanguage]) ?? .en
    }

    /// The session of an API call; a write also needs the session's CSRF token in `X-CSRF-Token`.
    private func apiSession(_ request: Request, write: Bool) throws(DeskError) -> DeskSession {
        let l = apiLanguage(request)
        guard let session = sessions.session(request.cookies[Visit.sessionCookie]?.value) else { throw DeskError(.unauthenticated, l("error.signin")) }
        if write, request.headers[HTTPField.Name("X-CSRF-Token")!] != session.csrf { throw DeskError(.csrf, l("error.csrf")) }
        return session
    }

    private func apiReferral(_ text: String?) async throws(DeskError) -> TrackedReferral {
        guard let id = text.flatMap(UUID.init(uuidString:)),
              let tracked = try await agent({ context in context.referrals[id] }), tracked.part != .observer
        else { throw DeskError(.notFound, "unknown referral") }
        return tracked
    }

    private func decode<T: Decodable>(_ request: inout Request) async throws(DeskError) -> T {
        do {
            let body = try await request.collectBody(upTo: 64 * 1024)
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            return try decoder.decode(T.self, from: Data(buffer: body))
        } catch let error as DecodingError {
            throw DeskError(.invalidRequest, "the request body is not the JSON this call takes: \(Self.describe(error))")
        } catch {
            throw DeskError(.invalidRequest, "the request body could not be read")
        }
    }

    /// Where the JSON is wrong, never what it holds.
    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String { context.codingPath.map(\.stringValue).joined(separator: ".") }
        switch error {
        case .keyNotFound(let key, let context): return "missing \(path(context).isEmpty ? key.stringValue : path(context) + "." + key.stringValue)"
        case .typeMismatch(_, let context), .valueNotFound(_, let context): return "wrong type at \(path(context))"
        case .dataCorrupted(let context): return context.codingPath.isEmpty ? "not JSON" : "bad value at \(path(context))"
        @unknown default: return "malformed"
        }
    }

    /// Answers with JSON: the value, or `{error, message}` with the error's status.
    private func json<T: Encodable>(_ handler: () async throws -> (HTTPResponse.Status, T, [String])) async throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        var status: HTTPResponse.Status
        var body: Data
        var cookies: [String] = []
        do {
            let (code, value, set) = try await handler()
            (status, body, cookies) = (code, try encoder.encode(value), set)
        } catch let error as DeskError {
            (status, body) = (error.status, try encoder.encode(ErrorAnswer(error: error.code.name, message: error.message)))
        }
        var headers: HTTPFields = [.contentType: "application/json"]
        for cookie in cookies { headers.append(HTTPField(name: .setCookie, value: cookie)) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(data: body)))
    }
}
