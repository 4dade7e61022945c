import Foundation

/// The hub's answer to a message sent to its confirmed publish endpoint (protocol 1.1): one
/// JSON frame, sent only once the message is journaled (accepted, with its sequence) or
/// refused (with the reason and whether sending it again later can succeed).
///
/// Decoded with any `Decoder` (a pyzmq client reads it with `json.loads`); field names are the
/// wire names.
public struct PublishAcknowledgement: Codable, Sendable, Equatable {
    /// What the hub did with the message.
    public enum Outcome: String, Codable, Sendable {
        /// Journaled (or, on a hub without a journal, numbered and forwarded).
        case accepted
        /// Not journaled, not forwarded.
        case refused
    }

    /// Always `hub.publish-ack`: tells an acknowledgement from anything else on the socket.
    public var type: String
    /// The message acknowledged; `nil` only when its header could not be read.
    public var messageId: UUID?
    /// Accepted or refused.
    public var result: Outcome
    /// The hub's id (the `hub` of the message's stamp).
    public var hub: String
    /// Accepted: the message's sequence in the hub's stream.
    public var seq: UInt64?
    /// Accepted: the message's sequence on its exact topic.
    public var topicSeq: UInt64?
    /// Accepted: true when the hub had already journaled this message id (a re-send); `seq`
    /// is the original one and the message was not forwarded again.
    public var duplicate: Bool?
    /// Refused: the reason code, as on `hub/rejected/<agency>`.
    public var reason: HubRejection.Reason?
    /// Refused: a human explanation (never repeats a personal value).
    public var message: String?
    /// Refused: whether the same message (same id) may be sent again later and pass
    /// (`rate-limited`, `journal-unavailable`); false means final.
    public var retryable: Bool?
    /// Refused and retryable: how long to wait at least before sending it again.
    public var retryAfterMs: Int?
    /// What the hub accepts, announced in every acknowledgement.
    public var limits: PublishLimits

    /// The value of ``type``.
    public static let typeName = "hub.publish-ack"

    /// An acceptance.
    public static func accepted(messageId: UUID, hub: String, seq: UInt64, topicSeq: UInt64, duplicate: Bool, limits: PublishLimits) -> Self {
        Self(type: typeName, messageId: messageId, result: .accepted, hub: hub, seq: seq, topicSeq: topicSeq,
             duplicate: duplicate ? true : nil, limits: limits)
    }

    /// A refusal.
    public static func refused(
        messageId: UUID?, hub: String, reason: HubRejection.Reason, message: String, retryAfterMs: Int? = nil, limits: PublishLimits
    ) -> Self {
        Self(type: typeName, messageId: messageId, result: .refused, hub: hub, reason: reason, message: message,
             retryable: reason.isRetryable, retryAfterMs: reason.isRetryable ? retryAfterMs : nil, limits: limits)
    }

    /// Creates a value; prefer ``accepted(messageId:hub:seq:topicSeq:duplicate:limits:)`` and
    /// ``refused(messageId:hub:reason:message:retryAfterMs:limits:)``.
    public init(
        type: String = typeName, messageId: UUID?, result: Outcome, hub: String, seq: UInt64? = nil, topicSeq: UInt64? = nil,
        duplicate: Bool? = nil, reason: HubRejection.Reason? = nil, message: String? = nil, retryable: Bool? = nil,
        retryAfterMs: Int? = nil, limits: PublishLimits
    ) {
        self.type = type
        self.messageId = messageId
        self.result = result
        self.hub = hub
        self.seq = seq
        self.topicSeq = topicSeq
        self.duplicate = duplicate
        self.reason = reason
        self.message = message
        self.retryable = retryable
        self.retryAfterMs = retryAfterMs
        self.limits = limits
    }

    /// The acknowledgement as its one frame (compact JSON, keys sorted, through the codec's
    /// own serializer: the hub writes one per message).
    public func encoded() -> [UInt8] {
        var object = JSONObjectBuilder(path: "ack")
        object.set("type", type)
        object.set("messageId", messageId)
        object.set("result", result.rawValue)
        object.set("hub", hub)
        object.set("seq", seq)
        object.set("topicSeq", topicSeq)
        object.set("duplicate", duplicate)
        object.set("reason", reason)
        object.set("message", message)
        object.set("retryable", retryable)
        object.set("retryAfterMs", retryAfterMs)
        var limits = JSONObjectBuilder(path: "ack.limits")
        limits.set("messagesPerSecond", self.limits.messagesPerSecond.map { JSONValue.number(String($0)) } ?? .null)
        limits.set("burst", self.limits.burst.map { JSONValue.integer($0) } ?? .null)
        limits.set("maxMessageBytes", self.limits.maxMessageBytes)
        object.set("limits", limits.value)
        return object.value.serialized
    }

    /// Reads an acknowledgement frame with the codec's strict parser; throws a `ProtocolError`
    /// naming what is wrong.
    public static func decode(_ frame: [UInt8]) throws(ProtocolError) -> Self {
        let fields = try JSONFields(JSONParser.parse(frame, root: "ack"), path: "ack")
        let type = try fields.string("type")
        guard type == typeName else {
            throw ProtocolError(.invalidValue, "type is '\(type)', expected '\(typeName)'", keyPath: "ack.type")
        }
        guard let result = Outcome(rawValue: try fields.string("result")) else {
            throw ProtocolError(.invalidValue, "result must be accepted or refused", keyPath: "ack.result")
        }
        func bool(_ key: String) throws(ProtocolError) -> Bool? {
            fields.optional(key) == nil ? nil : try fields.bool(key)
        }
        func number(_ value: JSONValue?, _ key: String) throws(ProtocolError) -> Double? {
            guard let value else { return nil }
            guard case .number(let literal) = value, let number = Double(literal) else {
                throw ProtocolError(.wrongType, "expected a number", keyPath: "ack." + key)
            }
            return number
        }
        let limits = try fields.optionalObject("limits")
        return Self(
            type: type,
            messageId: try fields.optionalUUID("messageId"),
            result: result,
            hub: try fields.string("hub"),
            seq: try fields.optionalUInt64("seq"),
            topicSeq: try fields.optionalUInt64("topicSeq"),
            duplicate: try bool("duplicate"),
            reason: try fields.optionalString("reason").map(HubRejection.Reason.init(rawValue:)),
            message: try fields.optionalString("message"),
            retryable: try bool("retryable"),
            retryAfterMs: try fields.optionalUInt64("retryAfterMs").map { Int(clamping: $0) },
            limits: PublishLimits(
                messagesPerSecond: try number(limits?.optional("messagesPerSecond"), "limits.messagesPerSecond"),
                burst: try limits?.optionalUInt64("burst").map { Int(clamping: $0) },
                maxMessageBytes: Int(clamping: try limits?.optionalUInt64("maxMessageBytes") ?? 0)))
    }
}

/// The limits a hub announces to publishers, so that they pace themselves instead of being refused.
public struct PublishLimits: Codable, Sendable, Equatable {
    /// The sustained rate each agency may publish at, in messages a second; `nil`: no limit.
    public var messagesPerSecond: Double?
    /// How many messages an agency may send at once above the rate; `nil`: no limit.
    public var burst: Int?
    /// The largest message accepted, all frames together, in bytes.
    public var maxMessageBytes: Int

    /// Creates a value.
    public init(messagesPerSecond: Double?, burst: Int?, maxMessageBytes: Int) {
        self.messagesPerSecond = messagesPerSecond
        self.burst = burst
        self.maxMessageBytes = maxMessageBytes
    }
}

extension HubRejection.Reason {
    /// The journal could not store the message; it was not forwarded and may be sent again.
    public static let journalUnavailable = Self(rawValue: "journal-unavailable")

    /// Whether a message refused for this reason may pass later, unchanged.
    public var isRetryable: Bool {
        self == .rateLimited || self == .journalUnavailable
    }
}
