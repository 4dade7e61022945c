import Foundation
import TansiqAgent
import TansiqMessages
import TansiqVault
import Testing

@Suite("Agent state file at rest", .serialized)
struct AgentStorePrivacyTests {
    @Test func referralContentIsSealedTheFileIsTheOwnersAndACaseCanBeForgotten() throws {
        let previous = umask(0o022)
        defer { umask(previous) }
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let path = root.appendingPathComponent("agents/iom/state.sqlite").path
        let key = MasterKey.generate()
        var kept = sampleReferral(to: "health-delegation-agadir")
        kept.caseReference = "AGA-2026-0077"
        kept.note = "Appointment at the Anza health centre."
        var closed = sampleReferral(to: "health-delegation-agadir", category: .mhpss)
        closed.caseReference = "AGA-2026-0042"
        do {
            let store = try AgentStore(path: path, masterKey: key)
            _ = try store.load(agency: "iom-morocco", agent: "iom-morocco-1")
            try store.commit(.init(
                referrals: [AgentStoreTests.tracked(kept), AgentStoreTests.tracked(closed)],
                processed: [closed.referralId: Date()]))
            #expect(PrivateFiles.mode(of: path) == 0o600)
            #expect(PrivateFiles.mode(of: path + "-wal") == 0o600)
            #expect(PrivateFiles.mode(of: root.appendingPathComponent("agents/iom").path) == 0o700)
            #expect(PrivateFiles.mode(of: root.appendingPathComponent("agents").path) == 0o700)
            for suffix in ["", "-wal"] {
                let bytes = Array(FileManager.default.contents(atPath: path + suffix) ?? Data())
                for value in ["AGA-2026-0077", "AGA-2026-0042", "Anza", "medical-consultation", "psychological-distress", "caseworker-1"] {
                    #expect(!bytes.contains(subsequence: value), "state\(suffix) holds \(value)")
                }
            }
            // A case is closed: the agent forgets it.
            try store.forget(referrals: [closed.referralId])
            let contents = try store.contents()
            #expect(contents.referrals.map(\.referral) == [kept])
            #expect(contents.processed == [closed.referralId])
        }
        let reopened = try AgentStore(path: path, masterKey: key)
        #expect(try reopened.contents().referrals.map(\.referral) == [kept])
        #expect(throws: AgentStoreError.self) { _ = try AgentStore(path: path, masterKey: MasterKey.generate()) }
    }
}

@Suite("Agent outbox at rest", .serialized)
struct AgentOutboxPrivacyTests {
    @Test func anOutboxReferralIsSealedUntilConfirmedAndDroppedWhenItsCaseIsForgotten() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let path = root.appendingPathComponent("state.sqlite").path
        let key = MasterKey.generate()
        var referral = sampleReferral(to: "health-delegation-agadir")
        referral.caseReference = "AGA-2026-0099"
        referral.note = "Appointment at the Anza health centre."
        let envelope = Envelope(
            topic: try Topic.referral(to: "health-delegation-agadir", category: .health), source: "iom-morocco", agent: "iom-morocco-1",
            payload: .referral(referral), correlationID: referral.referralId)
        let frames = try MessageCodec.encode(envelope)
        let pending = ConfirmedPublisher.Pending(id: envelope.header.id, frames: frames, correlationID: referral.referralId)
        do {
            let store = try AgentStore(path: path, masterKey: key)
            _ = try store.load(agency: "iom-morocco", agent: "iom-morocco-1")
            var changes = AgentStore.Changes()
            changes.outboxAdded = [pending]
            try store.commit(changes)
            for suffix in ["", "-wal"] {
                let bytes = Array(FileManager.default.contents(atPath: path + suffix) ?? Data())
                for value in ["AGA-2026-0099", "Anza", "medical-consultation"] {
                    #expect(!bytes.contains(subsequence: value), "state\(suffix) holds \(value) in its outbox")
                }
            }
            // Re-sent after a restart with the very bytes first sent.
            #expect(try store.contents().outbox.map(\.frames) == [frames])
            try store.forget(referrals: [referral.referralId])
            #expect(try store.contents().outbox.isEmpty)
        }
    }
}

extension Array where Element == UInt8 {
    func contains(subsequence text: String) -> Bool {
        let needle = Array(text.utf8)
        guard !needle.isEmpty, count >= needle.count else { return false }
        return (0...(count - needle.count)).contains { self[$0..<($0 + needle.count)].elementsEqual(needle) }
    }
}
