import Foundation
import Logging
import TansiqMessages
import ZeroMQ

/// The hub's forwarding loop. It owns the ingress, egress and monitor sockets and is used only
/// by the thread that created it.
final class HubLoop {
    /// The most messages read from the ingress in one poll round before the egress and the
    /// clock get a turn.
    private static let batchLimit = 2048

    private let configuration: HubConfiguration
    private let logger: Logger
    private let ingress: Socket
    private let egress: Socket
    private let monitors: [SocketMonitor]
    private var validator: IngressValidator
    private let gatekeeper: HubGatekeeper
    private let authenticator: ZAPAuthenticator?
    private let clock = ContinuousClock()
    private var counters = HubCounters()
    private var topicSequences: [String: UInt64] = [:]
    private var subscriptionCounts: [[UInt8]: Int] = [:]
    private let startedAt = Date()
    let endpoints: HubEndpoints

    init(configuration: HubConfiguration, context: Context, access: HubAccess? = nil, logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
        gatekeeper = HubGatekeeper(access: access, rateLimit: configuration.rateLimit, logger: logger)
        // The ZAP handler answers before any server socket exists: libzmq admits every CURVE
        // client while none is bound.
        authenticator = try access.map { try ZAPAuthenticator(context: context, access: $0) }
        self.validator = IngressValidator(
            hubID: configuration.hubID,
            maxMessageBytes: configuration.maxMessageBytes,
            bodyValidation: configuration.bodyValidation
        )
        do {
            let ingress = try context.makeSocket(.xsub)
            let egress = try context.makeSocket(.xpub)
            self.ingress = ingress
            self.egress = egress
            try configuration.security.configureServer(ingress)
            try configuration.security.configureServer(egress)
            // Secure: the hub applies each subscriber's subscriptions itself, after the policy.
            if configuration.security.isSecure { try egress.set(.xpubManual(true)) }
            try ingress.set(.receiveHighWaterMark(configuration.highWaterMark))
            try egress.set(.sendHighWaterMark(configuration.highWaterMark))
            // libzmq drops a peer whose frame exceeds this; the hub's own, counted check is
            // the real limit, so this only guards memory against absurd frames.
            try ingress.set(.maxMessageSize(Int64(max(configuration.maxMessageBytes * 4, 1 << 20))))
            // Subscribers send only subscriptions (a prefix of at most 255 bytes).
            try egress.set(.maxMessageSize(4096))
            monitors = [
                try SocketMonitor(socket: ingress, context: context, events: Self.monitoredEvents),
                try SocketMonitor(socket: egress, context: context, events: Self.monitoredEvents),
            ]
            try Self.bind(ingress, to: configuration.ingress, role: "ingress")
            try Self.bind(egress, to: configuration.egress, role: "egress")
            // The hub must see every message, even one nobody has subscribed to yet (a referral
            // sent before its receiver connects): it subscribes to everything upstream instead
            // of passing its subscribers' filters to the publishers.
            try ingress.send([[0x01]])
            endpoints = HubEndpoints(ingress: try ingress.lastEndpoint(), egress: try egress.lastEndpoint())
        } catch let error as ZMQError {
            authenticator?.stop()
            throw HubError(code: .transportFailed, message: error.description)
        } catch {
            authenticator?.stop()
            throw error
        }
    }

    /// Connections, and handshakes that failed before the ZAP handler was asked (a client
    /// without CURVE, or with the wrong server key).
    private static let monitoredEvents: MonitorEvent.Kind = [
        .accepted, .disconnected, .handshakeFailedProtocol, .handshakeFailedNoDetail,
    ]
    private var failedHandshakes: UInt64 = 0

    private static func bind(_ socket: Socket, to endpoint: String, role: String) throws {
        do {
            try socket.bind(endpoint)
        } catch {
            throw HubError(code: .bindFailed, message: "cannot bind the \(role) to \(endpoint): \(error)")
        }
    }

    func close() {
        for monitor in monitors { monitor.close() }
        ingress.close()
        egress.close()
        authenticator?.stop()
    }

    /// Serves until the thread is asked to stop or the context is terminated. `report` is
    /// called with the counters after every poll round.
    func serve(until thread: SocketThread, report: (HubCounters) -> Void) throws {
        var poller = Poller()
        let ingressIndex = poller.register(ingress)
        let egressIndex = poller.register(egress)
        let monitorIndices = monitors.map { poller.register($0.socket) }
        var nextStatistics = clock.now.advanced(by: configuration.statisticsInterval)
        var nextAccessCheck = clock.now.advanced(by: .seconds(1))
        do {
            while !thread.isStopRequested {
                let untilStatistics = nextStatistics - clock.now
                let ready = try poller.poll(timeout: max(.zero, min(.milliseconds(100), untilStatistics)))
                if ready[egressIndex].contains(.readable) { try drainSubscriptions() }
                if ready[ingressIndex].contains(.readable) { try drainIngress() }
                for (monitor, index) in zip(monitors, monitorIndices) where ready[index].contains(.readable) {
                    try drainMonitor(monitor)
                }
                if let access = gatekeeper.access, clock.now >= nextAccessCheck {
                    access.reloadIfChanged()
                    nextAccessCheck = clock.now.advanced(by: .seconds(1))
                }
                if clock.now >= nextStatistics {
                    try publishStatistics()
                    nextStatistics = clock.now.advanced(by: configuration.statisticsInterval)
                }
                syncSecurityCounters()
                report(counters)
            }
        } catch let error as ZMQError where error.isTerminated {
            logger.info("hub context terminated", metadata: ["hub": "\(configuration.hubID)"])
        } catch let error as ZMQError {
            throw HubError(code: .transportFailed, message: error.description)
        }
        report(counters)
    }

    // MARK: Ingress

    private func drainIngress() throws {
        for _ in 0..<Self.batchLimit {
            guard let (message, frameCount) = try ingress.receive(dontWait: true, frameLimit: configuration.maxFrames) else { return }
            counters.messagesIn += 1
            counters.bytesIn += UInt64(message.frames.reduce(0) { $0 + $1.count })
            guard frameCount <= configuration.maxFrames else {
                try reject(IngressRejection(
                    reason: .malformedFrames,
                    message: "\(frameCount) frames; at most \(configuration.maxFrames), and a message has 3",
                    topic: nil
                ), userID: message.userID)
                continue
            }
            switch validator.validate(message.frames) {
            case .success(let accepted):
                if let refusal = gatekeeper.admit(accepted, body: message.frames[2], userID: message.userID, now: clock.now) {
                    try reject(refusal, userID: message.userID)
                    continue
                }
                counters.accepted += 1
                try forward(topic: accepted.topic.rawValue, frames: message.frames)
            case .failure(let rejection):
                try reject(rejection, userID: message.userID)
            }
        }
    }

    /// Stamps a message with the next sequence numbers and sends it to the egress.
    private func forward(topic: String, frames: [[UInt8]]) throws {
        counters.lastSequence += 1
        let topicSequence = (topicSequences[topic] ?? 0) + 1
        topicSequences[topic] = topicSequence
        let stamp = MessageCodec.encodeStamp(
            HubStamp(hub: configuration.hubID, seq: counters.lastSequence, topicSeq: topicSequence)
        )
        var stamped = frames
        stamped.append(stamp)
        try egress.send(stamped)
        counters.messagesOut += 1
        counters.bytesOut += UInt64(stamped.reduce(0) { $0 + $1.count })
    }

    private func reject(_ rejection: IngressRejection, userID: String?) throws {
        var rejection = rejection
        // Secure: tell the agency that really sent it, never the one it claimed to be.
        if gatekeeper.isSecure { rejection.agency = userID }
        counters.rejections[rejection.reason.rawValue, default: 0] += 1
        guard rejection.notify else { return }
        logger.warning(
            "message rejected",
            metadata: [
                "reason": "\(rejection.reason.rawValue)",
                "agency": "\(rejection.agency ?? "unknown")",
                "message-id": "\(rejection.messageID?.uuidString.lowercased() ?? "-")",
                "detail": "\(rejection.message)",
            ]
        )
        let payload = HubRejection(
            rejectedMessageId: rejection.messageID,
            agency: rejection.agency,
            reason: rejection.reason,
            message: rejection.message,
            topic: rejection.topic,
            at: Date()
        )
        try publishOwn(topic: Topic.hubRejection(agency: rejection.agency ?? "unknown"), payload: .hubRejection(payload))
    }

    /// Sends a message of the hub's own through the same numbering as forwarded ones.
    private func publishOwn(topic: Topic, payload: Payload) throws {
        let envelope = Envelope(topic: topic, source: configuration.hubID, agent: configuration.hubID, payload: payload)
        let frames: [[UInt8]]
        do {
            frames = try MessageCodec.encode(envelope)
        } catch {
            logger.error("hub message failed to encode", metadata: ["error": "\(error)", "topic": "\(topic)"])
            return
        }
        try forward(topic: topic.description, frames: frames)
    }

    // MARK: Egress

    /// Reads subscription changes from the XPUB: `0x01 prefix` subscribes, `0x00 prefix` unsubscribes.
    /// Secure, the XPUB is in manual mode: each subscription carries its subscriber's User-Id
    /// and is applied to that subscriber's connection only if the policy allows it.
    private func drainSubscriptions() throws {
        let manual = gatekeeper.isSecure
        while let message = try egress.receive(dontWait: true) {
            guard let frame = message.frames.first, let flag = frame.first else { continue }
            let prefix = Array(frame.dropFirst())
            switch flag {
            case 0x01:
                if manual {
                    let text = String(decoding: prefix, as: UTF8.self)
                    guard String(validating: prefix, as: UTF8.self) != nil,
                          gatekeeper.allowsSubscription(prefix: text, userID: message.userID)
                    else {
                        try denySubscription(text, userID: message.userID)
                        continue
                    }
                    try egress.set(.subscribe(prefix))
                }
                subscriptionCounts[prefix, default: 0] += 1
            case 0x00:
                if manual { try egress.set(.unsubscribe(prefix)) }
                if let count = subscriptionCounts[prefix] {
                    subscriptionCounts[prefix] = count > 1 ? count - 1 : nil
                }
            default:
                continue
            }
            counters.subscriptions = subscriptionCounts.count
            logger.debug(
                flag == 0x01 ? "subscribed" : "unsubscribed",
                metadata: ["prefix": "\(String(decoding: prefix, as: UTF8.self))", "agency": "\(message.userID ?? "-")"]
            )
        }
    }

    /// Counts and logs a refused subscription and tells the agency on `hub/rejected/<agency>`.
    private func denySubscription(_ prefix: String, userID: String?) throws {
        counters.deniedSubscriptions += 1
        // Told at most once a second per agency, like a flood of messages.
        guard let userID, gatekeeper.shouldNotify(userID, now: clock.now) else { return }
        logger.warning("subscription refused", metadata: ["agency": "\(userID)", "prefix": "\(prefix)"])
        let payload = HubRejection(
            agency: userID,
            reason: .notAuthorized,
            message: "'\(userID)' may not subscribe to '\(prefix)'",
            topic: String(prefix.unicodeScalars.filter { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F }.map(Character.init)),
            at: Date()
        )
        try publishOwn(topic: Topic.hubRejection(agency: userID), payload: .hubRejection(payload))
    }

    private func drainMonitor(_ monitor: SocketMonitor) throws {
        while let event = try monitor.next(timeout: .zero) {
            if event.kind.contains(.accepted) {
                counters.peers += 1
            } else if event.kind.contains(.disconnected) {
                counters.peers = max(0, counters.peers - 1)
            } else if gatekeeper.isSecure {
                failedHandshakes += 1
                logger.warning("connection refused: handshake failed", metadata: ["endpoint": "\(event.endpoint)", "value": "\(event.value)"])
            }
        }
    }

    private func syncSecurityCounters() {
        counters.secure = gatekeeper.isSecure
        counters.refusedAuthentications = (gatekeeper.access?.refusedAuthentications ?? 0) + failedHandshakes
        counters.unverifiedStatusUpdates = gatekeeper.unverifiedStatusUpdates
    }

    /// Whether a replay may send a message on `topic` to a connection authenticated as
    /// `userID` (the replay ROUTER's `Multipart.userID`); always true when insecure.
    func replayPermits(topic: String, to userID: String?) -> Bool {
        gatekeeper.allowsReplay(of: topic, to: userID)
    }

    /// Feeds a journalled message's frames (topic, header, body) to the sender-binding memory,
    /// so that a restarted hub still knows who may move the referrals it accepted before.
    func rememberJournalled(_ frames: [[UInt8]]) {
        guard gatekeeper.isSecure, frames.count >= 3, case .success(let accepted) = validator.validate(Array(frames.prefix(3))) else { return }
        gatekeeper.remember(accepted, body: frames[2])
    }

    /// Whether `userID` may ask for a replay of `prefix`; always true when insecure.
    func replayPermits(prefix: String, for userID: String?) -> Bool {
        gatekeeper.allowsReplayRequest(prefix: prefix, userID: userID)
    }

    private func publishStatistics() throws {
        syncSecurityCounters()
        var rejections = counters.rejections
        if counters.refusedAuthentications > 0 { rejections["authentication-refused"] = counters.refusedAuthentications }
        if counters.deniedSubscriptions > 0 { rejections["subscription-denied"] = counters.deniedSubscriptions }
        let statistics = HubStatistics(
            hub: configuration.hubID,
            startedAt: startedAt,
            uptimeSeconds: UInt64(max(0, Date().timeIntervalSince(startedAt))),
            messagesIn: counters.messagesIn,
            messagesOut: counters.messagesOut,
            bytesIn: counters.bytesIn,
            bytesOut: counters.bytesOut,
            rejections: rejections,
            subscriptions: UInt64(counters.subscriptions),
            peers: UInt64(counters.peers),
            secure: gatekeeper.isSecure
        )
        try publishOwn(topic: Topic.hubStatistics(hub: configuration.hubID), payload: .hubStatistics(statistics))
    }
}
