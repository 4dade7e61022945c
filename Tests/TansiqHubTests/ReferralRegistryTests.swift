import Foundation
@testable import TansiqHub
import TansiqMessages
import Testing
import TansiqTestSupport
import ZeroMQ

/// The probes an outside integrator tried (issue 11), against a secure hub with the pilot's
/// policy and an insecure hub: every one refused with its reason, the trail unchanged, and
/// legitimate traffic still flowing.
@Suite("Referral registry: every move checked against the recorded referral")
struct ReferralRegistryTests {
    @Test(arguments: HubMode.allCases)
    func aClosedReferralCannotBeMovedAgain(mode: HubMode) async throws {
        let network = try RegistryNetwork(mode)
        defer { network.directory.remove() }
        try await withHub(network.configuration) { _, endpoints in
            let iom = try network.client(endpoints, Pilot.iom, ["status/\(Pilot.iom)/"])
            let health = try network.client(endpoints, Pilot.health, ["referral/to/\(Pilot.health)/"])
            let referral = try Pilot.referral()
            try iom.publish(referral)
            _ = try #require(try health.next())
            for (state, previous) in [(ReferralState.accepted, ReferralState.requested), (.inProgress, .accepted), (.completed, .inProgress)] {
                try health.publish(try Pilot.status(referral, by: Pilot.health, to: Pilot.iom, state, from: previous))
                _ = try #require(try iom.next())
            }
            try network.expectRefused(
                try Pilot.status(referral, by: Pilot.health, to: Pilot.iom, .inProgress, from: .accepted), by: health,
                .referralClosed, of: referral, mentioning: "closed")
            try network.expectRefused(
                try Pilot.status(referral, by: Pilot.health, to: Pilot.iom, .failed, from: .inProgress), by: health,
                .referralClosed, of: referral)
            #expect(try network.trail(of: referral).record?.state == .completed)
        }
    }

    @Test(arguments: HubMode.allCases)
    func aThirdAgencyCannotMoveAReferralEvenAfterARestart(mode: HubMode) async throws {
        let network = try RegistryNetwork(mode)
        defer { network.directory.remove() }
        let referral = try Pilot.referral()
        try await withHub(network.configuration) { _, endpoints in
            let iom = try network.client(endpoints, Pilot.iom)
            let health = try network.client(endpoints, Pilot.health, ["referral/to/\(Pilot.health)/"])
            try iom.publish(referral)
            _ = try #require(try health.next())
        }
        try await withHub(network.configuration) { _, endpoints in
            let iom = try network.client(endpoints, Pilot.iom, ["status/\(Pilot.iom)/"])
            let shelter = try network.client(endpoints, Pilot.shelter)
            let health = try network.client(endpoints, Pilot.health)
            try network.expectRefused(
                try Pilot.status(referral, by: Pilot.shelter, to: Pilot.iom, .rejected, from: .received), by: shelter,
                .notAParty, of: referral, mentioning: "not a party")
            // The recorded state is `requested`: a move from `received` names it.
            try network.expectRefused(
                try Pilot.status(referral, by: Pilot.health, to: Pilot.iom, .rejected, from: .received), by: health,
                .illegalTransition, of: referral, mentioning: "'requested' at the hub")
            let received = try health.publish(try Pilot.status(referral, by: Pilot.health, to: Pilot.iom, .received, from: .requested))
            #expect(Array(try #require(try iom.next()).frames.prefix(3)) == received)
            #expect(try network.trail(of: referral).record?.state == .received)
        }
    }

    @Test(arguments: HubMode.allCases)
    func retentionDeletesMessagesButNeverTheRegistry(mode: HubMode) async throws {
        var network = try RegistryNetwork(mode)
        defer { network.directory.remove() }
        let referral = try Pilot.referral()
        try await withHub(network.configuration) { _, endpoints in
            let iom = try network.client(endpoints, Pilot.iom)
            let health = try network.client(endpoints, Pilot.health, ["referral/to/\(Pilot.health)/"])
            try iom.publish(referral)
            _ = try #require(try health.next())
        }
        // Restarted with a journal that keeps one message: the referral's message goes at once.
        network.configuration.journal?.retention = JournalRetention(maxMessages: 1)
        try await withHub(network.configuration) { _, endpoints in
            let iom = try network.client(endpoints, Pilot.iom, ["status/\(Pilot.iom)/"])
            let shelter = try network.client(endpoints, Pilot.shelter)
            let health = try network.client(endpoints, Pilot.health)
            let record = try #require(try network.trail(of: referral).record)
            #expect(try network.trail(of: referral).sequences.contains(record.createdSequence) == false)
            try network.expectRefused(
                try Pilot.status(referral, by: Pilot.shelter, to: Pilot.iom, .received, from: .requested), by: shelter,
                .notAParty, of: referral)
            let received = try health.publish(try Pilot.status(referral, by: Pilot.health, to: Pilot.iom, .received, from: .requested))
            #expect(Array(try #require(try iom.next()).frames.prefix(3)) == received)
        }
    }

    @Test(arguments: HubMode.allCases)
    func anUpdateGoesToTheOtherPartyOnTheReferralsCategory(mode: HubMode) async throws {
        let network = try RegistryNetwork(mode)
        defer { network.directory.remove() }
        try await withHub(network.configuration) { _, endpoints in
            let iom = try network.client(endpoints, Pilot.iom)
            let health = try network.client(endpoints, Pilot.health, ["referral/to/\(Pilot.health)/"])
            let referral = try Pilot.referral()
            try iom.publish(referral)
            _ = try #require(try health.next())
            try network.expectRefused(
                try Pilot.status(referral, by: Pilot.health, to: Pilot.shelter, .received, from: .requested), by: health,
                .wrongAddressee, of: referral, mentioning: "'\(Pilot.iom)'")
            try network.expectRefused(
                try Pilot.status(referral, by: Pilot.health, to: Pilot.iom, .received, from: .requested, category: .mhpss), by: health,
                .bodyTopicMismatch, of: referral, mentioning: "'health' referral")
            // The referrer's forward move and the receiver's cancellation are illegal for them.
            try network.expectRefused(
                try Pilot.status(referral, by: Pilot.iom, to: Pilot.health, .received, from: .requested), by: iom,
                .illegalTransition, of: referral, mentioning: "by the referrer")
            try network.expectRefused(
                try Pilot.status(referral, by: Pilot.health, to: Pilot.iom, .cancelled, from: .requested), by: health,
                .illegalTransition, of: referral, mentioning: "by the receiver")
        }
    }

    @Test(arguments: HubMode.allCases)
    func aReferralIDIsCreatedOnce(mode: HubMode) async throws {
        let network = try RegistryNetwork(mode)
        defer { network.directory.remove() }
        try await withHub(network.configuration) { _, endpoints in
            let iom = try network.client(endpoints, Pilot.iom, ["status/\(Pilot.iom)/"])
            let health = try network.client(endpoints, Pilot.health, ["referral/to/\(Pilot.health)/"])
            let legal = try network.client(endpoints, Pilot.legal)
            let referral = try Pilot.referral()
            let sent = try iom.publish(referral)
            _ = try #require(try health.next())
            // Another agency under the same id: refused, so the real receiver can still answer.
            guard case .referral(var body) = referral.payload else { throw CancellationError() }
            body.referringAgency = Pilot.legal
            let hijack = Envelope(
                topic: referral.topic, source: Pilot.legal, agent: "\(Pilot.legal)-1", payload: .referral(body),
                correlationID: body.referralId)
            try network.expectRefused(hijack, by: legal, .duplicateReferral, of: referral, mentioning: "already exists")
            // The referrer with other content: refused too.
            guard case .referral(var changed) = referral.payload else { throw CancellationError() }
            changed.priority = .stat
            changed.decideBy = changed.acknowledgeBy
            let altered = Envelope(topic: referral.topic, source: Pilot.iom, agent: "\(Pilot.iom)-1", payload: .referral(changed), correlationID: changed.referralId)
            try network.expectRefused(altered, by: iom, .duplicateReferral, of: referral, mentioning: "other content")
            // The referrer's unchanged re-publication is forwarded again.
            let again = Envelope(topic: referral.topic, source: Pilot.iom, agent: "\(Pilot.iom)-1", payload: referral.payload, correlationID: body.referralId)
            let resent = try iom.publish(again)
            #expect(try #require(try health.next()).frames[2] == sent[2])
            #expect(resent[2] == sent[2])
            let received = try health.publish(try Pilot.status(referral, by: Pilot.health, to: Pilot.iom, .received, from: .requested))
            #expect(Array(try #require(try iom.next()).frames.prefix(3)) == received)
        }
    }

    @Test(arguments: HubMode.allCases)
    func unknownReferralsAndForeignEscalationsAreRefused(mode: HubMode) async throws {
        let network = try RegistryNetwork(mode)
        defer { network.directory.remove() }
        try await withHub(network.configuration) { _, endpoints in
            let iom = try network.client(endpoints, Pilot.iom)
            let health = try network.client(endpoints, Pilot.health, ["referral/to/\(Pilot.health)/"])
            let shelter = try network.client(endpoints, Pilot.shelter)
            let referral = try Pilot.referral()
            try iom.publish(referral)
            _ = try #require(try health.next())
            let neverSent = try Pilot.referral()
            try network.expectRefused(
                try Pilot.status(neverSent, by: Pilot.health, to: Pilot.iom, .received, from: .requested), by: health,
                .unknownReferral, of: neverSent)
            guard case .referral(let body) = referral.payload else { throw CancellationError() }
            let escalation = Escalation(
                referralId: body.referralId, referrer: Pilot.shelter, receiver: Pilot.health, category: .health,
                deadline: .acknowledge, dueAt: body.acknowledgeBy, detectedAt: body.acknowledgeBy,
                escalatedTo: [Pilot.shelter, Pilot.commune], reason: .noAcknowledgement, currentState: .requested)
            let foreign = Envelope(
                topic: try Topic.escalation(referrer: Pilot.shelter, category: .health), source: Pilot.shelter,
                agent: "\(Pilot.shelter)-1", payload: .escalation(escalation), correlationID: body.referralId)
            try network.expectRefused(foreign, by: shelter, .notAParty, of: referral, mentioning: "only the hub and the referrer")
        }
    }

    @Test(arguments: HubMode.allCases)
    func theHubDecidesTheClaimOnAnOpenReferral(mode: HubMode) async throws {
        let network = try RegistryNetwork(mode)
        defer { network.directory.remove() }
        try await withHub(network.configuration) { _, endpoints in
            let iom = try network.client(endpoints, Pilot.iom, ["status/\(Pilot.iom)/"])
            let open = "referral/open/social-assistance/"
            let inezgane = try network.client(endpoints, Pilot.inezgane, [open])
            let entraide = try network.client(endpoints, Pilot.entraide, [open])
            let referral = try Pilot.referral(to: nil, category: .socialAssistance)
            try iom.publish(referral)
            _ = try #require(try inezgane.next())
            _ = try #require(try entraide.next())
            let first = try inezgane.publish(try Pilot.status(referral, by: Pilot.inezgane, to: Pilot.iom, .received, from: .requested))
            #expect(Array(try #require(try iom.next()).frames.prefix(3)) == first)
            // The later claimant is told directly; nothing reaches the referrer.
            let id = try #require(referral.payload.referralID)
            let late = try Pilot.status(referral, by: Pilot.entraide, to: Pilot.iom, .received, from: .requested)
            let before = try network.trail(of: referral)
            try entraide.publish(late)
            let rejection = try #require(try entraide.nextRejection())
            #expect(rejection.reason == .alreadyClaimed)
            #expect(rejection.referralId == id)
            #expect(rejection.message.contains("claimed by '\(Pilot.inezgane)' first"))
            #expect(try network.trail(of: referral).sequences == before.sequences)
            #expect(try iom.drainUntilMarker().isEmpty)
            #expect(try network.trail(of: referral).record?.receiver == Pilot.inezgane)
        }
    }

    @Test(arguments: HubMode.allCases)
    func deadlinesAreCheckedWhenAReferralIsSent(mode: HubMode) async throws {
        let network = try RegistryNetwork(mode)
        defer { network.directory.remove() }
        try await withHub(network.configuration) { _, endpoints in
            let iom = try network.client(endpoints, Pilot.iom)
            let past = try Pilot.referral(at: Date().addingTimeInterval(-7200))
            try network.expectRefused(past, by: iom, .invalidDeadline, of: past, mentioning: "already passed")
            // `urgent` is decided within 72 h.
            let far = try Pilot.referral(decideWithin: 10 * 86_400)
            try network.expectRefused(far, by: iom, .invalidDeadline, of: far, mentioning: "at most 3 d")
        }
    }

    @Test func headerOnlyValidationStillChecksTheRegistry() async throws {
        let network = try RegistryNetwork(.insecure, bodyValidation: .headerOnly)
        defer { network.directory.remove() }
        try await withHub(network.configuration) { _, endpoints in
            let iom = try network.client(endpoints, Pilot.iom)
            let health = try network.client(endpoints, Pilot.health, ["referral/to/\(Pilot.health)/"])
            let shelter = try network.client(endpoints, Pilot.shelter)
            let referral = try Pilot.referral()
            try iom.publish(referral)
            _ = try #require(try health.next())
            try network.expectRefused(
                try Pilot.status(referral, by: Pilot.shelter, to: Pilot.iom, .received, from: .requested), by: shelter,
                .notAParty, of: referral)
        }
    }
}

/// Consent at delivery on a secure hub with the pilot's policy.
@Suite("Consent at delivery")
struct ConsentAtDeliveryTests {
    @Test func noSubscriptionReachesAnotherAgencysReferrals() {
        for prefix in ["", "referral/", "referral/to/", "referral/to/health-delegation-agadir/", "referral/to/commune-agadir"] {
            #expect(HubGatekeeper.reachesOthersReferrals(prefix: prefix, agency: "commune-agadir"), "\(prefix)")
        }
        for prefix in ["referral/to/commune-agadir/", "referral/open/social-assistance/", "hub/view/", "status/"] {
            #expect(!HubGatekeeper.reachesOthersReferrals(prefix: prefix, agency: "commune-agadir"), "\(prefix)")
        }
    }

    @Test func theCoordinatorFollowsReferralsThroughViewsWithoutTheirBodies() async throws {
        let network = try RegistryNetwork(.secure)
        defer { network.directory.remove() }
        try await withHub(network.configuration) { _, endpoints in
            let commune = try network.client(endpoints, Pilot.commune, ["hub/view/", "referral/"])
            let iom = try network.client(endpoints, Pilot.iom)
            let health = try network.client(endpoints, Pilot.health, ["referral/to/\(Pilot.health)/"])
            // Consent for the receiver only: the body reaches the receiver, never the Commune.
            let referral = try Pilot.referral(scope: [.shareWithReceiver])
            let sent = try iom.publish(referral)
            #expect(try #require(try health.next()).frames[2] == sent[2])
            let seen = try commune.drainUntilMarker()
            #expect(!seen.contains { $0.frames[0].starts(with: Array("referral/".utf8)) })
            let views = try seen.compactMap { message -> ReferralView? in
                guard case .referralView(let view) = try MessageCodec.decode(message.frames).envelope.payload else { return nil }
                return view
            }
            #expect(views.map(\.referralId) == [try #require(referral.payload.referralID)])
            #expect(views.first?.state == .requested)
            #expect(views.first?.receiver == Pilot.health)
            // The view carries no case reference, note or subject.
            let body = String(decoding: try #require(seen.first { $0.frames[0].starts(with: Array("hub/view/".utf8)) }).frames[2], as: UTF8.self)
            #expect(!body.contains("caseReference") && !body.contains("AGA-2026-0042") && !body.contains("subject") && !body.contains("note"))
        }
    }
}

/// The hub watches deadlines on its own clock and escalates, to the referrer and the coordinator.
@Suite("Deadline watch")
struct DeadlineWatchTests {
    @Test(arguments: HubMode.allCases)
    func theHubEscalatesEachMissedDeadlineOnceAndNothingElse(mode: HubMode) async throws {
        let network = try RegistryNetwork(mode)
        defer { network.directory.remove() }
        let time = ManualTime()
        try await withHub(network.configuration, clock: time.clock) { _, endpoints in
            let commune = try network.client(endpoints, Pilot.commune, ["hub/escalation/"])
            let iom = try network.client(endpoints, Pilot.iom, ["status/\(Pilot.iom)/"])
            let health = try network.client(endpoints, Pilot.health, ["referral/to/\(Pilot.health)/"])
            let silent = try Pilot.referral(at: time.now, acknowledgeWithin: 3600, decideWithin: 7200)
            let answered = try Pilot.referral(at: time.now, acknowledgeWithin: 3600, decideWithin: 7200)
            try iom.publish(silent)
            try iom.publish(answered)
            _ = try #require(try health.next())
            _ = try #require(try health.next())
            try health.publish(try Pilot.status(answered, by: Pilot.health, to: Pilot.iom, .received, from: .requested))
            _ = try #require(try iom.next())

            func escalations() throws -> [Escalation] {
                try commune.drainUntilMarker().compactMap { message in
                    guard case .hubEscalation(let escalation) = try MessageCodec.decode(message.frames).envelope.payload else { return nil }
                    return escalation
                }
            }
            #expect(try escalations().isEmpty, "nothing is due yet")
            time.advance(by: 5400)
            var raised: [Escalation] = []
            for _ in 0..<50 where raised.isEmpty { raised = try escalations() }
            #expect(raised.map(\.deadline) == [.acknowledge])
            #expect(raised.first?.referralId == silent.payload.referralID)
            #expect(raised.first?.escalatedTo == [Pilot.iom, Pilot.commune])
            time.advance(by: 3600)
            raised = []
            for _ in 0..<50 where raised.isEmpty { raised = try escalations() }
            // Both missed their decision; the acknowledged one never missed its acknowledgement.
            #expect(Set(raised.map(\.referralId)) == Set([silent.payload.referralID, answered.payload.referralID].compactMap { $0 }))
            #expect(raised.allSatisfy { $0.deadline == .decide })
            #expect(try escalations().isEmpty, "each deadline escalates once")
            #expect(try network.trail(of: silent).record?.escalated == [.acknowledge, .decide])
        }
    }
}

/// The registry's pending changes follow the journal's transaction.
@Suite("Referral registry transactions")
struct ReferralRegistryTransactionTests {
    static func record(_ id: UUID = UUID(), state: ReferralState = .requested) -> ReferralRecord {
        let now = Date()
        return ReferralRecord(
            referralId: id, referrer: Pilot.iom, receiver: Pilot.health, open: false, category: .health, priority: .urgent,
            acknowledgeBy: now.addingTimeInterval(3600), decideBy: now.addingTimeInterval(7200), followUpOn: now.addingTimeInterval(86_400),
            consentScope: [.shareWithReceiver], state: state, createdSequence: 0, lastSequence: 0, updatedAt: now, escalated: [])
    }

    @Test func aRefusedBatchLeavesTheRegistryAsItWas() {
        let kept = Self.record()
        let registry = ReferralRegistry(rules: RegistryRules(), records: [kept])
        var moved = kept
        moved.state = .received
        registry.put(moved)
        let created = Self.record()
        registry.put(created)
        registry.stamp(created.referralId, sequence: 7)
        #expect(registry.pending.count == 2)
        registry.rollback()
        #expect(registry[kept.referralId] == kept)
        #expect(registry[created.referralId] == nil)
        #expect(!registry.hasPending)
    }

    /// The pipeline: batch N is on the writer thread (its changes detached) while N+1 changes
    /// the same referral and creates another; N refused, both are undone.
    @Test func aRefusedBatchInFlightUndoesItAndTheChangesMadeOnTopOfIt() {
        let kept = Self.record()
        let registry = ReferralRegistry(rules: RegistryRules(), records: [kept])
        var received = kept
        received.state = .received
        registry.put(received)
        let inFlight = registry.detachPending()
        #expect(!registry.hasPending)
        var accepted = received
        accepted.state = .accepted
        registry.put(accepted)
        let created = Self.record()
        registry.put(created)
        #expect(registry.pending.count == 2)
        registry.rollback()
        #expect(registry[kept.referralId] == received)
        registry.rollback(inFlight)
        #expect(registry[kept.referralId] == kept)
        #expect(registry[created.referralId] == nil)
        #expect(!registry.hasPending)
    }

    @Test func aStoredBatchInFlightKeepsItsChangesWhenTheNextIsRefused() {
        let kept = Self.record()
        let registry = ReferralRegistry(rules: RegistryRules(), records: [kept])
        var received = kept
        received.state = .received
        registry.put(received)
        _ = registry.detachPending()
        var accepted = received
        accepted.state = .accepted
        registry.put(accepted)
        registry.rollback()
        #expect(registry[kept.referralId] == received)
    }

    @Test func aStoredBatchIsWhatARestartedHubLoads() throws {
        let directory = try JournalDirectory()
        defer { directory.remove() }
        let journal = try Journal(path: directory.journalPath, durability: .normal)
        var created = Self.record()
        created.createdSequence = 1
        created.lastSequence = 1
        let message = JournalRecord(
            sequence: 1, topicSequence: 1, topic: "referral/to/\(Pilot.health)/health", header: [1], body: [2], kind: "referral",
            source: Pilot.iom, correlationID: created.referralId.uuidString.lowercased(), messageID: UUID().uuidString.lowercased(),
            receivedAt: Date())
        try journal.append([message], referrals: [created])
        journal.close()
        let reopened = try Journal(path: directory.journalPath, readOnly: true)
        defer { reopened.close() }
        let loaded = try reopened.referrals()
        #expect(loaded.count == 1)
        #expect(loaded.first?.referralId == created.referralId)
        #expect(loaded.first?.state == .requested)
        #expect(loaded.first?.createdSequence == 1)
        #expect(abs((loaded.first?.acknowledgeBy.timeIntervalSince(created.acknowledgeBy) ?? 1)) < 0.001)
    }
}

/// The body digest a re-publication is checked against: the hub stores XXH64 now, and a
/// registry loaded from a journal of an earlier hub holds FNV-1a digests; both are honoured.
@Suite("Referral registry: body digests across versions")
struct ReferralRegistryDigestTests {
    static func admit(_ registry: ReferralRegistry, _ envelope: Envelope) throws -> RegistryVerdict {
        let body = try MessageCodec.encode(envelope)[2]
        return registry.admit(
            envelope.payload, topic: envelope.topic, sender: envelope.header.source, bodyDigest: { ReferralRecord.digest(body, $0) },
            now: Date(), mayClaim: { _, _ in true })
    }

    @Test(arguments: [ReferralRecord.DigestKind.xxh64, .fnv1a])
    func anUnchangedRepublicationIsForwardedAndOtherContentRefused(storedAs kind: ReferralRecord.DigestKind) throws {
        let referral = try Pilot.referral()
        guard case .referral(let body) = referral.payload else { throw CancellationError() }
        let fresh = ReferralRegistry(rules: RegistryRules())
        #expect(try Self.admit(fresh, referral) == .forward(changed: body.referralId))
        var record = try #require(fresh[body.referralId])
        #expect(record.bodyDigest == ReferralRecord.digest(try MessageCodec.encode(referral)[2]))
        // The record as a hub of that digest stored it, loaded by this one.
        record.bodyDigest = ReferralRecord.digest(try MessageCodec.encode(referral)[2], kind)
        let loaded = ReferralRegistry(rules: RegistryRules(), records: [record])
        #expect(try Self.admit(loaded, referral) == .forward(changed: nil))
        var changed = body
        changed.note = "Needs an interpreter"
        let altered = Envelope(
            topic: referral.topic, source: referral.header.source, agent: referral.header.agent, payload: .referral(changed),
            correlationID: body.referralId)
        guard case .refuse(let reason, let message) = try Self.admit(loaded, altered) else {
            Issue.record("other content under the same id was forwarded")
            return
        }
        #expect(reason == .duplicateReferral)
        #expect(message.contains("other content"))
    }
}
