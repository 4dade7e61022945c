import Foundation
@testable import TansiqMessages

/// The example messages of the protocol, one per kind (and per notable variant), whose
/// encodings are the golden files.
enum Fixtures {
    static func time(_ text: String) -> Date {
        guard let date = Timestamp.parse(text) else { preconditionFailure("bad fixture time \(text)") }
        return date
    }

    static func id(_ text: String) -> UUID {
        guard let uuid = UUID(uuidString: text) else { preconditionFailure("bad fixture UUID \(text)") }
        return uuid
    }

    static let referralID = id("3f2b8c1e-6d4a-4c1b-9a7e-2f5d8b3c9e01")
    static let openReferralID = id("a1c3e5f7-0b2d-4f6a-8c1e-3b5d7f9a1c2e")

    static let referral = Referral(
        referralId: referralID,
        caseReference: "AGA-2026-0042",
        referringAgency: "iom-agadir",
        referringWorker: "caseworker-3",
        receivingAgency: "health-delegation-agadir",
        category: .health,
        priority: .urgent,
        reasonCodes: [.maternalCare, .medicalConsultation],
        note: "Prefers a female doctor; speaks Wolof and some French.",
        consent: .init(
            status: .given,
            scope: [.shareWithReceiver, .shareWithCoordinator],
            recordedBy: "caseworker-3",
            recordedAt: time("2026-11-29T09:12:00.000Z")
        ),
        acknowledgeBy: time("2026-11-30T09:30:00.000Z"),
        decideBy: time("2026-12-02T09:30:00.000Z"),
        followUpOn: time("2026-12-09T09:30:00.000Z"),
        subject: .init(ageBand: .adult, language: "wo", needsFlags: [.pregnant])
    )

    static let openReferral = Referral(
        referralId: openReferralID,
        caseReference: "AGA-2026-0043",
        referringAgency: "commune-agadir",
        referringWorker: "social-worker-1",
        receivingAgency: nil,
        category: .mhpss,
        priority: .stat,
        reasonCodes: [.psychologicalDistress],
        consent: .init(
            status: .overridden,
            overrideReason: .childProtection,
            scope: [.shareWithCategoryProviders, .shareWithCoordinator],
            recordedBy: "social-worker-1",
            recordedAt: time("2026-11-29T10:00:00.000Z")
        ),
        acknowledgeBy: time("2026-11-29T11:05:00.000Z"),
        decideBy: time("2026-11-29T14:05:00.000Z"),
        followUpOn: time("2026-12-01T10:05:00.000Z"),
        subject: .init(ageBand: .adolescent, language: "fr", needsFlags: [.unaccompaniedMinor])
    )

    static let accepted = ReferralStatusUpdate(
        referralId: referralID,
        state: .accepted,
        previousState: .received,
        changedBy: "health-delegation-agadir",
        changedAt: time("2026-11-29T15:45:10.250Z"),
        note: "Appointment at the Anza health centre."
    )

    static let completed = ReferralStatusUpdate(
        referralId: referralID,
        state: .completed,
        previousState: .inProgress,
        changedBy: "health-delegation-agadir",
        changedAt: time("2026-12-05T11:00:00.000Z"),
        outcome: .init(successful: true, code: .serviceProvided)
    )

    static let rejected = ReferralStatusUpdate(
        referralId: referralID,
        state: .rejected,
        previousState: .requested,
        changedBy: "health-delegation-agadir",
        changedAt: time("2026-11-29T10:00:00.000Z"),
        reason: .referredOnward,
        suggestedAlternative: "hassan-ii-hospital"
    )

    static let cancelled = ReferralStatusUpdate(
        referralId: referralID,
        state: .cancelled,
        previousState: .requested,
        changedBy: "iom-agadir",
        changedAt: time("2026-11-29T12:00:00.000Z"),
        reason: .withdrawn
    )

    static let serviceStatus = ServiceStatus(
        agency: "association-amal",
        category: .language,
        status: .active,
        accepting: .waitlist,
        waitlistBand: .oneToFourWeeks,
        capacity: .init(unit: .places, available: 0, maximum: 24),
        updatedAt: time("2026-11-29T08:00:00.000Z"),
        validUntil: time("2026-12-06T08:00:00.000Z"),
        note: "Darija classes Monday and Thursday evenings."
    )

    static let presence = Presence(
        agency: "health-delegation-agadir",
        agent: "desk-1",
        role: .service,
        version: "1.0.0",
        uptimeSeconds: 86_400,
        heartbeatInterval: 30
    )

    static let escalation = Escalation(
        referralId: referralID,
        referrer: "iom-agadir",
        receiver: "health-delegation-agadir",
        category: .health,
        deadline: .acknowledge,
        dueAt: time("2026-11-30T09:30:00.000Z"),
        detectedAt: time("2026-11-30T09:31:00.000Z"),
        escalatedTo: ["iom-agadir", "commune-agadir"],
        reason: .noAcknowledgement,
        currentState: .requested
    )

    static let hubRejection = HubRejection(
        rejectedMessageId: id("9b1d2f3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f"),
        agency: "association-amal",
        reason: .illegalTransition,
        message: "illegal transition from 'completed' to 'in-progress' by the receiver: 'completed' is terminal",
        topic: "status/iom-agadir/association-amal/language",
        at: time("2026-11-29T16:00:00.125Z"),
        referralId: id("5d6e7f80-9a1b-4c2d-8e3f-4a5b6c7d8e9f")
    )

    static let hubEscalation = Escalation(
        referralId: referralID,
        referrer: "iom-agadir",
        receiver: "health-delegation-agadir",
        category: .health,
        deadline: .acknowledge,
        dueAt: time("2026-11-30T09:30:00.000Z"),
        detectedAt: time("2026-11-30T09:30:00.250Z"),
        escalatedTo: ["iom-agadir", "commune-agadir"],
        reason: .noAcknowledgement,
        currentState: .requested
    )

    static let referralView = ReferralView(
        referralId: referralID, referrer: "iom-agadir", receiver: "health-delegation-agadir", open: false,
        category: .health, priority: .urgent, state: .accepted,
        acknowledgeBy: time("2026-11-30T09:30:00.000Z"), decideBy: time("2026-12-02T09:30:00.000Z"),
        followUpOn: time("2026-12-09T09:30:00.000Z"), updatedAt: time("2026-11-29T10:05:00.000Z"))

    static let hubStatistics = HubStatistics(
        hub: "hub-agadir",
        startedAt: time("2026-11-28T06:00:00.000Z"),
        uptimeSeconds: 99_000,
        messagesIn: 1_042,
        messagesOut: 1_040,
        bytesIn: 1_318_200,
        bytesOut: 1_315_700,
        rejections: ["bad-body": 1, "illegal-transition": 1],
        subscriptions: 37,
        peers: 9,
        secure: true,
        journal: .init(backend: "sqlite", lastSequence: 1_042, entries: 1_042)
    )

    static let hubPresence = HubPresence(
        agency: "association-amal",
        state: .silent,
        lastSeen: time("2026-11-29T15:58:30.000Z"),
        silentForSeconds: 90
    )

    static let replayRequest = ReplayRequest(
        prefixes: ["referral/to/health-delegation-agadir/", "referral/open/health/", "hub/rejected/health-delegation-agadir"],
        afterSequence: 1_000,
        limit: 500
    )

    static let replayEnd = ReplayEnd(lastSequence: 1_042, count: 17, more: true, headSequence: 2_310)

    static func envelope(
        _ topic: Topic,
        _ source: String,
        _ agent: String,
        _ payload: Payload,
        id: String,
        time text: String,
        causation: UUID? = nil
    ) -> Envelope {
        Envelope(topic: topic, source: source, agent: agent, payload: payload, id: Fixtures.id(id), time: time(text), causationID: causation)
    }

    /// Name → message: the golden files are `<name>.topic`, `<name>.header.json`, `<name>.body.json`.
    static func goldenMessages() throws -> [(name: String, envelope: Envelope)] {
        [
            ("referral", envelope(
                try .referral(to: "health-delegation-agadir", category: .health), "iom-agadir", "caseworker-desk",
                .referral(referral), id: "5c7e9a1b-3d5f-4a7c-9e1b-3d5f7a9c1e3b", time: "2026-11-29T09:30:00.000Z")),
            ("referral-open", envelope(
                try .openReferral(category: .mhpss, referrer: "commune-agadir"), "commune-agadir", "social-desk",
                .referral(openReferral), id: "6d8f0b2c-4e6a-4b8d-8f2c-4e6a8b0d2f4c", time: "2026-11-29T10:05:00.000Z")),
            ("referral-status", envelope(
                try .status(addressee: "iom-agadir", sender: "health-delegation-agadir", category: .health),
                "health-delegation-agadir", "desk-1", .referralStatus(accepted),
                id: "7e9a1c3d-5f7b-4c9e-9a3d-5f7b9c1e3a5d", time: "2026-11-29T15:45:10.250Z",
                causation: id("5c7e9a1b-3d5f-4a7c-9e1b-3d5f7a9c1e3b"))),
            ("referral-status-completed", envelope(
                try .status(addressee: "iom-agadir", sender: "health-delegation-agadir", category: .health),
                "health-delegation-agadir", "desk-1", .referralStatus(completed),
                id: "8fab2d4e-6a8c-4daf-8b4e-6a8cad2f4b6e", time: "2026-12-05T11:00:00.000Z")),
            ("referral-status-cancelled", envelope(
                try .status(addressee: "health-delegation-agadir", sender: "iom-agadir", category: .health),
                "iom-agadir", "caseworker-desk", .referralStatus(cancelled),
                id: "90bc3e5f-7b9d-4eb0-9c5f-7b9dbe3a5c7f", time: "2026-11-29T12:00:00.000Z")),
            ("service-status", envelope(
                try .service(category: .language, agency: "association-amal"), "association-amal", "office",
                .serviceStatus(serviceStatus), id: "a1cd4f6a-8cae-4fc1-8d6a-8caecf4b6d8a", time: "2026-11-29T08:00:00.000Z")),
            ("presence", envelope(
                try .presence(agency: "health-delegation-agadir", agent: "desk-1"), "health-delegation-agadir", "desk-1",
                .presence(presence), id: "b2de5a7b-9dbf-4ad2-9e7b-9dbfda5c7e9b", time: "2026-11-29T09:00:00.000Z")),
            ("escalation", envelope(
                try .escalation(referrer: "iom-agadir", category: .health), "iom-agadir", "deadline-watch",
                .escalation(escalation), id: "c3ef6b8c-aec0-4be3-8f8c-aec0eb6d8fac", time: "2026-11-30T09:31:00.000Z")),
            ("hub-rejection", envelope(
                try .hubRejection(agency: "association-amal"), "hub-agadir", "hub",
                .hubRejection(hubRejection), id: "d4f07c9d-bfd1-4cf4-9a9d-bfd1fc7e9abd", time: "2026-11-29T16:00:00.125Z")),
            ("hub-statistics", envelope(
                try .hubStatistics(hub: "hub-agadir"), "hub-agadir", "hub",
                .hubStatistics(hubStatistics), id: "e5a18dae-c0e2-4d05-8bae-c0e20d8fabce", time: "2026-11-29T09:30:00.000Z")),
            ("hub-presence", envelope(
                try .hubPresence(agency: "association-amal"), "hub-agadir", "hub",
                .hubPresence(hubPresence), id: "f6b29ebf-d1f3-4e16-9cbf-d1f31e9abcdf", time: "2026-11-29T16:00:00.000Z")),
            ("hub-escalation", envelope(
                try .hubEscalation(referrer: "iom-agadir", category: .health), "hub-agadir", "hub",
                .hubEscalation(hubEscalation), id: "29e5c1e2-0426-4149-8fe2-04264abcdef2", time: "2026-11-30T09:30:00.250Z")),
            ("referral-view", envelope(
                try .hubView(category: .health, referrer: "iom-agadir"), "hub-agadir", "hub",
                .referralView(referralView), id: "3af6d2f3-1537-425a-9af3-15375abcdef3", time: "2026-11-29T10:05:00.000Z")),
            ("referral-shared", envelope(
                try .hubShared(category: .health, referrer: "iom-agadir"), "hub-agadir", "hub",
                .sharedReferral(referral), id: "4b07e304-2648-436b-8b04-26484abcdef4", time: "2026-11-29T09:30:00.125Z",
                causation: id("5c7e9a1b-3d5f-4a7c-9e1b-3d5f7a9c1e3b"))),
            ("escalation-ack", envelope(
                try .escalationAck(referrer: "iom-agadir", category: .health, coordinator: "commune-agadir"), "commune-agadir", "coordination-desk",
                .escalationAcknowledgement(escalationAcknowledgement), id: "5c18f415-3759-447c-9c15-37595abcdef5",
                time: "2026-11-30T10:15:00.000Z")),
            ("replay-request", envelope(
                try .replayRequest(agency: "health-delegation-agadir"), "health-delegation-agadir", "desk-1",
                .replayRequest(replayRequest), id: "07c3afc0-e204-4f27-8dc0-e2042fabcde0", time: "2026-11-29T09:00:01.000Z")),
            ("replay-end", envelope(
                try .replayEnd(agency: "health-delegation-agadir"), "hub-agadir", "hub",
                .replayEnd(replayEnd), id: "18d4b0d1-f315-4038-9ed1-f3153abcdef1", time: "2026-11-29T09:00:01.500Z",
                causation: id("07c3afc0-e204-4f27-8dc0-e2042fabcde0"))),
        ]
    }

    static let escalationAcknowledgement = EscalationAcknowledgement(
        referralId: referralID, referrer: "iom-agadir", category: .health, deadline: .acknowledge, action: .contactedReceiver,
        acknowledgedBy: "commune-agadir", acknowledgedAt: time("2026-11-30T10:14:30.000Z"),
        note: "Called the health desk: the referral is seen today.")

    static let stamp = HubStamp(hub: "hub-agadir", seq: 1_042, topicSeq: 7)

    /// Encoded frames of the typical referral, for mutation.
    static func referralFrames() throws -> [[UInt8]] {
        try MessageCodec.encode(goldenMessages()[0].envelope)
    }
}
