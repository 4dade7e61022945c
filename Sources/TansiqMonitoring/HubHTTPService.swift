import Foundation
import Hummingbird
import Logging
import Synchronization
import ServiceLifecycle
import TansiqHub
import ZeroMQ

/// The hub's HTTP listener: `/metrics` (Prometheus), `/healthz`, `/readyz` and `/agencies`.
/// Run it beside the ``Hub`` in the same `ServiceGroup`.
public final class HubHTTPService: Service, Sendable {
    /// What `/agencies` answers.
    public struct AgenciesReport: Codable, Sendable, Equatable {
        /// One agency the hub has heard from.
        public struct Agency: Codable, Sendable, Equatable {
            public var agency: String
            public var lastSeenAt: Date?
            public var lastHeartbeatAt: Date?
            public var lastMessageAt: Date?
            public var messagesIn: UInt64
            public var refusals: UInt64
            public var silent: Bool
        }

        public var hub: String
        /// Open connections on the ingress and egress, whichever agency holds them.
        public var peers: Int
        public var agencies: [Agency]
    }

    private let hub: Hub
    private let metrics: HubMetrics
    private let host: String
    private let port: Int
    private let logger: Logger
    private let bound = StartupSignal<Int>()

    /// Serves `hub`, observed by `metrics`, on `address` (`HOST:PORT`; port 0 lets the system choose).
    public init(hub: Hub, metrics: HubMetrics, address: String, logger: Logger) throws(HubError) {
        (host, port) = try Self.parse(address)
        self.hub = hub
        self.metrics = metrics
        self.logger = logger
    }

    /// Splits `HOST:PORT`, refusing anything else.
    public static func parse(_ address: String) throws(HubError) -> (host: String, port: Int) {
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]), (0...65535).contains(port),
              colon != address.startIndex
        else {
            throw HubError(code: .invalidConfiguration, message: "http: '\(address)' is not HOST:PORT (e.g. 127.0.0.1:8222)")
        }
        return (String(address[..<colon]), port)
    }

    /// The port the listener is bound to, once it is.
    public func boundPort() async throws -> Int {
        try await bound.wait()
    }

    public func run() async throws {
        let router = Router()
        let hub = hub
        let metrics = metrics
        let health = HubHealth(hub: hub, metrics: metrics)
        let started = StartupFlag()
        Task { if (try? await hub.endpoints()) != nil { started.set() } }
        router.get("/metrics") { _, _ -> Response in
            metrics.update(from: hub.counters, journal: hub.configuration.journal.flatMap { JournalFileFigures.read(path: $0.path) })
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: metrics.exposition())))
        }
        router.get("/healthz") { _, _ -> Response in
            Self.json(await health.report(started: started.isSet, readiness: false))
        }
        router.get("/readyz") { _, _ -> Response in
            Self.json(await health.report(started: started.isSet, readiness: true))
        }
        router.get("/agencies") { _, _ -> Response in
            Self.json(Self.agencies(hub))
        }
        let bound = bound
        let logger = logger
        let application = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "tansiq-hub"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                logger.info("HTTP listener ready: /metrics /healthz /readyz /agencies", metadata: ["http": "\(channel.localAddress?.description ?? "?")"])
                bound.succeed(port)
            },
            logger: logger
        )
        do {
            try await application.run()
        } catch {
            let failure = HubError(code: .bindFailed, message: "cannot bind the HTTP listener to \(host):\(port): \(error)")
            bound.fail(failure)
            throw failure
        }
        bound.fail(HubError(code: .bindFailed, message: "the HTTP listener stopped before it was bound"))
    }

    static func agencies(_ hub: Hub) -> AgenciesReport {
        let counters = hub.counters
        return AgenciesReport(
            hub: hub.configuration.hubID,
            peers: counters.peers,
            agencies: counters.agencies.sorted { $0.key < $1.key }.map { name, activity in
                AgenciesReport.Agency(
                    agency: name, lastSeenAt: activity.lastSeenAt, lastHeartbeatAt: activity.lastHeartbeatAt,
                    lastMessageAt: activity.lastMessageAt, messagesIn: activity.messagesIn, refusals: activity.refusals,
                    silent: activity.silent)
            })
    }

    private static func json<Value: Encodable>(_ value: Value) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        encoder.dateEncodingStrategy = .iso8601
        let body = (try? encoder.encode(value)) ?? Data("{}".utf8)
        let status: HTTPResponse.Status = (value as? HubHealthReport).map { $0.isHealthy ? .ok : .serviceUnavailable } ?? .ok
        return Response(
            status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// Set once, read from any thread.
private final class StartupFlag: Sendable {
    private let value = Synchronization.Atomic<Bool>(false)
    func set() { value.store(true, ordering: .releasing) }
    var isSet: Bool { value.load(ordering: .acquiring) }
}
