import TansiqMessages

/// Why a replay did not complete.
public struct ReplayError: Error, CustomStringConvertible {
    /// The kind of failure, stable for callers to match on.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// The hub did not answer in time.
        public static let timeout = Code("timeout")
        /// The socket failed.
        public static let transport = Code("transport")
        /// The request could not be built (a prefix or the agency is not valid).
        public static let badRequest = Code("badRequest")
        /// The hub refused the request or stopped short; ``ReplayError/hubError`` says why.
        public static let refused = Code("refused")
        /// The request's sequence is beyond the hub's head: a new hub with a new journal.
        public static let sequenceInFuture = Code("sequenceInFuture")
        /// The hub's answer broke the replay contract.
        public static let protocolViolation = Code("protocolViolation")
        /// The caller's `deliver` threw.
        public static let delivery = Code("delivery")

        /// The code's name.
        public var description: String { name }
    }

    /// The kind of failure.
    public let code: Code
    /// A human-readable explanation.
    public let message: String
    /// The error the hub's end marker carried, if any.
    public var hubError: ReplayEnd.Failure?
    /// The hub's head sequence, when its end marker told it.
    public var headSequence: UInt64?
    /// The hub that answered, when known.
    public var hub: String?

    /// Creates an error.
    public init(_ code: Code, _ message: String, hubError: ReplayEnd.Failure? = nil, headSequence: UInt64? = nil, hub: String? = nil) {
        self.code = code
        self.message = message
        self.hubError = hubError
        self.headSequence = headSequence
        self.hub = hub
    }

    /// `code: message`.
    public var description: String { "\(code): \(message)" }
}
