import Foundation
import TansiqAgent
import TansiqMessages

extension SimulationRecorder.Event {
    /// What the report counts of an agent process's event record; nil for events it does not
    /// count or a record that lacks what they need.
    init?(_ record: AgentEventRecord) {
        guard let id = record.referral else { return nil }
        switch record.event {
        case .referralSent:
            guard let from = record.from, let category = record.category else { return nil }
            self = .sent(id: id, SimulationRecorder.Sending(from: from, to: record.to, category: category.rawValue))
        case .referralReceived:
            self = .received(id)
        case .statusPublished:
            guard let state = record.state else { return nil }
            self = .published(id: id, state: state, reason: record.reason)
        case .statusObserved:
            guard let changedBy = record.changedBy, let state = record.state else { return nil }
            self = .observed(id: id, changedBy: changedBy, state: state)
        case .publishRefused:
            self = .refused(id: id)
        case .claimLost:
            self = .claimLost(id: id)
        case .escalationRaised, .escalationObserved:
            guard let deadline = record.deadline else { return nil }
            self = .escalated(id: id, deadline: deadline)
        default:
            return nil
        }
    }
}
