import Foundation
import Logging
import TansiqHub
import TansiqMessages
import Testing
import ZeroMQ

/// Keys for a secure hub and its agencies, made for one test.
struct TestKeys {
    let hub: CurveKeyPair
    private(set) var agencies: [String: CurveKeyPair] = [:]

    init(agencies names: [String]) throws {
        hub = try CurveKeyPair.generate()
        for name in names { agencies[name] = try CurveKeyPair.generate() }
    }

    subscript(agency: String) -> CurveKeyPair { agencies[agency]! }

    var keyring: AgencyKeyring {
        AgencyKeyring(publicKeys: agencies.mapValues(\.publicKey))
    }

    /// A secure configuration on loopback `*` ports.
    func configuration(agencies source: HubSecurity.AgencySource? = nil, policy: HubSecurity.PolicySource = .leastPrivilege) -> HubConfiguration {
        HubConfiguration(
            ingress: "tcp://127.0.0.1:*", egress: "tcp://127.0.0.1:*",
            security: .curve(HubSecurity.Curve(hubKeys: hub, agencies: source ?? .keyring(keyring), policy: policy))
        )
    }
}

/// A client of a secure hub authenticated as one agency: an XPUB publisher that waits for the
/// hub's subscription, and a SUB whose subscriptions are proven live by a presence probe of
/// its own that comes back through the hub.
final class SecureClient {
    let agency: String
    let context: Context
    let publisher: Socket
    let subscriber: Socket
    let probeTopic: String
    /// Messages that arrived while waiting for the probe, returned first by ``next()``.
    private var early: [Multipart] = []

    /// Without `keys` and `hubKey`, a client of an insecure hub that declares `agency` as its source.
    init(_ endpoints: HubEndpoints, agency: String, keys: CurveKeyPair?, hubKey: String?, prefixes: [String]) throws {
        self.agency = agency
        context = try Context()
        publisher = try context.makeSocket(.xpub)
        subscriber = try context.makeSocket(.sub)
        for socket in [publisher, subscriber] {
            if let keys, let hubKey { try socket.makeCurveClient(keys: keys, serverKey: hubKey) }
            try socket.set(.receiveTimeout(milliseconds: 5000))
        }
        probeTopic = "presence/\(agency)/probe-\(UInt32.random(in: 0...UInt32.max))"
        for prefix in ["hub/rejected/\(agency)"] + prefixes { try subscriber.set(.subscribe(Array(prefix.utf8))) }
        try subscriber.set(.subscribe(Array(probeTopic.utf8)))
        try subscriber.connect(endpoints.egress)
        try publisher.connect(endpoints.ingress)
        let subscription = try #require(try publisher.receive(), "the hub never subscribed to \(agency)'s publisher")
        #expect(subscription.frames.first == [0x01])
        try waitForProbe()
    }

    private func waitForProbe() throws {
        for _ in 0..<50 {
            try publisher.send(try probe())
            try subscriber.set(.receiveTimeout(milliseconds: 100))
            defer { try? subscriber.set(.receiveTimeout(milliseconds: 5000)) }
            while let message = try subscriber.receive() {
                let topic = String(decoding: message.frames[0], as: UTF8.self)
                if topic == probeTopic { return }
                if !topic.hasPrefix("presence/\(agency)/probe-") { early.append(message) }
            }
        }
        Issue.record("\(agency)'s probe never came back through the hub")
    }

    private func probe() throws -> [[UInt8]] {
        let agent = String(probeTopic.split(separator: "/")[2])
        let presence = Presence(agency: agency, agent: agent, role: .cli, version: "test", uptimeSeconds: 0, heartbeatInterval: 10)
        return try MessageCodec.encode(Envelope(topic: try Topic(probeTopic), source: agency, agent: agent, payload: .presence(presence)))
    }

    /// Publishes `envelope` and returns its frames.
    @discardableResult
    func publish(_ envelope: Envelope) throws -> [[UInt8]] {
        let frames = try MessageCodec.encode(envelope)
        try publisher.send(frames)
        return frames
    }

    /// The next message that is not a probe, or nil after 5 s.
    func next() throws -> Multipart? {
        if !early.isEmpty { return early.removeFirst() }
        while let message = try subscriber.receive() {
            if !String(decoding: message.frames[0], as: UTF8.self).hasPrefix("presence/\(agency)/probe-") { return message }
        }
        return nil
    }

    /// The next rejection of this agency's messages.
    func nextRejection() throws -> HubRejection? {
        while let message = try next() {
            guard String(decoding: message.frames[0], as: UTF8.self) == "hub/rejected/\(agency)" else { continue }
            guard case .hubRejection(let rejection) = try MessageCodec.decode(message.frames).envelope.payload else { continue }
            return rejection
        }
        return nil
    }

    /// Sends a marker (its own presence on another agent id) and returns every message received
    /// before the marker came back: proves that nothing else was delivered in between.
    func drainUntilMarker() throws -> [Multipart] {
        let agent = "marker-\(UInt32.random(in: 0...UInt32.max))"
        let topic = try Topic.presence(agency: agency, agent: agent)
        try subscriber.set(.subscribe(Array(topic.rawValue.utf8)))
        var seen: [Multipart] = []
        for _ in 0..<50 {
            let presence = Presence(agency: agency, agent: agent, role: .cli, version: "test", uptimeSeconds: 0, heartbeatInterval: 10)
            try publish(Envelope(topic: topic, source: agency, agent: agent, payload: .presence(presence)))
            try subscriber.set(.receiveTimeout(milliseconds: 100))
            defer { try? subscriber.set(.receiveTimeout(milliseconds: 5000)) }
            while let message = try subscriber.receive() {
                let text = String(decoding: message.frames[0], as: UTF8.self)
                if text == topic.rawValue { return seen }
                if !text.hasPrefix("presence/\(agency)/") { seen.append(message) }
            }
        }
        Issue.record("\(agency)'s marker never came back")
        return seen
    }

    func close() {
        publisher.close()
        subscriber.close()
    }

    deinit { close() }
}

/// A socket that is refused by the hub: returns the monitor event of the failed handshake.
func expectRefused(_ type: SocketType, endpoint: String, keys: CurveKeyPair, hubKey: String) throws -> MonitorEvent? {
    let context = try Context()
    let socket = try context.makeSocket(type)
    defer { socket.close() }
    try socket.set(.linger(milliseconds: 0))
    try socket.makeCurveClient(keys: keys, serverKey: hubKey)
    let monitor = try SocketMonitor(socket: socket, context: context, events: [.handshakeFailedAuth, .handshakeSucceeded])
    defer { monitor.close() }
    if type == .sub { try socket.set(.subscribe(topic: "")) }
    try socket.connect(endpoint)
    if type == .pub || type == .xpub { _ = try socket.send([Array("referral/to/x/health".utf8), [1], [2]], dontWait: true) }
    let deadline = ContinuousClock.now.advanced(by: .seconds(5))
    while ContinuousClock.now < deadline {
        guard let event = try monitor.next(timeout: ContinuousClock.now.duration(to: deadline)) else { return nil }
        return event
    }
    return nil
}

enum Pilot {
    static let iom = "iom-morocco"
    static let health = "health-delegation-agadir"
    static let commune = "commune-agadir"
    static let shelter = "association-shelter"
    static let legal = "association-legal-aid"

    static func referral(
        from referrer: String = iom, to receiver: String? = health, category: ServiceCategory = .health,
        caseReference: String = "AGA-2026-0042", at now: Date = Date(), acknowledgeWithin: TimeInterval = 3600,
        decideWithin: TimeInterval = 7200, scope: [Referral.Consent.Scope]? = nil
    ) throws -> Envelope {
        let referral = Referral(
            referralId: UUID(),
            caseReference: caseReference,
            referringAgency: referrer,
            referringWorker: "caseworker-3",
            receivingAgency: receiver,
            category: category,
            priority: .urgent,
            reasonCodes: [.medicalConsultation],
            consent: Referral.Consent(
                status: .given, scope: scope ?? [receiver == nil ? .shareWithCategoryProviders : .shareWithReceiver],
                recordedBy: "caseworker-3", recordedAt: now),
            acknowledgeBy: now.addingTimeInterval(acknowledgeWithin),
            decideBy: now.addingTimeInterval(decideWithin),
            followUpOn: now.addingTimeInterval(max(86_400, decideWithin))
        )
        let topic = try receiver.map { try Topic.referral(to: $0, category: category) }
            ?? Topic.openReferral(category: category, referrer: referrer)
        return Envelope(topic: topic, source: referrer, agent: "\(referrer)-1", payload: .referral(referral), correlationID: referral.referralId)
    }

    static func status(_ referral: Envelope, by sender: String, to addressee: String, _ state: ReferralState, from previous: ReferralState, category: ServiceCategory? = nil) throws -> Envelope {
        guard case .referral(let body) = referral.payload else { throw CancellationError() }
        let category = category ?? body.category
        let update = ReferralStatusUpdate(
            referralId: body.referralId, state: state, previousState: previous, changedBy: sender, changedAt: Date(),
            reason: state == .cancelled ? .withdrawn : nil,
            outcome: state == .completed || state == .failed ? .init(successful: state == .completed, code: .serviceProvided) : nil)
        return Envelope(
            topic: try Topic.status(addressee: addressee, sender: sender, category: category),
            source: sender, agent: "\(sender)-1", payload: .referralStatus(update), correlationID: body.referralId)
    }
}
