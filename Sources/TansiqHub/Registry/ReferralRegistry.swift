import Foundation
import HeapModule
import TansiqMessages

/// The hub's registry of every referral it accepted: the one source of truth for who may move
/// a referral and how, and for its deadlines.
///
/// The loop checks every referral, status and escalation against it before numbering them.
/// Changes take effect at once (a later message of the same round sees them) and are kept as
/// pending until the round is stored: `commit()` when the journal took the batch (the changed
/// records were written in the same transaction), `rollback()` when it refused it. While one
/// batch is being stored on the journal's writer thread its changes are detached
/// (`detachPending()`) and the next round's are pending on top of them. Owned by the loop's thread.
final class ReferralRegistry {
    let rules: RegistryRules
    private var records: [UUID: ReferralRecord] = [:]
    /// The records as they were before this round's changes (`nil`: created this round).
    private var originals: [UUID: ReferralRecord?] = [:]
    private var deadlines = Heap<DueDeadline>()

    private struct DueDeadline: Comparable {
        var due: Date
        var referral: UUID
        var deadline: Escalation.Deadline

        static func < (lhs: Self, rhs: Self) -> Bool { lhs.due < rhs.due }
        static func == (lhs: Self, rhs: Self) -> Bool { lhs.due == rhs.due && lhs.referral == rhs.referral && lhs.deadline == rhs.deadline }
    }

    init(rules: RegistryRules, records loaded: [ReferralRecord] = []) {
        self.rules = rules
        records.reserveCapacity(loaded.count)
        var due: [DueDeadline] = []
        for record in loaded {
            records[record.referralId] = record
            due += dueDeadlines(of: record)
        }
        // Heapified at once, in linear time.
        deadlines = Heap(due)
    }

    var count: Int { records.count }
    /// Deadlines queued for the watch (some of them stale: skipped when they come due).
    var watchedDeadlines: Int { deadlines.count }
    var openCount: Int { records.values.count { !$0.isClosed } }

    subscript(id: UUID) -> ReferralRecord? { records[id] }

    /// Records a new or changed referral; it is pending until the round is stored.
    func put(_ record: ReferralRecord) {
        let id = record.referralId
        if originals.index(forKey: id) == nil { originals[id] = .some(records[id]) }
        let isNew = records[id] == nil
        records[id] = record
        if isNew { schedule(record) }
    }

    /// Notes the stream sequence of the message that made a pending change.
    func stamp(_ id: UUID, sequence: UInt64) {
        guard var record = records[id] else { return }
        if record.createdSequence == 0 { record.createdSequence = sequence }
        record.lastSequence = sequence
        records[id] = record
    }

    /// The records changed since the last commit or rollback, as they are now.
    var pending: [ReferralRecord] { originals.keys.compactMap { records[$0] } }

    var hasPending: Bool { !originals.isEmpty }

    func commit() { originals.removeAll(keepingCapacity: true) }

    /// Restores the records changed since the last commit, and their deadlines.
    func rollback() {
        rollback(Changes(originals: originals))
        originals.removeAll(keepingCapacity: true)
    }

    /// The changes of a batch handed to the journal's writer thread: what `rollback(_:)` needs
    /// to undo them if the journal refuses it.
    struct Changes {
        fileprivate var originals: [UUID: ReferralRecord?]
        /// Nothing to undo (a hub without a journal commits at once).
        static let none = Changes(originals: [:])
    }

    /// Ends the pending changes without committing them: they travel with their batch, and the
    /// changes made from now on are pending on top of them.
    func detachPending() -> Changes {
        defer { originals = [:] }
        return Changes(originals: originals)
    }

    /// Restores the records a detached batch changed, as they were before it. Call `rollback()`
    /// first: the changes made since went on top of these.
    func rollback(_ changes: Changes) {
        for (id, original) in changes.originals {
            records[id] = original
            if let original { schedule(original) }
        }
    }

    /// Forgets closed referrals last changed before `cutoff`; returns their ids.
    func purgeClosed(before cutoff: Date) -> [UUID] {
        let expired = records.values.filter { $0.isClosed && $0.updatedAt < cutoff && originals.index(forKey: $0.referralId) == nil }
            .map(\.referralId)
        for id in expired { records[id] = nil }
        return expired
    }

    private func schedule(_ record: ReferralRecord) {
        for entry in dueDeadlines(of: record) { deadlines.insert(entry) }
    }

    private func dueDeadlines(of record: ReferralRecord) -> [DueDeadline] {
        guard rules.watchesDeadlines, !record.isClosed else { return [] }
        return Escalation.Deadline.allCases.filter { record.awaits($0) }.map {
            DueDeadline(due: record.due($0), referral: record.referralId, deadline: $0)
        }
    }

    /// The deadlines passed by `now` that still call for an escalation, earliest first; each
    /// is returned once (the caller marks it escalated with `put`).
    func passedDeadlines(at now: Date) -> [(record: ReferralRecord, deadline: Escalation.Deadline)] {
        var passed: [(ReferralRecord, Escalation.Deadline)] = []
        while let first = deadlines.min, first.due < now {
            deadlines.removeMin()
            guard let record = records[first.referral], record.awaits(first.deadline) else { continue }
            passed.append((record, first.deadline))
        }
        return passed
    }

    /// Every record, for queries.
    var all: Dictionary<UUID, ReferralRecord>.Values { records.values }
}
