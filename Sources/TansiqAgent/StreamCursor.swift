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

/// Where an agent is on one exact topic: the topic sequence and the stream sequence of the
/// last message it applied there. Saved, so that a restarted agent replays from its verified
/// sequence and still applies each message once.
public struct TopicCursor: Sendable, Hashable, Codable {
    /// The topic sequence of the last message applied.
    public var topicSeq: UInt64
    /// Its stream sequence.
    public var seq: UInt64

    /// Creates a cursor.
    public init(topicSeq: UInt64, seq: UInt64) {
        self.topicSeq = topicSeq
        self.seq = seq
    }
}
