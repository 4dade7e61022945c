import Foundation
import TansiqMessages

/// A referral an agent takes part in, with its lifecycle state as this agent knows it.
public struct TrackedReferral: Sendable, Equatable {
    /// This agent's part in the referral.
    public enum Part: String, Sendable, Equatable, Codable, CaseIterable {
        /// This agency sent it.
        case referrer
        /// It was addressed to this agency, or this agency claimed it from the open pool.
        case receiver
        /// The coordinator, watching.
        case observer
    }

    /// One move of the referral this agent applied.
    public struct Transition: Sendable, Hashable, Codable {
        /// The state left.
        public var from: ReferralState
        /// The state reached.
        public var to: ReferralState
        /// The agency that made the move.
        public var by: String

        /// Creates a transition.
        public init(from: ReferralState, to: ReferralState, by: String) {
            self.from = from
            self.to = to
            self.by = by
        }
    }

    /// The referral as it was sent.
    public var referral: Referral
    /// This agent's part in it.
    public var part: Part
    /// The current state.
    public var state: ReferralState
    /// The agency that answers it: the addressee, or for an open referral the provider it was assigned to.
    public var receiver: String?
    /// When the state last changed (agent clock).
    public var updatedAt: Date
    /// Whether it ever reached `accepted` (and so held the receiver's capacity).
    public var wasAccepted = false
    /// The deadlines already escalated, so that each is raised once.
    public var escalated: Set<Escalation.Deadline> = []
    /// The id of the message that carried the referral: the referrer's first publication, or
    /// the one this agent received. A re-publication names it as its cause.
    public var messageID: UUID?
    /// When the referrer first published it (agent clock).
    public var sentAt: Date?
    /// How many times the referrer published it again for want of a `received`.
    public var republished = 0
    /// The moves applied, in order: a status seen twice is recognised and not applied again.
    public var transitions: [Transition] = []
    /// The status changes this agent published on it, in order: what a duplicate referral is
    /// answered with.
    public var published: [ReferralStatusUpdate] = []
    /// When the receiving behaviour's next step on it is due (agent clock), so that a
    /// restarted agent carries on at the planned time.
    public var nextStepAt: Date?
    /// Every status change applied, as it was made (who, when, why): the trail a desk shows.
    public var history: [ReferralStatusUpdate] = []
    /// The last move of ours the hub refused, and why: shown to the worker who made it.
    public var refusal: Refusal?

    /// A move of this agency the hub refused; the referral went back to the hub's state.
    public struct Refusal: Sendable, Equatable, Codable {
        /// The state the refused move would have reached.
        public var state: ReferralState
        /// The hub's reason.
        public var reason: HubRejection.Reason
        /// The hub's explanation (never a personal value).
        public var message: String
        /// When the refusal came (agent clock).
        public var at: Date

        public init(state: ReferralState, reason: HubRejection.Reason, message: String, at: Date) {
            self.state = state
            self.reason = reason
            self.message = message
            self.at = at
        }
    }

    /// Whether the referral has reached a final state.
    public var isFinal: Bool { state.isTerminal }

    /// Whether `update` is a move already applied, seen again (a replay, a re-sent status).
    public func hasApplied(_ update: ReferralStatusUpdate) -> Bool {
        state != update.previousState
            && transitions.contains(Transition(from: update.previousState, to: update.state, by: update.changedBy))
    }
}

/// The referrals an agent takes part in, keyed by referral id; every change goes through the
/// lifecycle table, so an illegal move is refused here as it would be anywhere.
///
/// The book remembers which referrals changed since its agent last saved it, so that the
/// agent writes them to its ``AgentStore`` in the same transaction as the hub sequence that
/// caused them.
///
/// Given an ``Archive`` (the agent's store), the book lets go of a referral once it is final,
/// saved and has no step planned, and reads it back from the store when it is asked for
/// again: an agent's memory holds the referrals in progress, not every referral it ever took
/// part in.
public final class ReferralBook {
    /// Where the book reads back the final referrals it let go of.
    struct Archive {
        /// The saved referral with this id (nil if it cannot be read).
        var referral: (UUID) -> TrackedReferral?
        /// The saved final referrals of these parts.
        var final: (Set<TrackedReferral.Part>) -> [TrackedReferral]
    }

    private var referrals: [UUID: TrackedReferral]
    private let archive: Archive?
    /// The saved referrals let go of: final, with nothing planned.
    private var archived: Set<UUID> = []
    private var processed: Set<UUID>
    private var changed: Set<UUID> = []
    private var newlyProcessed: [UUID: Date] = [:]
    /// The referrals this agency sent that no receiver has acknowledged yet (part `referrer`,
    /// state `requested`): what the deadline check looks at, without walking the whole book.
    private var unacknowledged: Set<UUID> = []

    /// Creates an empty book.
    public init() {
        referrals = [:]
        processed = []
        archive = nil
    }

    /// A book holding what an agent saved before; with an `archive`, only the referrals still
    /// in progress stay in memory.
    init(restoring saved: [TrackedReferral], processed: Set<UUID>, archive: Archive? = nil) {
        self.archive = archive
        var held: [UUID: TrackedReferral] = [:]
        for tracked in saved {
            let id = tracked.referral.referralId
            if archive != nil, Self.canLetGo(tracked) {
                held[id] = nil
                archived.insert(id)
            } else {
                held[id] = tracked
                archived.remove(id)
            }
        }
        referrals = held
        self.processed = processed
        unacknowledged = Set(referrals.values.filter(Self.isUnacknowledged).map(\.referral.referralId))
    }

    /// Whether a saved referral can live in the store alone: final, and nothing planned on it.
    private static func canLetGo(_ tracked: TrackedReferral) -> Bool {
        tracked.isFinal && tracked.nextStepAt == nil && !isUnacknowledged(tracked)
    }

    private static func isUnacknowledged(_ tracked: TrackedReferral) -> Bool {
        tracked.part == .referrer && tracked.state == .requested
    }

    /// Puts `tracked` in the book, keeping the unacknowledged ones' index.
    private func store(_ tracked: TrackedReferral) {
        let id = tracked.referral.referralId
        referrals[id] = tracked
        archived.remove(id)
        if Self.isUnacknowledged(tracked) { unacknowledged.insert(id) } else { unacknowledged.remove(id) }
        changed.insert(id)
    }

    /// The referrals this agency sent that nobody has acknowledged yet, oldest first (by the
    /// time sent, then id), so that what is published again goes out in one order every run.
    var unacknowledgedReferrals: [TrackedReferral] {
        unacknowledged.compactMap { referrals[$0] }.sorted {
            ($0.sentAt ?? $0.updatedAt, $0.referral.referralId.uuidString) < ($1.sentAt ?? $1.updatedAt, $1.referral.referralId.uuidString)
        }
    }

    /// The referral with this id, if the agent takes part in it (read back from the store
    /// when the book let go of it).
    public subscript(id: UUID) -> TrackedReferral? {
        if let tracked = referrals[id] { return tracked }
        guard archived.contains(id) else { return nil }
        return archive?.referral(id)
    }

    /// Whether the agent takes part in the referral with this id.
    public func contains(_ id: UUID) -> Bool {
        referrals[id] != nil || archived.contains(id)
    }

    /// Every tracked referral of `parts`, the final ones read back from the store (only the
    /// rows of those parts are opened): for a desk's lists and a restart, not for each message
    /// (see ``held``).
    public func all(in parts: Set<TrackedReferral.Part> = Set(TrackedReferral.Part.allCases)) -> [TrackedReferral] {
        let held = referrals.values.filter { parts.contains($0.part) }
        guard let archive, !archived.isEmpty else { return held }
        let saved = archive.final(parts).filter { archived.contains($0.referral.referralId) && referrals[$0.referral.referralId] == nil }
        return held + saved
    }

    /// The referrals in memory: every one in progress or with a step planned, and those that
    /// became final since the last save. Every referral that is not here is final.
    public var held: Dictionary<UUID, TrackedReferral>.Values { referrals.values }

    /// How many referrals are tracked.
    public var count: Int { referrals.count + archived.count }

    /// Records a referral once; returns false if it was already known (a duplicate delivery).
    @discardableResult
    public func record(_ referral: Referral, part: TrackedReferral.Part, at time: Date, messageID: UUID? = nil) -> Bool {
        guard !contains(referral.referralId) else { return false }
        store(TrackedReferral(
            referral: referral,
            part: part,
            state: .requested,
            receiver: referral.receivingAgency,
            updatedAt: time,
            messageID: messageID,
            sentAt: part == .referrer ? time : nil
        ))
        return true
    }

    /// Applies a status change after checking it against the lifecycle and the tracked state.
    /// Returns the updated referral; throws a `ProtocolError` for an illegal or stale move.
    @discardableResult
    public func apply(_ update: ReferralStatusUpdate) throws -> TrackedReferral {
        guard var tracked = self[update.referralId] else {
            throw ProtocolError(.invalidValue, "unknown referral \(update.referralId.uuidString.lowercased())", keyPath: "body.referralId")
        }
        guard tracked.state == update.previousState else {
            throw ProtocolError(
                .illegalTransition,
                "referral \(update.referralId.uuidString.lowercased()) is \(tracked.state.rawValue), not \(update.previousState.rawValue)",
                keyPath: "body.previousState"
            )
        }
        let actor: ReferralActor = update.changedBy == tracked.referral.referringAgency ? .referrer : .receiver
        try ReferralLifecycle.transition(from: tracked.state, to: update.state, by: actor)
        tracked.transitions.append(.init(from: tracked.state, to: update.state, by: update.changedBy))
        tracked.history.append(update)
        tracked.state = update.state
        if update.state == .accepted { tracked.wasAccepted = true }
        tracked.updatedAt = update.changedAt
        if actor == .receiver, tracked.receiver == nil { tracked.receiver = update.changedBy }
        store(tracked)
        return tracked
    }

    /// Takes back this agency's own latest moves on a referral until it is in `state` again, the
    /// state the hub recorded: a move the hub refused, or one overtaken by the other party's move
    /// that the hub forwarded first. Only moves of `agency` are taken back, and only if one of
    /// them leads out of `state`; returns the moves taken back, latest first (none: unchanged).
    @discardableResult
    func rewind(_ id: UUID, to state: ReferralState, by agency: String) -> [ReferralStatusUpdate] {
        guard var tracked = self[id], tracked.state != state else { return [] }
        var undone: [ReferralStatusUpdate] = []
        while tracked.state != state {
            guard let last = tracked.history.last, last.changedBy == agency, last.state == tracked.state,
                  tracked.transitions.last == TrackedReferral.Transition(from: last.previousState, to: last.state, by: last.changedBy)
            else { return [] }
            tracked.history.removeLast()
            tracked.transitions.removeLast()
            if let index = tracked.published.lastIndex(of: last) { tracked.published.remove(at: index) }
            tracked.state = last.previousState
            undone.append(last)
        }
        // `wasAccepted` stays: the capacity was held by this agent and is given back at the end.
        tracked.updatedAt = undone.last?.changedAt ?? tracked.updatedAt
        store(tracked)
        return undone
    }

    /// Records (or clears) the hub's refusal of a move of ours.
    func noteRefusal(_ id: UUID, _ refusal: TrackedReferral.Refusal?) {
        update(id) { $0.refusal = refusal }
    }

    /// Sets who answers an open referral.
    public func assign(_ id: UUID, to receiver: String) {
        update(id) { $0.receiver = receiver }
    }

    /// Marks a deadline as escalated.
    public func markEscalated(_ id: UUID, _ deadline: Escalation.Deadline) {
        update(id) { $0.escalated.insert(deadline) }
    }

    /// Sets the id of the message that first carried a referral.
    func setMessageID(_ id: UUID, _ messageID: UUID) {
        update(id) { $0.messageID = messageID }
    }

    /// Counts one more publication of a referral this agency sent.
    func markRepublished(_ id: UUID) {
        update(id) { $0.republished += 1 }
    }

    /// Remembers a status change this agent published.
    func recordPublished(_ status: ReferralStatusUpdate) {
        update(status.referralId) { $0.published.append(status) }
    }

    /// Sets when the receiving behaviour's next step on a referral is due (nil: none planned).
    public func setNextStep(_ id: UUID, at time: Date?) {
        update(id) { $0.nextStepAt = time }
    }

    /// Whether this agent already processed the referral as its receiver.
    public func isProcessed(_ id: UUID) -> Bool {
        processed.contains(id)
    }

    /// Notes that the referral was processed as its receiver: a later copy is a duplicate.
    func markProcessed(_ id: UUID, at time: Date) {
        if processed.insert(id).inserted { newlyProcessed[id] = time }
    }

    private func update(_ id: UUID, _ change: (inout TrackedReferral) -> Void) {
        guard var tracked = self[id] else { return }
        change(&tracked)
        store(tracked)
    }

    // MARK: Saving

    /// What changed since the last ``clearChanges()``.
    var pendingChanges: (referrals: [TrackedReferral], processed: [UUID: Date]) {
        (changed.compactMap { referrals[$0] }, newlyProcessed)
    }

    /// Whether anything changed since the last save.
    var hasChanges: Bool { !changed.isEmpty || !newlyProcessed.isEmpty }

    /// Forgets the changes once they are saved, and lets go of the referrals they made final.
    func clearChanges() {
        if archive != nil {
            for id in changed {
                guard let tracked = referrals[id], Self.canLetGo(tracked) else { continue }
                referrals[id] = nil
                archived.insert(id)
            }
        }
        changed.removeAll(keepingCapacity: true)
        newlyProcessed.removeAll(keepingCapacity: true)
    }
}
