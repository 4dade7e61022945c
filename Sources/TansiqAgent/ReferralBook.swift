import Foundation
import TansiqMessages

/// A referral an agent takes part in, with its lifecycle state as this agent knows it.
public struct TrackedReferral: Sendable, Equatable {
    /// This agent's part in the referral.
    public enum Part: String, Sendable, Equatable {
        /// This agency sent it.
        case referrer
        /// It was addressed to this agency, or this agency claimed it from the open pool.
        case receiver
        /// The coordinator, watching.
        case observer
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

    /// Whether the referral has reached a final state.
    public var isFinal: Bool { state.isTerminal }
}

/// The referrals an agent takes part in, keyed by referral id; every change goes through the
/// lifecycle table, so an illegal move is refused here as it would be anywhere.
public final class ReferralBook {
    private var referrals: [UUID: TrackedReferral] = [:]

    /// Creates an empty book.
    public init() {}

    /// The referral with this id, if the agent takes part in it.
    public subscript(id: UUID) -> TrackedReferral? {
        referrals[id]
    }

    /// Every tracked referral.
    public var all: Dictionary<UUID, TrackedReferral>.Values { referrals.values }

    /// How many referrals are tracked.
    public var count: Int { referrals.count }

    /// Records a referral once; returns false if it was already known (a duplicate delivery).
    @discardableResult
    public func record(_ referral: Referral, part: TrackedReferral.Part, at time: Date) -> Bool {
        guard referrals[referral.referralId] == nil else { return false }
        referrals[referral.referralId] = TrackedReferral(
            referral: referral,
            part: part,
            state: .requested,
            receiver: referral.receivingAgency,
            updatedAt: time
        )
        return true
    }

    /// Applies a status change after checking it against the lifecycle and the tracked state.
    /// Returns the updated referral; throws a `ProtocolError` for an illegal or stale move.
    @discardableResult
    public func apply(_ update: ReferralStatusUpdate) throws -> TrackedReferral {
        guard var tracked = referrals[update.referralId] else {
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
        tracked.state = update.state
        if update.state == .accepted { tracked.wasAccepted = true }
        tracked.updatedAt = update.changedAt
        if actor == .receiver, tracked.receiver == nil { tracked.receiver = update.changedBy }
        referrals[update.referralId] = tracked
        return tracked
    }

    /// Sets who answers an open referral.
    public func assign(_ id: UUID, to receiver: String) {
        referrals[id]?.receiver = receiver
    }

    /// Marks a deadline as escalated.
    public func markEscalated(_ id: UUID, _ deadline: Escalation.Deadline) {
        referrals[id]?.escalated.insert(deadline)
    }
}
