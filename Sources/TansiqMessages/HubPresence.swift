import Foundation

/// The hub noticed an agency went silent (no heartbeat for three intervals) or came back.
public struct HubPresence: Sendable, Equatable {
    /// The agency.
    public var agency: String
    /// What changed.
    public var state: State
    /// When the hub last heard from the agency.
    public var lastSeen: Date
    /// How long the agency has been (or was) silent.
    public var silentForSeconds: UInt64

    /// Creates a hub presence notice.
    public init(agency: String, state: State, lastSeen: Date, silentForSeconds: UInt64) {
        self.agency = agency
        self.state = state
        self.lastSeen = lastSeen
        self.silentForSeconds = silentForSeconds
    }

    /// What changed.
    public enum State: String, Sendable, Hashable, Codable, CaseIterable {
        /// No heartbeat from any of the agency's agents for three intervals.
        case silent
        /// A heartbeat arrived after a silence.
        case back
    }
}

extension HubPresence: WireObject, Codable {
    init(fields: JSONFields) throws(ProtocolError) {
        agency = try fields.string("agency")
        state = try fields.code("state")
        lastSeen = try fields.time("lastSeen")
        silentForSeconds = try fields.uint64("silentForSeconds")
        try validate(at: fields.path)
    }

    func validate(at path: String) throws(ProtocolError) {
        try Identifier.check(agency, "agency id", at: path + ".agency")
    }

    func wireValue(at path: String) throws(ProtocolError) -> JSONValue {
        var object = JSONObjectBuilder(path: path)
        object.set("agency", agency)
        object.set("state", state)
        try object.set("lastSeen", time: lastSeen)
        object.set("silentForSeconds", silentForSeconds)
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
