import Foundation
import TansiqMessages

/// A message the hub accepted: its topic as sent, and its decoded header.
struct AcceptedMessage {
    var topic: Topic
    var header: Header
    /// The decoded body, when the hub validated it (`full` body validation).
    var payload: Payload?
}

/// Why the hub refused a message, with what could be read of it.
struct IngressRejection: Error {
    var reason: HubRejection.Reason
    var message: String
    var messageID: UUID?
    var agency: String?
    var topic: String?
    /// Whether the sender is told on `hub/rejected/<agency>` (a flood is told once a second).
    var notify = true
}

/// The checks every message passes before the hub numbers and forwards it: frame count, size,
/// topic, header (version, kind, ids, time), kind against topic family, declared sender against
/// topic, and (by default) the whole body.
struct IngressValidator {
    /// The hub's id: the `source` of its own messages, which no publisher may use.
    let hubID: String
    let maxMessageBytes: Int
    let bodyValidation: HubConfiguration.BodyValidation

    init(hubID: String, maxMessageBytes: Int, bodyValidation: HubConfiguration.BodyValidation) {
        self.hubID = hubID
        self.maxMessageBytes = maxMessageBytes
        self.bodyValidation = bodyValidation
    }

    /// Topics already parsed, by their bytes.
    private var topics: [[UInt8]: Topic] = [:]
    private static let topicCacheLimit = 10_000

    mutating func validate(_ frames: [[UInt8]]) -> Result<AcceptedMessage, IngressRejection> {
        guard frames.count == 3 else {
            return .failure(IngressRejection(
                reason: .malformedFrames,
                message: "expected 3 frames (topic, header, body), got \(frames.count)",
                topic: frames.first.flatMap(Self.printableTopic)
            ))
        }
        let size = frames[0].count + frames[1].count + frames[2].count
        let printable = Self.printableTopic(frames[0])
        guard size <= maxMessageBytes else {
            return .failure(IngressRejection(
                reason: .tooLarge,
                message: "message is \(size) bytes; the limit is \(maxMessageBytes)",
                topic: printable
            ))
        }
        let header: Header
        do {
            header = try MessageCodec.decodeHeader(frames[1])
        } catch {
            return .failure(IngressRejection(
                reason: error.code == .unsupportedVersion ? .unsupportedVersion : .badHeader,
                message: error.description,
                topic: printable
            ))
        }
        func refuse(_ reason: HubRejection.Reason, _ message: String) -> Result<AcceptedMessage, IngressRejection> {
            .failure(IngressRejection(reason: reason, message: message, messageID: header.id, agency: header.source, topic: printable))
        }
        let topic: Topic
        if let known = topics[frames[0]] {
            topic = known
        } else {
            do {
                topic = try Topic(bytes: frames[0])
            } catch {
                return refuse(.malformedTopic, error.description)
            }
            // A network has few distinct topics; the bound keeps a hostile publisher from growing it.
            if topics.count >= Self.topicCacheLimit { topics.removeAll(keepingCapacity: true) }
            topics[frames[0]] = topic
        }
        guard header.source != hubID, !header.type.rawValue.hasPrefix("hub.") else {
            return refuse(.notAuthorized, "only the hub publishes as '\(hubID)' or sends '\(header.type.rawValue)' messages")
        }
        guard header.type.isKnown else {
            return refuse(.badHeader, "unknown message type '\(header.type.rawValue)'")
        }
        guard topic.allows(header.type) else {
            return refuse(.kindTopicMismatch, "a '\(header.type.rawValue)' message cannot be sent on topic '\(topic)'")
        }
        if let declared = topic.declaredSender, declared != header.source {
            return refuse(.senderMismatch, "topic '\(topic)' names sender '\(declared)' but the header's source is '\(header.source)'")
        }
        var payload: Payload?
        if bodyValidation == .full {
            do {
                payload = try MessageCodec.decode(topic: topic, header: header, body: frames[2]).payload
            } catch {
                return refuse(error.code == .unsupportedVersion ? .unsupportedVersion : .badBody, error.description)
            }
        }
        return .success(AcceptedMessage(topic: topic, header: header, payload: payload))
    }

    /// The topic frame as text for a rejection, when it is valid UTF-8, capped at 255 bytes.
    private static func printableTopic(_ frame: [UInt8]) -> String? {
        guard let text = String(validating: frame.prefix(255), as: UTF8.self) else { return nil }
        return text
    }
}
