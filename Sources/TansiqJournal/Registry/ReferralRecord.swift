import Foundation
import TansiqMessages

/// What the hub knows of one referral it accepted: its parties, what it is for, its deadlines
/// and consent scope, where it stands, and where in the stream it was created and last changed.
/// One row of the registry table, written in the same transaction as the journal.
public struct ReferralRecord: Sendable, Equatable, Codable {
    public var referralId: UUID
    public var referrer: String
    /// The addressed receiver, or the claimant of an open referral once it claimed it.
    public var receiver: String?
    /// Whether it was sent open to the category's providers.
    public var open: Bool
    public var category: ServiceCategory
    public var priority: Priority
    public var acknowledgeBy: Date
    public var decideBy: Date
    public var followUpOn: Date
    public var consentScope: [Referral.Consent.Scope]
    public var state: ReferralState
    /// The stream sequence of the message that created it.
    public var createdSequence: UInt64
    /// The stream sequence of its last change (its creation, a move or an escalation).
    public var lastSequence: UInt64
    /// When the hub recorded the last change, on the hub's clock.
    public var updatedAt: Date
    /// The deadlines the hub escalated, each once.
    public var escalated: [Escalation.Deadline]
    /// The coordinator's acknowledgements of those escalations (1.2), at most one per deadline.
    public var acknowledgements: [EscalationAcknowledgementRecord] = []
    /// When the hub accepted it, on the hub's clock (`nil` for records written before 1.2).
    public var createdAt: Date?
    /// When the receiver acknowledged it (`received`), decided (`accepted` or `rejected`), and
    /// when it reached a final state; on the hub's clock.
    public var receivedAt: Date?
    public var decidedAt: Date?
    public var closedAt: Date?
    /// The coded reason of the move that closed it (a rejection's, a failure's, a cancellation's).
    public var closeReason: String?
    /// A digest of the creating message's body (``digest(_:_:)``: XXH64, or FNV-1a in records an
    /// earlier hub stored): a re-publication must be byte for byte the same.
    package var bodyDigest: UInt64 = 0

    package init(
        referralId: UUID, referrer: String, receiver: String?, open: Bool, category: ServiceCategory, priority: Priority,
        acknowledgeBy: Date, decideBy: Date, followUpOn: Date, consentScope: [Referral.Consent.Scope], state: ReferralState,
        createdSequence: UInt64, lastSequence: UInt64, updatedAt: Date, escalated: [Escalation.Deadline],
        acknowledgements: [EscalationAcknowledgementRecord] = [], createdAt: Date? = nil, receivedAt: Date? = nil,
        decidedAt: Date? = nil, closedAt: Date? = nil, closeReason: String? = nil, bodyDigest: UInt64 = 0
    ) {
        self.referralId = referralId
        self.referrer = referrer
        self.receiver = receiver
        self.open = open
        self.category = category
        self.priority = priority
        self.acknowledgeBy = acknowledgeBy
        self.decideBy = decideBy
        self.followUpOn = followUpOn
        self.consentScope = consentScope
        self.state = state
        self.createdSequence = createdSequence
        self.lastSequence = lastSequence
        self.updatedAt = updatedAt
        self.escalated = escalated
        self.acknowledgements = acknowledgements
        self.createdAt = createdAt
        self.receivedAt = receivedAt
        self.decidedAt = decidedAt
        self.closedAt = closedAt
        self.closeReason = closeReason
        self.bodyDigest = bodyDigest
    }

    private enum CodingKeys: String, CodingKey {
        case referralId, referrer, receiver, open, category, priority, acknowledgeBy, decideBy, followUpOn
        case consentScope, state, createdSequence, lastSequence, updatedAt, escalated
        case acknowledgements, createdAt, receivedAt, decidedAt, closedAt, closeReason
    }

    /// Encodes every field but the digest, the id in lower case as on the wire.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(referralId.uuidString.lowercased(), forKey: .referralId)
        try container.encode(referrer, forKey: .referrer)
        try container.encodeIfPresent(receiver, forKey: .receiver)
        try container.encode(open, forKey: .open)
        try container.encode(category, forKey: .category)
        try container.encode(priority, forKey: .priority)
        try container.encode(acknowledgeBy, forKey: .acknowledgeBy)
        try container.encode(decideBy, forKey: .decideBy)
        try container.encode(followUpOn, forKey: .followUpOn)
        try container.encode(consentScope, forKey: .consentScope)
        try container.encode(state, forKey: .state)
        try container.encode(createdSequence, forKey: .createdSequence)
        try container.encode(lastSequence, forKey: .lastSequence)
        try container.encode(updatedAt, forKey: .updatedAt)
        try container.encode(escalated, forKey: .escalated)
        try container.encode(acknowledgements, forKey: .acknowledgements)
        try container.encodeIfPresent(createdAt, forKey: .createdAt)
        try container.encodeIfPresent(receivedAt, forKey: .receivedAt)
        try container.encodeIfPresent(decidedAt, forKey: .decidedAt)
        try container.encodeIfPresent(closedAt, forKey: .closedAt)
        try container.encodeIfPresent(closeReason, forKey: .closeReason)
    }

    /// The escalated deadlines the coordinator has not acknowledged yet.
    public var unacknowledgedEscalations: [Escalation.Deadline] {
        escalated.filter { deadline in !acknowledgements.contains { $0.deadline == deadline } }
    }

    /// Notes a move the hub accepted at `now`: the times the facts are computed from.
    package mutating func noteMove(to state: ReferralState, reason: String?, at now: Date) {
        switch state {
        case .received: if receivedAt == nil { receivedAt = now }
        case .accepted, .rejected: if decidedAt == nil { decidedAt = now }
        default: break
        }
        if state.isTerminal {
            closedAt = now
            closeReason = reason
        }
    }

    public var isClosed: Bool { state.isTerminal }

    /// Whether the consent scope lets the referral's body reach the coordinator.
    public var sharesWithCoordinator: Bool { consentScope.contains(.shareWithCoordinator) }

    /// The de-identified view the hub publishes on `hub/view/<category>/<referrer>`.
    public var view: ReferralView {
        ReferralView(
            referralId: referralId, referrer: referrer, receiver: receiver, open: open, category: category, priority: priority,
            state: state, acknowledgeBy: acknowledgeBy, decideBy: decideBy, followUpOn: followUpOn, updatedAt: updatedAt)
    }

    /// When `deadline` falls.
    package func due(_ deadline: Escalation.Deadline) -> Date {
        switch deadline {
        case .acknowledge: acknowledgeBy
        case .decide: decideBy
        case .followUp: followUpOn
        }
    }

    /// Whether missing `deadline` still calls for an escalation in the current state.
    package func awaits(_ deadline: Escalation.Deadline) -> Bool {
        guard !escalated.contains(deadline) else { return false }
        switch deadline {
        case .acknowledge: return state == .requested
        case .decide: return state == .requested || state == .received
        case .followUp: return !state.isTerminal
        }
    }
}
