/// The hub's end marker of one replay page: how far the page went, whether more matching
/// messages wait, and why the request was refused or stopped short, if it was.
///
/// The hub sends it on its replay endpoint, to the one client that asked, after the page's
/// messages (see `docs/PROTOCOL.md`, "Replay").
public struct ReplayEnd: Sendable, Equatable {
    /// The `seq` of the last message replayed in this page, or the request's `afterSequence`
    /// when the page is empty: the `afterSequence` of the next request.
    public var lastSequence: UInt64
    /// How many messages this page held.
    public var count: UInt64
    /// Whether the page stopped at the limit and more matching messages exist: the client asks
    /// again with `afterSequence` = ``lastSequence``.
    public var more: Bool
    /// The hub's last assigned `seq` when the page was read.
    public var headSequence: UInt64
    /// Why the request was refused or stopped short, if it was.
    public var error: Failure?
    /// Matching messages skipped because their referral was erased (1.1; absent when none).
    public var erased: UInt64?

    /// Creates a replay end.
    public init(lastSequence: UInt64, count: UInt64, more: Bool, headSequence: UInt64, error: Failure? = nil, erased: UInt64? = nil) {
        self.lastSequence = lastSequence
        self.count = count
        self.more = more
        self.headSequence = headSequence
        self.error = error
        self.erased = erased
    }

    /// Why a replay was refused or stopped short.
    public struct Failure: Sendable, Equatable {
        /// A code: `bad-request`, `limit-too-large`, `sequence-in-future`,
        /// `journal-unavailable` or `history-truncated` (open vocabulary).
        public var code: String
        /// A human explanation.
        public var message: String

        /// Creates a failure.
        public init(code: String, message: String) {
            self.code = code
            self.message = message
        }

        /// The request could not be decoded or is invalid; nothing was replayed.
        public static let badRequest = "bad-request"
        /// The request's `limit` is above the hub's maximum page size; nothing was replayed.
        public static let limitTooLarge = "limit-too-large"
        /// The request's `afterSequence` is above the hub's last assigned `seq`; nothing was replayed.
        public static let sequenceInFuture = "sequence-in-future"
        /// The hub has no journal, or could not read it; nothing was replayed.
        public static let journalUnavailable = "journal-unavailable"
        /// Retention deleted messages after the request's `afterSequence`: the page was sent
        /// from the oldest stored message on, and the message says which `seq` that is.
        public static let historyTruncated = "history-truncated"
        /// The requester is not the agency the request names, or may not read a prefix it asks for.
        public static let notAuthorized = "not-authorized"
    }
}

extension ReplayEnd: WireObject, Codable {
    init(fields: JSONFields) throws(ProtocolError) {
        lastSequence = try fields.uint64("lastSequence")
        count = try fields.uint64("count")
        more = try fields.bool("more")
        headSequence = try fields.uint64("headSequence")
        error = try fields.optionalObject("error").map { error throws(ProtocolError) in
            Failure(code: try error.string("code"), message: try error.string("message"))
        }
        erased = try fields.optionalUInt64("erased")
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
        object.set("more", more)
        object.set("headSequence", headSequence)
        if let error {
            object.set("error", JSONValue.object(["code": .string(error.code), "message": .string(error.message)]))
        }
        if let erased, erased > 0 { object.set("erased", erased) }
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
