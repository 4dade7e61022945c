import Foundation
import TansiqAgent
import TansiqMessages

extension SimulationRecorder {
    /// One `--print-events` line of an agent executable: the fields the report reads.
    struct PrintedEvent: Decodable {
        var event: String
        var agency: String
        var agent: String
        var time: Date
        var referralId: String?
        var category: String?
        var from: String?
        var to: String?
        var state: String?
        var changedBy: String?
        var reason: String?
        var deadline: String?

        /// Who printed it.
        var identity: AgentIdentity { AgentIdentity(agency: agency, agent: agent) }

        /// What the report counts of it; nil for events it does not count or fields it lacks.
        var recorded: Event? {
            guard let id = referralId.flatMap(UUID.init(uuidString:)) else { return nil }
            switch event {
            case "referral-sent":
                guard let from, let category else { return nil }
                return .sent(id: id, from: from, to: to, category: category)
            case "referral-received":
                return .received(id)
            case "status-published":
                guard let state = state.flatMap(ReferralState.init(rawValue:)) else { return nil }
                return .published(id: id, state: state, reason: reason)
            case "status-observed":
                guard let changedBy, let state = state.flatMap(ReferralState.init(rawValue:)) else { return nil }
                return .observed(id: id, changedBy: changedBy, state: state)
            case "publish-refused":
                return .refused(id: id)
            case "claim-lost":
                return .claimLost(id: id)
            case "escalation-raised", "escalation-observed":
                guard let deadline else { return nil }
                return .escalated(id: id, deadline: deadline)
            default:
                return nil
            }
        }

        /// A decoder for these lines (ISO 8601 times).
        static func makeDecoder() -> JSONDecoder {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            return decoder
        }

        /// The event on `line`; nil when the line is not an event line.
        static func decode(_ line: Substring, using decoder: JSONDecoder) -> PrintedEvent? {
            guard line.first == "{" else { return nil }
            return try? decoder.decode(PrintedEvent.self, from: Data(line.utf8))
        }
    }
}
