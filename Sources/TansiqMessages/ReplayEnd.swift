/// The hub finished a replay (provisional, like ``ReplayRequest``).
public struct ReplayEnd: Sendable, Equatable {
    /// The sequence number of the last message replayed (or the request's `afterSequence`).
    public var lastSequence: UInt64
    /// How many messages were replayed.
    public var count: UInt64
    /// Whether the page stopped at the limit and more matching messages exist: the client asks
    /// again with `afterSequence` set to ``lastSequence``.
    public var more: Bool
    /// The hub's last assigned sequence number when the page was read.
    public var headSequence: UInt64
    /// Why the replay stopped short, if it did.
    public var error: Failure?

    /// Creates a replay end; `headSequence` defaults to `lastSequence`.
    public init(lastSequence: UInt64, count: UInt64, more: Bool = false, headSequence: UInt64? = nil, error: Failure? = nil) {
        self.lastSequence = lastSequence
        self.count = count
        self.more = more
        self.headSequence = headSequence ?? lastSequence
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
        // Tolerant of ends written before these fields existed.
        more = try fields.optional("more") == nil ? false : fields.bool("more")
        headSequence = try fields.optionalUInt64("headSequence") ?? lastSequence
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
        if more { object.set("more", true) }
        if headSequence != lastSequence { object.set("headSequence", headSequence) }
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
