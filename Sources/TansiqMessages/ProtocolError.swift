/// An input or a value that breaks the Tansiq wire protocol.
///
/// Every failure of the codec, of a topic, of validation and of the referral lifecycle is a
/// `ProtocolError`, so that a hub can count and report it without guessing.
public struct ProtocolError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of rule the input broke.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code as written in logs and rejection reports.
        public let rawValue: String

        private init(_ rawValue: String) { self.rawValue = rawValue }

        /// The message does not have the frames the protocol requires (count, emptiness, encoding).
        public static let malformedFrames = Code("malformed-frames")
        /// A JSON frame ended before its value was complete.
        public static let truncated = Code("truncated")
        /// A frame is not valid JSON (syntax, invalid UTF-8, duplicate key, nesting too deep).
        public static let invalidJSON = Code("invalid-json")
        /// A field has the wrong JSON type.
        public static let wrongType = Code("wrong-type")
        /// A required field is absent or null.
        public static let missingField = Code("missing-field")
        /// A field has the right type but a value the protocol does not allow.
        public static let invalidValue = Code("invalid-value")
        /// The header's `specversion` has a major version this implementation does not speak.
        public static let unsupportedVersion = Code("unsupported-version")
        /// The header's `type` is not a kind this implementation knows.
        public static let unknownKind = Code("unknown-kind")
        /// The kind of the message may not be published on its topic.
        public static let kindTopicMismatch = Code("kind-topic-mismatch")
        /// The topic is not a well-formed Tansiq topic.
        public static let malformedTopic = Code("malformed-topic")
        /// The body names a party or category other than the one its topic names.
        public static let bodyTopicMismatch = Code("body-topic-mismatch")
        /// The header's `source` is not the agency the topic or the body says sent it.
        public static let senderMismatch = Code("sender-mismatch")
        /// A referral carries no consent, or a consent that does not cover the sharing it asks for.
        public static let missingConsent = Code("missing-consent")
        /// Personal data in a message: a key that names it (name, birth date, phone…), a note
        /// holding contact details or document numbers, a case reference or worker id made of words.
        public static let personalData = Code("personal-data")
        /// A code of an open vocabulary (reason, needs flag, outcome…) that the hub's vocabulary
        /// does not hold; the message names the configuration key that adds it.
        public static let unknownCode = Code("unknown-code")
        /// A key the message's protocol version does not define.
        public static let unknownField = Code("unknown-field")
        /// A text field is longer than the protocol allows.
        public static let tooLong = Code("too-long")
        /// A frame is larger than the protocol allows.
        public static let tooLarge = Code("too-large")
        /// A status update asks for a referral state change the lifecycle does not allow.
        public static let illegalTransition = Code("illegal-transition")

        /// The code as written in logs.
        public var description: String { rawValue }
    }

    /// What kind of rule was broken.
    public let code: Code
    /// A human explanation naming the rule; never the refused value, which may be personal data.
    public let message: String
    /// Where in the message the problem is, e.g. `body.consent.recordedAt`; `nil` for whole frames.
    public let keyPath: String?

    /// Creates an error.
    public init(_ code: Code, _ message: String, keyPath: String? = nil) {
        self.code = code
        self.message = message
        self.keyPath = keyPath
    }

    /// `code at keyPath: message`.
    public var description: String {
        if let keyPath {
            return "\(code) at \(keyPath): \(message)"
        }
        return "\(code): \(message)"
    }
}
