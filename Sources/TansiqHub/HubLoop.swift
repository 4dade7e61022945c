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

    let configuration: HubConfiguration
    let logger: Logger
    private let ingress: Socket
    let egress: Socket
    private let monitors: [SocketMonitor]
    private var validator: IngressValidator
    var counters = HubCounters()
    var topicSequences: [String: UInt64] = [:]
    private var subscriptionCounts: [[UInt8]: Int] = [:]
    private let startedAt = Date()
    let endpoints: HubEndpoints
    /// The journal every message is stored in before it is forwarded, when the hub journals.
    let journal: Journal?
    private let journalLock: JournalLock?
    /// Where replay clients connect: bound when the hub journals.
    let replay: Socket?
    /// The messages of this poll round waiting to be numbered, stored and forwarded.
    var outbox: [OutgoingMessage] = []
    var presence: HubPresenceTracker

    init(configuration: HubConfiguration, context: Context, logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
        self.validator = IngressValidator(
            hubID: configuration.hubID,
            maxMessageBytes: configuration.maxMessageBytes,
            bodyValidation: configuration.bodyValidation
        )
        presence = HubPresenceTracker(
            missedHeartbeats: configuration.presenceMissedHeartbeats,
            timeout: configuration.presenceTimeout
        )
        (journal, journalLock) = try Self.openJournal(configuration.journal)
        if let journal {
            // Numbering continues where the journal stopped: sequences never repeat.
            counters.lastSequence = journal.lastSequence
            topicSequences = journal.topicSequences
        }
        do {
            let ingress = try context.makeSocket(.xsub)
            let egress = try context.makeSocket(.xpub)
            self.ingress = ingress
            self.egress = egress
            try ingress.set(.receiveHighWaterMark(configuration.highWaterMark))
            try egress.set(.sendHighWaterMark(configuration.highWaterMark))
            // libzmq drops a peer whose frame exceeds this; the hub's own, counted check is
            // the real limit, so this only guards memory against absurd frames.
            try ingress.set(.maxMessageSize(Int64(max(configuration.maxMessageBytes * 4, 1 << 20))))
            monitors = [
                try SocketMonitor(socket: ingress, context: context, events: [.accepted, .disconnected]),
                try SocketMonitor(socket: egress, context: context, events: [.accepted, .disconnected]),
            ]
            replay = journal == nil ? nil : try Self.makeReplaySocket(context: context, configuration: configuration)
            try Self.bind(ingress, to: configuration.ingress, role: "ingress")
            try Self.bind(egress, to: configuration.egress, role: "egress")
            if let replay { try Self.bind(replay, to: configuration.replay, role: "replay endpoint") }
            // The hub must see every message, even one nobody has subscribed to yet (a referral
            // sent before its receiver connects): it subscribes to everything upstream instead
            // of passing its subscribers' filters to the publishers.
            try ingress.send([[0x01]])
            endpoints = HubEndpoints(
                ingress: try ingress.lastEndpoint(), egress: try egress.lastEndpoint(), replay: try replay?.lastEndpoint())
        } catch let error as ZMQError {
            journal?.close()
            journalLock?.release()
            throw HubError(code: .transportFailed, message: error.description)
        } catch {
            journal?.close()
            journalLock?.release()
            throw error
        }
    }

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
        replay?.close()
        journal?.close()
        journalLock?.release()
    }

    /// Serves until the thread is asked to stop or the context is terminated. `report` is
    /// called with the counters after every poll round.
    func serve(until thread: SocketThread, report: (HubCounters) -> Void) throws {
        var poller = Poller()
        let ingressIndex = poller.register(ingress)
        let egressIndex = poller.register(egress)
        let monitorIndices = monitors.map { poller.register($0.socket) }
        let replayIndex = replay.map { poller.register($0) }
        let clock = ContinuousClock()
        var nextStatistics = clock.now.advanced(by: configuration.statisticsInterval)
        var nextRetention = clock.now
        do {
            while !thread.isStopRequested {
                let untilStatistics = nextStatistics - clock.now
                let ready = try poller.poll(timeout: max(.zero, min(.milliseconds(100), untilStatistics)))
                if ready[egressIndex].contains(.readable) { try drainSubscriptions() }
                if ready[ingressIndex].contains(.readable) {
                    try drainIngress()
                    try flushOutbox()
                }
                for (monitor, index) in zip(monitors, monitorIndices) where ready[index].contains(.readable) {
                    try drainMonitor(monitor)
                }
                if let replayIndex, ready[replayIndex].contains(.readable) { try drainReplay() }
                try publishPresenceChanges()
                if clock.now >= nextStatistics {
                    try publishStatistics()
                    nextStatistics = clock.now.advanced(by: configuration.statisticsInterval)
                }
                try flushOutbox()
                if let journalConfiguration = configuration.journal, clock.now >= nextRetention {
                    applyRetention()
                    nextRetention = clock.now.advanced(by: journalConfiguration.retentionCheckInterval)
                }
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
            guard let message = try ingress.receive(dontWait: true) else { return }
            counters.messagesIn += 1
            counters.bytesIn += UInt64(message.frames.reduce(0) { $0 + $1.count })
            switch validator.validate(message.frames) {
            case .success(let accepted):
                outbox.append(OutgoingMessage(
                    topic: accepted.topic.rawValue, header: accepted.header, frames: message.frames, fromPublisher: true))
                if accepted.topic.family == .presence { notePresence(accepted, body: message.frames[2]) }
            case .failure(let rejection):
                try reject(rejection)
            }
        }
    }

    func reject(_ rejection: IngressRejection) throws {
        counters.rejections[rejection.reason.rawValue, default: 0] += 1
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
        publishOwn(topic: try Topic.hubRejection(agency: rejection.agency ?? "unknown"), payload: .hubRejection(payload))
    }

    /// Queues a message of the hub's own: it is numbered, journaled and forwarded like the
    /// publishers' messages, at the end of the round.
    func publishOwn(topic: Topic, payload: Payload, causationID: UUID? = nil) {
        let frames: [[UInt8]]
        let envelope = Envelope(
            topic: topic, source: configuration.hubID, agent: configuration.hubID, payload: payload, causationID: causationID)
        do {
            frames = try MessageCodec.encode(envelope)
        } catch {
            logger.error("hub message failed to encode", metadata: ["error": "\(error)", "kind": "\(payload.kind)"])
            return
        }
        outbox.append(OutgoingMessage(topic: envelope.topic.rawValue, header: envelope.header, frames: frames, fromPublisher: false))
    }

    // MARK: Egress

    /// Reads subscription changes from the XPUB: `0x01 prefix` subscribes, `0x00 prefix` unsubscribes.
    private func drainSubscriptions() throws {
        while let message = try egress.receive(dontWait: true) {
            guard let frame = message.frames.first, let flag = frame.first else { continue }
            let prefix = Array(frame.dropFirst())
            switch flag {
            case 0x01:
                subscriptionCounts[prefix, default: 0] += 1
            case 0x00:
                if let count = subscriptionCounts[prefix] {
                    subscriptionCounts[prefix] = count > 1 ? count - 1 : nil
                }
            default:
                continue
            }
            counters.subscriptions = subscriptionCounts.count
            logger.debug(
                flag == 0x01 ? "subscribed" : "unsubscribed",
                metadata: ["prefix": "\(String(decoding: prefix, as: UTF8.self))"]
            )
        }
    }

    private func drainMonitor(_ monitor: SocketMonitor) throws {
        while let event = try monitor.next(timeout: .zero) {
            if event.kind.contains(.accepted) {
                counters.peers += 1
            } else if event.kind.contains(.disconnected) {
                counters.peers = max(0, counters.peers - 1)
            }
        }
    }

    private func publishStatistics() throws {
        let statistics = HubStatistics(
            hub: configuration.hubID,
            startedAt: startedAt,
            uptimeSeconds: UInt64(max(0, Date().timeIntervalSince(startedAt))),
            messagesIn: counters.messagesIn,
            messagesOut: counters.messagesOut,
            bytesIn: counters.bytesIn,
            bytesOut: counters.bytesOut,
            rejections: counters.rejections.merging(counters.replayErrors.map { ("replay-" + $0.key, $0.value) }) { $0 + $1 },
            subscriptions: UInt64(counters.subscriptions),
            peers: UInt64(counters.peers),
            secure: false,
            journal: journalStatistics()
        )
        publishOwn(topic: try Topic.hubStatistics(hub: configuration.hubID), payload: .hubStatistics(statistics))
    }
}
