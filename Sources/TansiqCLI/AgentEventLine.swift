import Foundation
import TansiqAgent
import TansiqMessages

/// One line of `--print-events`: a flat JSON object that scripts and tests can read.
struct AgentEventLine: Encodable {
    var event: String
    var agency: String
    var agent: String
    var time: Date
    var referralId: String?
    var category: String?
    var from: String?
    var to: String?
    var state: String?
    var previousState: String?
    var changedBy: String?
    var reason: String?
    var deadline: String?
    var topic: String?
    var detail: String?
    var messageId: String?
    var seq: UInt64?

    init(identity: AgentIdentity, event: AgentEvent, time: Date) {
        self.agency = identity.agency
        self.agent = identity.agent
        self.time = time
        switch event {
        case .ready:
            self.event = "ready"
        case .referralSent(let referral), .referralReceived(let referral):
            if case .referralSent = event { self.event = "referral-sent" } else { self.event = "referral-received" }
            referralId = referral.referralId.uuidString.lowercased()
            category = referral.category.rawValue
            from = referral.referringAgency
            to = referral.receivingAgency
        case .statusPublished(let update), .statusObserved(let update):
            if case .statusPublished = event { self.event = "status-published" } else { self.event = "status-observed" }
            referralId = update.referralId.uuidString.lowercased()
            state = update.state.rawValue
            previousState = update.previousState.rawValue
            changedBy = update.changedBy
            reason = update.reason?.rawValue
        case .escalationRaised(let escalation), .escalationObserved(let escalation):
            if case .escalationRaised = event { self.event = "escalation-raised" } else { self.event = "escalation-observed" }
            referralId = escalation.referralId.uuidString.lowercased()
            category = escalation.category.rawValue
            from = escalation.referrer
            to = escalation.receiver
            deadline = escalation.deadline.rawValue
            state = escalation.currentState.rawValue
        case .gap(let topic, let expected, let received):
            self.event = "gap"
            self.topic = topic
            detail = "expected \(expected), received \(received)"
        case .rejectedByHub(let rejection):
            self.event = "rejected-by-hub"
            reason = rejection.reason.rawValue
            detail = rejection.message
        case .publishConfirmed(let messageID, let seq, let duplicate):
            self.event = "publish-confirmed"
            messageId = messageID.uuidString.lowercased()
            self.seq = seq
            if duplicate { detail = "duplicate" }
        case .publishRefused(let messageID, let topic, let reason, let message, let correlationID):
            referralId = correlationID?.uuidString.lowercased()
            self.event = "publish-refused"
            self.topic = topic
            self.reason = reason.rawValue
            messageId = messageID.uuidString.lowercased()
            detail = message
        case .claimLost(let referralID, let messageID):
            self.event = "claim-lost"
            referralId = referralID.uuidString.lowercased()
            messageId = messageID?.uuidString.lowercased()
            reason = HubRejection.Reason.alreadyClaimed.rawValue
        case .caseClosed(let caseReference):
            self.event = "case-closed"
            detail = caseReference
        case .resumed(let referrals):
            self.event = "resumed"
            detail = "\(referrals) referrals"
        case .caughtUp(let replayed, let lastSequence):
            self.event = "caught-up"
            detail = "\(replayed) replayed, last sequence \(lastSequence)"
        case .referralRepublished(let referral, let attempt):
            self.event = "referral-republished"
            referralId = referral.referralId.uuidString.lowercased()
            category = referral.category.rawValue
            from = referral.referringAgency
            to = referral.receivingAgency
            detail = "attempt \(attempt)"
        case .referralDuplicate(let referral, let resent):
            self.event = "referral-duplicate"
            referralId = referral.referralId.uuidString.lowercased()
            category = referral.category.rawValue
            from = referral.referringAgency
            to = referral.receivingAgency
            detail = "\(resent) statuses re-sent"
        case .serviceStatusPublished(let status):
            self.event = "service-status-published"
            category = status.category.rawValue
            detail = "\(status.capacity.available)/\(status.capacity.maximum) \(status.capacity.unit)"
        case .presenceChanged(let notice):
            self.event = "presence-\(notice.state.rawValue)"
            from = notice.agency
        case .referralViewed(let view):
            self.event = "referral-viewed"
            referralId = view.referralId.uuidString.lowercased()
            category = view.category.rawValue
            from = view.referrer
            to = view.receiver
            state = view.state.rawValue
        }
    }

    var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
