import Foundation
import TansiqMessages

/// What the registry keeps of the coordinator's acknowledgement of an escalation (1.2): who,
/// when (the hub's clock), for which deadline, and the coded action. The free-text note stays
/// in the journal's message only (sealed at rest with the referral's key), never in the registry.
public struct EscalationAcknowledgementRecord: Sendable, Equatable, Codable {
    public var deadline: Escalation.Deadline
    public var acknowledgedBy: String
    public var acknowledgedAt: Date
    public var action: EscalationAcknowledgement.Action

    public init(deadline: Escalation.Deadline, acknowledgedBy: String, acknowledgedAt: Date, action: EscalationAcknowledgement.Action) {
        self.deadline = deadline
        self.acknowledgedBy = acknowledgedBy
        self.acknowledgedAt = acknowledgedAt
        self.action = action
    }
}
