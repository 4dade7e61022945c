import Foundation

/// What a hub has done since it started: the figures behind `hub/stats/<hub>`.
public struct HubCounters: Sendable, Equatable {
    /// Messages read from the ingress, valid or not.
    public var messagesIn: UInt64 = 0
    /// Messages written to the egress: forwarded ones and the hub's own.
    public var messagesOut: UInt64 = 0
    /// Bytes read from the ingress, all frames counted.
    public var bytesIn: UInt64 = 0
    /// Bytes written to the egress, all frames counted.
    public var bytesOut: UInt64 = 0
    /// Messages accepted and forwarded.
    public var accepted: UInt64 = 0
    /// Rejected messages by reason code (`bad-header`, `too-large`, …).
    public var rejections: [String: UInt64] = [:]
    /// Distinct subscription prefixes currently held by subscribers.
    public var subscriptions: Int = 0
    /// Connections currently open on the ingress and egress.
    public var peers: Int = 0
    /// Connections to the plain ingress that ended since start: peers that closed, and peers
    /// libzmq dropped for a frame over its limit (libzmq tells the two apart to nobody).
    public var ingressDisconnects: UInt64 = 0
    /// The last sequence number the hub stamped.
    public var lastSequence: UInt64 = 0
    /// Messages not forwarded because the journal could not store them (the publishers'
    /// and the hub's own).
    public var journalFailures: UInt64 = 0
    /// Replay requests received, valid or not.
    public var replayRequests: UInt64 = 0
    /// Messages sent to replay clients.
    public var replayedMessages: UInt64 = 0
    /// Replay requests answered with an error, and pages cut short, by code
    /// (`bad-request`, `sequence-in-future`, `client-too-slow`, …).
    public var replayErrors: [String: UInt64] = [:]
    /// Whether the hub runs with CURVE and access control.
    public var secure: Bool = false
    /// Connections refused by the ZAP handler (unknown keys), since start.
    public var refusedAuthentications: UInt64 = 0
    /// Subscriptions the access policy refused, since start.
    public var deniedSubscriptions: UInt64 = 0

    /// What the hub has seen of each agency (messages, refusals, heartbeats), for `/agencies`
    /// and the per-agency metrics. At most ``HubAgencyActivity/agencyLimit`` agencies.
    public var agencies: [String: HubAgencyActivity] = [:]
    /// Why the journal's last commit failed; `nil` once a commit succeeds again.
    public var journalError: String?
    /// When the journal last committed a batch.
    public var lastJournalCommitAt: Date?
    /// The hub's time when a round last looked at the referrals' deadlines (virtual time in a
    /// simulation waits for a round at its new instant).
    public var deadlinesCheckedAt: Date?

    /// Confirmed messages accepted and acknowledged (re-sends not counted).
    public var confirmedAccepted: UInt64 = 0
    /// Confirmed messages whose id was already journaled or queued: acknowledged, not forwarded again.
    public var confirmedDuplicates: UInt64 = 0
    /// Acknowledgements that could not be sent (the client was gone or not reading).
    public var undeliveredAcknowledgements: UInt64 = 0

    /// Open referrals in the hub's registry by state, and how many of them are overdue, as of
    /// the last statistics round (the registry is the one source of these counts).
    public var referralsOpenByState: [String: Int] = [:]
    public var referralsOverdue: Int = 0
    /// The queues the hub holds, as of the last poll round.
    public var queues = HubQueueDepths()

    /// Creates zeroed counters.
    public init() {}

    /// All rejections, whatever the reason.
    public var rejected: UInt64 { rejections.values.reduce(0, +) }
}
