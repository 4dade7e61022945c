import Foundation

/// What the journal holds, for inspection (`tansiq journal`) and statistics.
public struct JournalSummary: Sendable, Equatable {
    /// The number of stored messages.
    public var count: Int
    /// The oldest stored sequence, `nil` when the journal holds no message.
    public var firstSequence: UInt64?
    /// The highest sequence ever assigned, even if retention deleted that message since.
    public var lastSequence: UInt64
    /// The stored bytes: topic, header and body of every stored message.
    public var bytes: Int64
    /// The earliest `receivedAt` of a stored message.
    public var oldestReceivedAt: Date?
    /// The latest `receivedAt` of a stored message.
    public var newestReceivedAt: Date?
    /// The number of stored messages of each kind.
    public var countsByKind: [String: Int]

    /// Creates a summary.
    public init(
        count: Int,
        firstSequence: UInt64?,
        lastSequence: UInt64,
        bytes: Int64,
        oldestReceivedAt: Date?,
        newestReceivedAt: Date?,
        countsByKind: [String: Int]
    ) {
        self.count = count
        self.firstSequence = firstSequence
        self.lastSequence = lastSequence
        self.bytes = bytes
        self.oldestReceivedAt = oldestReceivedAt
        self.newestReceivedAt = newestReceivedAt
        self.countsByKind = countsByKind
    }
}
