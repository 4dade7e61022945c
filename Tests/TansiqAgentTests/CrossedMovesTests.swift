import Foundation
import Synchronization
import TansiqAgent
import TansiqMessages
import Testing

/// IOM sends one referral to the health delegation and withdraws it the moment it is received,
/// while the delegation accepts it at once: both move the referral out of `received`, and the
/// hub forwards only the move that reached it first.
final class WithdrawingReferrer: AgentBehaviour {
    let referral: Referral
    init(_ referral: Referral) { self.referral = referral }
    var subscriptions: [String] { [] }
    var servedCategories: Set<ServiceCategory> { [] }
    func start(_ agent: AgentContext) {
        if agent.referrals[referral.referralId] == nil { agent.refer(referral) }
    }
    func handle(_ envelope: Envelope, agent: AgentContext) {
        guard case .referralStatus(let update) = envelope.payload, update.state == .received else { return }
        agent.publishStatus(of: update.referralId, to: .cancelled, reason: .withdrawn)
    }
}

@Suite("Moves that cross on the way to the hub")
struct CrossedMovesTests {
    /// Whichever move the hub took, the one it refused is taken back by its sender, and both
    /// agencies' books end with the same state and the same trail: the hub's.
    @Test(.timeLimit(.minutes(1)), arguments: Publishing.allCases)
    func bothBooksFollowTheMoveTheHubTook(publishing: Publishing) async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let referral = sampleReferral(to: "health-delegation-agadir", at: Date())
        let iomState = directory.appendingPathComponent("iom.sqlite").path
        let healthState = directory.appendingPathComponent("health.sqlite").path
        let log = EventLog()
        var network = try await Network.start(confirmed: publishing == .confirmed)
        let health = ProviderPolicy(
            offers: [.health: .init(capacity: 5)], acknowledgeDelay: .fixed(0), decideDelay: .fixed(0), serviceTime: .fixed(0.05))
        try await network.start(agency: "health-delegation-agadir", role: .service, state: healthState, observer: log.observer) {
            ProviderBehaviour(policy: health)
        }
        try await network.start(agency: "iom-morocco", role: .iom, state: iomState, observer: log.observer) { WithdrawingReferrer(referral) }

        let id = referral.referralId
        let finals: Set<ReferralState> = [.completed, .cancelled]
        _ = await log.collect(timeout: 20) { events in
            // The referrer sees the provider's last move, or the provider sees the withdrawal.
            events.statesObserved(by: "iom-morocco", referral: id).contains(.completed)
                || events.statesObserved(by: "health-delegation-agadir", referral: id).contains(.cancelled)
        }
        await network.stop()

        let iom = try #require(try AgentStore(path: iomState).contents().referrals.first { $0.referral.referralId == id })
        let provider = try #require(try AgentStore(path: healthState).contents().referrals.first { $0.referral.referralId == id })
        #expect(finals.contains(iom.state), "IOM's book ends \(iom.state.rawValue)")
        #expect(iom.state == provider.state)
        #expect(iom.transitions == provider.transitions, "one trail: IOM \(iom.transitions), health \(provider.transitions)")
        // The sender of the refused move is told why, and the other one is not.
        let refused = [iom, provider].compactMap(\.refusal)
        #expect(refused.count <= 1)
        if iom.state == .completed { #expect(provider.refusal == nil) }
    }
}
