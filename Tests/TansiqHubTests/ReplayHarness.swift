import Foundation
import TansiqHub
import TansiqMessages
import TansiqTestSupport
import Testing
import ZeroMQ

/// A hub configuration on tcp loopback `*` ports with a journal in `directory`.
func journaledConfiguration(
    _ directory: JournalDirectory,
    durability: JournalDurability = .normal,
    retention: JournalRetention = JournalRetention()
) -> HubConfiguration {
    HubConfiguration(
        ingress: "tcp://127.0.0.1:*", egress: "tcp://127.0.0.1:*",
        journal: JournalConfiguration(path: directory.journalPath, durability: durability, retention: retention),
        replay: "tcp://127.0.0.1:*"
    )
}

/// A publisher that never drops (large HWM, XPUB_NODROP) and a subscriber that keeps every
/// forwarded message, for streams of thousands of messages.
final class StreamClient {
    let context: Context
    let publisher: Socket
    let subscriber: Socket

    init(_ endpoints: HubEndpoints, prefixes: [String]) throws {
        context = try Context()
        publisher = try context.makeSocket(.xpub)
        subscriber = try context.makeSocket(.sub)
        try publisher.set(.sendHighWaterMark(0))
        try publisher.set(.xpubNoDrop(true))
        try publisher.set(.receiveTimeout(milliseconds: 5000))
        try subscriber.set(.receiveHighWaterMark(0))
        try subscriber.set(.receiveTimeout(milliseconds: 5000))
        for prefix in prefixes + [Self.probePrefix] { try subscriber.set(.subscribe(Array(prefix.utf8))) }
        try subscriber.connect(endpoints.egress)
        try publisher.connect(endpoints.ingress)
        _ = try #require(try publisher.receive(), "the hub never subscribed to the publisher")
        _ = try sendUntilForwarded { try Sample.heartbeat(agency: "probe", agent: "p\(UInt32.random(in: 0...UInt32.max))") }
    }

    /// Heartbeats that prove the subscriptions live; `next()` skips them.
    static let probePrefix = "presence/probe/"

    /// Sends what `make` builds until one comes back; returns that forwarded copy.
    func sendUntilForwarded(_ make: () throws -> [[UInt8]]) throws -> Multipart {
        try subscriber.set(.receiveTimeout(milliseconds: 100))
        defer { try? subscriber.set(.receiveTimeout(milliseconds: 5000)) }
        for _ in 0..<50 {
            let frames = try make()
            try publisher.send(frames)
            while let message = try subscriber.receive() {
                if Array(message.frames.prefix(3)) == frames { return message }
            }
        }
        throw StreamClientError("nothing came back through the hub")
    }

    /// The next forwarded message that is not a probe, or nil after the receive timeout.
    func next() throws -> Multipart? {
        while let message = try subscriber.receive() {
            if !message.frames[0].starts(with: Array(Self.probePrefix.utf8)) { return message }
        }
        return nil
    }

    func close() {
        publisher.close()
        subscriber.close()
    }

    deinit { close() }
}

struct StreamClientError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A replay client as any language would write it: a DEALER on the replay endpoint.
final class ReplayDealer {
    let context: Context
    let socket: Socket

    /// A client of `endpoint`; with `keys` and `hubKey`, a CURVE client of a secure hub.
    init(_ endpoint: String, keys: CurveKeyPair? = nil, hubKey: String? = nil) throws {
        context = try Context()
        socket = try context.makeSocket(.dealer)
        if let keys, let hubKey { try socket.makeCurveClient(keys: keys, serverKey: hubKey) }
        try socket.set(.receiveTimeout(milliseconds: 10_000))
        try socket.set(.receiveHighWaterMark(0))
        try socket.set(.linger(milliseconds: 0))
        try socket.connect(endpoint)
    }

    static func request(agency: String, prefixes: [String], after: UInt64, limit: UInt64?) throws -> [[UInt8]] {
        try MessageCodec.encode(Envelope(
            topic: try Topic.replayRequest(agency: agency), source: agency, agent: "\(agency)-desk",
            payload: .replayRequest(ReplayRequest(prefixes: prefixes, afterSequence: after, limit: limit))))
    }

    /// One page: the messages (4 frames each) and the end marker with its topic.
    struct Page {
        var messages: [[[UInt8]]]
        var end: ReplayEnd
        var endTopic: String
        var stamps: [HubStamp] { messages.compactMap { try? MessageCodec.decodeStamp($0[3]) } }
    }

    /// Sends `frames` and reads until the end marker.
    func exchange(_ frames: [[UInt8]]) throws -> Page {
        try socket.send(frames)
        var messages: [[[UInt8]]] = []
        for _ in 0...5001 {
            let message = try #require(try socket.receive(), "no answer from the replay endpoint")
            let topic = String(decoding: message.frames[0], as: UTF8.self)
            if topic.hasPrefix("hub/replay/end/") {
                let (envelope, stamp) = try MessageCodec.decode(message.frames)
                #expect(stamp == nil, "the end marker carries no stamp")
                guard case .replayEnd(let end) = envelope.payload else { throw StreamClientError("not an end marker") }
                return Page(messages: messages, end: end, endTopic: topic)
            }
            #expect(message.frames.count == 4, "a replayed message is topic, header, body and stamp")
            messages.append(message.frames)
        }
        throw StreamClientError("no end marker after 5002 messages")
    }

    func page(agency: String, prefixes: [String], after: UInt64, limit: UInt64? = nil) throws -> Page {
        try exchange(try Self.request(agency: agency, prefixes: prefixes, after: after, limit: limit))
    }

    func close() { socket.close() }

    deinit { close() }
}

extension Sample {
    /// A referral from the usual referrer to `receiver`.
    static func referralFrames(to receiver: String, category: ServiceCategory = .health) throws -> [[UInt8]] {
        var referral = referral()
        referral.receivingAgency = receiver
        referral.category = category
        return try MessageCodec.encode(Envelope(
            topic: try Topic.referral(to: receiver, category: category),
            source: referrer, agent: "iom-morocco-1", payload: .referral(referral), correlationID: referral.referralId))
    }

    static func heartbeat(agency: String, agent: String, interval: Int = 10) throws -> [[UInt8]] {
        let presence = Presence(agency: agency, agent: agent, role: .civilSociety, version: "1.0", uptimeSeconds: 1, heartbeatInterval: interval)
        return try MessageCodec.encode(Envelope(
            topic: try Topic.presence(agency: agency, agent: agent), source: agency, agent: agent, payload: .presence(presence)))
    }
}
