import Foundation
import HTTPTypes
import TansiqAgent
import TansiqDesk
import TansiqMessages
import Testing

/// Each action of the pages, end to end over a real hub: what the worker does on the desk, what
/// goes on the bus, what the other agency's desk then shows, what the audit trail keeps.
@Suite("Desk actions", .serialized)
struct DeskActionTests {
    static let iomWorker = TestWorker(worker: "caseworker-1", role: .caseworker)
    static let healthWorker = TestWorker(worker: "caseworker-3", role: .caseworker)

    /// Writes a referral to the health delegation on IOM's desk; returns its id.
    static func refer(_ iom: DeskClient, note: String? = nil, reasons: [String] = ["medical-consultation"]) async throws -> (DeskClient.Page, String?) {
        let form = try await iom.get("/referrals/new")
        #expect(form.status == .ok)
        var fields: [(String, String)] = [
            ("receiver", DeskNetwork.health), ("category", "health"), ("priority", "urgent"), ("consent", "given"),
            ("scope", "share-with-receiver"), ("scope", "share-with-coordinator"), ("case", "C2026-00042"), ("age-band", "25-59"),
            ("language", "fr"), ("needs", "interpreter"),
        ]
        fields += reasons.map { ("reason", $0) }
        if let note { fields.append(("note", note)) }
        let answer = try await iom.post("/referrals", fields)
        let id = answer.location.flatMap { $0.hasPrefix("/referrals/") ? String($0.dropFirst("/referrals/".count)) : nil }
        return (answer, id)
    }

    @Test func aReferralWrittenOnTheDeskIsOnTheBusExactlyAsWritten() async throws {
        let network = try await DeskNetwork.pilot()
        defer { Task { await network.stop() } }
        let witness = try BusWitness(network.endpoints, prefixes: ["referral/", "status/"])
        try await network.withDesk(DeskNetwork.iom) { iom in
            try await iom.signIn(Self.iomWorker)
            let (answer, id) = try await Self.refer(iom, note: "Needs an appointment in the morning")
            #expect(answer.status == .seeOther)
            let referralID = try #require(id.flatMap(UUID.init(uuidString:)))
            let (topic, envelope) = try #require(try witness.next())
            #expect(topic == "referral/to/\(DeskNetwork.health)/health")
            guard case .referral(let referral) = envelope.payload else { Issue.record("not a referral: \(envelope.payload)"); return }
            #expect(referral.referralId == referralID)
            #expect(envelope.header.source == DeskNetwork.iom)
            #expect(referral.referringWorker == "caseworker-1")
            #expect(referral.consent.recordedBy == "caseworker-1")
            #expect(referral.consent.status == .given)
            #expect(referral.consent.scope == [.shareWithReceiver, .shareWithCoordinator])
            #expect(referral.caseReference == "C2026-00042")
            #expect(referral.priority == .urgent)
            #expect(referral.reasonCodes == [.medicalConsultation])
            #expect(referral.subject == Referral.Subject(ageBand: .adult, language: "fr", needsFlags: [.interpreter]))
            #expect(referral.note == "Needs an appointment in the morning")
            #expect(referral.decideBy.timeIntervalSince(referral.acknowledgeBy) == Priority.urgent.decisionTime - Priority.urgent.acknowledgementTime)
            // With people deciding, the provider's agent answers only `received`, by itself.
            let (statusTopic, received) = try #require(try witness.next())
            #expect(statusTopic.hasPrefix("status/\(DeskNetwork.iom)/\(DeskNetwork.health)"))
            guard case .referralStatus(let update) = received.payload else { Issue.record("not a status"); return }
            #expect(update.state == .received && update.previousState == .requested)
            let page = try await iom.get("/referrals/\(referralID.uuidString.lowercased())")
            #expect(page.body.contains("id=\"referral-state\""))
        }
    }

    @Test func theProviderAcceptsStartsHoldsResumesAndCompletesEachMoveOneMessage() async throws {
        let network = try await DeskNetwork.pilot()
        defer { Task { await network.stop() } }
        let id = try await network.withDesk(DeskNetwork.iom) { iom in
            try await iom.signIn(Self.iomWorker)
            return try #require(try await Self.refer(iom).1)
        }
        #expect(await network.events.wait { events in
            events.contains { $0.0.agency == DeskNetwork.health && { if case .statusPublished(let u) = $0, u.state == .received { true } else { false } }($0.1) }
        })
        let witness = try BusWitness(network.endpoints, prefixes: ["status/"])
        try await network.withDesk(DeskNetwork.health) { health in
            try await health.signIn(Self.healthWorker)
            let inbox = try await health.get("/")
            #expect(inbox.body.contains("data-referral-id=\"\(id)\""))
            #expect(inbox.body.contains(">received</span>"))
            let steps: [(action: String, fields: [(String, String)], state: ReferralState, previous: ReferralState)] = [
                ("accept", [], .accepted, .received),
                ("start", [], .inProgress, .accepted),
                ("hold", [("note", "Waiting for the interpreter")], .onHold, .inProgress),
                ("resume", [], .inProgress, .onHold),
                ("complete", [("outcome", "partially-provided")], .completed, .inProgress),
            ]
            for step in steps {
                let page = try await health.get("/referrals/\(id)")
                #expect(page.body.contains("data-action=\"\(step.action)\""), "no \(step.action) button")
                let answer = try await health.post("/referrals/\(id)/\(step.action)", step.fields)
                #expect(answer.status == .seeOther, "\(step.action): \(answer.body)")
                let (topic, envelope) = try #require(try witness.next())
                #expect(topic == "status/\(DeskNetwork.iom)/\(DeskNetwork.health)/health")
                guard case .referralStatus(let update) = envelope.payload else { Issue.record("not a status"); return }
                #expect(update.referralId.uuidString.lowercased() == id)
                #expect(update.state == step.state)
                #expect(update.previousState == step.previous)
                #expect(update.changedBy == DeskNetwork.health)
                if step.action == "hold" { #expect(update.note == "Waiting for the interpreter") }
                if step.action == "complete" { #expect(update.outcome == .init(successful: true, code: .partiallyProvided)) }
                let after = try await health.get("/referrals/\(id)")
                #expect(after.element("referral-state") == step.state.rawValue)
                #expect(after.element("flash") != nil)
            }
            // Closed: no action left.
            #expect(!(try await health.get("/referrals/\(id)")).body.contains("data-action="))
        }
        // IOM's desk shows every move, and the whole trail.
        try await network.withDesk(DeskNetwork.iom) { iom in
            try await iom.signIn(Self.iomWorker)
            #expect(await network.events.wait { events in
                events.contains { $0.0.agency == DeskNetwork.iom && { if case .statusObserved(let u) = $0, u.state == .completed { true } else { false } }($0.1) }
            })
            let page = try await iom.get("/referrals/\(id)")
            #expect(page.element("referral-state") == "completed")
            for state in ["received", "accepted", "in-progress", "on-hold", "completed"] { #expect(page.body.contains("data-trail-state=\"\(state)\"")) }
        }
        let audit = try await network.audit(DeskNetwork.health)
        #expect(audit.map(\.action).filter { $0 != "login" } == ["accept", "start", "hold", "resume", "complete"])
        #expect(audit.allSatisfy { $0.worker == "caseworker-3" })
    }

    @Test func aRejectionCarriesItsCodedReasonAndReferredOnwardNeedsTheAlternative() async throws {
        let network = try await DeskNetwork.pilot()
        defer { Task { await network.stop() } }
        let id = try await network.withDesk(DeskNetwork.iom) { iom in
            try await iom.signIn(Self.iomWorker)
            return try #require(try await Self.refer(iom).1)
        }
        #expect(await network.events.wait { events in
            events.contains { $0.0.agency == DeskNetwork.health && { if case .referralReceived = $0 { true } else { false } }($0.1) }
        })
        let witness = try BusWitness(network.endpoints, prefixes: ["status/"])
        try await network.withDesk(DeskNetwork.health) { health in
            try await health.signIn(Self.healthWorker)
            _ = try await health.get("/referrals/\(id)")
            // What the hub would refuse is refused here, with the protocol's own words, nothing sent.
            let refused = try await health.post("/referrals/\(id)/reject", [("reason", "referred-onward")])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.element("flash") == "a referral rejected as &#39;referred-onward&#39; names the suggestedAlternative agency")
            #expect(refused.body.contains("data-kind=\"error\""))
            let answer = try await health.post("/referrals/\(id)/reject", [("reason", "referred-onward"), ("alternative", "association-health-aid")])
            #expect(answer.status == .seeOther)
            var next = try #require(try witness.next())
            if case .referralStatus(let update) = next.envelope.payload, update.state == .received { next = try #require(try witness.next()) }
            guard case .referralStatus(let update) = next.envelope.payload else { Issue.record("not a status"); return }
            #expect(update.state == .rejected)
            #expect(update.reason == .referredOnward)
            #expect(update.suggestedAlternative == "association-health-aid")
            // Terminal: a second answer is refused as the hub refuses it.
            _ = try await health.get("/referrals/\(id)")
            let again = try await health.post("/referrals/\(id)/accept", [])
            #expect(again.status == .unprocessableContent)
            #expect(again.element("flash")?.contains("&#39;rejected&#39; is terminal") == true)
        }
    }

    @Test func failCarriesAnUnsuccessfulOutcomeAndTheReferrerCancels() async throws {
        let network = try await DeskNetwork.pilot()
        defer { Task { await network.stop() } }
        let (first, second) = try await network.withDesk(DeskNetwork.iom) { iom in
            try await iom.signIn(Self.iomWorker)
            return (try #require(try await Self.refer(iom).1), try #require(try await Self.refer(iom).1))
        }
        #expect(await network.events.wait { events in
            events.filter { $0.0.agency == DeskNetwork.health && { if case .referralReceived = $0 { true } else { false } }($0.1) }.count == 2
        })
        try await network.withDesk(DeskNetwork.health) { health in
            try await health.signIn(Self.healthWorker)
            for action in ["accept", "start"] {
                _ = try await health.get("/referrals/\(first)")
                #expect(try await health.post("/referrals/\(first)/\(action)", []).status == .seeOther)
            }
            _ = try await health.get("/referrals/\(first)")
            #expect(try await health.post("/referrals/\(first)/fail", [("outcome", "client-unreachable")]).status == .seeOther)
            #expect((try await health.get("/referrals/\(first)")).element("referral-state") == "failed")
            // The provider cannot cancel: only the referrer may.
            _ = try await health.get("/referrals/\(second)")
            let refused = try await health.post("/referrals/\(second)/cancel", [])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.element("flash")?.contains("only the referring agency may cancel a referral") == true)
        }
        let witness = try BusWitness(network.endpoints, prefixes: ["status/"])
        try await network.withDesk(DeskNetwork.iom) { iom in
            try await iom.signIn(Self.iomWorker)
            _ = try await iom.get("/referrals/\(second)")
            #expect(try await iom.post("/referrals/\(second)/cancel", []).status == .seeOther)
            let (topic, envelope) = try #require(try witness.next())
            #expect(topic == "status/\(DeskNetwork.health)/\(DeskNetwork.iom)/health")
            guard case .referralStatus(let update) = envelope.payload else { Issue.record("not a status"); return }
            #expect(update.state == .cancelled && update.reason == .withdrawn && update.changedBy == DeskNetwork.iom)
        }
        #expect(await network.events.wait { events in
            events.contains { $0.0.agency == DeskNetwork.health && { if case .statusObserved(let u) = $0, u.state == .cancelled { true } else { false } }($0.1) }
        })
    }

    @Test func theServicePagePublishesTheServiceStatus() async throws {
        let network = try await DeskNetwork.pilot()
        defer { Task { await network.stop() } }
        let witness = try BusWitness(network.endpoints, prefixes: ["service/"])
        try await network.withDesk(DeskNetwork.health) { health in
            try await health.signIn(Self.healthWorker)
            let page = try await health.get("/service")
            #expect(page.body.contains("id=\"service-health-available\""))
            let waitlistWithoutBand = try await health.post("/service", [
                ("category", "health"), ("status", "active"), ("accepting", "waitlist"), ("available", "0"), ("maximum", "5"), ("unit", "cases"),
            ])
            #expect(waitlistWithoutBand.status == .unprocessableContent)
            _ = try await health.get("/service")
            let answer = try await health.post("/service", [
                ("category", "health"), ("status", "active"), ("accepting", "waitlist"), ("waitlist", "1-4-weeks"), ("available", "0"),
                ("maximum", "5"), ("unit", "appointments"),
            ])
            #expect(answer.status == .seeOther)
            let (topic, envelope) = try #require(try witness.next())
            #expect(topic == "service/health/\(DeskNetwork.health)")
            guard case .serviceStatus(let status) = envelope.payload else { Issue.record("not a service status"); return }
            #expect(status.accepting == .waitlist && status.waitlistBand == .oneToFourWeeks)
            #expect(status.capacity == .init(unit: .appointments, available: 0, maximum: 5))
        }
        let trail = try await network.audit(DeskNetwork.health)
        #expect(trail.last?.action == "service-status" && trail.last?.worker == "caseworker-3")
    }

    @Test func theReferrersFormOffersTheLiveDirectoryAndOpenCategories() async throws {
        let network = try await DeskNetwork.pilot()
        defer { Task { await network.stop() } }
        try await network.withDesk(DeskNetwork.iom) { iom in
            try await iom.signIn(Self.iomWorker)
            let form = try await iom.get("/referrals/new")
            let receiver = try #require(form.element("directory"))
            #expect(receiver.contains("value=\"\(DeskNetwork.health)\""))
            #expect(receiver.contains("5/5"))
            for id in ["referral-receiver", "referral-category", "referral-priority", "referral-reason", "referral-consent", "referral-consent-scope",
                       "referral-case", "referral-note", "referral-submit", "note-warning"] {
                #expect(form.body.contains("id=\"\(id)\""), "no #\(id)")
            }
            #expect(form.body.contains("value=\"open:legal\""))
            #expect(form.body.contains("id=\"referral-consent\" required"))
        }
    }
}
