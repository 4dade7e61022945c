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
    /// A digest of the creating message's body: a re-publication must be byte for byte the same.
    var bodyDigest: UInt64 = 0

    private enum CodingKeys: String, CodingKey {
        case referralId, referrer, receiver, open, category, priority, acknowledgeBy, decideBy, followUpOn
        case consentScope, state, createdSequence, lastSequence, updatedAt, escalated
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
    func due(_ deadline: Escalation.Deadline) -> Date {
        switch deadline {
        case .acknowledge: acknowledgeBy
        case .decide: decideBy
        case .followUp: followUpOn
        }
    }

    /// Whether missing `deadline` still calls for an escalation in the current state.
    func awaits(_ deadline: Escalation.Deadline) -> Bool {
        guard !escalated.contains(deadline) else { return false }
        switch deadline {
        case .acknowledge: return state == .requested
        case .decide: return state == .requested || state == .received
        case .followUp: return !state.isTerminal
        }
    }
}

extension ReferralRecord {
    /// A 64-bit FNV-1a digest: tells a re-publication from another referral under the same id.
    static func digest(_ bytes: [UInt8]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return hash
    }
}
