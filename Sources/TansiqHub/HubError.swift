/// An error that stops a hub: it could not bind, or its configuration is unusable.
public struct HubError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let value: String

        /// An endpoint could not be bound (in use, malformed, not permitted).
        public static let bindFailed = Code(value: "bind-failed")
        /// The configuration (flags or file) is invalid.
        public static let invalidConfiguration = Code(value: "invalid-configuration")
        /// The journal could not be opened (unreadable file, another hub writing to it).
        public static let journalUnavailable = Code(value: "journal-unavailable")
        /// The ZeroMQ layer failed while serving.
        public static let transportFailed = Code(value: "transport-failed")

        /// The code as a string.
        public var description: String { value }
    }

    /// What kind of failure this is.
    public let code: Code
    /// What went wrong, for a person.
    public let message: String

    /// Creates an error.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    /// `code: message`.
    public var description: String { "\(code): \(message)" }
}
