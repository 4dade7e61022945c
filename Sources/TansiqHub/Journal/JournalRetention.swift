/// How much history the journal keeps; `nil` limits nothing.
///
/// Retention always deletes the oldest messages of the stream first, so the journal stays
/// a contiguous tail of the stream: a replay never skips a message that is still stored.
public struct JournalRetention: Sendable, Equatable {
    /// Deletes messages received longer ago than this.
    public var maxAge: Duration?
    /// Keeps the stored bytes (topic, header and body of every message) under this size.
    public var maxBytes: Int64?
    /// Keeps at most this many messages.
    public var maxMessages: Int?

    /// Creates a retention policy; the default keeps everything.
    public init(maxAge: Duration? = nil, maxBytes: Int64? = nil, maxMessages: Int? = nil) {
        self.maxAge = maxAge
        self.maxBytes = maxBytes
        self.maxMessages = maxMessages
    }
}
