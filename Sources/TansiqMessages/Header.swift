import Foundation

/// The second frame of every message: who sent what, when, about which referral.
///
/// Field names follow CloudEvents 1.0 (and FHIR MessageHeader's meaning), so the hub can
/// check kind, sender, version, ids and time by decoding this small object alone.
public struct Header: Sendable, Equatable, Codable {
    /// The protocol version the sender speaks.
    public var specversion: ProtocolVersion
    /// The message id, unique per message.
    public var id: UUID
    /// The kind of message, deciding how the body is read.
    public var type: MessageKind
    /// The sending agency's id.
    public var source: String
    /// The sending agent's id within the agency.
    public var agent: String
    /// When the sender created the message (millisecond precision, UTC).
    public var time: Date
    /// The referral the message belongs to.
    public var correlationid: UUID?
    /// The message this one answers.
    public var causationid: UUID?

    /// Creates a header; `time` is truncated to the millisecond, the protocol's precision.
    public init(
        specversion: ProtocolVersion = .current,
        id: UUID,
        type: MessageKind,
        source: String,
        agent: String,
        time: Date,
        correlationid: UUID? = nil,
        causationid: UUID? = nil
    ) {
        self.specversion = specversion
        self.id = id
        self.type = type
        self.source = source
        self.agent = agent
        self.time = Timestamp.truncated(time)
        self.correlationid = correlationid
        self.causationid = causationid
    }

    /// Decodes through any `Decoder` with the wire rules (lowercase UUIDs, RFC 3339 times).
    public init(from decoder: any Decoder) throws {
        self = try Header(fields: JSONFields(JSONValue(from: decoder), path: "header"))
    }

    /// Encodes through any `Encoder` exactly as on the wire.
    public func encode(to encoder: any Encoder) throws {
        try wireValue().encode(to: encoder)
    }
}

extension Header {
    init(fields: JSONFields) throws(ProtocolError) {
        let versionText = try fields.string("specversion")
        guard let version = ProtocolVersion(versionText) else {
            throw ProtocolError(
                .invalidValue,
                "'\(Identifier.printable(versionText))' is not a version like \"1.0\"",
                keyPath: fields.path("specversion")
            )
        }
        specversion = version
        try Self.checkSupported(version, at: fields.path("specversion"))
        id = try fields.uuid("id")
        type = MessageKind(rawValue: try fields.string("type"))
        source = try fields.string("source")
        agent = try fields.string("agent")
        time = try fields.time("time")
        correlationid = try fields.optionalUUID("correlationid")
        causationid = try fields.optionalUUID("causationid")
        try validate()
    }

    static func checkSupported(_ version: ProtocolVersion, at keyPath: String) throws(ProtocolError) {
        guard version.isSupported else {
            throw ProtocolError(
                .unsupportedVersion,
                "protocol version \(version) is not supported; this implementation speaks \(ProtocolVersion.current.major).x",
                keyPath: keyPath
            )
        }
    }

    /// Checks the syntax of every field.
    func validate() throws(ProtocolError) {
        try Self.checkSupported(specversion, at: "header.specversion")
        guard type.isWellFormed else {
            throw ProtocolError(
                .invalidValue,
                "'\(Identifier.printable(type.rawValue))' is not a message kind ([a-z0-9][a-z0-9.-]*)",
                keyPath: "header.type"
            )
        }
        try Identifier.check(source, "agency id", at: "header.source")
        try Identifier.check(agent, "agent id", at: "header.agent")
    }

    func wireValue() throws(ProtocolError) -> JSONValue {
        var object = JSONObjectBuilder(path: "header")
        object.set("specversion", specversion.description)
        object.set("id", id)
        object.set("type", type)
        object.set("source", source)
        object.set("agent", agent)
        try object.set("time", time: time)
        object.set("correlationid", correlationid)
        object.set("causationid", causationid)
        return object.value
    }
}
