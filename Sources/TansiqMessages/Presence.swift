/// An agent's heartbeat: it is up, what it is, how often it will say so again.
public struct Presence: Sendable, Equatable {
    /// The agent's agency.
    public var agency: String
    /// The agent's id within the agency (the header's `agent`).
    public var agent: String
    /// What kind of stakeholder or tool the agent is.
    public var role: Role
    /// The agent's software version, 1 to 64 printable ASCII characters.
    public var version: String
    /// Seconds since the agent started.
    public var uptimeSeconds: UInt64
    /// Seconds until the next heartbeat (1 to 3600); silence for three intervals means gone.
    public var heartbeatInterval: Int

    /// Creates a heartbeat.
    public init(agency: String, agent: String, role: Role, version: String, uptimeSeconds: UInt64, heartbeatInterval: Int) {
        self.agency = agency
        self.agent = agent
        self.role = role
        self.version = version
        self.uptimeSeconds = uptimeSeconds
        self.heartbeatInterval = heartbeatInterval
    }

    /// What kind of stakeholder or tool an agent is (open vocabulary).
    public struct Role: CodedValue {
        /// The code.
        public let rawValue: String
        /// Wraps a code.
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The municipal council, the network's coordinator.
        public static let commune = Self(rawValue: "commune")
        /// The International Organization for Migration.
        public static let iom = Self(rawValue: "iom")
        /// A state service (health, education, employment, social assistance).
        public static let service = Self(rawValue: "service")
        /// A civil-society association.
        public static let civilSociety = Self(rawValue: "civil-society")
        /// A hub.
        public static let hub = Self(rawValue: "hub")
        /// The command-line tool.
        public static let cli = Self(rawValue: "cli")

        /// The roles of this protocol version.
        public static let knownValues: [Self] = [.commune, .iom, .service, .civilSociety, .hub, .cli]
    }
}

extension Presence: WireObject, Codable {
    init(fields: JSONFields) throws(ProtocolError) {
        agency = try fields.string("agency")
        agent = try fields.string("agent")
        role = Role(rawValue: try fields.string("role"))
        version = try fields.string("version")
        uptimeSeconds = try fields.uint64("uptimeSeconds")
        heartbeatInterval = try fields.int("heartbeatInterval", in: 1...3600)
        try validate(at: fields.path)
    }

    func validate(at path: String) throws(ProtocolError) {
        try Identifier.check(agency, "agency id", at: path + ".agency")
        try Identifier.check(agent, "agent id", at: path + ".agent")
        try role.check("role", at: path + ".role")
        guard (1...64).contains(version.utf8.count), version.utf8.allSatisfy({ (0x21..<0x7F).contains($0) }) else {
            throw ProtocolError(.invalidValue, "version must be 1 to 64 printable ASCII characters without spaces", keyPath: path + ".version")
        }
        guard (1...3600).contains(heartbeatInterval) else {
            throw ProtocolError(.invalidValue, "heartbeatInterval \(heartbeatInterval) is outside 1...3600 seconds", keyPath: path + ".heartbeatInterval")
        }
    }

    func wireValue(at path: String) throws(ProtocolError) -> JSONValue {
        .object([
            "agency": .string(agency),
            "agent": .string(agent),
            "role": .string(role.rawValue),
            "version": .string(version),
            "uptimeSeconds": .integer(uptimeSeconds),
            "heartbeatInterval": .integer(heartbeatInterval),
        ])
    }

    /// Decodes with the wire rules through any `Decoder`.
    public init(from decoder: any Decoder) throws { self = try .decode(from: decoder) }

    /// Encodes exactly as on the wire through any `Encoder`.
    public func encode(to encoder: any Encoder) throws {
        try validate(at: "body")
        try wireValue(at: "body").encode(to: encoder)
    }
}
