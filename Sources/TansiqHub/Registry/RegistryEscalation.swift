import Foundation
import TansiqMessages

/// One deadline the hub escalated, with the coordinator's acknowledgement if it gave one: an
/// entry of the coordinator's escalation queue (1.2). Built from the registry only, so it holds
/// no more than the de-identified view.
public struct RegistryEscalation: Sendable, Equatable, Codable {
    public var referralId: UUID
    public var referrer: String
    /// The receiver, or the claimant of an open referral; `nil` while nobody claimed it.
    public var receiver: String?
    public var category: ServiceCategory
    public var priority: Priority
    /// The referral's state now.
    public var state: ReferralState
    public var deadline: Escalation.Deadline
    /// When the deadline fell.
    public var dueAt: Date
    public var acknowledgement: EscalationAcknowledgementRecord?

    /// Whether it awaits the coordinator's acknowledgement.
    public var isOpen: Bool { acknowledgement == nil }

    /// The escalations of one record, in deadline order.
    public static func of(_ record: ReferralRecord) -> [RegistryEscalation] {
        Escalation.Deadline.allCases.filter(record.escalated.contains).map { deadline in
            RegistryEscalation(
                referralId: record.referralId, referrer: record.referrer, receiver: record.receiver, category: record.category,
                priority: record.priority, state: record.state, deadline: deadline, dueAt: record.due(deadline),
                acknowledgement: record.acknowledgements.first { $0.deadline == deadline })
        }
    }
}

extension Journal {
    /// The escalations the coordinator has not acknowledged yet, oldest deadline first: the
    /// coordinator's queue. Reads the registry read-only, like ``referrals(_:)``.
    public func openEscalations() throws(JournalError) -> [RegistryEscalation] {
        try escalations().filter(\.isOpen)
    }

    /// Every escalation the registry holds, acknowledged or not, oldest deadline first.
    public func escalations() throws(JournalError) -> [RegistryEscalation] {
        try referrals().filter { !$0.escalated.isEmpty }.flatMap(RegistryEscalation.of)
            .sorted { ($0.dueAt, $0.referralId.uuidString) < ($1.dueAt, $1.referralId.uuidString) }
    }
}
