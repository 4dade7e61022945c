/// The queues the hub itself holds, as of the end of a poll round. ZeroMQ does not show the
/// depth of its socket queues; what waits in the agents' outboxes is theirs to report.
public struct HubQueueDepths: Sendable, Equatable {
    /// Referral deadlines (acknowledge, decide, follow-up) the hub watches to raise escalations.
    public var deadlinesWatched = 0
    /// Referrals the registry holds in memory (open ones, and closed ones until purged).
    public var referralsInMemory = 0
    /// Confirmed messages received and not yet stored (waiting for the round's group commit).
    public var awaitingConfirmation = 0
    /// Ids of confirmed messages remembered to answer a re-send as a duplicate (bounded).
    public var confirmedIDsRemembered = 0

    public init() {}
}
