import Foundation
import TansiqMessages

/// What the export reads: one referral's messages as the hub stored them, and what the hub's
/// registry says of it. Any source may build one (the hub's journal, an agent's book).
public struct ReferralTrail: Sendable {
    /// The registry's view of the referral: enough to export it when its body was erased.
    public struct Summary: Sendable, Equatable {
        public var referralId: UUID
        public var referrer: String
        public var receiver: String?
        public var category: ServiceCategory
        public var priority: Priority
        public var followUpOn: Date
        public var state: ReferralState
        /// When the hub accepted the referral.
        public var createdAt: Date

        public init(
            referralId: UUID, referrer: String, receiver: String?, category: ServiceCategory, priority: Priority, followUpOn: Date,
            state: ReferralState, createdAt: Date
        ) {
            self.referralId = referralId
            self.referrer = referrer
            self.receiver = receiver
            self.category = category
            self.priority = priority
            self.followUpOn = followUpOn
            self.state = state
            self.createdAt = createdAt
        }
    }

    /// One stored message: decoded, with the hub's sequence and the time it journaled it.
    public struct Message: Sendable {
        public var envelope: Envelope
        public var sequence: UInt64
        public var receivedAt: Date

        public init(envelope: Envelope, sequence: UInt64, receivedAt: Date) {
            self.envelope = envelope
            self.sequence = sequence
            self.receivedAt = receivedAt
        }
    }

    /// One accepted state change.
    public struct Change: Sendable, Equatable {
        public var update: ReferralStatusUpdate
        /// The agency that published it (the header's authenticated source).
        public var agency: String
        public var sequence: UInt64
        public var recordedAt: Date
    }

    public var summary: Summary
    /// The referral as published, when its body is still readable.
    public var referral: Referral?
    /// The agent clock's time of the referral message.
    public var referralSentAt: Date
    public var referralSequence: UInt64?
    /// The state changes, in the hub's order.
    public var changes: [Change]

    /// The trail of `referralId` from `messages` (any order; other referrals' and other kinds'
    /// messages are left out) and the registry's `summary`, if the registry still has it.
    public init(referralId: UUID, messages: [Message], summary: Summary?) throws(FHIRExportError) {
        let ordered = messages.sorted { $0.sequence < $1.sequence }
        var referral: (Referral, Message)?
        var changes: [Change] = []
        for message in ordered {
            switch message.envelope.payload {
            case .referral(let body) where body.referralId == referralId:
                if referral == nil { referral = (body, message) }
            case .referralStatus(let update) where update.referralId == referralId:
                changes.append(Change(update: update, agency: message.envelope.header.source, sequence: message.sequence, recordedAt: message.receivedAt))
            default:
                continue
            }
        }
        guard let summary = summary ?? referral.map({ body, message in
            Summary(
                referralId: referralId, referrer: body.referringAgency, receiver: body.receivingAgency ?? changes.last?.agency,
                category: body.category, priority: body.priority, followUpOn: body.followUpOn,
                state: changes.last?.update.state ?? .requested, createdAt: message.receivedAt)
        }) else {
            throw FHIRExportError("referral \(referralId.uuidString.lowercased()): neither its referral message nor a registry record is available")
        }
        self.summary = summary
        self.referral = referral?.0
        self.referralSentAt = referral?.0 == nil ? summary.createdAt : referral!.1.envelope.header.time
        self.referralSequence = referral?.1.sequence
        self.changes = changes
    }

    /// The state the export shows: the registry's (the authority), else the last change's.
    public var state: ReferralState { summary.state }
}

/// A trail that cannot be exported.
public struct FHIRExportError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
    init(_ message: String) { self.message = message }
}
