import Foundation
import Logging
@testable import TansiqAgent
import TansiqMessages
import TansiqVault
import Testing

/// A book over a real, sealed state file lets go of what is final and reads it back.
@Suite("Referral book over its state file")
struct ReferralBookArchiveTests {
    static let receiver = "health-delegation-agadir"
    static let start = Date(timeIntervalSince1970: 1_795_000_000)

    /// A sealed store on a fresh file, loaded for the health delegation's agent.
    static func store(at path: String, key: MasterKey) throws -> (AgentStore, AgentStore.Contents) {
        let store = try AgentStore(path: path, masterKey: key)
        return (store, try store.load(agency: receiver, agent: "\(receiver)-1"))
    }

    static func book(over store: AgentStore, _ saved: AgentStore.Contents) -> ReferralBook {
        ReferralBook(restoring: saved.referrals, processed: saved.processed, archive: store.archive(logger: Logger(label: "test.book")))
    }

    /// The receiver's moves, one second apart, up to `last`.
    static func move(_ book: ReferralBook, _ referral: Referral, through last: ReferralState) throws {
        let path: [ReferralState] = [.requested, .received, .accepted, .inProgress, .completed]
        for (offset, (from, to)) in zip(path, path.dropFirst()).enumerated() {
            try book.apply(ReferralStatusUpdate(
                referralId: referral.referralId, state: to, previousState: from, changedBy: receiver,
                changedAt: start.addingTimeInterval(Double(offset + 1)),
                outcome: to == .completed ? .init(successful: true, code: .serviceProvided) : nil))
            if to == last { return }
        }
    }

    /// Saves what changed, as the agent does after each message.
    static func save(_ book: ReferralBook, to store: AgentStore) throws {
        let pending = book.pendingChanges
        try store.commit(.init(referrals: pending.referrals, processed: pending.processed))
        book.clearChanges()
    }

    /// A book over a fresh sealed file, with one referral it received and completed, not yet saved.
    static func completedReferral() throws -> (AgentStore, ReferralBook, Referral) {
        let path = try temporaryDirectory().appendingPathComponent("agent.sqlite").path
        let (store, saved) = try store(at: path, key: MasterKey.generate())
        let book = book(over: store, saved)
        let referral = sampleReferral(to: receiver)
        book.record(referral, part: .receiver, at: start)
        try move(book, referral, through: .completed)
        return (store, book, referral)
    }

    @Test func aCompletedReferralLeavesMemoryOnceSavedAndIsReadBackWhole() throws {
        let path = try temporaryDirectory().appendingPathComponent("agent.sqlite").path
        let (store, saved) = try Self.store(at: path, key: MasterKey.generate())
        let book = Self.book(over: store, saved)
        let done = sampleReferral(to: Self.receiver)
        let open = sampleReferral(to: Self.receiver)
        book.record(done, part: .receiver, at: Self.start, messageID: UUID())
        book.record(open, part: .receiver, at: Self.start, messageID: UUID())
        try Self.move(book, done, through: .completed)
        try Self.move(book, open, through: .accepted)
        let completed = try #require(book[done.referralId])
        // Final but not yet saved: still held, so that the save writes it.
        #expect(book.held.count == 2)

        try Self.save(book, to: store)
        #expect(book.held.map(\.referral.referralId) == [open.referralId])
        #expect(book.count == 2)
        #expect(book.contains(done.referralId))
        #expect(book[done.referralId] == completed)
        #expect(Set(book.all().map(\.referral.referralId)) == [done.referralId, open.referralId])
        #expect(book.all(in: [.referrer, .observer]).isEmpty)
        // A copy delivered again is known, not recorded as new.
        #expect(!book.record(done, part: .receiver, at: Self.start.addingTimeInterval(60)))
        #expect(!book.hasChanges)
        // A status seen again is recognised from the stored trail.
        let replayed = ReferralStatusUpdate(
            referralId: done.referralId, state: .completed, previousState: .inProgress, changedBy: Self.receiver,
            changedAt: Self.start.addingTimeInterval(4), outcome: .init(successful: true, code: .serviceProvided))
        #expect(book[done.referralId]?.hasApplied(replayed) == true)
    }

    @Test func aFinalReferralWithAStepPlannedStaysHeld() throws {
        let (store, book, referral) = try Self.completedReferral()
        book.setNextStep(referral.referralId, at: Self.start.addingTimeInterval(60))
        try Self.save(book, to: store)
        #expect(book.held.count == 1)

        book.setNextStep(referral.referralId, at: nil)
        try Self.save(book, to: store)
        #expect(book.held.isEmpty && book.count == 1)
    }

    @Test func aRefusedFinalMoveIsTakenBackOnTheReferralReadFromTheFile() throws {
        let (store, book, referral) = try Self.completedReferral()
        try Self.save(book, to: store)
        #expect(book.held.isEmpty)

        // The hub refused the completion: the book goes back to its record, and holds it again.
        #expect(book.rewind(referral.referralId, to: .inProgress, by: Self.receiver).map(\.state) == [.completed])
        #expect(book.held.map(\.state) == [.inProgress])
        #expect(book.pendingChanges.referrals.map(\.state) == [.inProgress])
        try Self.save(book, to: store)
        #expect(try store.savedReferral(referral.referralId)?.state == .inProgress)
        #expect(book.held.count == 1)
    }

    @Test func aRestartedBookHoldsOnlyWhatIsInProgress() throws {
        let path = try temporaryDirectory().appendingPathComponent("agent.sqlite").path
        let key = MasterKey.generate()
        let done = sampleReferral(to: Self.receiver)
        let open = sampleReferral(to: Self.receiver)
        do {
            let (store, saved) = try Self.store(at: path, key: key)
            // Without an archive the book keeps everything, as before.
            let book = ReferralBook(restoring: saved.referrals, processed: saved.processed)
            book.record(done, part: .receiver, at: Self.start)
            book.record(open, part: .receiver, at: Self.start)
            try Self.move(book, done, through: .completed)
            try Self.save(book, to: store)
            #expect(book.held.count == 2)
        }
        let (store, saved) = try Self.store(at: path, key: key)
        #expect(saved.referrals.count == 2)
        let book = Self.book(over: store, saved)
        #expect(book.held.map(\.referral.referralId) == [open.referralId])
        #expect(book.count == 2)
        #expect(book[done.referralId]?.state == .completed)
    }
}
