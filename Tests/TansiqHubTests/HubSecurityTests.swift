import Foundation
import Logging
import TansiqHub
import TansiqMessages
import TansiqTestSupport
import Testing
import ZeroMQ

@Suite("Secure hub: CURVE, ZAP and sender binding", .timeLimit(.minutes(1)))
struct HubSecurityTests {
    static let agencies = [Pilot.iom, Pilot.health, Pilot.commune, Pilot.shelter, Pilot.legal]

    @Test func knownAgenciesExchangeAReferralOverCurve() async throws {
        let keys = try TestKeys(agencies: Self.agencies)
        try await withHub(keys.configuration()) { hub, endpoints in
            let health = try SecureClient(endpoints, agency: Pilot.health, keys: keys[Pilot.health], hubKey: keys.hub.publicKey, prefixes: ["referral/to/\(Pilot.health)/"])
            let iom = try SecureClient(endpoints, agency: Pilot.iom, keys: keys[Pilot.iom], hubKey: keys.hub.publicKey, prefixes: [])
            let sent = try iom.publish(try Pilot.referral())

            let received = try #require(try health.next())
            #expect(Array(received.frames.prefix(3)) == sent)
            #expect(hub.counters.secure)
        }
    }

    @Test func unknownKeyCannotPublishOrSubscribeAndIsCounted() async throws {
        let keys = try TestKeys(agencies: Self.agencies)
        let intruder = try CurveKeyPair.generate()
        try await withHub(keys.configuration()) { hub, endpoints in
            let health = try SecureClient(endpoints, agency: Pilot.health, keys: keys[Pilot.health], hubKey: keys.hub.publicKey, prefixes: ["referral/"])
            let publishing = try expectRefused(.xpub, endpoint: endpoints.ingress, keys: intruder, hubKey: keys.hub.publicKey)
            let subscribing = try expectRefused(.sub, endpoint: endpoints.egress, keys: intruder, hubKey: keys.hub.publicKey)

            #expect(publishing?.kind == .handshakeFailedAuth)
            #expect(publishing?.value == 400)
            #expect(subscribing?.kind == .handshakeFailedAuth)
            #expect(hub.counters.refusedAuthentications >= 2)
            #expect(try health.drainUntilMarker().isEmpty)
            #expect(hub.counters.rejected == 0)
        }
    }

    @Test func knownAgencyDeclaringAnotherSenderIsRefused() async throws {
        let keys = try TestKeys(agencies: Self.agencies)
        try await withHub(keys.configuration()) { hub, endpoints in
            let health = try SecureClient(endpoints, agency: Pilot.health, keys: keys[Pilot.health], hubKey: keys.hub.publicKey, prefixes: ["referral/to/\(Pilot.health)/"])
            let iom = try SecureClient(endpoints, agency: Pilot.iom, keys: keys[Pilot.iom], hubKey: keys.hub.publicKey, prefixes: [])
            // A well-formed referral in the Commune's name, sent over IOM's authenticated connection.
            try iom.publish(try Pilot.referral(from: Pilot.commune))

            let rejection = try #require(try iom.nextRejection())
            #expect(rejection.reason == .senderMismatch)
            #expect(rejection.agency == Pilot.iom)
            #expect(rejection.message.contains("authenticated as '\(Pilot.iom)'"))
            #expect(try health.drainUntilMarker().isEmpty)
            #expect(hub.counters.rejections["sender-mismatch"] == 1)
        }
    }

    @Test func statusUpdatesComeOnlyFromTheReferralsParties() async throws {
        let keys = try TestKeys(agencies: Self.agencies)
        try await withHub(keys.configuration()) { hub, endpoints in
            let iom = try SecureClient(endpoints, agency: Pilot.iom, keys: keys[Pilot.iom], hubKey: keys.hub.publicKey, prefixes: ["status/\(Pilot.iom)/"])
            let health = try SecureClient(endpoints, agency: Pilot.health, keys: keys[Pilot.health], hubKey: keys.hub.publicKey, prefixes: ["referral/to/\(Pilot.health)/", "status/\(Pilot.health)/"])
            let shelter = try SecureClient(endpoints, agency: Pilot.shelter, keys: keys[Pilot.shelter], hubKey: keys.hub.publicKey, prefixes: [])
            let referral = try Pilot.referral()
            try iom.publish(referral)
            _ = try #require(try health.next())

            // A third agency moves it: refused.
            try shelter.publish(try Pilot.status(referral, by: Pilot.shelter, to: Pilot.iom, .received, from: .requested))
            #expect(try shelter.nextRejection()?.reason == .notAParty)
            // The receiver cancels: only the referrer cancels.
            try health.publish(try Pilot.status(referral, by: Pilot.health, to: Pilot.iom, .cancelled, from: .requested))
            #expect(try health.nextRejection()?.message.contains("by the receiver") == true)
            // The referrer makes a forward move: only the receiver does.
            try iom.publish(try Pilot.status(referral, by: Pilot.iom, to: Pilot.health, .received, from: .requested))
            #expect(try iom.nextRejection()?.reason == .illegalTransition)

            // The receiver's move reaches the referrer, the referrer's cancellation the receiver.
            let received = try health.publish(try Pilot.status(referral, by: Pilot.health, to: Pilot.iom, .received, from: .requested))
            #expect(Array(try #require(try iom.next()).frames.prefix(3)) == received)
            let cancelled = try iom.publish(try Pilot.status(referral, by: Pilot.iom, to: Pilot.health, .cancelled, from: .received))
            #expect(Array(try #require(try health.next()).frames.prefix(3)) == cancelled)
            #expect(hub.counters.rejections["not-a-party"] == 1)
            #expect(hub.counters.rejections["illegal-transition"] == 2)
        }
    }

    @Test func aRestartedHubStillKnowsTheJournalledReferralsParties() async throws {
        let keys = try TestKeys(agencies: Self.agencies)
        let directory = try JournalDirectory()
        defer { directory.remove() }
        var configuration = keys.configuration()
        configuration.journal = JournalConfiguration(path: directory.journalPath, durability: .normal)
        configuration.replay = "tcp://127.0.0.1:*"
        let referral = try Pilot.referral()
        try await withHub(configuration) { _, endpoints in
            let iom = try SecureClient(endpoints, agency: Pilot.iom, keys: keys[Pilot.iom], hubKey: keys.hub.publicKey, prefixes: [])
            let health = try SecureClient(endpoints, agency: Pilot.health, keys: keys[Pilot.health], hubKey: keys.hub.publicKey, prefixes: ["referral/to/\(Pilot.health)/"])
            try iom.publish(referral)
            _ = try #require(try health.next())
        }
        try await withHub(configuration) { hub, endpoints in
            let shelter = try SecureClient(endpoints, agency: Pilot.shelter, keys: keys[Pilot.shelter], hubKey: keys.hub.publicKey, prefixes: [])
            try shelter.publish(try Pilot.status(referral, by: Pilot.shelter, to: Pilot.iom, .received, from: .requested))
            #expect(try shelter.nextRejection()?.reason == .notAParty)
        }
    }

    @Test func replayFollowsTheSameRulesAsLiveDelivery() async throws {
        let keys = try TestKeys(agencies: Self.agencies)
        let directory = try JournalDirectory()
        defer { directory.remove() }
        var configuration = keys.configuration()
        configuration.journal = JournalConfiguration(path: directory.journalPath, durability: .normal)
        configuration.replay = "tcp://127.0.0.1:*"
        try await withHub(configuration) { _, endpoints in
            let iom = try SecureClient(endpoints, agency: Pilot.iom, keys: keys[Pilot.iom], hubKey: keys.hub.publicKey, prefixes: [])
            let health = try SecureClient(endpoints, agency: Pilot.health, keys: keys[Pilot.health], hubKey: keys.hub.publicKey, prefixes: ["referral/to/\(Pilot.health)/"])
            try iom.publish(try Pilot.referral())
            _ = try #require(try health.next())
            let replay = try #require(endpoints.replay)
            let ownPrefix = "referral/to/\(Pilot.health)/"

            // The receiver replays its own referrals.
            let healthReplay = try ReplayDealer(replay, keys: keys[Pilot.health], hubKey: keys.hub.publicKey)
            let own = try healthReplay.page(agency: Pilot.health, prefixes: [ownPrefix], after: 0)
            #expect(own.end.error == nil)
            #expect(own.messages.count == 1)

            // An association may not read a hospital's referrals, nor ask in the hospital's name.
            let shelterReplay = try ReplayDealer(replay, keys: keys[Pilot.shelter], hubKey: keys.hub.publicKey)
            let denied = try shelterReplay.page(agency: Pilot.shelter, prefixes: [ownPrefix], after: 0)
            #expect(denied.end.error?.code == ReplayEnd.Failure.notAuthorized)
            #expect(denied.messages.isEmpty)
            let spoofed = try shelterReplay.page(agency: Pilot.health, prefixes: [ownPrefix], after: 0)
            #expect(spoofed.end.error?.code == ReplayEnd.Failure.notAuthorized)
            #expect(spoofed.endTopic == "hub/replay/end/\(Pilot.shelter)", "answered as who it is")
            #expect(spoofed.messages.isEmpty)
        }
    }

    @Test func anOpenReferralBelongsToItsFirstClaimant() async throws {
        let keys = try TestKeys(agencies: Self.agencies)
        let policy = AccessPolicy(defaults: AccessPolicy.leastPrivilege.defaults, agencies: [
            Pilot.shelter: AccessPolicy.Agency(rule: AccessPolicy.Rule(subscribe: AccessPolicy.Permissions(allow: ["referral/open/shelter/"]))),
            Pilot.legal: AccessPolicy.Agency(rule: AccessPolicy.Rule(subscribe: AccessPolicy.Permissions(allow: ["referral/open/shelter/"]))),
        ])
        try await withHub(keys.configuration(policy: .policy(policy))) { _, endpoints in
            let iom = try SecureClient(endpoints, agency: Pilot.iom, keys: keys[Pilot.iom], hubKey: keys.hub.publicKey, prefixes: ["status/\(Pilot.iom)/"])
            let shelter = try SecureClient(endpoints, agency: Pilot.shelter, keys: keys[Pilot.shelter], hubKey: keys.hub.publicKey, prefixes: ["referral/open/shelter/"])
            let legal = try SecureClient(endpoints, agency: Pilot.legal, keys: keys[Pilot.legal], hubKey: keys.hub.publicKey, prefixes: ["referral/open/shelter/"])
            let referral = try Pilot.referral(to: nil, category: .shelter)
            try iom.publish(referral)
            _ = try #require(try shelter.next())
            _ = try #require(try legal.next())

            let claim = try shelter.publish(try Pilot.status(referral, by: Pilot.shelter, to: Pilot.iom, .received, from: .requested, category: .shelter))
            #expect(Array(try #require(try iom.next()).frames.prefix(3)) == claim)
            // The hub decides: a later claim is refused and its claimant told, never the referrer.
            try legal.publish(try Pilot.status(referral, by: Pilot.legal, to: Pilot.iom, .received, from: .requested, category: .shelter))
            let refusal = try #require(try legal.nextRejection())
            #expect(refusal.reason == .alreadyClaimed)
            #expect(refusal.message.contains("claimed by '\(Pilot.shelter)' first"))
            // and an agency not entitled to the open referral cannot claim it at all.
            let health = try SecureClient(endpoints, agency: Pilot.health, keys: keys[Pilot.health], hubKey: keys.hub.publicKey, prefixes: [])
            try health.publish(try Pilot.status(referral, by: Pilot.health, to: Pilot.iom, .received, from: .requested, category: .shelter))
            #expect(try health.nextRejection()?.message.contains("may not claim open referral") == true)
            #expect(try iom.drainUntilMarker().isEmpty)
        }
    }

    /// Test keys, and a directory of the agencies' public keys the hub reloads.
    static func keyDirectory() throws -> (TestKeys, String) {
        let keys = try TestKeys(agencies: agencies)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tansiq-keys-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for (agency, pair) in keys.agencies {
            try CurveCertificate(publicKey: pair.publicKey, metadata: ["agency": agency]).write(to: "\(directory)/\(agency).key")
        }
        return (keys, directory)
    }

    @Test func revokedKeyIsRefusedAfterReloadWithoutRestart() async throws {
        let (keys, directory) = try Self.keyDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await withHub(keys.configuration(agencies: .directory(directory))) { hub, endpoints in
            let health = try SecureClient(endpoints, agency: Pilot.health, keys: keys[Pilot.health], hubKey: keys.hub.publicKey, prefixes: [])

            try FileManager.default.removeItem(atPath: "\(directory)/\(Pilot.health).key")
            let reload = try #require(hub.reloadAccess())
            #expect(!reload.agencies.contains(Pilot.health))
            #expect(reload.agencies.contains(Pilot.iom))

            // New connections with the revoked key are refused…
            let again = try expectRefused(.xpub, endpoint: endpoints.ingress, keys: keys[Pilot.health], hubKey: keys.hub.publicKey)
            #expect(again?.kind == .handshakeFailedAuth)
            // …and so is every message of the connection opened before the revocation.
            let presence = Presence(agency: Pilot.health, agent: "desk-1", role: .service, version: "1", uptimeSeconds: 1, heartbeatInterval: 10)
            try health.publish(Envelope(topic: try Topic.presence(agency: Pilot.health, agent: "desk-1"), source: Pilot.health, agent: "desk-1", payload: .presence(presence)))
            #expect(try health.nextRejection()?.reason.rawValue == "not-authenticated")
            // The other agencies still get in.
            _ = try SecureClient(endpoints, agency: Pilot.iom, keys: keys[Pilot.iom], hubKey: keys.hub.publicKey, prefixes: [])
        }
    }

    /// A rotation (a new key for the same agency, then a reload) stops the old key at once: the
    /// connection opened with it is refused message by message, while the new key gets in.
    @Test func aKeyRotatedOutIsRefusedOnTheConnectionOpenedWithIt() async throws {
        let (keys, directory) = try Self.keyDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await withHub(keys.configuration(agencies: .directory(directory))) { hub, endpoints in
            let old = try SecureClient(endpoints, agency: Pilot.health, keys: keys[Pilot.health], hubKey: keys.hub.publicKey, prefixes: [])
            let rotated = try CurveKeyPair.generate()
            try FileManager.default.removeItem(atPath: "\(directory)/\(Pilot.health).key")
            try CurveCertificate(publicKey: rotated.publicKey, metadata: ["agency": Pilot.health]).write(to: "\(directory)/\(Pilot.health).key")
            let reload = try #require(hub.reloadAccess())
            #expect(reload.agencies.contains(Pilot.health))

            let presence = Presence(agency: Pilot.health, agent: "desk-1", role: .service, version: "1", uptimeSeconds: 1, heartbeatInterval: 10)
            try old.publish(Envelope(topic: try Topic.presence(agency: Pilot.health, agent: "desk-1"), source: Pilot.health, agent: "desk-1", payload: .presence(presence)))
            let refusal = try #require(try old.nextRejection())
            #expect(refusal.reason.rawValue == "not-authenticated")
            #expect(refusal.message.contains("rotated out"))
            // The new key connects and is the agency.
            _ = try SecureClient(endpoints, agency: Pilot.health, keys: rotated, hubKey: keys.hub.publicKey, prefixes: [])
        }
    }

    @Test func secureHubRefusesToStartWithoutItsZAPHandler() async throws {
        let keys = try TestKeys(agencies: Self.agencies)
        let context = try Context()
        // Something else holds the ZAP endpoint of the context and never answers.
        let squatter = try context.makeSocket(.router)
        try squatter.bind(ZAPHandler.endpoint)
        defer { squatter.close() }
        var logger = Logger(label: "test.hub")
        logger.logLevel = .critical
        let hub = try Hub(configuration: keys.configuration(), context: context, logger: logger)

        let error = await #expect(throws: HubError.self) { try await hub.run() }
        #expect(error?.code == .authenticationUnavailable)
        await #expect(throws: HubError.self) { _ = try await hub.endpoints() }
    }

    /// Why the hub insists on its handler: libzmq 4.3 lets any CURVE client in without one.
    @Test func withoutAZAPHandlerLibzmqAdmitsAnyCurveClient() throws {
        let context = try Context()
        let serverKeys = try CurveKeyPair.generate()
        let server = try context.makeSocket(.pull)
        try server.makeCurveServer(keys: serverKeys, zapDomain: HubSecurity.zapDomain)
        try server.set(.receiveTimeout(milliseconds: 5000))
        try server.bind("tcp://127.0.0.1:*")
        let stranger = try context.makeSocket(.push)
        try stranger.makeCurveClient(keys: try CurveKeyPair.generate(), serverKey: serverKeys.publicKey)
        try stranger.connect(try server.lastEndpoint())
        try stranger.send([Array("anyone".utf8)])

        let message = try #require(try server.receive())
        #expect(message.frames == [Array("anyone".utf8)])
        #expect(message.userID == nil)
    }

    @Test func subscriptionsCarryTheSubscribersUserID() throws {
        let context = try Context()
        let serverKeys = try CurveKeyPair.generate()
        let clientKeys = try CurveKeyPair.generate()
        let handler = try ZAPHandler(context: context) { request in
            request.publicKey == clientKeys.publicKey ? .allow(userID: "association-amal") : .deny(reason: "unknown")
        }
        defer { handler.stop() }
        let xpub = try context.makeSocket(.xpub)
        try xpub.set(.xpubManual(true))
        try xpub.makeCurveServer(keys: serverKeys, zapDomain: HubSecurity.zapDomain)
        try xpub.set(.receiveTimeout(milliseconds: 5000))
        try xpub.bind("tcp://127.0.0.1:*")
        let sub = try context.makeSocket(.sub)
        try sub.makeCurveClient(keys: clientKeys, serverKey: serverKeys.publicKey)
        try sub.set(.subscribe(topic: "referral/to/association-amal/"))
        try sub.connect(try xpub.lastEndpoint())

        let subscription = try #require(try xpub.receive())
        #expect(subscription.frames == [[0x01] + Array("referral/to/association-amal/".utf8)])
        #expect(subscription.userID == "association-amal")
    }
}
