/// Where an agent is in a hub's stream: the last hub sequence number it processed, and the
/// hub that numbered it.
public struct StreamCursor: Sendable, Hashable, Codable {
    /// The id of the hub whose stream the sequence belongs to.
    public var hub: String
    /// The last sequence number processed.
    public var sequence: UInt64

    /// Creates a cursor.
    public init(hub: String, sequence: UInt64) {
        self.hub = hub
        self.sequence = sequence
    }
}
