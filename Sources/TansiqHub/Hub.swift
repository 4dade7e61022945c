import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import ZeroMQ

/// The Tansiq hub: publishers connect to its ingress, subscribers to its egress; it checks,
/// numbers, journals (when configured with a journal) and forwards every message, answers
/// rejections, replays its journal on its replay endpoint, announces agencies that go silent
/// and publishes its statistics.
///
/// Run it in a `ServiceGroup` (it stops on graceful shutdown) or call ``run()`` in a task and
/// cancel it. Its sockets live on one dedicated thread (see the `ZeroMQ` module's threading
/// model); the methods of this type are safe from any thread.
public final class Hub: Service, Sendable {
    /// The configuration the hub was created with.
    public let configuration: HubConfiguration
    private let logger: Logger
    let context: Context
    private let startup = StartupSignal<HubEndpoints>()
    private let snapshot = Mutex(HubCounters())
    let access: HubAccess?
    private let clock: HubClock
    private let observer: (any HubObserver)?

    /// Creates a hub. Pass a `context` to share inproc endpoints with other sockets (tests,
    /// simulations); otherwise the hub makes its own. `clock` is the time deadlines are checked
    /// against (a simulation's or a test's clock; the system's by default). `observer` is told
    /// of every poll round and journal commit, on the hub's thread (the metrics).
    public init(
        configuration: HubConfiguration, context: Context? = nil, clock: HubClock = .system,
        observer: (any HubObserver)? = nil, logger: Logger
    ) throws {
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
        self.observer = observer
        self.context = try context ?? Context()
        if case .curve(let settings) = configuration.security {
            access = try HubAccess(settings: settings, logger: logger)
        } else {
            access = nil
        }
    }

    /// Reloads the admitted agencies' keys and the access policy without a restart (the CLI
    /// calls it on SIGHUP; the hub also reloads when the key directory changes). New
    /// connections are checked against the new keys at once, and so is every message and
    /// subscription of a connection whose agency was revoked. Returns what was loaded; `nil`
    /// in insecure mode.
    @discardableResult
    public func reloadAccess() -> AccessReload? {
        access?.reload()
    }

    /// Binds the endpoints and serves until graceful shutdown or cancellation.
    /// Throws a ``HubError`` with code `bind-failed` when an endpoint cannot be bound.
    public func run() async throws {
        let thread = SocketThread(name: "tansiq-hub-\(configuration.hubID)")
        try await withGracefulShutdownHandler {
            try await thread.run { [self] thread in
                let loop: HubLoop
                do {
                    loop = try HubLoop(configuration: configuration, context: context, access: access, clock: clock, observer: observer, logger: logger)
                } catch {
                    startup.fail(error)
                    throw error
                }
                defer { loop.close() }
                if let access {
                    logger.info("hub secure: CURVE on every socket, ZAP handler answering", metadata: ["agencies": "\(access.admittedCount)"])
                } else {
                    logger.warning("hub INSECURE: no encryption, no authentication, no access control; local development only")
                }
                startup.succeed(loop.endpoints)
                logger.info(
                    "hub listening",
                    metadata: [
                        "hub": "\(configuration.hubID)",
                        "ingress": "\(loop.endpoints.ingress)",
                        "egress": "\(loop.endpoints.egress)",
                        "body-validation": "\(configuration.bodyValidation.rawValue)",
                        "replay": "\(loop.endpoints.replay ?? "off")",
                        "journal": "\(configuration.journal.map { "\($0.path) (\($0.durability.rawValue))" } ?? "off")",
                        "last-sequence": "\(loop.counters.lastSequence)",
                    ]
                )
                try loop.serve(until: thread) { counters in
                    snapshot.withLock { $0 = counters }
                    observer?.roundEnded(counters)
                }
                logger.info("hub stopped", metadata: ["hub": "\(configuration.hubID)"])
            }
        } onGracefulShutdown: {
            thread.requestStop()
        }
    }

    /// Waits until the hub has bound its endpoints and returns them (or the bind error).
    public func endpoints() async throws -> HubEndpoints {
        try await startup.wait()
    }

    /// The hub's counters as of its last poll round.
    public var counters: HubCounters {
        var counters = snapshot.withLock { $0 }
        // Read live: a test (or an operator) that saw a refusal sees it counted at once.
        if let access { counters.refusedAuthentications = max(counters.refusedAuthentications, access.refusedAuthentications) }
        counters.secure = access != nil
        return counters
    }
}
