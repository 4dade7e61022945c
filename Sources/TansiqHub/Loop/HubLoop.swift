import Foundation
import Logging
import TansiqMessages
import ZeroMQ

/// The hub's forwarding loop. It owns the ingress, egress and monitor sockets and is used only
/// by the thread that created it.
final class HubLoop {
    /// The most messages read from the ingress in one poll round before the egress and the
    /// clock get a turn.
    static let batchLimit = 2048
    /// Messages read between two looks at whether the journal's writer has answered.
    static let commitCheckInterval = 64

    let configuration: HubConfiguration
    let logger: Logger
    private let ingress: Socket
    let egress: Socket
    private let monitors: [SocketMonitor]
    var validator: IngressValidator
    let gatekeeper: HubGatekeeper
    private let authenticator: ZAPAuthenticator?
    let clock = ContinuousClock()
    /// The time deadlines are checked against.
    let time: HubClock
    /// Every referral the hub accepted: the authority on who may move it and how.
    let registry: ReferralRegistry
    var counters = HubCounters()
    /// New referrals of this round whose body goes to the coordinator too (`hub/shared/`), with
    /// the id of the message that carried them; published after their view.
    var sharesDue: [UUID: (referral: Referral, causation: UUID)] = [:]
    /// Numbers every message the hub forwards.
    var sequencer = Sequencer()
    private var subscriptionCounts: [[UInt8]: Int] = [:]
    private let startedAt = Date()
    let endpoints: HubEndpoints
    /// The journal every message is stored in before it is forwarded, when the hub journals.
    let journal: Journal?
    /// The group commit on the journal's writer thread, when the hub journals.
    private(set) var pipeline: JournalPipeline?
    /// The batch the writer thread is storing: forwarded once it answers.
    var committing: NumberedBatch?
    /// The last stage: stored batches to the egress.
    let forwarder: Forwarder
    private let journalLock: JournalLock?
    /// Where replay clients connect: bound when the hub journals.
    let replay: Socket?
    /// The confirmed publish endpoint, when configured.
    let confirmations: PublishConfirmations?
    /// The messages of this poll round waiting to be numbered, stored and forwarded.
    var outbox: [OutgoingMessage] = []
    /// Emptied ingress messages, reused so that receiving allocates nothing.
    var spareMessages: [ForwardedMessage] = []

    /// Keeps an ingress message for reuse, releasing its frames now (a refused message may be large).
    func recycle(_ message: ForwardedMessage) {
        message.removeAll()
        if spareMessages.count < Self.batchLimit { spareMessages.append(message) }
    }
    var presence: HubPresenceTracker
    /// The metrics' hook, told of every commit.
    let observer: (any HubObserver)?

    init(
        configuration: HubConfiguration, context: Context, access: HubAccess? = nil, clock: HubClock = .system,
        observer: (any HubObserver)? = nil, logger: Logger
    ) throws {
        self.configuration = configuration
        self.logger = logger
        time = clock
        self.observer = observer
        gatekeeper = HubGatekeeper(
            access: access, rateLimit: configuration.rateLimit, coordinator: configuration.registry.coordinator, logger: logger)
        // The ZAP handler answers before any server socket exists: libzmq admits every CURVE
        // client while none is bound.
        authenticator = try access.map { try ZAPAuthenticator(context: context, access: $0) }
        self.validator = IngressValidator(
            hubID: configuration.hubID,
            maxMessageBytes: configuration.maxMessageBytes,
            bodyValidation: configuration.bodyValidation,
            privacy: configuration.privacy
        )
        presence = HubPresenceTracker(
            missedHeartbeats: configuration.presenceMissedHeartbeats,
            timeout: configuration.presenceTimeout
        )
        (journal, journalLock) = try Self.openJournal(configuration.journal)
        if let journal {
            // Numbering continues where the journal stopped: sequences never repeat.
            counters.lastSequence = journal.lastSequence
            sequencer = Sequencer(lastSequence: journal.lastSequence, topicSequences: journal.topicSequences)
        }
        do {
            registry = try Self.loadRegistry(journal: journal, rules: configuration.registry, logger: logger)
        } catch {
            journal?.close()
            journalLock?.release()
            authenticator?.stop()
            throw error
        }
        do {
            let ingress = try context.makeSocket(.xsub)
            let egress = try context.makeSocket(.xpub)
            self.ingress = ingress
            self.egress = egress
            forwarder = Forwarder(egress: egress)
            try configuration.security.configureServer(ingress)
            try configuration.security.configureServer(egress)
            // Secure: the hub applies each subscriber's subscriptions itself, after the policy.
            if configuration.security.isSecure { try egress.set(.xpubManual(true)) }
            try ingress.set(.receiveHighWaterMark(configuration.highWaterMark))
            try egress.set(.sendHighWaterMark(configuration.highWaterMark))
            // libzmq drops a peer whose frame exceeds this; the hub's own, counted check is
            // the real limit, so this only guards memory against absurd frames.
            try ingress.set(.maxMessageSize(Int64(Self.ingressFrameLimit(maxMessageBytes: configuration.maxMessageBytes))))
            // Subscribers send only subscriptions (a prefix of at most 255 bytes).
            try egress.set(.maxMessageSize(4096))
            monitors = [
                try SocketMonitor(socket: ingress, context: context, events: Self.monitoredEvents),
                try SocketMonitor(socket: egress, context: context, events: Self.monitoredEvents),
            ]
            replay = journal == nil ? nil : try Self.makeReplaySocket(context: context, configuration: configuration)
            confirmations = try configuration.publish.map { _ throws(ZMQError) in
                PublishConfirmations(
                    socket: try PublishConfirmations.makeSocket(context: context, configuration: configuration),
                    limits: PublishLimits(
                        messagesPerSecond: configuration.rateLimit?.messagesPerSecond, burst: configuration.rateLimit?.burst,
                        maxMessageBytes: configuration.maxMessageBytes))
            }
            try Self.bind(ingress, to: configuration.ingress, role: "ingress")
            try Self.bind(egress, to: configuration.egress, role: "egress")
            if let replay { try Self.bind(replay, to: configuration.replay, role: "replay endpoint") }
            if let confirmations, let publish = configuration.publish {
                try Self.bind(confirmations.socket, to: publish, role: "publish endpoint")
            }
            // The hub must see every message, even one nobody has subscribed to yet (a referral
            // sent before its receiver connects): it subscribes to everything upstream instead
            // of passing its subscribers' filters to the publishers.
            try ingress.send([[0x01]])
            endpoints = HubEndpoints(
                ingress: try ingress.lastEndpoint(), egress: try egress.lastEndpoint(), replay: try replay?.lastEndpoint(),
                publish: try confirmations?.socket.lastEndpoint())
            try rebuildRegistryIfNeeded()
            if let journal { pipeline = try JournalPipeline(journal: journal) }
        } catch let error as ZMQError {
            journal?.close()
            journalLock?.release()
            authenticator?.stop()
            throw HubError(code: .transportFailed, message: error.description)
        } catch {
            journal?.close()
            journalLock?.release()
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
    /// Repeated warnings (a client retrying a refused handshake) logged once per interval.
    var warningThrottle = WarningThrottle()

    private static func bind(_ socket: Socket, to endpoint: String, role: String) throws {
        do {
            try socket.bind(endpoint)
        } catch {
            throw HubError(code: .bindFailed, message: "cannot bind the \(role) to \(endpoint): \(error)")
        }
    }

    func close() {
        // The batch in flight is forwarded if the sockets still can; then the journal is the loop's alone.
        settleJournal()
        pipeline?.stop()
        for monitor in monitors { monitor.close() }
        ingress.close()
        egress.close()
        replay?.close()
        confirmations?.socket.close()
        journal?.close()
        journalLock?.release()
        authenticator?.stop()
    }

    /// Serves until the thread is asked to stop or the context is terminated. `report` is
    /// called with the counters after every poll round.
    func serve(until thread: SocketThread, report: (HubCounters) -> Void) throws {
        var poller = Poller()
        let ingressIndex = poller.register(ingress)
        let egressIndex = poller.register(egress)
        let monitorIndices = monitors.map { poller.register($0.socket) }
        let replayIndex = replay.map { poller.register($0) }
        let publishIndex = confirmations.map { poller.register($0.socket) }
        let journalIndex = pipeline.map { poller.register(fileDescriptor: $0.wakeDescriptor) }
        let observerIndex = observer?.wakeDescriptor.map { poller.register(fileDescriptor: $0) }
        var nextStatistics = clock.now.advanced(by: configuration.statisticsInterval)
        var nextRetention = clock.now
        var nextAccessCheck = clock.now.advanced(by: .seconds(1))
        do {
            while !thread.isStopRequested {
                let untilStatistics = nextStatistics - clock.now
                let ready = try poller.poll(timeout: max(.zero, min(.milliseconds(100), untilStatistics)))
                let messagesBefore = counters.messagesIn
                if let observerIndex, ready[observerIndex].contains(.readable) { observer?.woken() }
                if ready[egressIndex].contains(.readable) { try drainSubscriptions() }
                // A stored batch is forwarded, and the waiting one goes to the writer.
                if let journalIndex, ready[journalIndex].contains(.readable) { try collectCommit() }
                if ready[ingressIndex].contains(.readable) {
                    if outbox.count >= Self.outboxLimit {
                        // Load beyond what one commit drains: wait for it rather than read on.
                        settleJournal()
                        try flushOutbox()
                    }
                    try drainIngress()
                    try flushOutbox()
                }
                for (monitor, index) in zip(monitors, monitorIndices) where ready[index].contains(.readable) {
                    try drainMonitor(monitor)
                }
                if let replayIndex, ready[replayIndex].contains(.readable) { try drainReplay() }
                if let publishIndex, ready[publishIndex].contains(.readable) {
                    try drainConfirmed()
                    try flushOutbox()
                }
                let waitingBefore = outbox.count
                try publishPresenceChanges()
                try watchDeadlines()
                let timedMessages = outbox.count > waitingBefore
                if let access = gatekeeper.access, clock.now >= nextAccessCheck {
                    access.reloadIfChanged()
                    nextAccessCheck = clock.now.advanced(by: .seconds(1))
                }
                if clock.now >= nextStatistics {
                    countReferrals()
                    try publishStatistics()
                    purgeClosedReferrals()
                    nextStatistics = clock.now.advanced(by: configuration.statisticsInterval)
                }
                try flushOutbox()
                if counters.messagesIn == messagesBefore || timedMessages {
                    // A round that read nothing, or whose clock made messages (escalations,
                    // presence changes), ends with all of it forwarded: its report then covers
                    // this instant's deadlines (virtual time's proof of quiet relies on it).
                    // Under load rounds read, and the pipeline keeps overlapping.
                    settleJournal()
                    try flushOutbox()
                    settleJournal()
                }
                if let journalConfiguration = configuration.journal, clock.now >= nextRetention {
                    applyRetention()
                    nextRetention = clock.now.advanced(by: journalConfiguration.retentionCheckInterval)
                }
                syncSecurityCounters()
                noteQueueDepths()
                report(counters)
            }
            // What the last rounds admitted is stored and forwarded before the loop ends.
            settleJournal()
            try flushOutbox()
            settleJournal()
        } catch let error as ZMQError where error.isTerminated {
            logger.info("hub context terminated", metadata: ["hub": "\(configuration.hubID)"])
        } catch let error as ZMQError {
            throw HubError(code: .transportFailed, message: error.description)
        }
        report(counters)
    }

    // MARK: Ingress

    private func drainIngress() throws {
        for index in 0..<Self.batchLimit {
            // The writer is fed as soon as it is free, not when the round ends: both cores stay busy.
            if index % Self.commitCheckInterval == Self.commitCheckInterval - 1, pipeline?.isBusy == true { try collectCommit() }
            let message = spareMessages.popLast() ?? ForwardedMessage()
            guard let frameCount = try ingress.receive(into: message, dontWait: true, frameLimit: configuration.maxFrames) else {
                recycle(message)
                return
            }
            counters.messagesIn += 1
            counters.bytesIn += UInt64(message.byteCount)
            // Only a secure hub has a User-Id to read; looking it up costs on every message.
            let (userID, keyCurrent) = gatekeeper.isSecure ? gatekeeper.connection(message.userID) : (nil, true)
            guard frameCount <= configuration.maxFrames else {
                recycle(message)
                try reject(IngressRejection(
                    reason: .malformedFrames,
                    message: "\(frameCount) frames; at most \(configuration.maxFrames), and a message has 3",
                    topic: nil
                ), userID: userID)
                continue
            }
            switch validator.validate(message) {
            case .success(let accepted):
                if let refusal = admit(accepted, frames: .received(message), userID: userID, keyCurrent: keyCurrent) {
                    recycle(message)
                    try reject(refusal, userID: userID)
                }
            case .failure(let rejection):
                recycle(message)
                try reject(rejection, userID: userID)
            }
        }
    }

    /// Queues a message of the hub's own: it is numbered, journaled and forwarded like the
    /// publishers' messages, at the end of the round.
    func publishOwn(topic: Topic, payload: Payload, causationID: UUID? = nil, referral: UUID? = nil) {
        let frames: [[UInt8]]
        let envelope = Envelope(
            topic: topic, source: configuration.hubID, agent: configuration.hubID, payload: payload, causationID: causationID)
        do {
            frames = try MessageCodec.encode(envelope)
        } catch {
            logger.error("hub message failed to encode", metadata: ["error": "\(error)", "kind": "\(payload.kind)"])
            return
        }
        outbox.append(OutgoingMessage(
            topic: envelope.topic.rawValue, header: envelope.header, frames: .encoded(frames), fromPublisher: false, referral: referral))
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
                    let connection = gatekeeper.connection(message.userID)
                    guard String(validating: prefix, as: UTF8.self) != nil, connection.keyCurrent,
                          gatekeeper.allowsSubscription(prefix: text, userID: connection.agency)
                    else {
                        try denySubscription(text, userID: connection.agency)
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
                metadata: ["prefix": "\(String(decoding: prefix, as: UTF8.self))", "agency": "\(gatekeeper.connection(message.userID).agency ?? "-")"]
            )
        }
    }

    /// Counts and logs a refused subscription and tells the agency on `hub/rejected/<agency>`.
    private func denySubscription(_ prefix: String, userID: String?) throws {
        counters.deniedSubscriptions += 1
        noteRefusal(of: userID)
        // Told at most once a second per agency and prefix: `tansiq sub` learns of each refused prefix.
        guard let userID, gatekeeper.shouldNotify(userID + "\u{0}" + prefix, now: time.now()) else { return }
        logger.warning("subscription refused", metadata: ["agency": "\(userID)", "prefix": "\(prefix)"])
        let payload = HubRejection(
            agency: userID,
            reason: .notAuthorized,
            message: "'\(userID)' may not subscribe to '\(prefix)'",
            topic: String(prefix.unicodeScalars.filter { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F }.map(Character.init)),
            at: time.now()
        )
        try publishOwn(topic: Topic.hubRejection(agency: userID), payload: .hubRejection(payload))
    }

    private func drainMonitor(_ monitor: SocketMonitor) throws {
        while let event = try monitor.next(timeout: .zero) {
            if event.kind.contains(.accepted) {
                counters.peers += 1
            } else if event.kind.contains(.disconnected) {
                counters.peers = max(0, counters.peers - 1)
                if monitor === monitors.first { noteIngressDisconnect(event) }
            } else if gatekeeper.isSecure {
                failedHandshakes += 1
                noteFailedHandshake(event)
            }
        }
    }

    private func syncSecurityCounters() {
        counters.secure = gatekeeper.isSecure
        counters.refusedAuthentications = (gatekeeper.access?.refusedAuthentications ?? 0) + failedHandshakes
    }

    /// Whether a replay may send a message on `topic` to a connection authenticated as
    /// `userID` (the replay ROUTER's `Multipart.userID`); always true when insecure.
    func replayPermits(topic: String, to userID: String?) -> Bool {
        gatekeeper.allowsReplay(of: topic, to: userID)
    }

    /// Validates a journalled message's frames again (the one-time rebuild of the registry).
    func revalidate(_ frames: [[UInt8]]) -> AcceptedMessage? {
        guard frames.count >= 3, case .success(let accepted) = validator.validate(Array(frames.prefix(3))) else { return nil }
        return accepted
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
            rejections: rejections.merging(counters.replayErrors.map { ("replay-" + $0.key, $0.value) }) { $0 + $1 },
            subscriptions: UInt64(counters.subscriptions),
            peers: UInt64(counters.peers),
            secure: gatekeeper.isSecure,
            journal: journalStatistics(),
            ingressDisconnects: counters.ingressDisconnects
        )
        publishOwn(topic: try Topic.hubStatistics(hub: configuration.hubID), payload: .hubStatistics(statistics))
    }
}
