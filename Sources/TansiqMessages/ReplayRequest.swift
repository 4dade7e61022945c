/// An agent asks the hub's replay endpoint for the journaled messages it missed: those on
/// `prefixes` with a `seq` above `afterSequence`, one page of at most `limit` at a time.
public struct ReplayRequest: Sendable, Equatable {
    /// The subscription prefixes to replay (1 to 64, as in ``SubscriptionPrefix``).
    public var prefixes: [String]
    /// Replay messages with a hub sequence number greater than this.
    public var afterSequence: UInt64
    /// At most this many messages in the page (at least 1); `nil` for the hub's default
    /// (500). A hub refuses a limit above its maximum (5000) with `limit-too-large`.
    public var limit: UInt64?
    /// Only the messages this agency published itself on these prefixes (1.2; optional): an
    /// agency that lost its state reads its own referrals and moves back, whatever topic they
    /// went to. Must be the requesting agency.
    public var sentBy: String?

    /// Creates a replay request.
    public init(prefixes: [String], afterSequence: UInt64, limit: UInt64? = nil, sentBy: String? = nil) {
        self.prefixes = prefixes
        self.afterSequence = afterSequence
        self.limit = limit
        self.sentBy = sentBy
    }
}

extension ReplayRequest: WireObject, Codable {
    init(fields: JSONFields) throws(ProtocolError) {
        prefixes = try fields.strings("prefixes")
        afterSequence = try fields.uint64("afterSequence")
        limit = try fields.optionalUInt64("limit")
        sentBy = try fields.optionalString("sentBy")
        try validate(at: fields.path)
    }

    func validate(at path: String) throws(ProtocolError) {
        guard (1...64).contains(prefixes.count) else {
            throw ProtocolError(.invalidValue, "\(prefixes.count) prefixes given, 1 to 64 allowed", keyPath: path + ".prefixes")
        }
        for (index, prefix) in prefixes.enumerated() {
            do {
                _ = try SubscriptionPrefix(prefix)
            } catch {
                throw ProtocolError(.invalidValue, error.message, keyPath: path + ".prefixes[\(index)]")
            }
        }
        if let sentBy { try Identifier.check(sentBy, "agency id", at: path + ".sentBy") }
        if limit == 0 {
            throw ProtocolError(.invalidValue, "limit must be at least 1", keyPath: path + ".limit")
        }
    }

    func wireValue(at path: String) throws(ProtocolError) -> JSONValue {
        var object = JSONObjectBuilder(path: path)
        object.set("prefixes", strings: prefixes)
        object.set("afterSequence", afterSequence)
        object.set("limit", limit)
        object.set("sentBy", sentBy)
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
