import Foundation
import Logging
import TansiqMessages
import ZeroMQ

/// The client side of confirmed publishing (protocol 1.1): a DEALER to the hub's publish
/// endpoint and every message not yet confirmed, in the order it was queued.
///
/// A message stays pending until the hub acknowledges it: it is re-sent, with the same id,
/// when no acknowledgement came within ``ackTimeout`` (doubling up to a limit), at once when
/// the connection comes back, and after ``retryableRefusal`` refusals (`rate-limited`,
/// `journal-unavailable`) with backoff. Sends are paced to the limits the hub announces in
/// every acknowledgement (a token bucket a little below its rate), so that a burst is slowed
/// instead of refused. Messages of one referral (one correlation id) are sent one at a time,
/// in order: a retry never lets a later status overtake an earlier one.
///
/// Used from one thread, like its socket. The agent's state file keeps the pending messages
/// across restarts (``AgentStore``); `tansiq pub` and the load generator use it alone.
public final class ConfirmedPublisher {
    /// A message waiting for its acknowledgement.
    public struct Pending: Sendable, Equatable {
        /// The message id (the header's `id`).
        public var id: UUID
        /// Topic, header and body.
        public var frames: [[UInt8]]
        /// The referral it belongs to, if any: such messages go one at a time, in order.
        public var correlationID: UUID?
        var attempts = 0
        /// When it was first sent, if it was.
        public private(set) var firstSentAt: ContinuousClock.Instant?
        var sentAt: ContinuousClock.Instant? {
            didSet { if firstSentAt == nil, let sentAt { firstSentAt = sentAt } }
        }
        var nextAttempt: ContinuousClock.Instant = .now

        /// A message not sent yet.
        public init(id: UUID, frames: [[UInt8]], correlationID: UUID?) {
            self.id = id
            self.frames = frames
            self.correlationID = correlationID
        }
    }

    /// The end of a message's journey: confirmed, or refused for good.
    public enum Outcome: Sendable {
        /// Journaled by the hub.
        case accepted(PublishAcknowledgement)
        /// Refused for a reason that time will not change; the message is dropped from the outbox.
        case refused(PublishAcknowledgement)
    }

    /// The hub's publish endpoint.
    public let endpoint: String
    /// How long to wait for an acknowledgement before sending again (doubles per attempt, up to 16 times).
    public var ackTimeout: Duration
    /// The most messages sent and not yet acknowledged.
    public var window: Int
    /// What the hub announced in its last acknowledgement; `nil` until one came.
    public private(set) var limits: PublishLimits?
    /// Refusals for reasons that may pass with time, since start.
    public private(set) var retriedRefusals: UInt64 = 0
    /// Re-sends after a timeout or a reconnection, since start.
    public private(set) var resends: UInt64 = 0
    /// The last refusal that will be retried (`rate-limited`, `journal-unavailable`), if any.
    public private(set) var lastRetryableRefusal: PublishAcknowledgement?
    /// Whether the connection to the hub is up (a TCP connection, and the CURVE handshake when secure).
    public private(set) var isConnected = false

    let socket: Socket
    private let monitor: SocketMonitor
    private let logger: Logger
    private var pending: [UUID: Pending] = [:]
    private var order: [UUID] = []
    private var orderStart = 0
    private var inFlight = 0
    private var tokens: Double
    private var tokensUpdated = ContinuousClock.now
    private var everConnected = false
    /// Secure: connected means the CURVE handshake succeeded, not only TCP.
    private let secure: Bool

    /// Before the hub has announced its limits: a modest pace.
    static let initialRate = 200.0
    static let initialBurst = 50.0
    /// The share of the hub's announced rate the publisher uses, leaving room for clock drift
    /// and for the agency's other agents.
    static let paceShare = 0.9
    /// The largest message the publisher sends before the hub announced its own limit.
    public static let defaultMaxMessageBytes = 256 * 1024

    /// Connects a DEALER to `endpoint` (with the agency's keys when the hub is secure).
    public init(
        context: Context, endpoint: String, keys: HubClientKeys? = nil, ackTimeout: Duration = .seconds(10), window: Int = 1000,
        logger: Logger
    ) throws(ZMQError) {
        self.endpoint = endpoint
        self.ackTimeout = ackTimeout
        self.window = max(1, window)
        self.logger = logger
        tokens = Self.initialBurst
        secure = keys != nil
        socket = try context.makeSocket(.dealer)
        try socket.set(.linger(milliseconds: 0))
        try socket.set(.sendHighWaterMark(100_000))
        try socket.set(.receiveHighWaterMark(100_000))
        try keys?.configureClient(socket)
        monitor = try SocketMonitor(
            socket: socket, context: context, events: [.connected, .disconnected, .handshakeSucceeded])
        try socket.connect(endpoint)
    }

    /// Closes the socket; what is pending stays with the caller's store.
    public func close() {
        monitor.close()
        socket.close()
    }

    /// How many messages wait for their acknowledgement.
    public var pendingCount: Int { pending.count }

    /// The messages not yet confirmed, in the order they were queued.
    public var pendingMessages: [Pending] {
        order[orderStart...].compactMap { pending[$0] }
    }

    /// The largest message the hub accepts, as far as the publisher knows.
    public var maxMessageBytes: Int { limits?.maxMessageBytes ?? Self.defaultMaxMessageBytes }

    /// Queues a message; it is sent by ``pump(now:)``. A message already queued is ignored.
    public func enqueue(id: UUID, frames: [[UInt8]], correlationID: UUID?) {
        guard pending[id] == nil else { return }
        pending[id] = Pending(id: id, frames: frames, correlationID: correlationID)
        order.append(id)
    }

    /// Sends a message nobody waits for (a heartbeat) on the same connection: the hub
    /// acknowledges it like any other, and the acknowledgement, naming no pending message, is
    /// passed over. Returns false when the socket's queue is full (the message is dropped, as
    /// a PUB socket would).
    @discardableResult
    public func sendUnconfirmed(_ frames: [[UInt8]]) throws(ZMQError) -> Bool {
        try socket.send(frames, dontWait: true)
    }

    /// The sockets to poll: the DEALER (acknowledgements) and its monitor (connections).
    public var pollSockets: [Socket] { [socket, monitor.socket] }

    /// Sends what is due, within the window and the pace, oldest first; messages of a
    /// referral wait for the acknowledgement of that referral's earlier message.
    public func pump(now: ContinuousClock.Instant = .now) throws(ZMQError) {
        try watchConnection()
        guard !pending.isEmpty else { return }
        refill(now: now)
        var blocked = Set<UUID>()
        var index = orderStart
        while index < order.count {
            let id = order[index]
            index += 1
            guard var message = pending[id] else { continue }
            if let correlation = message.correlationID {
                guard blocked.insert(correlation).inserted else { continue }
            }
            guard message.nextAttempt <= now else { continue }
            if message.sentAt == nil, inFlight >= window { break }
            guard tokens >= 1 else { break }
            guard try socket.send(message.frames, dontWait: true) else { break }
            tokens -= 1
            if message.sentAt == nil { inFlight += 1 } else { resends += 1 }
            message.attempts += 1
            message.sentAt = now
            message.nextAttempt = now.advanced(by: ackTimeout * (1 << min(message.attempts - 1, 4)))
            pending[id] = message
        }
    }

    /// Reads the acknowledgements that arrived; returns the messages whose journey ended.
    public func receiveAcknowledgements(now: ContinuousClock.Instant = .now) throws(ZMQError) -> [(Pending, Outcome)] {
        var ended: [(Pending, Outcome)] = []
        while let reply = try socket.receive(dontWait: true) {
            guard let frame = reply.frames.last else { continue }
            let acknowledgement: PublishAcknowledgement
            do {
                acknowledgement = try PublishAcknowledgement.decode(frame)
            } catch {
                logger.warning("unreadable acknowledgement from the hub", metadata: ["error": "\(error)"])
                continue
            }
            limits = acknowledgement.limits
            guard let id = acknowledgement.messageId, var message = pending[id] else { continue }
            if acknowledgement.result == .refused, acknowledgement.retryable == true {
                retriedRefusals += 1
                lastRetryableRefusal = acknowledgement
                let backoff = Duration.milliseconds(50) * (1 << min(message.attempts, 7))
                let floor = Duration.milliseconds(acknowledgement.retryAfterMs ?? 0)
                message.nextAttempt = now.advanced(by: min(.seconds(10), max(backoff, floor)))
                pending[id] = message
                // Refused: the hub's bucket is empty, ours is too.
                if acknowledgement.reason == .rateLimited { tokens = min(tokens, 0) }
                continue
            }
            pending[id] = nil
            if message.sentAt != nil { inFlight = max(0, inFlight - 1) }
            message.sentAt = nil
            ended.append((message, acknowledgement.result == .accepted ? .accepted(acknowledgement) : .refused(acknowledgement)))
        }
        compactOrder()
        return ended
    }

    /// The time until a pending message is due again, for the caller's poll timeout.
    public func nextWakeup(now: ContinuousClock.Instant = .now) -> Duration? {
        guard !pending.isEmpty else { return nil }
        var earliest: ContinuousClock.Instant?
        for id in order[orderStart...].prefix(window) {
            guard let message = pending[id] else { continue }
            if earliest.map({ message.nextAttempt < $0 }) ?? true { earliest = message.nextAttempt }
        }
        let untilDue = earliest.map { max(.zero, now.duration(to: $0)) } ?? .milliseconds(50)
        // With an empty bucket the next token comes after 1/rate.
        return tokens >= 1 ? untilDue : max(untilDue, .milliseconds(1))
    }

    /// After a reconnection every message sent and not acknowledged is sent again at once:
    /// it may have been lost with the old connection.
    private func watchConnection() throws(ZMQError) {
        while let event = try monitor.next(timeout: .zero) {
            if event.kind.contains(.disconnected) {
                if isConnected { logger.warning("connection to the hub's publish endpoint lost", metadata: ["endpoint": "\(endpoint)"]) }
                isConnected = false
            } else if event.kind.contains(secure ? .handshakeSucceeded : .connected) {
                let reconnected = everConnected && !isConnected
                isConnected = true
                everConnected = true
                guard reconnected else { continue }
                let now = ContinuousClock.now
                var due = 0
                for (id, var message) in pending where message.sentAt != nil {
                    message.nextAttempt = now
                    pending[id] = message
                    due += 1
                }
                logger.info("reconnected to the hub's publish endpoint; sending unconfirmed messages again", metadata: ["pending": "\(due)"])
            }
        }
    }

    private func refill(now: ContinuousClock.Instant) {
        let rate = limits?.messagesPerSecond.map { $0 * Self.paceShare } ?? (limits == nil ? Self.initialRate : .infinity)
        let burst = limits?.burst.map { max(1, Double($0) / 2) } ?? (limits == nil ? Self.initialBurst : Double(window))
        let elapsed = tokensUpdated.duration(to: now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        tokens = rate.isInfinite ? Double(window) : min(burst, tokens + max(0, seconds) * rate)
        tokensUpdated = now
    }

    private func compactOrder() {
        while orderStart < order.count, pending[order[orderStart]] == nil { orderStart += 1 }
        if orderStart > 4096, orderStart * 2 > order.count {
            order.removeFirst(orderStart)
            orderStart = 0
        }
    }
}
