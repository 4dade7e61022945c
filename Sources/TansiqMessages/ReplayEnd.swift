/// The hub finished a replay (provisional, like ``ReplayRequest``).
public struct ReplayEnd: Sendable, Equatable {
    /// The sequence number of the last message replayed (or the request's `afterSequence`).
    public var lastSequence: UInt64
    /// How many messages were replayed.
    public var count: UInt64
    /// Why the replay stopped short, if it did.
    public var error: Failure?

    /// Creates a replay end.
    public init(lastSequence: UInt64, count: UInt64, error: Failure? = nil) {
        self.lastSequence = lastSequence
        self.count = count
        self.error = error
    }

    /// Why a replay stopped short.
    public struct Failure: Sendable, Equatable {
        /// A code such as `journal-unavailable` or `limit-reached`.
        public var code: String
        /// A human explanation.
        public var message: String

        /// Creates a failure.
        public init(code: String, message: String) {
            self.code = code
            self.message = message
        }
    }
}

extension ReplayEnd: WireObject, Codable {
    init(fields: JSONFields) throws(ProtocolError) {
        lastSequence = try fields.uint64("lastSequence")
        count = try fields.uint64("count")
        error = try fields.optionalObject("error").map { error throws(ProtocolError) in
            Failure(code: try error.string("code"), message: try error.string("message"))
        }
        try validate(at: fields.path)
    }

    func validate(at path: String) throws(ProtocolError) {
        if let error {
            try Identifier.check(error.code, "error code", at: path + ".error.code")
            try FreeText.check(error.message, maximum: 1024, at: path + ".error.message")
        }
    }

    func wireValue(at path: String) throws(ProtocolError) -> JSONValue {
        var object = JSONObjectBuilder(path: path)
        object.set("lastSequence", lastSequence)
        object.set("count", count)
        if let error {
            object.set("error", JSONValue.object(["code": .string(error.code), "message": .string(error.message)]))
        }
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
