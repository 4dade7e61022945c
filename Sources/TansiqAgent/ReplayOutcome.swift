import TansiqMessages

/// One message the hub replayed: the message and the stamp it carried when first forwarded.
public struct ReplayedMessage: Sendable {
    /// The message.
    public var envelope: Envelope
    /// Its original sequence numbers.
    public var stamp: HubStamp

    /// Creates a value.
    public init(envelope: Envelope, stamp: HubStamp) {
        self.envelope = envelope
        self.stamp = stamp
    }
}

/// What a completed replay delivered.
public struct ReplayOutcome: Sendable, Equatable {
    /// The hub that answered (its end markers' source).
    public var hub: String
    /// The sequence of the last message replayed, or the request's `after` if none.
    public var lastSequence: UInt64
    /// The hub's head sequence when the last page was read.
    public var headSequence: UInt64
    /// Messages delivered.
    public var count: UInt64
    /// Pages asked for.
    public var pages: Int
    /// Set when retention removed part of the history asked for: the hub's explanation.
    public var historyTruncated: ReplayEnd.Failure?

    /// Creates a value.
    public init(hub: String, lastSequence: UInt64, headSequence: UInt64, count: UInt64, pages: Int, historyTruncated: ReplayEnd.Failure? = nil) {
        self.hub = hub
        self.lastSequence = lastSequence
        self.headSequence = headSequence
        self.count = count
        self.pages = pages
        self.historyTruncated = historyTruncated
    }
}
