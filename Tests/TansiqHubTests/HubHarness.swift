import Foundation
import Logging
import TansiqHub
import TansiqMessages
import Testing
import ZeroMQ

/// A hub on tcp loopback with `*` ports, run for the length of one test.
func withHub<Result>(
    _ configuration: HubConfiguration = HubConfiguration(ingress: "tcp://127.0.0.1:*", egress: "tcp://127.0.0.1:*", security: .insecure),
    clock: HubClock = .system,
    observer: (any HubObserver)? = nil,
    _ body: (Hub, HubEndpoints) async throws -> Result
) async throws -> Result {
    var logger = Logger(label: "test.hub")
    logger.logLevel = .error
    let hub = try Hub(configuration: configuration, clock: clock, observer: observer, logger: logger)
    let task = Task { try await hub.run() }
    do {
        let endpoints = try await hub.endpoints()
        let result = try await body(hub, endpoints)
        task.cancel()
        try await task.value
        return result
    } catch {
        task.cancel()
        _ = try? await task.value
        throw error
    }
}

/// A raw ZeroMQ client of the hub, as any language would write one: an XPUB that waits for the
/// hub's subscription before publishing, and a SUB whose subscriptions are proven live by a
/// probe that comes back through the hub.
final class RawClient {
    let context: Context
    let publisher: Socket
    let subscriber: Socket
    private let probeTopic: String

    init(_ endpoints: HubEndpoints, prefixes: [String]) throws {
        context = try Context()
        publisher = try context.makeSocket(.xpub)
        subscriber = try context.makeSocket(.sub)
        try subscriber.set(.receiveTimeout(milliseconds: 5000))
        try publisher.set(.receiveTimeout(milliseconds: 5000))
        probeTopic = "presence/probe/p\(UInt32.random(in: 0...UInt32.max))"
        for prefix in prefixes { try subscriber.set(.subscribe(Array(prefix.utf8))) }
        try subscriber.set(.subscribe(Array(probeTopic.utf8)))
        try subscriber.connect(endpoints.egress)
        try publisher.connect(endpoints.ingress)
        let subscription = try #require(try publisher.receive(), "the hub never subscribed to the publisher")
        #expect(subscription.frames.first == [0x01])
        try waitForProbe()
    }

    /// Publishes presence probes until one comes back: then every prefix above is live at the hub.
    private func waitForProbe() throws {
        for _ in 0..<50 {
            try publisher.send(try probe())
            try subscriber.set(.receiveTimeout(milliseconds: 100))
            defer { try? subscriber.set(.receiveTimeout(milliseconds: 5000)) }
            if let message = try subscriber.receive(), String(decoding: message.frames[0], as: UTF8.self) == probeTopic {
                return
            }
        }
        Issue.record("the probe never came back through the hub")
    }

    private func probe() throws -> [[UInt8]] {
        let parts = probeTopic.split(separator: "/")
        let presence = Presence(agency: String(parts[1]), agent: String(parts[2]), role: .cli, version: "test", uptimeSeconds: 0, heartbeatInterval: 10)
        return try MessageCodec.encode(Envelope(topic: try Topic(probeTopic), source: String(parts[1]), agent: String(parts[2]), payload: .presence(presence)))
    }

    /// The next message that is not a probe, or nil after the receive timeout.
    func next() throws -> Multipart? {
        while let message = try subscriber.receive() {
            if String(decoding: message.frames[0], as: UTF8.self) != probeTopic { return message }
        }
        return nil
    }

    func close() {
        publisher.close()
        subscriber.close()
    }

    deinit { close() }
}

enum Sample {
    static let referrer = "iom-morocco"
    static let receiver = "health-delegation-agadir"

    static func referral(id: UUID = UUID(), note: String? = nil) -> Referral {
        let now = Date()
        return Referral(
            referralId: id,
            caseReference: "AGA-2026-0042",
            referringAgency: referrer,
            referringWorker: "caseworker-3",
            receivingAgency: receiver,
            category: .health,
            priority: .urgent,
            reasonCodes: [.medicalConsultation],
            note: note,
            consent: Referral.Consent(status: .given, scope: [.shareWithReceiver], recordedBy: "caseworker-3", recordedAt: now),
            acknowledgeBy: now.addingTimeInterval(3600),
            decideBy: now.addingTimeInterval(7200),
            followUpOn: now.addingTimeInterval(86_400)
        )
    }

    static func referralFrames(id: UUID = UUID()) throws -> [[UInt8]] {
        let referral = referral(id: id)
        let envelope = Envelope(
            topic: try Topic.referral(to: receiver, category: .health),
            source: referrer,
            agent: "iom-morocco-1",
            payload: .referral(referral),
            correlationID: referral.referralId
        )
        return try MessageCodec.encode(envelope)
    }
}
