import Foundation

/// One stored message: the publisher's frames plus the hub's sequence numbers.
///
/// The journal keeps the frames as opaque bytes; the other fields are what the hub
/// extracted from the header so that the journal can be searched and inspected.
public struct JournalRecord: Sendable, Equatable {
    /// The hub's stream sequence: at least 1, strictly increasing, never reused
    /// (not even after retention deleted rows or the hub restarted).
    public var sequence: UInt64
    /// The sequence of this message among the messages of its exact topic.
    public var topicSequence: UInt64
    /// The topic frame (UTF-8), matched by byte prefix like ZeroMQ subscriptions.
    public var topic: String
    /// The header frame, as received.
    public var header: [UInt8]
    /// The body frame, as received.
    public var body: [UInt8]
    /// The message kind named in the header; indexed for inspection.
    public var kind: String
    /// The sending agency.
    public var source: String
    /// The referral the message belongs to, if any; indexed for `tansiq journal --referral`.
    public var correlationID: String?
    /// The message id named in the header.
    public var messageID: String
    /// When the hub accepted the message.
    public var receivedAt: Date

    /// Creates a record.
    public init(
        sequence: UInt64,
        topicSequence: UInt64,
        topic: String,
        header: [UInt8],
        body: [UInt8],
        kind: String,
        source: String,
        correlationID: String?,
        messageID: String,
        receivedAt: Date
    ) {
        self.sequence = sequence
        self.topicSequence = topicSequence
        self.topic = topic
        self.header = header
        self.body = body
        self.kind = kind
        self.source = source
        self.correlationID = correlationID
        self.messageID = messageID
        self.receivedAt = receivedAt
    }

    /// The bytes this record counts for in retention by size: topic, header and body.
    public var storedBytes: Int {
        topic.utf8.count + header.count + body.count
    }
}
