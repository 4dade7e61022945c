import Foundation
import TansiqAgent
import TansiqMessages
import Testing

/// An agent whose state file is lost rebuilds its referrals from the hub (protocol 1.2): the
/// messages of its subscriptions from sequence 0, merged with its own referrals and moves read
/// back with `sentBy`.
@Suite("Rebuilding a lost state file from the hub")
struct StateRebuildTests {
    struct Entry: Equatable, CustomStringConvertible {
        var part: TrackedReferral.Part
        var state: ReferralState
        var receiver: String?
        var description: String { "\(part) \(state) \(receiver ?? "-")" }
    }

    static func book(_ path: String) throws -> [UUID: Entry] {
        let store = try AgentStore(path: path)
        let contents = try store.contents()
        return Dictionary(uniqueKeysWithValues: contents.referrals.map {
            ($0.referral.referralId, Entry(part: $0.part, state: $0.state, receiver: $0.receiver))
        })
    }

    // A hang guard, not a bound: alone the test takes about a second, but a full run on two cores
    // held it past a minute while every suite started at once.
    @Test(.timeLimit(.minutes(5)))
    func aProviderAndAReferrerWithFreshStateFilesEndWithTheSameBook() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tansiq-rebuild-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        let log = EventLog()
        var network = try await Network.start(journal: path("journal.sqlite"))
        let health = ProviderPolicy(offers: [.health: .init(capacity: 5)], acknowledgeDelay: .fixed(0.01), decideDelay: .fixed(0.02), serviceTime: .fixed(0.03))
        let legal = ProviderPolicy(offers: [.legal: .init(capacity: 5)], acknowledgeDelay: .fixed(0.01), decideDelay: .fixed(0.02), serviceTime: .fixed(60))
        let healthTask = try await network.start(agency: "health-delegation-agadir", role: .service, state: path("health.sqlite"), observer: log.observer) {
            ProviderBehaviour(policy: health)
        }
        try await network.start(agency: "association-a", role: .civilSociety, state: path("association.sqlite"), observer: log.observer) {
            ProviderBehaviour(policy: legal)
        }
        let cases = [PlannedCase(at: 0, needs: [.health]), PlannedCase(at: 0, needs: [.health]), PlannedCase(at: 0, needs: [.legal])]
        let referrer = try await network.start(agency: "iom-morocco", role: .iom, state: path("iom.sqlite"), observer: log.observer) {
            ReferrerBehaviour(policy: ReferrerPolicy(routes: [.health: "health-delegation-agadir"], cases: cases))
        }
        // Two health referrals completed, the open legal one in progress with its claimant.
        let events = await log.collect(timeout: 20) { events in
            let sent = events.referralsSent(by: "iom-morocco")
            guard sent.count == 3 else { return false }
            return sent.allSatisfy { referral in
                let states = events.statesObserved(by: "iom-morocco", referral: referral.referralId)
                return states.last == (referral.category == .legal ? .inProgress : .completed)
            }
        }
        #expect(events.referralsSent(by: "iom-morocco").count == 3)
        for task in [healthTask, referrer] {
            task.cancel()
            _ = try? await task.value
        }
        let healthBook = try Self.book(path("health.sqlite"))
        let referrerBook = try Self.book(path("iom.sqlite"))
        #expect(healthBook.count == 2)
        #expect(referrerBook.count == 3)

        // Both state files lost: fresh ones, the same agencies, a referrer with nothing new to send.
        let rebuilt = EventLog()
        try await network.start(agency: "health-delegation-agadir", role: .service, state: path("health-2.sqlite"), observer: rebuilt.observer) {
            ProviderBehaviour(policy: health)
        }
        try await network.start(agency: "iom-morocco", role: .iom, state: path("iom-2.sqlite"), observer: rebuilt.observer) {
            ReferrerBehaviour(policy: ReferrerPolicy(routes: [.health: "health-delegation-agadir"], cases: []))
        }
        let caughtUp = await rebuilt.collect(timeout: 20) { events in
            Set(events.compactMap { entry -> String? in
                if case .caughtUp = entry.event { return entry.agent.agency }
                return nil
            }).count == 2
        }
        #expect(caughtUp.filter { if case .caughtUp = $0.event { true } else { false } }.count == 2)
        await network.stop()
        #expect(try Self.book(path("health-2.sqlite")) == healthBook)
        #expect(try Self.book(path("iom-2.sqlite")) == referrerBook)
        // Nothing was moved again: no refusal while rebuilding and resuming.
        #expect(!caughtUp.contains { entry in
            switch entry.event {
            case .publishRefused, .rejectedByHub, .statusPublished: true
            default: false
            }
        })
    }
}
