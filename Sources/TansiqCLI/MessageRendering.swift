import Foundation
import TansiqMessages

/// How `tansiq sub` shows a message: one human line, or one JSON object.
enum MessageRendering {
    /// `#seq topic type source/agent id — summary`, or the reason it cannot be decoded.
    static func line(_ frames: [[UInt8]]) -> String {
        let topic = frames.first.map { String(decoding: $0, as: UTF8.self) } ?? "?"
        do {
            let (envelope, stamp) = try MessageCodec.decode(frames)
            let header = envelope.header
            let sequence = stamp.map { "#\($0.seq)" } ?? "#-"
            return "\(sequence) \(topic) \(header.type.rawValue) \(header.source)/\(header.agent) \(header.id.uuidString.lowercased().prefix(8)) — \(summary(envelope.payload))"
        } catch {
            return "#? \(topic) undecodable: \(error)"
        }
    }

    /// `{"topic":…, "header":{…}, "body":{…}, "stamp":{…}}` from the frames as they came.
    static func json(_ frames: [[UInt8]]) -> String {
        var object: [String: Any] = [:]
        if frames.count > 0 { object["topic"] = String(decoding: frames[0], as: UTF8.self) }
        let names = ["header", "body", "stamp"]
        for (index, name) in names.enumerated() where frames.count > index + 1 {
            let frame = frames[index + 1]
            object[name] = (try? JSONSerialization.jsonObject(with: Data(frame))) ?? String(decoding: frame, as: UTF8.self)
        }
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            return "{}"
        }
        return String(decoding: data, as: UTF8.self)
    }

    private static func summary(_ payload: Payload) -> String {
        switch payload {
        case .referral(let referral):
            return "referral \(short(referral.referralId)) \(referral.category.rawValue) \(referral.priority.rawValue) from \(referral.referringAgency) to \(referral.receivingAgency ?? "any provider")"
        case .referralStatus(let update):
            let reason = update.reason.map { " (\($0.rawValue))" } ?? ""
            return "referral \(short(update.referralId)) \(update.previousState.rawValue) → \(update.state.rawValue)\(reason) by \(update.changedBy)"
        case .serviceStatus(let status):
            return "\(status.agency) \(status.category.rawValue) \(status.status.rawValue), accepting \(status.accepting.rawValue), \(status.capacity.available)/\(status.capacity.maximum) \(status.capacity.unit)"
        case .presence(let presence):
            return "\(presence.agent) (\(presence.role)) up \(Int(presence.uptimeSeconds))s"
        case .escalation(let escalation), .hubEscalation(let escalation):
            return "referral \(short(escalation.referralId)) past its \(escalation.deadline.rawValue) deadline, state \(escalation.currentState.rawValue), to \(escalation.escalatedTo.joined(separator: ", "))"
        case .hubRejection(let rejection):
            return "\(rejection.reason.rawValue): \(rejection.message)"
        case .hubStatistics(let statistics):
            return "in \(statistics.messagesIn) out \(statistics.messagesOut) rejected \(statistics.rejections.values.reduce(0, +)) peers \(statistics.peers) subscriptions \(statistics.subscriptions)"
        case .hubPresence(let presence):
            return "\(presence.agency) \(presence.state.rawValue)"
        case .sharedReferral(let referral):
            return "referral \(short(referral.referralId)) copied to the coordinator (consent: share-with-coordinator)"
        case .escalationAcknowledgement(let acknowledgement):
            return "the \(acknowledgement.deadline.rawValue) escalation of referral \(short(acknowledgement.referralId)) acknowledged by \(acknowledgement.acknowledgedBy): \(acknowledgement.action)"
        case .referralView(let view):
            return "referral \(short(view.referralId)) \(view.state.rawValue), \(view.referrer) → \(view.receiver ?? "open") \(view.category.rawValue) \(view.priority.rawValue)"
        default:
            return payload.kind.rawValue
        }
    }

    private static func short(_ id: UUID) -> String {
        String(id.uuidString.lowercased().prefix(8))
    }
}
