import Foundation

/// The hub refused a message; published on `hub/rejected/<agency>` so the sender learns why.
public struct HubRejection: Sendable, Equatable {
    /// The refused message's id, if its header could be read.
    public var rejectedMessageId: UUID?
    /// The agency whose message was refused, if known.
    public var agency: String?
    /// Why.
    public var reason: Reason
    /// A human explanation (1 to 1024 characters).
    public var message: String
    /// The offending topic, if printable, truncated to 255 bytes.
    public var topic: String?
    /// When the hub refused it.
    public var at: Date
    /// The referral the refused message was about, when the hub checked it against its registry (1.1).
    public var referralId: UUID?

    /// Creates a rejection; `topic` is truncated to 255 bytes.
    public init(
        rejectedMessageId: UUID? = nil, agency: String? = nil, reason: Reason, message: String, topic: String? = nil, at: Date,
        referralId: UUID? = nil
    ) {
        self.rejectedMessageId = rejectedMessageId
        self.referralId = referralId
        self.agency = agency
        self.reason = reason
        self.message = message
        self.topic = topic.map(Self.truncated)
        self.at = at
    }

    static func truncated(_ topic: String) -> String {
        var result = ""
        var length = 0
        for scalar in topic.unicodeScalars {
            let width = String(scalar).utf8.count
            guard length + width <= Topic.maximumLength else { break }
            result.unicodeScalars.append(scalar)
            length += width
        }
        return result
    }

    /// Why the hub refused a message (open vocabulary: hubs may add reasons).
    public struct Reason: CodedValue {
        /// The code.
        public let rawValue: String
        /// Wraps a code.
        public init(rawValue: String) { self.rawValue = rawValue }

        /// Not three frames, or an empty frame.
        public static let malformedFrames = Self(rawValue: "malformed-frames")
        /// Larger than the hub accepts.
        public static let tooLarge = Self(rawValue: "too-large")
        /// The header could not be read or is invalid.
        public static let badHeader = Self(rawValue: "bad-header")
        /// The body could not be read or is invalid.
        public static let badBody = Self(rawValue: "bad-body")
        /// A protocol major version the hub does not speak.
        public static let unsupportedVersion = Self(rawValue: "unsupported-version")
        /// The kind may not be published on the topic, or is unknown.
        public static let kindTopicMismatch = Self(rawValue: "kind-topic-mismatch")
        /// The sender is not who the topic, the body or the connection's key says.
        public static let senderMismatch = Self(rawValue: "sender-mismatch")
        /// The status update asks for a move the lifecycle does not allow.
        public static let illegalTransition = Self(rawValue: "illegal-transition")
        /// The agency may not publish on the topic.
        public static let notAuthorized = Self(rawValue: "not-authorized")
        /// The agency publishes too fast.
        public static let rateLimited = Self(rawValue: "rate-limited")
        /// The topic is not a Tansiq topic.
        public static let malformedTopic = Self(rawValue: "malformed-topic")

        /// The body names other parties or another category than the topic, or than the
        /// referral the hub recorded (1.1).
        public static let bodyTopicMismatch = Self(rawValue: "body-topic-mismatch")
        /// A status update or escalation of a referral the hub never recorded (1.1).
        public static let unknownReferral = Self(rawValue: "unknown-referral")
        /// A new referral under an id the hub already recorded with other content or another referrer (1.1).
        public static let duplicateReferral = Self(rawValue: "duplicate-referral")
        /// A move on a referral that is closed (rejected, cancelled, completed, failed) (1.1).
        public static let referralClosed = Self(rawValue: "referral-closed")
        /// The sender is not a party to the referral (1.1).
        public static let notAParty = Self(rawValue: "not-a-party")
        /// A claim on an open referral another agency claimed first (1.1).
        /// A claim on an open referral another agency claimed first (1.1): a lost race, the
        /// normal end of a late claim, not an error (docs/PROTOCOL.md, claims).
        public static let alreadyClaimed = Self(rawValue: "already-claimed")
        /// An escalation acknowledgement for a deadline the hub did not escalate (1.2).
        public static let notEscalated = Self(rawValue: "not-escalated")
        /// An escalation acknowledgement for a deadline already acknowledged (1.2).
        public static let alreadyAcknowledged = Self(rawValue: "already-acknowledged")
        /// A status update addressed to an agency that is not the other party (1.1).
        public static let wrongAddressee = Self(rawValue: "wrong-addressee")
        /// A deadline in the past, out of order, or beyond the priority's window (1.1).
        public static let invalidDeadline = Self(rawValue: "invalid-deadline")

        /// The reasons of this protocol version.
        public static let knownValues: [Self] = [
            .malformedFrames, .tooLarge, .badHeader, .badBody, .unsupportedVersion, .kindTopicMismatch,
            .senderMismatch, .illegalTransition, .notAuthorized, .rateLimited, .malformedTopic,
            .bodyTopicMismatch, .unknownReferral, .duplicateReferral, .referralClosed, .notAParty, .alreadyClaimed,
            .wrongAddressee, .invalidDeadline, .notEscalated, .alreadyAcknowledged,
        ]

        /// The reason a hub reports for a codec error (`bad-header` or `bad-body` by its key path).
        public init(_ error: ProtocolError) {
            switch error.code {
            case .malformedFrames: self = .malformedFrames
            case .tooLarge: self = .tooLarge
            case .unsupportedVersion: self = .unsupportedVersion
            case .kindTopicMismatch, .unknownKind: self = .kindTopicMismatch
            case .malformedTopic: self = .malformedTopic
            case .senderMismatch: self = .senderMismatch
            case .illegalTransition: self = .illegalTransition
            case .bodyTopicMismatch: self = .bodyTopicMismatch
            default:
                self = (error.keyPath ?? "").hasPrefix("header") ? .badHeader : .badBody
            }
        }
    }
}

extension HubRejection: WireObject, Codable {
    init(fields: JSONFields) throws(ProtocolError) {
        rejectedMessageId = try fields.optionalUUID("rejectedMessageId")
        agency = try fields.optionalString("agency")
        reason = Reason(rawValue: try fields.string("reason"))
        message = try fields.string("message")
        topic = try fields.optionalString("topic")
        at = try fields.time("at")
        referralId = try fields.optionalUUID("referralId")
        try validate(at: fields.path)
    }

    func validate(at path: String) throws(ProtocolError) {
        if let agency {
            try Identifier.check(agency, "agency id", at: path + ".agency")
        }
        try reason.check("rejection reason", at: path + ".reason")
        guard !message.isEmpty else {
            throw ProtocolError(.invalidValue, "the message is empty", keyPath: path + ".message")
        }
        try FreeText.check(message, maximum: 1024, at: path + ".message")
        if let topic, topic.utf8.count > Topic.maximumLength {
            throw ProtocolError(.tooLong, "\(topic.utf8.count) bytes, at most \(Topic.maximumLength)", keyPath: path + ".topic")
        }
    }

    func wireValue(at path: String) throws(ProtocolError) -> JSONValue {
        var object = JSONObjectBuilder(path: path)
        object.set("rejectedMessageId", rejectedMessageId)
        object.set("agency", agency)
        object.set("reason", reason)
        object.set("message", message)
        object.set("topic", topic)
        try object.set("at", time: at)
        object.set("referralId", referralId)
        return object.value
    }

    /// Decodes with the wire rules through any `Decoder`.
    public init(from decoder: any Decoder) throws { self = try .decode(from: decoder) }

    /// Encodes exactly as on the wire through any `Encoder`.
    public func encode(to encoder: any Encoder) throws {
        try validate(at: "body")
        try wireValue(at: "body").encode(to: encoder)
    }
}
