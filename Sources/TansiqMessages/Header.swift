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

/// The header's members as read from the frame, before conversion; `null` counts as absent.
struct HeaderMembers {
    var specversion: JSONValue?
    var id: JSONValue?
    var type: JSONValue?
    var source: JSONValue?
    var agent: JSONValue?
    var time: JSONValue?
    var correlationid: JSONValue?
    var causationid: JSONValue?

    init() {}

    init(_ fields: JSONFields) {
        specversion = fields.optional("specversion")
        id = fields.optional("id")
        type = fields.optional("type")
        source = fields.optional("source")
        agent = fields.optional("agent")
        time = fields.optional("time")
        correlationid = fields.optional("correlationid")
        causationid = fields.optional("causationid")
    }
}

extension Header {
    init(fields: JSONFields) throws(ProtocolError) {
        try self.init(members: HeaderMembers(fields))
    }

    /// Reads a header frame without building a dictionary: the hub runs this on every message.
    static func scan(_ bytes: [UInt8]) throws(ProtocolError) -> Header {
        var parser = JSONParser(bytes, root: "header")
        guard parser.peek(UInt8(ascii: "{")) else {
            // Not an object: let the general parser name the syntax error or the wrong type.
            return try Header(fields: JSONFields(JSONParser.parse(bytes, root: "header"), path: "header"))
        }
        try parser.expect(UInt8(ascii: "{"), "'{'")
        var members = HeaderMembers()
        var seen: Set<String> = []
        var unknown: String?
        if !parser.consume(UInt8(ascii: "}")) {
            repeat {
                let key = try parser.parseKey()
                try parser.expect(UInt8(ascii: ":"), "':'")
                let value = try parser.parseMember(key)
                switch key {
                case "specversion": try store(value, in: &members.specversion, key)
                case "id": try store(value, in: &members.id, key)
                case "type": try store(value, in: &members.type, key)
                case "source": try store(value, in: &members.source, key)
                case "agent": try store(value, in: &members.agent, key)
                case "time": try store(value, in: &members.time, key)
                case "correlationid": try store(value, in: &members.correlationid, key)
                case "causationid": try store(value, in: &members.causationid, key)
                default:
                    guard seen.insert(key).inserted else { throw duplicate(key) }
                    if unknown == nil { unknown = key }
                }
            } while parser.consume(UInt8(ascii: ","))
            try parser.expect(UInt8(ascii: "}"), "',' or '}'")
        }
        try parser.expectEnd()
        let header = try Header(members: members)
        if let unknown, header.specversion.isFullyKnown {
            throw ProtocolError(.unknownField, PersonalData.unknownFieldRefusal, keyPath: "header." + unknown)
        }
        return header
    }

    private static func duplicate(_ key: String) -> ProtocolError {
        ProtocolError(.invalidJSON, "duplicate key '\(key)'", keyPath: "header." + key)
    }

    private static func store(_ value: JSONValue, in slot: inout JSONValue?, _ key: String) throws(ProtocolError) {
        guard slot == nil else { throw duplicate(key) }
        // A null is stored as .null so that a later duplicate is still caught.
        slot = value
    }

    private init(members: HeaderMembers) throws(ProtocolError) {
        func present(_ value: JSONValue?) -> JSONValue? {
            if case .null? = value { return nil }
            return value
        }
        // Key paths are literals: building them per field would cost more than the parse.
        func required(_ value: JSONValue?, _ key: String, _ keyPath: String) throws(ProtocolError) -> String {
            guard let value = present(value) else {
                throw ProtocolError(.missingField, "required field '\(key)' is missing", keyPath: keyPath)
            }
            return try JSONFields.string(value, at: keyPath)
        }
        func optionalUUID(_ value: JSONValue?, _ keyPath: String) throws(ProtocolError) -> UUID? {
            guard let value = present(value) else { return nil }
            return try JSONFields.uuid(JSONFields.string(value, at: keyPath), at: keyPath)
        }
        let versionText = try required(members.specversion, "specversion", "header.specversion")
        guard let version = ProtocolVersion(versionText) else {
            throw ProtocolError(
                .invalidValue,
                "the value is not a version like \"1.0\"",
                keyPath: "header.specversion"
            )
        }
        try Self.checkSupported(version, at: "header.specversion")
        specversion = version
        id = try JSONFields.uuid(required(members.id, "id", "header.id"), at: "header.id")
        type = MessageKind(rawValue: try required(members.type, "type", "header.type"))
        source = try required(members.source, "source", "header.source")
        agent = try required(members.agent, "agent", "header.agent")
        time = try JSONFields.time(required(members.time, "time", "header.time"), at: "header.time")
        correlationid = try optionalUUID(members.correlationid, "header.correlationid")
        causationid = try optionalUUID(members.causationid, "header.causationid")
        try validate()
    }

    static func checkSupported(_ version: ProtocolVersion, at keyPath: @autoclosure () -> String) throws(ProtocolError) {
        guard version.isSupported else {
            throw ProtocolError(
                .unsupportedVersion,
                "protocol version \(version) is not supported; this implementation speaks \(ProtocolVersion.current.major).x",
                keyPath: keyPath()
            )
        }
    }

    /// Checks the syntax of every field.
    func validate() throws(ProtocolError) {
        try Self.checkSupported(specversion, at: "header.specversion")
        guard type.isWellFormed else {
            throw ProtocolError(
                .invalidValue,
                "the value is not a message kind ([a-z0-9][a-z0-9.-]*)",
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
