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
    private var counters = HubCounters()
    private var topicSequences: [String: UInt64] = [:]
    private var subscriptionCounts: [[UInt8]: Int] = [:]
    private let startedAt = Date()
    let endpoints: HubEndpoints

    init(configuration: HubConfiguration, context: Context, logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
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
            try ingress.set(.receiveHighWaterMark(configuration.highWaterMark))
            try egress.set(.sendHighWaterMark(configuration.highWaterMark))
            // libzmq drops a peer whose frame exceeds this; the hub's own, counted check is
            // the real limit, so this only guards memory against absurd frames.
            try ingress.set(.maxMessageSize(Int64(max(configuration.maxMessageBytes * 4, 1 << 20))))
            monitors = [
                try SocketMonitor(socket: ingress, context: context, events: [.accepted, .disconnected]),
                try SocketMonitor(socket: egress, context: context, events: [.accepted, .disconnected]),
            ]
            try Self.bind(ingress, to: configuration.ingress, role: "ingress")
            try Self.bind(egress, to: configuration.egress, role: "egress")
            // The hub must see every message, even one nobody has subscribed to yet (a referral
            // sent before its receiver connects): it subscribes to everything upstream instead
            // of passing its subscribers' filters to the publishers.
            try ingress.send([[0x01]])
            endpoints = HubEndpoints(ingress: try ingress.lastEndpoint(), egress: try egress.lastEndpoint())
        } catch let error as ZMQError {
            throw HubError(code: .transportFailed, message: error.description)
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
    }

    /// Serves until the thread is asked to stop or the context is terminated. `report` is
    /// called with the counters after every poll round.
    func serve(until thread: SocketThread, report: (HubCounters) -> Void) throws {
        var poller = Poller()
        let ingressIndex = poller.register(ingress)
        let egressIndex = poller.register(egress)
        let monitorIndices = monitors.map { poller.register($0.socket) }
        let clock = ContinuousClock()
        var nextStatistics = clock.now.advanced(by: configuration.statisticsInterval)
        do {
            while !thread.isStopRequested {
                let untilStatistics = nextStatistics - clock.now
                let ready = try poller.poll(timeout: max(.zero, min(.milliseconds(100), untilStatistics)))
                if ready[egressIndex].contains(.readable) { try drainSubscriptions() }
                if ready[ingressIndex].contains(.readable) { try drainIngress() }
                for (monitor, index) in zip(monitors, monitorIndices) where ready[index].contains(.readable) {
                    try drainMonitor(monitor)
                }
                if clock.now >= nextStatistics {
                    try publishStatistics()
                    nextStatistics = clock.now.advanced(by: configuration.statisticsInterval)
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
                counters.accepted += 1
                try forward(topic: accepted.topic.rawValue, frames: message.frames)
            case .failure(let rejection):
                try reject(rejection)
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

    private func reject(_ rejection: IngressRejection) throws {
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
            rejections: counters.rejections,
            subscriptions: UInt64(counters.subscriptions),
            peers: UInt64(counters.peers),
            secure: false
        )
        try publishOwn(topic: Topic.hubStatistics(hub: configuration.hubID), payload: .hubStatistics(statistics))
    }
}
