import Foundation
import HTTPTypes
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization
import TansiqAgent
import TansiqMessages
import ZeroMQ

/// An agency's desk: web pages for its workers and a JSON API for its case system, served by
/// the agent itself. The desk owns nothing of the agent's: every read and every action goes
/// through the agent's ``AgentCommandQueue`` and runs on the agent's thread, where the referral
/// book, the state file and the sockets live. Run it beside the ``AgentRuntime`` in the same
/// `ServiceGroup`, and give the runtime ``observer`` so that pages update live.
public final class Desk: Service, Sendable {
    public let configuration: DeskConfiguration
    let commands: AgentCommandQueue
    let sessions: DeskSessions
    let events = DeskEventHub()
    let logger: Logger
    private let host: String
    private let port: Int
    private let bound = StartupSignal<String>()

    public init(configuration: DeskConfiguration, commands: AgentCommandQueue, logger: Logger) throws(DeskError) {
        (host, port) = try DeskConfiguration.parse(listen: configuration.listen)
        self.configuration = configuration
        self.commands = commands
        self.logger = logger
        sessions = DeskSessions(configuration: configuration)
    }

    /// Hands the agent's events to the desk's live streams (call the runtime's other observer too).
    public var observer: AgentObserver {
        { [events] _, event, _ in
            if let event = DeskEvent(event) { events.publish(event) }
        }
    }

    /// The desk's base URL (`http://127.0.0.1:43127`), once it listens.
    public func url() async throws -> String {
        try await bound.wait()
    }

    public func run() async throws {
        let application = Application(
            router: makeRouter(),
            configuration: .init(address: .hostname(host, port: port), serverName: "tansiq-desk"),
            onServerRunning: { [self] channel in
                let url = "http://\(Self.hostForURL(host)):\(channel.localAddress?.port ?? port)"
                if let file = configuration.urlFile {
                    do {
                        try Self.writeAtomically(url + "\n", to: file)
                    } catch {
                        logger.error("desk URL file not written", metadata: ["file": "\(file)", "error": "\(error)"])
                    }
                }
                logger.notice("desk ready", metadata: ["url": "\(url)"])
                bound.succeed(url)
            },
            logger: logger
        )
        do {
            try await withGracefulShutdownHandler {
                try await application.run()
            } onGracefulShutdown: { [events] in
                // Open event streams end, so that the server can finish its requests.
                events.close()
            }
        } catch {
            let failure = DeskError(.bindFailed, "cannot serve the desk on \(host):\(port): \(error)")
            bound.fail(failure)
            throw failure
        }
        events.close()
        bound.fail(DeskError(.bindFailed, "the desk stopped before it listened"))
    }

    private static func hostForURL(_ host: String) -> String {
        host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
    }

    static func writeAtomically(_ text: String, to path: String) throws {
        let temporary = path + ".tmp-\(getpid())"
        try Data(text.utf8).write(to: URL(fileURLWithPath: temporary))
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw DeskError(.invalidConfiguration, "cannot rename \(temporary) to \(path): \(String(cString: strerror(code)))")
        }
    }

    /// Every route of the desk: the pages, the JSON API under `/api`, the live stream.
    public func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: DeskHeadersMiddleware())
        addPageRoutes(to: router)
        addOverviewRoutes(to: router)
        addFactsRoutes(to: router)
        addFHIRRoutes(to: router)
        addAPIRoutes(to: router)
        return router
    }

    // MARK: Calls into the agent

    /// Runs `body` on the agent's thread.
    func agent<T: Sendable>(_ body: @escaping @Sendable (AgentContext) throws -> T) async throws(DeskError) -> T {
        do {
            return try await commands.run(body)
        } catch let error as DeskError {
            throw error
        } catch let error as ProtocolError {
            throw DeskError(.refused, error.message)
        } catch is AgentCommandQueue.Stopped {
            throw DeskError(.unavailable, "the agent is not running")
        } catch {
            throw DeskError(.unavailable, "\(error)")
        }
    }

    func audit(_ worker: String, _ action: String, referral: UUID? = nil, detail: String = "") async {
        _ = try? await agent { context in context.audit(AuditEntry(at: context.now(), worker: worker, action: action, referral: referral, detail: detail)) }
    }

    // MARK: What pages and the API share

    /// Signs a worker in, or says why not.
    func login(worker: String, password: String, language l: Language) async throws(DeskError) -> DeskSession {
        if let wait = sessions.lockedFor(worker) {
            await audit("desk", "login-throttled")
            throw DeskError(.throttled, l("login.throttled", DeskFormat(language: l, timeZone: configuration.timeZone, now: Date()).duration(wait)))
        }
        let accounts = try await agent { try $0.deskAccounts() }
        let account = accounts.first { $0.worker == worker }
        let matches = await DeskPasswords.verify(password, hash: account?.passwordHash)
        guard let account, matches else {
            sessions.recordFailure(worker)
            // An unknown id may be anything a person typed (their name): it is not recorded.
            await audit(account?.worker ?? "unknown", "login-refused")
            throw DeskError(.loginFailed, l("login.failed"))
        }
        await audit(account.worker, "login", detail: "role=\(account.role.rawValue)")
        return sessions.open(worker: account.worker, role: account.role)
    }

    /// What an action on a referral asks for.
    struct ActionInput: Sendable {
        var reason: String?
        var alternative: String?
        var outcome: String?
        var note: String?
    }

    static let actions: [String: ReferralState] = [
        "accept": .accepted, "reject": .rejected, "start": .inProgress, "hold": .onHold, "resume": .inProgress,
        "complete": .completed, "fail": .failed, "cancel": .cancelled,
    ]

    /// A worker's action on a referral, checked as the hub checks it, then published.
    func act(_ action: String, on id: UUID, input: ActionInput, session: DeskSession, language l: Language) async throws(DeskError) -> ReferralStatusUpdate {
        guard let state = Self.actions[action] else { throw DeskError(.notFound, l("error.unknownAction")) }
        guard session.role.mayAct else { throw DeskError(.forbidden, l("action.forbidden")) }
        var reason: ReferralStatusUpdate.Reason?
        if let code = input.reason {
            guard let known = ReferralStatusUpdate.Reason(rawValue: code) else { throw DeskError(.invalidRequest, l("error.field")) }
            reason = known
        }
        if state == .rejected, reason == nil { reason = .notEligible }
        if state == .cancelled, reason == nil { reason = .withdrawn }
        var outcome: ReferralStatusUpdate.Outcome?
        if state == .completed || state == .failed {
            let code = input.outcome ?? (state == .completed ? "service-provided" : "service-unavailable")
            outcome = .init(successful: state == .completed, code: .init(rawValue: code))
        }
        let worker = session.worker
        let supervisor = session.role == .supervisor
        let cancelOthers = l("action.cancelOthers")
        let alternative = input.alternative
        let note = input.note
        let fixedReason = reason
        let fixedOutcome = outcome
        return try await agent { context in
            if state == .cancelled, !supervisor, let tracked = context.referrals[id], tracked.part == .referrer,
               tracked.referral.referringWorker != worker {
                throw DeskError(.forbidden, cancelOthers)
            }
            return try context.change(
                id, to: state, reason: fixedReason, suggestedAlternative: alternative, outcome: fixedOutcome, note: note, worker: worker)
        }
    }

    /// A worker sends a referral.
    func send(_ draft: ReferralDraft, session: DeskSession, language l: Language) async throws(DeskError) -> Referral {
        guard configuration.refers else { throw DeskError(.notFound, l("error.unknownAction")) }
        guard session.role.mayAct else { throw DeskError(.forbidden, l("action.forbidden")) }
        let worker = session.worker
        let agency = configuration.agency
        // Its times are the agent's clock's (a simulated network's, when scaled).
        return try await agent { context in
            let referral = try draft.referral(from: agency, worker: worker, at: context.now(), language: l)
            try context.refer(referral, worker: worker)
            return referral
        }
    }

    /// What the service form or API sets.
    struct ServiceInput: Sendable {
        var category: String?
        var status: String?
        var accepting: String?
        var waitlist: String?
        var available: Int?
        var maximum: Int?
        var unit: String?
    }

    /// A worker sets a service's status: published on the bus as `service.status`.
    func setService(_ input: ServiceInput, session: DeskSession, language l: Language) async throws(DeskError) -> ServiceStatus {
        guard session.role.mayAct else { throw DeskError(.forbidden, l("action.forbidden")) }
        guard let code = input.category, let offer = configuration.offers[ServiceCategory(rawValue: code)],
              let availability = ServiceStatus.Availability(rawValue: input.status ?? "active"),
              let accepting = ServiceStatus.Accepting(rawValue: input.accepting ?? "yes")
        else { throw DeskError(.invalidRequest, l("error.field")) }
        guard let available = input.available, let maximum = input.maximum, available >= 0, maximum >= available else {
            throw DeskError(.invalidRequest, l("error.capacity"))
        }
        let worker = session.worker
        let agency = configuration.agency
        return try await agent { context in
            let status = ServiceStatus(
                agency: agency, category: ServiceCategory(rawValue: code), status: availability, accepting: accepting,
                waitlistBand: input.waitlist.map(ServiceStatus.WaitlistBand.init(rawValue:)),
                capacity: .init(unit: .init(rawValue: input.unit ?? offer.unit), available: available, maximum: maximum),
                updatedAt: context.now())
            try context.setServiceStatus(status, worker: worker)
            return status
        }
    }
}

/// Headers on every answer: no framing, no sniffing, no referrer, nothing loaded from elsewhere.
struct DeskHeadersMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.contentSecurityPolicy] = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        return response
    }
}
