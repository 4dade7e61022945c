import Foundation
import TansiqAgent
import TansiqMessages
import Testing

/// A provider that never sees the hub's views, so it always claims an open referral it
/// received: two of them race for every open referral, as two real providers do within one
/// hub round trip.
final class ViewlessProvider: AgentBehaviour {
    private let provider: ProviderBehaviour
    init(policy: ProviderPolicy) { provider = ProviderBehaviour(policy: policy) }
    var subscriptions: [String] { provider.subscriptions.filter { !$0.hasPrefix("hub/view/") } }
    var servedCategories: Set<ServiceCategory> { provider.servedCategories }
    func start(_ agent: AgentContext) { provider.start(agent) }
    func handle(_ envelope: Envelope, agent: AgentContext) { provider.handle(envelope, agent: agent) }
}

enum Publishing: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case plain, confirmed
    var testDescription: String { rawValue }
}

@Suite("Claims on open referrals")
struct ClaimRaceTests {
    /// Both claim; the hub gives the referral to the first; the other hears `already-claimed`,
    /// lets the referral go (`claim-lost`, not an error) and never moves it again.
    @Test(.timeLimit(.minutes(1)), arguments: Publishing.allCases)
    func twoProvidersRaceAndTheLoserIsToldWithoutAnError(publishing: Publishing) async throws {
        let log = EventLog()
        var network = try await Network.start(confirmed: publishing == .confirmed)
        let legal = ProviderPolicy(offers: [.legal: .init(capacity: 5)], acknowledgeDelay: .fixed(0.01), decideDelay: .fixed(0.5), serviceTime: .fixed(0.05))
        try await network.start(agency: "association-a", role: .civilSociety, observer: log.observer) { ViewlessProvider(policy: legal) }
        try await network.start(agency: "association-b", role: .civilSociety, observer: log.observer) { ViewlessProvider(policy: legal) }
        let policy = ReferrerPolicy(cases: [PlannedCase(at: 0, needs: [.legal])])
        try await network.start(agency: "iom-morocco", role: .iom, observer: log.observer) { ReferrerBehaviour(policy: policy) }

        let events = await log.collect(timeout: 20) { events in
            guard let referral = events.referralsSent(by: "iom-morocco").first else { return false }
            return events.statesObserved(by: "iom-morocco", referral: referral.referralId).last == .completed
                && events.contains { if case .claimLost = $0.event { true } else { false } }
        }
        let rejections = network.hub.counters.rejections
        await network.stop()
        let referral = try #require(events.referralsSent(by: "iom-morocco").first)
        let lost = events.compactMap { entry -> (String, UUID)? in
            guard case .claimLost(let id, _) = entry.event else { return nil }
            return (entry.agent.agency, id)
        }
        // One loser (a step it had planned before the notice came may be refused the same way).
        #expect(Set(lost.map(\.0)).count == 1)
        #expect(lost.allSatisfy { $0.1 == referral.referralId })
        let completedBy = events.compactMap { entry -> String? in
            guard entry.agent.agency == "iom-morocco", case .statusObserved(let update) = entry.event,
                  update.referralId == referral.referralId, update.state == .completed else { return nil }
            return update.changedBy
        }
        #expect(completedBy.count == 1)
        #expect(lost.first?.0 != completedBy.first, "the loser is not the one that served it")
        // Not an error anywhere: no refusal event, no rejection event.
        #expect(!events.contains { entry in
            switch entry.event {
            case .publishRefused, .rejectedByHub: true
            default: false
            }
        })
        // The loser let it go as assigned elsewhere.
        #expect(events.contains { entry in
            guard entry.agent.agency == lost.first?.0, case .statusObserved(let update) = entry.event else { return false }
            return update.referralId == referral.referralId && update.state == .cancelled && update.reason == .assignedElsewhere
        })
        // The hub refused late claims only.
        #expect(Array(rejections.keys) == ["already-claimed"])
    }
}
