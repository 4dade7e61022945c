import Dispatch
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdBcrypt
import HummingbirdTesting
import Logging
import Synchronization
import TansiqAgent
import TansiqDesk
import TansiqHub
import TansiqMessages
import Testing
import ZeroMQ

/// Agents' events, for a test to wait on (bounded in time).
final class AgentEvents: Sendable {
    private let seen = Mutex<[(AgentIdentity, AgentEvent)]>([])
    private let waiters = Mutex<[AsyncStream<Void>.Continuation]>([])

    var observer: AgentObserver {
        { [self] agent, event, _ in
            seen.withLock { $0.append((agent, event)) }
            for waiter in waiters.withLock({ $0 }) { waiter.yield() }
        }
    }

    var all: [(AgentIdentity, AgentEvent)] { seen.withLock { $0 } }

    /// Waits until `condition` holds on the events so far, at most `timeout` seconds.
    @discardableResult
    func wait(timeout: Double = 10, until condition: @escaping ([(AgentIdentity, AgentEvent)]) -> Bool) async -> Bool {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self)
        waiters.withLock { $0.append(continuation) }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout) { continuation.finish() }
        if condition(all) { return true }
        for await _ in stream where condition(all) { return true }
        return condition(all)
    }
}

/// A worker account for tests (bcrypt's lowest cost keeps tests fast; the desk reads the cost from the hash).
struct TestWorker {
    var worker: String
    var role: DeskAccount.Role
    var password: String { "pass-\(worker)-0000" }
}

/// A real hub on loopback, and agents each serving a desk over the same runtime a deployment runs.
final class DeskNetwork: @unchecked Sendable {
    let hub: Hub
    let endpoints: HubEndpoints
    let directory: URL
    let events = AgentEvents()
    private var tasks: [Task<Void, any Error>] = []
    private(set) var desks: [String: Desk] = [:]
    let time = Date()

    static let iom = "iom-morocco"
    static let health = "health-delegation-agadir"

    private init(hub: Hub, endpoints: HubEndpoints, directory: URL, task: Task<Void, any Error>) {
        self.hub = hub
        self.endpoints = endpoints
        self.directory = directory
        tasks = [task]
    }

    /// `clock` is the time the hub watches deadlines against.
    static func start(clock: HubClock = .system, presenceTimeout: Duration? = nil) async throws -> DeskNetwork {
        var logger = Logger(label: "test.hub")
        logger.logLevel = .error
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tansiq-desk-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var configuration = HubConfiguration(
            ingress: "tcp://127.0.0.1:*", egress: "tcp://127.0.0.1:*",
            journal: JournalConfiguration(path: directory.appendingPathComponent("journal.sqlite").path, durability: .normal),
            replay: "tcp://127.0.0.1:*", security: .insecure, publish: "tcp://127.0.0.1:*")
        configuration.registry.coordinator = "commune-agadir"
        configuration.presenceTimeout = presenceTimeout
        let hub = try Hub(configuration: configuration, clock: clock, logger: logger)
        let task = Task { try await hub.run() }
        return DeskNetwork(hub: hub, endpoints: try await hub.endpoints(), directory: directory, task: task)
    }

    /// The health delegation (a provider of health, capacity 5) then IOM (a referrer), both
    /// deciding by people; IOM caught up from the journal, so its directory holds health's service.
    static func pilot(
        workers: [String: [TestWorker]] = [:], clock: HubClock = .system, presenceTimeout: Duration? = nil, heartbeat: Duration? = nil
    ) async throws -> DeskNetwork {
        let network = try await start(clock: clock, presenceTimeout: presenceTimeout)
        network.heartbeat = heartbeat
        try await network.startAgent(
            agency: health, role: .service, offers: [.health: .init(capacity: 5)],
            workers: workers[health] ?? [TestWorker(worker: "caseworker-3", role: .caseworker)]
        ) { ProviderBehaviour(policy: ProviderPolicy(offers: [.health: .init(capacity: 5)])) }
        try await network.startAgent(
            agency: iom, role: .iom, refers: true,
            workers: workers[iom] ?? [TestWorker(worker: "caseworker-1", role: .caseworker), TestWorker(worker: "caseworker-2", role: .caseworker)]
        ) { ReferrerBehaviour(policy: ReferrerPolicy()) }
        return network
    }

    private(set) var commands: [String: AgentCommandQueue] = [:]
    /// Each agent's runtime and desk, to stop one.
    private var agentTasks: [String: [Task<Void, any Error>]] = [:]
    /// The agents' heartbeat interval, when a test watches presence.
    var heartbeat: Duration?

    static let commune = "commune-agadir"
    static let coordinator = TestWorker(worker: "coordinator-1", role: .caseworker)

    /// The Commune: the network's coordinator, with the overview on its desk; `clock` is its agent's.
    func startCoordinator(clock: AgentClock = AgentClock()) async throws {
        try await startAgent(agency: Self.commune, role: .commune, workers: [Self.coordinator], coordinates: true, clock: clock) {
            CoordinatorBehaviour()
        }
    }

    /// Stops one agent and its desk, as a process that ends would.
    func stopAgent(_ agency: String) async {
        for task in (agentTasks[agency] ?? []).reversed() {
            task.cancel()
            _ = try? await task.value
        }
        agentTasks[agency] = []
    }
    /// Each desk's base URL, once it listens.
    private(set) var urls: [String: String] = [:]

    /// The audit trail of a running agent, read on its own thread.
    func audit(_ agency: String) async throws -> [AuditEntry] {
        let queue = try #require(commands[agency])
        return try await queue.run { try $0.auditTrail() }
    }

    func statePath(_ agency: String) -> String { directory.appendingPathComponent("\(agency).sqlite").path }

    func startAgent(
        agency: String, role: AgentRole, offers: [ServiceCategory: ProviderPolicy.Offer] = [:], refers: Bool = false,
        workers: [TestWorker], coordinates: Bool = false, clock: AgentClock = AgentClock(), behaviour: @escaping AgentBehaviourFactory
    ) async throws {
        let path = statePath(agency)
        do {
            // Closed before the agent opens it: the agent holds its state file alone.
            let store = try AgentStore(path: path)
            for worker in workers {
                try store.addAccount(DeskAccount(worker: worker.worker, role: worker.role, passwordHash: Bcrypt.hash(worker.password, cost: 4), createdAt: Date()))
            }
        }
        var logger = Logger(label: "test.agent")
        logger.logLevel = .error
        var configuration = AgentConfiguration(
            agency: agency, role: role, coordinator: "commune-agadir", ingress: endpoints.ingress, egress: endpoints.egress,
            deadlineCheckInterval: .milliseconds(20), state: path, replay: endpoints.replay, publish: endpoints.publish)
        configuration.decisions = .people
        configuration.clock = clock
        if let heartbeat { configuration.heartbeatInterval = heartbeat }
        let commands = AgentCommandQueue()
        var deskLogger = Logger(label: "test.desk")
        // Stopping a test cancels the server, which says so at error level.
        deskLogger.logLevel = .critical
        let desk = try Desk(
            configuration: DeskConfiguration(
                agency: agency, listen: "127.0.0.1:0", urlFile: directory.appendingPathComponent("\(agency).url").path, offers: offers, refers: refers,
                coordinates: coordinates),
            commands: commands, logger: deskLogger)
        let deskObserver = desk.observer
        let testObserver = events.observer
        let runtime = try AgentRuntime(
            configuration: configuration, logger: logger,
            observer: { agent, event, time in
                deskObserver(agent, event, time)
                testObserver(agent, event, time)
            },
            commands: commands, behaviour: behaviour)
        let runtimeTask = Task { try await runtime.run() }
        tasks.append(runtimeTask)
        try await runtime.ready()
        let deskTask = Task { try await desk.run() }
        tasks.append(deskTask)
        agentTasks[agency] = [runtimeTask, deskTask]
        urls[agency] = try await desk.url()
        desks[agency] = desk
        self.commands[agency] = commands
        let ready = await events.wait { events in
            // Caught up; a provider's first availability confirmed (journaled: a later referrer replays it).
            events.contains { $0.0.agency == agency && { if case .caughtUp = $0 { true } else { false } }($0.1) }
                && (offers.isEmpty || events.contains { $0.0.agency == agency && { if case .publishConfirmed = $0 { true } else { false } }($0.1) })
        }
        #expect(ready, "\(agency) did not catch up")
    }

    /// Runs `body` with a browser-like client of `agency`'s desk (in memory, the desk's own router).
    func withDesk<T: Sendable>(_ agency: String, _ body: @Sendable (DeskClient) async throws -> T) async throws -> T {
        let desk = try #require(desks[agency])
        let application = Application(router: desk.makeRouter())
        return try await application.test(.router) { client in
            try await body(DeskClient(client))
        }
    }

    func stop() async {
        for task in tasks.reversed() {
            task.cancel()
            _ = try? await task.value
        }
        try? FileManager.default.removeItem(at: directory)
    }
}

/// What a browser does for a test: keeps cookies, sends forms with the page's CSRF token.
final class DeskClient: @unchecked Sendable {
    let client: any TestClientProtocol
    private(set) var cookies: [String: String] = [:]
    /// The CSRF token of the last page read.
    private(set) var csrf: String?

    init(_ client: any TestClientProtocol) {
        self.client = client
    }

    struct Page {
        var status: HTTPResponse.Status
        var headers: HTTPFields
        var body: String

        var location: String? { headers[.location] }

        /// The text of the element with this id (its inner HTML, tags and all).
        func element(_ id: String) -> String? {
            guard let start = body.range(of: "id=\"\(id)\"") else { return nil }
            guard let open = body[..<start.lowerBound].lastIndex(of: "<") else { return nil }
            let tag = body[body.index(after: open)...].prefix { $0.isLetter || $0.isNumber }
            guard let close = body[start.upperBound...].firstIndex(of: ">") else { return nil }
            let rest = body[body.index(after: close)...]
            guard let end = rest.range(of: "</\(tag)>") else { return nil }
            return String(rest[..<end.lowerBound])
        }
    }

    @discardableResult
    func get(_ path: String, headers extra: HTTPFields = [:]) async throws -> Page {
        var headers = extra
        if !cookies.isEmpty { headers[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        let response = try await client.execute(uri: path, method: .get, headers: headers, body: nil)
        return take(response)
    }

    /// Posts a form; `csrf: true` adds the token of the last page read.
    @discardableResult
    func post(_ path: String, _ fields: [(String, String)], csrf withToken: Bool = true) async throws -> Page {
        var pairs = fields
        if withToken, let csrf { pairs.append(("_csrf", csrf)) }
        let body = pairs.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
        if !cookies.isEmpty { headers[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        let response = try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: body))
        return take(response)
    }

    /// Calls the JSON API.
    func api(_ method: HTTPRequest.Method, _ path: String, json: String? = nil, csrfHeader: String? = nil) async throws -> Page {
        var headers: HTTPFields = [.contentType: "application/json"]
        if !cookies.isEmpty { headers[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        if let csrfHeader { headers[HTTPField.Name("X-CSRF-Token")!] = csrfHeader }
        let response = try await client.execute(uri: path, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
        return take(response)
    }

    private func take(_ response: TestResponse) -> Page {
        for cookie in response.headers[values: .setCookie] {
            let pair = cookie.split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(pair[0])
            let value = pair.count > 1 ? String(pair[1]) : ""
            if value.isEmpty || cookie.contains("Max-Age=0") { cookies[name] = nil } else { cookies[name] = value }
        }
        let body = String(buffer: response.body)
        if let range = body.range(of: "name=\"_csrf\" value=\"") {
            csrf = String(body[range.upperBound...].prefix { $0 != "\"" })
        }
        return Page(status: response.status, headers: response.headers, body: body)
    }

    private static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    /// Signs in through the login form.
    @discardableResult
    func signIn(_ worker: TestWorker) async throws -> Page {
        try await get("/login")
        return try await post("/login", [("worker", worker.worker), ("password", worker.password)])
    }
}

/// A raw subscriber on the hub's egress: what is on the bus, exactly.
final class BusWitness: @unchecked Sendable {
    let context: Context
    let subscriber: Socket
    let publisher: Socket
    private let probeTopic = "presence/probe/p\(UInt32.random(in: 0...UInt32.max))"

    init(_ endpoints: HubEndpoints, prefixes: [String]) throws {
        context = try Context()
        publisher = try context.makeSocket(.pub)
        subscriber = try context.makeSocket(.sub)
        for prefix in prefixes + [probeTopic] { try subscriber.set(.subscribe(Array(prefix.utf8))) }
        try subscriber.connect(endpoints.egress)
        try publisher.connect(endpoints.ingress)
        try subscriber.set(.receiveTimeout(milliseconds: 100))
        // Subscribed once our own probe comes back through the hub.
        for _ in 0..<100 {
            let agent = String(probeTopic.split(separator: "/")[2])
            let presence = Presence(agency: "probe", agent: agent, role: .cli, version: "test", uptimeSeconds: 0, heartbeatInterval: 10)
            try publisher.send(try MessageCodec.encode(Envelope(topic: try Topic(probeTopic), source: "probe", agent: agent, payload: .presence(presence))))
            while let message = try subscriber.receive() {
                if String(decoding: message.frames[0], as: UTF8.self) == probeTopic {
                    try subscriber.set(.receiveTimeout(milliseconds: 5000))
                    return
                }
            }
        }
        Issue.record("the witness never saw its probe come back")
    }

    /// The next message on the witnessed prefixes (probes skipped), or nil after 5 s.
    func next() throws -> (topic: String, envelope: Envelope)? {
        while let message = try subscriber.receive() {
            let topic = String(decoding: message.frames[0], as: UTF8.self)
            if topic == probeTopic { continue }
            return (topic, try MessageCodec.decode(message.frames).envelope)
        }
        return nil
    }

    deinit {
        subscriber.close()
        publisher.close()
    }
}

/// Reads a server-sent event stream over a plain socket, as a browser's EventSource does.
final class EventStreamReader: @unchecked Sendable {
    private let descriptor: Int32
    private(set) var text = ""

    init(url: String, path: String, cookie: String) throws {
        let port = try #require(url.split(separator: ":").last.flatMap { UInt16($0) })
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(connected == 0, "cannot connect to the desk")
        // A guard, not a pace: a read returns as soon as bytes come, and a full test run on two
        // cores can keep a desk's event loop from answering for more than 10 s.
        var timeout = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\nCookie: \(cookie)\r\n\r\n"
        _ = request.withCString { send(descriptor, $0, strlen($0), 0) }
    }

    /// Reads until `condition` holds on what was read (or 60 s without data); returns whether it held.
    private func read(until condition: (String) -> Bool) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !condition(text) {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            guard count > 0 else { return false }
            text += String(decoding: buffer[0..<count], as: UTF8.self)
        }
        return true
    }

    /// `read(until:)` on a thread of its own: a blocking `recv` on one of the concurrency pool's
    /// threads (two, on two cores) can starve the very desk whose answer it waits for.
    func awaitText(_ condition: @escaping @Sendable (String) -> Bool) async -> Bool {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: self.read(until: condition)) }.start()
        }
    }

    deinit { close(descriptor) }
}
