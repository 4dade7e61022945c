import Foundation
@testable import TansiqHub
import TansiqMessages
import TansiqTestSupport
import Testing
import ZeroMQ

/// Consent at delivery for the coordinator (1.2): a referral's body reaches the Commune, live
/// and on replay, only when its consent scope says `share-with-coordinator`.
@Suite("Consent: the coordinator's copy")
struct CoordinatorConsentTests {
    static func sharedReferrals(in messages: [Multipart]) throws -> [Referral] {
        try messages.compactMap { message in
            guard case .sharedReferral(let referral) = try MessageCodec.decode(message.frames).envelope.payload else { return nil }
            return referral
        }
    }

    @Test(arguments: HubMode.allCases)
    func theCoordinatorGetsTheBodyOnlyWhenTheConsentScopeSharesIt(mode: HubMode) async throws {
        let network = try RegistryNetwork(mode)
        defer { network.directory.remove() }
        try await withHub(network.configuration) { _, endpoints in
            let commune = try network.client(endpoints, Pilot.commune, ["hub/shared/", "hub/view/"])
            let iom = try network.client(endpoints, Pilot.iom)
            let health = try network.client(endpoints, Pilot.health, ["referral/to/\(Pilot.health)/"])
            let shared = try Pilot.referral(scope: [.shareWithReceiver, .shareWithCoordinator])
            let private_ = try Pilot.referral(scope: [.shareWithReceiver])
            let sent = try iom.publish(shared)
            try iom.publish(private_)
            #expect(try #require(try health.next()).frames[2] == sent[2])
            _ = try #require(try health.next())
            let seen = try commune.drainUntilMarker()
            // Live: exactly the consented referral's body, as its referrer sent it, after its view.
            let copies = try Self.sharedReferrals(in: seen)
            #expect(copies.map(\.referralId) == [try #require(shared.payload.referralID)])
            let copy = try #require(seen.first { $0.frames[0].starts(with: Array("hub/shared/".utf8)) })
            #expect(copy.frames[2] == sent[2], "the body as the referrer sent it")
            #expect(String(decoding: copy.frames[0], as: UTF8.self) == "hub/shared/health/\(Pilot.iom)")
            let envelope = try MessageCodec.decode(copy.frames).envelope
            #expect(envelope.header.source == network.configuration.hubID)
            #expect(envelope.header.causationid == shared.header.id)
            #expect(seen.filter { $0.frames[0].starts(with: Array("hub/view/".utf8)) }.count == 2, "both are followed as views")

            // Replay: the same, from the journal.
            let dealer = try ReplayDealer(endpoints.replay!, keys: network.keys?[Pilot.commune], hubKey: network.keys?.hub.publicKey)
            defer { dealer.close() }
            let page = try dealer.page(agency: Pilot.commune, prefixes: ["hub/shared/"], after: 0)
            #expect(page.end.error == nil)
            #expect(page.messages.map { $0[2] } == [sent[2]])
            #expect(page.messages.map { String(decoding: $0[0], as: UTF8.self) } == ["hub/shared/health/\(Pilot.iom)"])
            // The trail shows the copy as a message of the referral's own.
            #expect(try network.trail(of: shared).sequences.count == 3, "the referral, its view and the coordinator's copy")
            #expect(try network.trail(of: private_).sequences.count == 2, "the referral and its view, no copy")
        }
    }

    @Test func onASecureHubNoOtherAgencyReadsTheCoordinatorsCopies() async throws {
        let network = try RegistryNetwork(.secure)
        defer { network.directory.remove() }
        try await withHub(network.configuration) { hub, endpoints in
            let shelter = try network.client(endpoints, Pilot.shelter, ["hub/shared/", "hub/"])
            let iom = try network.client(endpoints, Pilot.iom)
            let health = try network.client(endpoints, Pilot.health, ["referral/to/\(Pilot.health)/"])
            try iom.publish(try Pilot.referral(scope: [.shareWithReceiver, .shareWithCoordinator]))
            _ = try #require(try health.next())
            #expect(try Self.sharedReferrals(in: try shelter.drainUntilMarker()).isEmpty)
            let dealer = try ReplayDealer(endpoints.replay!, keys: network.keys?[Pilot.shelter], hubKey: network.keys?.hub.publicKey)
            defer { dealer.close() }
            // The policy refuses the shelter's request as a whole.
            let page = try dealer.page(agency: Pilot.shelter, prefixes: ["hub/shared/"], after: 0)
            #expect(page.end.error?.code == ReplayEnd.Failure.notAuthorized)
            #expect(page.messages.isEmpty)
            #expect(hub.counters.deniedSubscriptions >= 2)
        }
        #expect(HubGatekeeper.reachesSharedReferrals(prefix: "hub/"))
        #expect(HubGatekeeper.reachesSharedReferrals(prefix: "hub/shared/health/"))
        #expect(!HubGatekeeper.reachesSharedReferrals(prefix: "hub/view/"))
    }
}

extension CoordinatorConsentTests {
    /// A coordinator agent on a hub that names no coordinator: its live `hub/shared/` is
    /// refused, but its catch-up, which asks for it among its other prefixes, still gets the rest.
    @Test func aCatchUpAskingForCopiesOnAHubWithoutThatCoordinatorGetsEverythingElse() async throws {
        var network = try RegistryNetwork(.secure)
        network.configuration.registry.coordinator = nil
        defer { network.directory.remove() }
        try await withHub(network.configuration) { hub, endpoints in
            let iom = try network.client(endpoints, Pilot.iom)
            let health = try network.client(endpoints, Pilot.health, ["referral/to/\(Pilot.health)/"])
            let commune = try network.client(endpoints, Pilot.commune, ["hub/view/", "hub/shared/"])
            try iom.publish(try Pilot.referral(scope: [.shareWithReceiver, .shareWithCoordinator]))
            // Forwarded: its view and any copy were published in the same round, before the marker.
            _ = try #require(try health.next())
            let seen = try commune.drainUntilMarker()
            #expect(try Self.sharedReferrals(in: seen).isEmpty)
            #expect(seen.contains { $0.frames[0].starts(with: Array("hub/view/".utf8)) }, "\(seen.map { String(decoding: $0.frames[0], as: UTF8.self) })")
            #expect(hub.counters.deniedSubscriptions >= 1)
            let dealer = try ReplayDealer(endpoints.replay!, keys: network.keys?[Pilot.commune], hubKey: network.keys?.hub.publicKey)
            defer { dealer.close() }
            let page = try dealer.page(agency: Pilot.commune, prefixes: ["hub/view/", "hub/shared/"], after: 0)
            #expect(page.end.error == nil)
            #expect(page.messages.count == 1)
            #expect(page.messages.allSatisfy { $0[0].starts(with: Array("hub/view/".utf8)) })
        }
    }
}

/// The coordinator acknowledges escalations (1.2): the registry records who, when and what
/// was done, and refuses anyone else, a deadline never escalated, and a second acknowledgement.
@Suite("Escalation acknowledgement")
struct EscalationAcknowledgementTests {
    static func acknowledgement(
        of referral: Envelope, by agency: String = Pilot.commune, deadline: Escalation.Deadline = .acknowledge,
        action: EscalationAcknowledgement.Action = .contactedReceiver, note: String? = "Called the desk; seen today."
    ) throws -> Envelope {
        guard case .referral(let body) = referral.payload else { throw CancellationError() }
        let acknowledgement = EscalationAcknowledgement(
            referralId: body.referralId, referrer: body.referringAgency, category: body.category, deadline: deadline, action: action,
            acknowledgedBy: agency, acknowledgedAt: Date(), note: note)
        return Envelope(
            topic: try Topic.escalationAck(referrer: body.referringAgency, category: body.category, coordinator: agency),
            source: agency, agent: "\(agency)-desk", payload: .escalationAcknowledgement(acknowledgement), correlationID: body.referralId)
    }

    @Test(arguments: HubMode.allCases)
    func theCoordinatorAcknowledgesAnEscalationOnceAndNobodyElseMay(mode: HubMode) async throws {
        let network = try RegistryNetwork(mode)
        defer { network.directory.remove() }
        let time = ManualTime()
        try await withHub(network.configuration, clock: time.clock) { _, endpoints in
            let commune = try network.client(endpoints, Pilot.commune, ["hub/escalation/", "escalation-ack/"])
            let iom = try network.client(endpoints, Pilot.iom)
            let health = try network.client(endpoints, Pilot.health, ["referral/to/\(Pilot.health)/"])
            let referral = try Pilot.referral(at: time.now, acknowledgeWithin: 3600, decideWithin: 7200)
            let id = try #require(referral.payload.referralID)
            try iom.publish(referral)
            _ = try #require(try health.next())
            // Nothing escalated yet: nothing to acknowledge.
            try network.expectRefused(try Self.acknowledgement(of: referral), by: commune, .notEscalated, of: referral, mentioning: "was not escalated")
            time.advance(by: 5400)
            var escalated = false
            for _ in 0..<50 where !escalated {
                escalated = try commune.drainUntilMarker().contains { $0.frames[0].starts(with: Array("hub/escalation/".utf8)) }
            }
            #expect(escalated)
            let journal = try Journal(path: network.directory.journalPath, readOnly: true)
            defer { journal.close() }
            #expect(try journal.openEscalations().map(\.referralId) == [id])
            #expect(try journal.openEscalations().first?.deadline == .acknowledge)

            // Only the coordinator; a note with personal data is refused like any note.
            // Secure, the policy refuses it first; insecure, the registry does.
            try network.expectRefused(
                try Self.acknowledgement(of: referral, by: Pilot.health), by: health, mode == .secure ? .notAuthorized : .notAParty, of: referral,
                mentioning: mode == .secure ? "may not publish" : "only the coordinator")
            try network.expectRefused(try Self.acknowledgement(of: referral, deadline: .decide), by: commune, .notEscalated, of: referral)
            // A note with a phone number (sent as raw frames: our own encoder refuses to write it).
            var leaky = try MessageCodec.encode(try Self.acknowledgement(of: referral, note: "Called her on PHONENUMBER"))
            leaky[2] = Array(String(decoding: leaky[2], as: UTF8.self).replacingOccurrences(of: "PHONENUMBER", with: "0612345678").utf8)
            let before = try network.trail(of: referral)
            try commune.publisher.send(leaky)
            let refusal = try #require(try commune.nextRejection())
            #expect(refusal.reason == .badBody)
            #expect(refusal.message.contains("phone number") && !refusal.message.contains("0612345678"))
            #expect(try network.trail(of: referral).record == before.record)

            let acknowledged = try Self.acknowledgement(of: referral, action: .contactedReceiver)
            let sent = try commune.publish(acknowledged)
            #expect(Array(try #require(try commune.next()).frames.prefix(3)) == sent, "forwarded on escalation-ack/")
            var record = try #require(try network.trail(of: referral).record)
            for _ in 0..<50 where record.acknowledgements.isEmpty {
                _ = try commune.drainUntilMarker()
                record = try #require(try network.trail(of: referral).record)
            }
            #expect(record.acknowledgements.count == 1)
            #expect(record.acknowledgements.first?.acknowledgedBy == Pilot.commune)
            #expect(record.acknowledgements.first?.action == .contactedReceiver)
            #expect(record.acknowledgements.first?.deadline == .acknowledge)
            #expect(record.unacknowledgedEscalations.isEmpty)
            #expect(try journal.openEscalations().isEmpty)
            #expect(try journal.escalations().first?.acknowledgement?.action == .contactedReceiver)
            try network.expectRefused(try Self.acknowledgement(of: referral, action: .other), by: commune, .alreadyAcknowledged, of: referral)
        }
    }
}

/// A peer that libzmq drops for a frame over its limit on the plain ingress is counted and the
/// hub goes on (libzmq reports it as a disconnection, like a peer that closed).
@Suite("Ingress drops")
struct IngressDropTests {
    @Test func aPeerDroppedForAnOversizedFrameIsCountedAndTheHubGoesOn() async throws {
        var configuration = HubConfiguration(ingress: "tcp://127.0.0.1:*", egress: "tcp://127.0.0.1:*", security: .insecure)
        configuration.statisticsInterval = .milliseconds(50)
        try await withHub(configuration) { hub, endpoints in
            let watcher = try RawClient(endpoints, prefixes: ["hub/stats/"])
            defer { watcher.close() }
            let context = try Context()
            let peer = try context.makeSocket(.xpub)
            defer { peer.close() }
            try peer.set(.linger(milliseconds: 0))
            try peer.connect(endpoints.ingress)
            #expect(try peer.receive()?.frames.first == [0x01], "the hub subscribed")
            let limit = HubLoop.ingressFrameLimit(maxMessageBytes: configuration.maxMessageBytes)
            try peer.send([Array("referral/to/x/health".utf8), [UInt8](repeating: 0x20, count: limit + 1)])
            // The statistics say so; the hub still forwards.
            var disconnects: UInt64 = 0
            for _ in 0..<100 where disconnects == 0 {
                guard let message = try watcher.next(),
                      case .hubStatistics(let statistics) = try MessageCodec.decode(message.frames).envelope.payload else { continue }
                disconnects = statistics.ingressDisconnects ?? 0
            }
            #expect(disconnects == 1)
            #expect(hub.counters.ingressDisconnects == 1)
            #expect(hub.counters.rejections["too-large"] == nil, "libzmq never handed the frame over")
        }
    }
}
