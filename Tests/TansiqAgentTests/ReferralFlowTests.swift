import Foundation
import TansiqAgent
import TansiqMessages
import TansiqTestSupport
import Testing

@Suite("Referral flows through a hub")
struct ReferralFlowTests {
    static let fast = ProviderPolicy(
        offers: [.health: .init(capacity: 5)],
        acknowledgeDelay: .fixed(0.02), decideDelay: .fixed(0.02), serviceTime: .fixed(0.05)
    )

    @Test func referrerAndCoordinatorSeeEveryStatusChangeOfACompletedReferral() async throws {
        let log = EventLog()
        var network = try await Network.start()
        try await network.start(agency: "commune-agadir", role: .commune, observer: log.observer) { CoordinatorBehaviour() }
        try await network.start(agency: "health-delegation-agadir", role: .service, observer: log.observer) { ProviderBehaviour(policy: Self.fast) }
        let policy = ReferrerPolicy(routes: [.health: "health-delegation-agadir"], cases: [PlannedCase(at: 0, needs: [.health])])
        try await network.start(agency: "iom-morocco", role: .iom, observer: log.observer) { ReferrerBehaviour(policy: policy) }

        let lifecycle: [ReferralState] = [.received, .accepted, .inProgress, .completed]
        let events = await log.collect(timeout: 20) { events in
            guard let referral = events.referralsSent(by: "iom-morocco").first else { return false }
            return events.statesObserved(by: "iom-morocco", referral: referral.referralId) == lifecycle
                && events.statesObserved(by: "commune-agadir", referral: referral.referralId) == lifecycle
                && events.contains { if case .caseClosed = $0.event { true } else { false } }
        }
        await network.stop()
        let referral = try #require(events.referralsSent(by: "iom-morocco").first)
        #expect(events.statesObserved(by: "iom-morocco", referral: referral.referralId) == lifecycle)
        #expect(events.statesObserved(by: "commune-agadir", referral: referral.referralId) == lifecycle)
        #expect(events.contains { $0.agent.agency == "iom-morocco" && { if case .caseClosed = $0.event { true } else { false } }($0) })
    }

    @Test func aReferralNobodyAcknowledgesEscalatesToReferrerAndCoordinator() async throws {
        let log = EventLog()
        var network = try await Network.start()
        try await network.start(agency: "commune-agadir", role: .commune, observer: log.observer) { CoordinatorBehaviour() }
        let policy = ReferrerPolicy(
            routes: [.legal: "silent-association"],
            cases: [PlannedCase(at: 0, needs: [.legal])],
            acknowledgeWithin: 0.2, decideWithin: 0.4
        )
        try await network.start(agency: "iom-morocco", role: .iom, observer: log.observer) { ReferrerBehaviour(policy: policy) }

        // Until both have what the test checks: on a loaded machine the referrer's agent may
        // handle the first escalation after the coordinator has the second.
        let events = await log.collect(timeout: 20) { events in
            events.contains { entry in
                guard entry.agent.agency == "commune-agadir", case .escalationObserved(let escalation) = entry.event else { return false }
                return escalation.deadline == .decide
            } && events.contains { entry in
                guard entry.agent.agency == "iom-morocco", case .escalationObserved(let escalation) = entry.event else { return false }
                return escalation.deadline == .acknowledge
            }
        }
        await network.stop()
        let observed = events.compactMap { entry -> Escalation? in
            guard entry.agent.agency == "commune-agadir", case .escalationObserved(let escalation) = entry.event else { return nil }
            return escalation
        }
        #expect(observed.map(\.deadline) == [.acknowledge, .decide])
        // The hub raises them; the referrer's agent only published the referral once more.
        #expect(!events.contains { if case .escalationRaised = $0.event { true } else { false } })
        #expect(events.contains { if case .referralRepublished = $0.event { $0.agent.agency == "iom-morocco" } else { false } })
        #expect(events.contains { entry in
            guard entry.agent.agency == "iom-morocco", case .escalationObserved(let escalation) = entry.event else { return false }
            return escalation.deadline == .acknowledge
        })
        #expect(observed.first?.escalatedTo == ["iom-morocco", "commune-agadir"])
        #expect(observed.first?.receiver == "silent-association")
        #expect(observed.first?.currentState == .requested)
    }

    @Test func theHubAloneEscalatesWhenTheReferrersAgentIsStopped() async throws {
        let log = EventLog()
        let time = ManualTime()
        var network = try await Network.start(clock: time.clock)
        try await network.start(agency: "commune-agadir", role: .commune, observer: log.observer) { CoordinatorBehaviour() }
        let policy = ReferrerPolicy(routes: [.legal: "silent-association"], cases: [PlannedCase(at: 0, needs: [.legal])], acknowledgeWithin: 3600)
        let referrer = try await network.start(agency: "iom-morocco", role: .iom, observer: log.observer) { ReferrerBehaviour(policy: policy) }
        let sent = await log.collect(timeout: 20) { !$0.referralsSent(by: "iom-morocco").isEmpty }
        referrer.cancel()
        _ = try? await referrer.value

        // Two hours later on the hub's clock, nobody has acknowledged.
        time.advance(by: 2 * 3600)
        let events = await log.collect(timeout: 20) { events in
            events.contains { if case .escalationObserved = $0.event { $0.agent.agency == "commune-agadir" } else { false } }
        }
        await network.stop()
        let referral = try #require(sent.referralsSent(by: "iom-morocco").first)
        let escalation = try #require(events.compactMap { entry -> Escalation? in
            guard entry.agent.agency == "commune-agadir", case .escalationObserved(let escalation) = entry.event else { return nil }
            return escalation
        }.first)
        #expect(escalation.referralId == referral.referralId)
        #expect(escalation.deadline == .acknowledge)
        #expect(escalation.escalatedTo == ["iom-morocco", "commune-agadir"])
        #expect(abs(escalation.dueAt.timeIntervalSince(referral.acknowledgeBy)) < 0.001, "times travel to the millisecond")
        #expect(escalation.currentState == .requested)
        #expect(!(sent + events).contains { if case .escalationRaised = $0.event { true } else { false } })
    }

    @Test func anOpenReferralGoesToTheFirstClaimantAndTheOthersAreReleased() async throws {
        let log = EventLog()
        var network = try await Network.start()
        let legal = ProviderPolicy(offers: [.legal: .init(capacity: 5)], acknowledgeDelay: .fixed(0.01), decideDelay: .fixed(0.3), serviceTime: .fixed(0.05))
        try await network.start(agency: "association-a", role: .civilSociety, observer: log.observer) { ProviderBehaviour(policy: legal) }
        try await network.start(agency: "association-b", role: .civilSociety, observer: log.observer) { ProviderBehaviour(policy: legal) }
        let policy = ReferrerPolicy(cases: [PlannedCase(at: 0, needs: [.legal])])
        try await network.start(agency: "iom-morocco", role: .iom, observer: log.observer) { ReferrerBehaviour(policy: policy) }

        // Until the release is seen too: the other claimant's agent may send it after the winner completed.
        let events = await log.collect(timeout: 20) { events in
            guard let referral = events.referralsSent(by: "iom-morocco").first else { return false }
            return events.statesObserved(by: "iom-morocco", referral: referral.referralId).last == .completed
                && events.contains { entry in
                    guard case .statusObserved(let update) = entry.event else { return false }
                    return update.referralId == referral.referralId && update.state == .cancelled && update.reason == .assignedElsewhere
                }
        }
        await network.stop()
        let referral = try #require(events.referralsSent(by: "iom-morocco").first)
        #expect(referral.receivingAgency == nil)
        let released = events.filter { entry in
            guard case .statusObserved(let update) = entry.event else { return false }
            return update.referralId == referral.referralId && update.state == .cancelled && update.reason == .assignedElsewhere
        }
        let completedBy = events.compactMap { entry -> String? in
            guard entry.agent.agency == "iom-morocco", case .statusObserved(let update) = entry.event,
                  update.referralId == referral.referralId, update.state == .completed else { return nil }
            return update.changedBy
        }
        #expect(completedBy.count == 1)
        #expect(released.count == 1)
        #expect(released.first.map { $0.agent.agency } != completedBy.first)
    }

    @Test func aProviderAtCapacityRejectsWithAReason() async throws {
        let log = EventLog()
        var network = try await Network.start()
        let single = ProviderPolicy(offers: [.shelter: .init(capacity: 1, unit: "beds")], acknowledgeDelay: .fixed(0.01), decideDelay: .fixed(0.01), serviceTime: .fixed(30))
        try await network.start(agency: "shelter-souss", role: .civilSociety, observer: log.observer) { ProviderBehaviour(policy: single) }
        let policy = ReferrerPolicy(routes: [.shelter: "shelter-souss"], cases: [PlannedCase(at: 0, needs: [.shelter]), PlannedCase(at: 0.2, needs: [.shelter])])
        try await network.start(agency: "iom-morocco", role: .iom, observer: log.observer) { ReferrerBehaviour(policy: policy) }

        let events = await log.collect(timeout: 20) { events in
            events.contains { entry in
                guard entry.agent.agency == "iom-morocco", case .statusObserved(let update) = entry.event else { return false }
                return update.state == .rejected
            }
        }
        await network.stop()
        let sent = events.referralsSent(by: "iom-morocco")
        #expect(sent.count == 2)
        let first = events.statesObserved(by: "iom-morocco", referral: sent[0].referralId)
        let second = events.statesObserved(by: "iom-morocco", referral: sent[1].referralId)
        #expect(first.prefix(3) == [.received, .accepted, .inProgress])
        #expect(second == [.received, .rejected])
        let reasons = events.compactMap { entry -> ReferralStatusUpdate.Reason? in
            guard case .statusObserved(let update) = entry.event, update.state == .rejected else { return nil }
            return update.reason
        }
        #expect(reasons == [.atCapacity])
    }
}
