import Foundation
import TansiqAgent
import TansiqMessages
import Testing

/// A fresh directory for one test's files.
func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("tansiq-agent-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// A valid referral from IOM, addressed to `receiver` (open when nil).
func sampleReferral(
    to receiver: String?, category: ServiceCategory = .health, consent: Referral.Consent.Status = .given,
    at now: Date = Date(timeIntervalSince1970: 1_795_000_000)
) -> Referral {
    return Referral(
        referralId: UUID(),
        caseReference: "AGA-2026-0042",
        referringAgency: "iom-morocco",
        referringWorker: "caseworker-1",
        receivingAgency: receiver,
        category: category,
        priority: .routine,
        reasonCodes: [.typical(for: category)],
        consent: Referral.Consent(
            status: consent,
            scope: [receiver == nil ? .shareWithCategoryProviders : .shareWithReceiver, .shareWithCoordinator],
            recordedBy: "caseworker-1",
            recordedAt: now
        ),
        acknowledgeBy: now.addingTimeInterval(3600),
        decideBy: now.addingTimeInterval(7200),
        followUpOn: now.addingTimeInterval(86_400)
    )
}

@Suite("Agent state file")
struct AgentStoreTests {
    static func tracked(_ referral: Referral, state: ReferralState = .requested) -> TrackedReferral {
        let book = ReferralBook()
        book.record(referral, part: .receiver, at: Date(timeIntervalSince1970: 1_795_000_010), messageID: UUID())
        if state != .requested {
            try? book.apply(ReferralStatusUpdate(
                referralId: referral.referralId, state: state, previousState: .requested,
                changedBy: referral.receivingAgency ?? "health-delegation-agadir", changedAt: Date(timeIntervalSince1970: 1_795_000_020)))
        }
        book.markEscalated(referral.referralId, .acknowledge)
        book.setNextStep(referral.referralId, at: Date(timeIntervalSince1970: 1_795_000_030))
        return book[referral.referralId]!
    }

    @Test func whatIsCommittedIsReadBackAfterReopening() throws {
        let path = try temporaryDirectory().appendingPathComponent("agent.sqlite").path
        let referral = sampleReferral(to: "health-delegation-agadir")
        let tracked = Self.tracked(referral, state: .received)
        do {
            let store = try AgentStore(path: path)
            let first = try store.load(agency: "health-delegation-agadir", agent: "health-delegation-agadir-1")
            #expect(first.cursor == nil && first.referrals.isEmpty && first.starts == 1)
            try store.commit(.init(
                referrals: [tracked], processed: [referral.referralId: Date()], cursor: StreamCursor(hub: "main", sequence: 42)))
            // WAL: committed pages live in the -wal file until a checkpoint.
            #expect(FileManager.default.fileExists(atPath: path + "-wal"))
        }
        let reopened = try AgentStore(path: path).load(agency: "health-delegation-agadir", agent: "health-delegation-agadir-1")
        #expect(reopened.starts == 2)
        #expect(reopened.cursor == StreamCursor(hub: "main", sequence: 42))
        #expect(reopened.processed == [referral.referralId])
        let back = try #require(reopened.referrals.first)
        #expect(back == tracked)
        #expect(back.state == .received && back.transitions.count == 1 && back.escalated == [.acknowledge])
    }

    @Test func aTransactionThatFailsHalfwayLeavesThePreviousStateWhole() throws {
        let path = try temporaryDirectory().appendingPathComponent("agent.sqlite").path
        let referral = sampleReferral(to: "health-delegation-agadir")
        do {
            let store = try AgentStore(path: path)
            _ = try store.load(agency: "health-delegation-agadir", agent: "health-delegation-agadir-1")
            try store.commit(.init(referrals: [Self.tracked(referral)], processed: [referral.referralId: Date()], cursor: StreamCursor(hub: "main", sequence: 5)))

            // The referral moves on and the cursor advances, but a second row cannot be written
            // (an overridden consent without its legal reason does not encode): nothing of it stays.
            let unwritable = Self.tracked(sampleReferral(to: "health-delegation-agadir", consent: .overridden))
            #expect(throws: AgentStoreError.self) {
                try store.commit(.init(
                    referrals: [Self.tracked(referral, state: .received), unwritable],
                    processed: [unwritable.referral.referralId: Date()],
                    cursor: StreamCursor(hub: "main", sequence: 9)))
            }
        }
        let after = try AgentStore(path: path).contents()
        #expect(after.cursor?.sequence == 5)
        #expect(after.referrals.map(\.state) == [.requested])
        #expect(after.processed == [referral.referralId])
    }

    @Test func aStateFileServesOneAgentOnly() throws {
        let path = try temporaryDirectory().appendingPathComponent("agent.sqlite").path
        _ = try AgentStore(path: path).load(agency: "health-delegation-agadir", agent: "health-delegation-agadir-1")
        let error = #expect(throws: AgentStoreError.self) {
            _ = try AgentStore(path: path).load(agency: "iom-morocco", agent: "iom-morocco-1")
        }
        #expect(error?.code == .wrongOwner)
    }

    @Test func aStateFileOpenInOneAgentIsRefusedToASecond() throws {
        let path = try temporaryDirectory().appendingPathComponent("agent.sqlite").path
        let running = try AgentStore(path: path)
        _ = try running.load(agency: "iom-morocco", agent: "iom-morocco-1")
        let error = #expect(throws: AgentStoreError.self) {
            _ = try AgentStore(path: path).load(agency: "iom-morocco", agent: "iom-morocco-1")
        }
        #expect(error?.code == .inUse)
        #expect(try running.contents().starts == 1)
    }

    @Test func withoutAPathTheStateLivesInMemory() throws {
        let store = try AgentStore(path: nil)
        _ = try store.load(agency: "iom-morocco", agent: "iom-morocco-1")
        try store.commit(.init(cursor: StreamCursor(hub: "main", sequence: 3)))
        #expect(try store.contents().cursor?.sequence == 3)
        #expect(try AgentStore(path: nil).contents().cursor == nil)
    }
}
