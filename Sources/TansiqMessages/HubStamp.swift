/// The fourth frame the hub appends to every message it forwards.
///
/// `seq` numbers the hub's whole stream (never repeats, survives restarts); `topicSeq`
/// counts the messages of one exact topic from 1, so a subscriber with prefix subscriptions
/// can see a gap per topic and ask for a replay.
public struct HubStamp: Sendable, Hashable {
    /// The id of the hub that forwarded the message.
    public var hub: String
    /// The hub's stream sequence number, from 1.
    public var seq: UInt64
    /// The message's number among the messages of its exact topic, from 1.
    public var topicSeq: UInt64

    /// Creates a stamp.
    public init(hub: String, seq: UInt64, topicSeq: UInt64) {
        self.hub = hub
        self.seq = seq
        self.topicSeq = topicSeq
    }

    func validate(at path: String) throws(ProtocolError) {
        try Identifier.check(hub, "hub id", at: path + ".hub")
        guard seq >= 1 else { throw ProtocolError(.invalidValue, "sequence numbers start at 1", keyPath: path + ".seq") }
        guard topicSeq >= 1 else { throw ProtocolError(.invalidValue, "topic sequence numbers start at 1", keyPath: path + ".topicSeq") }
    }

    var wireValue: JSONValue {
        .object(["hub": .string(hub), "seq": .integer(seq), "topicSeq": .integer(topicSeq)])
    }

    init(fields: JSONFields) throws(ProtocolError) {
        hub = try fields.string("hub")
        seq = try fields.uint64("seq")
        topicSeq = try fields.uint64("topicSeq")
        try validate(at: fields.path)
    }
}
