/// What an agent subscribes to: a ZeroMQ prefix of topics.
///
/// A prefix ending in `/` (or the empty prefix) matches whole segments, so
/// `referral/to/health/` never matches `referral/to/health-2/…`. A prefix that is a complete
/// topic (for example `hub/rejected/<agency>`) is an exact subscription: ZeroMQ also delivers
/// topics that merely start with it (`hub/rejected/<agency>-2`), so the receiver drops those
/// with ``matches(_:)``.
public struct SubscriptionPrefix: Sendable, Hashable, CustomStringConvertible {
    /// The bytes given to `ZMQ_SUBSCRIBE`.
    public let rawValue: String

    /// Whether the prefix is a complete topic that must match exactly.
    public var isExact: Bool { !rawValue.isEmpty && !rawValue.hasSuffix("/") }

    /// Validates a prefix: empty, identifier segments each followed by `/`, or a complete topic.
    public init(_ rawValue: String) throws(ProtocolError) {
        if !rawValue.isEmpty, !rawValue.hasSuffix("/") {
            _ = try Topic(rawValue)
        } else if !rawValue.isEmpty {
            guard rawValue.utf8.count <= Topic.maximumLength else {
                throw ProtocolError(.malformedTopic, "the prefix is too long: \(rawValue.utf8.count) bytes", keyPath: "prefix")
            }
            for segment in rawValue.dropLast().split(separator: "/", omittingEmptySubsequences: false) {
                guard Identifier.isValid(String(segment)) else {
                    throw ProtocolError(
                        .malformedTopic,
                        "the prefix has a segment that is not an identifier",
                        keyPath: "prefix"
                    )
                }
            }
        }
        self.rawValue = rawValue
    }

    private init(unchecked rawValue: String) {
        self.rawValue = rawValue
    }

    private static func segments(_ parts: String...) throws(ProtocolError) -> SubscriptionPrefix {
        try SubscriptionPrefix(parts.map { $0 + "/" }.joined())
    }

    /// Whether a message on `topic` is one this subscription asked for.
    public func matches(_ topic: Topic) -> Bool {
        isExact ? topic.rawValue == rawValue : topic.rawValue.hasPrefix(rawValue)
    }

    /// The prefix.
    public var description: String { rawValue }

    /// Every message (the empty prefix): the coordinator's view, or a monitoring tool.
    public static let everything = SubscriptionPrefix(unchecked: "")
    /// Every referral, addressed or open (`referral/`).
    public static let allReferrals = SubscriptionPrefix(unchecked: "referral/")
    /// Every status update (`status/`).
    public static let allStatusUpdates = SubscriptionPrefix(unchecked: "status/")
    /// Every escalation (`escalation/`): the coordinator's.
    public static let allEscalations = SubscriptionPrefix(unchecked: "escalation/")
    /// Every service status (`service/`): the directory of who can take what.
    public static let allServiceStatus = SubscriptionPrefix(unchecked: "service/")
    /// Every agent's presence (`presence/`).
    public static let allPresence = SubscriptionPrefix(unchecked: "presence/")
    /// Every hub message (`hub/`).
    public static let allHub = SubscriptionPrefix(unchecked: "hub/")

    /// Referrals addressed to `agency`, any category (`referral/to/<agency>/`).
    public static func referrals(to agency: String) throws(ProtocolError) -> SubscriptionPrefix {
        try segments("referral", "to", agency)
    }

    /// Open referrals of one category, from any referrer (`referral/open/<category>/`).
    public static func openReferrals(category: ServiceCategory) throws(ProtocolError) -> SubscriptionPrefix {
        try segments("referral", "open", category.rawValue)
    }

    /// Every status change someone made to a referral `agency` is party to (`status/<agency>/`).
    public static func statusUpdates(for agency: String) throws(ProtocolError) -> SubscriptionPrefix {
        try segments("status", agency)
    }

    /// Escalations of the referrals `agency` sent (`escalation/<agency>/`).
    public static func escalations(for agency: String) throws(ProtocolError) -> SubscriptionPrefix {
        try segments("escalation", agency)
    }

    /// Service status of one category (`service/<category>/`).
    public static func serviceStatus(category: ServiceCategory) throws(ProtocolError) -> SubscriptionPrefix {
        try segments("service", category.rawValue)
    }

    /// The hub's rejections of `agency`'s messages (exact: `hub/rejected/<agency>`).
    public static func rejections(for agency: String) throws(ProtocolError) -> SubscriptionPrefix {
        try SubscriptionPrefix(try Topic.hubRejection(agency: agency).rawValue)
    }

    /// The end markers of `agency`'s replays (exact: `hub/replay/end/<agency>`).
    public static func replayEnds(for agency: String) throws(ProtocolError) -> SubscriptionPrefix {
        try SubscriptionPrefix(try Topic.replayEnd(agency: agency).rawValue)
    }
}
