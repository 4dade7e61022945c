import Foundation
import TansiqMessages

/// One event of an agent as a flat record: what `--print-events` prints (one JSON object a
/// line), what the simulator reads back from agent processes, and what tests and scripts check.
/// Both sides use this type, so a renamed field or kind fails to compile, not in a slow test.
public struct AgentEventRecord: Codable, Sendable, Equatable {
    /// The kinds of event, as printed.
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case ready
        case referralSent = "referral-sent"
        case referralReceived = "referral-received"
        case statusPublished = "status-published"
        case statusObserved = "status-observed"
        case escalationRaised = "escalation-raised"
        case escalationObserved = "escalation-observed"
        case gap
        case rejectedByHub = "rejected-by-hub"
        case publishConfirmed = "publish-confirmed"
        case publishRefused = "publish-refused"
        case caseClosed = "case-closed"
        case serviceStatusPublished = "service-status-published"
        case resumed
        case caughtUp = "caught-up"
        case referralRepublished = "referral-republished"
        case referralDuplicate = "referral-duplicate"
        case claimLost = "claim-lost"
        /// An agency went silent or came back (the notice's state in `detail`).
        case presenceChanged = "presence-changed"
        case referralViewed = "referral-viewed"
    }

    public var event: Kind
    public var agency: String
    public var agent: String
    public var time: Date
    /// The referral, as a lowercase UUID.
    public var referralId: String?
    public var category: ServiceCategory?
    /// The referring agency (a referral, an escalation).
    public var from: String?
    /// The receiving agency; absent for an open referral.
    public var to: String?
    public var state: ReferralState?
    public var previousState: ReferralState?
    public var changedBy: String?
    public var reason: String?
    public var deadline: String?
    public var topic: String?
    public var detail: String?
    public var messageId: String?
    public var seq: UInt64?

    /// Who emitted it.
    public var identity: AgentIdentity { AgentIdentity(agency: agency, agent: agent) }

    /// The referral's id, when the event concerns one.
    public var referral: UUID? { referralId.flatMap(Identifier.uuid) }

    /// The record of `event`, emitted by `identity` at `time`.
    public init(identity: AgentIdentity, event: AgentEvent, time: Date) {
        agency = identity.agency
        agent = identity.agent
        self.time = time
        func referral(_ referral: Referral) {
            referralId = Self.text(referral.referralId)
            category = referral.category
            from = referral.referringAgency
            to = referral.receivingAgency
        }
        func update(_ update: ReferralStatusUpdate) {
            referralId = Self.text(update.referralId)
            state = update.state
            previousState = update.previousState
            changedBy = update.changedBy
            reason = update.reason?.rawValue
        }
        func escalation(_ escalation: Escalation) {
            referralId = Self.text(escalation.referralId)
            category = escalation.category
            from = escalation.referrer
            to = escalation.receiver
            deadline = escalation.deadline.rawValue
            state = escalation.currentState
        }
        switch event {
        case .ready:
            self.event = .ready
        case .referralSent(let sent):
            self.event = .referralSent
            referral(sent)
        case .referralReceived(let received):
            self.event = .referralReceived
            referral(received)
        case .statusPublished(let published):
            self.event = .statusPublished
            update(published)
        case .statusObserved(let observed):
            self.event = .statusObserved
            update(observed)
        case .escalationRaised(let raised):
            self.event = .escalationRaised
            escalation(raised)
        case .escalationObserved(let observed):
            self.event = .escalationObserved
            escalation(observed)
        case .gap(let topic, let expected, let received):
            self.event = .gap
            self.topic = topic
            detail = "expected \(expected), received \(received)"
        case .rejectedByHub(let rejection):
            self.event = .rejectedByHub
            reason = rejection.reason.rawValue
            detail = rejection.message
        case .publishConfirmed(let messageID, let seq, let duplicate):
            self.event = .publishConfirmed
            messageId = Self.text(messageID)
            self.seq = seq
            if duplicate { detail = "duplicate" }
        case .publishRefused(let messageID, let topic, let reason, let message, let correlationID):
            self.event = .publishRefused
            referralId = correlationID.map(Self.text)
            self.topic = topic
            self.reason = reason.rawValue
            messageId = Self.text(messageID)
            detail = message
        case .presenceChanged(let notice):
            self.event = .presenceChanged
            from = notice.agency
            detail = notice.state.rawValue
        case .referralViewed(let view):
            self.event = .referralViewed
            referralId = Self.text(view.referralId)
            category = view.category
            from = view.referrer
            to = view.receiver
            state = view.state
        case .claimLost(let referralID, let messageID):
            self.event = .claimLost
            referralId = Self.text(referralID)
            messageId = messageID.map(Self.text)
            reason = HubRejection.Reason.alreadyClaimed.rawValue
        case .caseClosed(let caseReference):
            self.event = .caseClosed
            detail = caseReference
        case .resumed(let referrals):
            self.event = .resumed
            detail = "\(referrals) referrals"
        case .caughtUp(let replayed, let lastSequence):
            self.event = .caughtUp
            detail = "\(replayed) replayed, last sequence \(lastSequence)"
        case .referralRepublished(let republished, let attempt):
            self.event = .referralRepublished
            referral(republished)
            detail = "attempt \(attempt)"
        case .referralDuplicate(let duplicate, let resent):
            self.event = .referralDuplicate
            referral(duplicate)
            detail = "\(resent) statuses re-sent"
        case .serviceStatusPublished(let status):
            self.event = .serviceStatusPublished
            category = status.category
            detail = "\(status.capacity.available)/\(status.capacity.maximum) \(status.capacity.unit)"
        }
    }

    /// The record as one line of JSON (sorted keys, ISO 8601 times with milliseconds).
    public var jsonLine: String {
        (try? Self.makeEncoder().encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// The record on `line`; nil when the line is not a record (a log line, say).
    public static func decode(line: some StringProtocol) -> AgentEventRecord? {
        guard line.first == "{" else { return nil }
        return try? makeDecoder().decode(AgentEventRecord.self, from: Data(line.utf8))
    }

    private static func text(_ id: UUID) -> String { id.uuidString.lowercased() }

    /// An encoder for records (and what embeds them).
    public static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.formatted(Self.timeFormat))
        }
        return encoder
    }

    /// A decoder for records.
    public static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            if let date = try? Date(text, strategy: Self.timeFormat) { return date }
            if let date = try? Date(text, strategy: .iso8601) { return date }
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected an ISO 8601 time")
        }
        return decoder
    }

    private static var timeFormat: Date.ISO8601FormatStyle { Date.ISO8601FormatStyle(includingFractionalSeconds: true) }
}
