import TansiqMessages
/// How a hub listens, what it accepts and how often it reports.
public struct HubConfiguration: Sendable, Equatable {
    /// How much of each message the hub decodes before forwarding it.
    public enum BodyValidation: String, Sendable, CaseIterable, Equatable {
        /// Topic, header and body are decoded and validated (the default: garbage never reaches
        /// a subscriber or the journal).
        case full
        /// Only the topic and header are checked; the body is forwarded as it came.
        case headerOnly = "header-only"
    }

    /// The hub's identifier: in stamps, on `hub/stats/<hub>`, and as the agent of its own messages.
    public var hubID: String
    /// Where publishers connect (an XSUB socket).
    public var ingress: String
    /// Where subscribers connect (an XPUB socket).
    public var egress: String
    /// The largest message accepted, all frames together, in bytes.
    public var maxMessageBytes: Int
    /// How often `hub/stats/<hub>` is published.
    public var statisticsInterval: Duration
    /// The send and receive high-water marks of the hub's sockets, in messages.
    public var highWaterMark: Int32
    /// How much of each message is validated.
    public var bodyValidation: BodyValidation
    /// The journal every accepted message is stored in before it is forwarded; `nil` runs
    /// the hub without one (no replay, sequence numbers restart at 1).
    public var journal: JournalConfiguration?
    /// Where replay clients connect (a ROUTER socket); bound only when the hub journals.
    public var replay: String
    /// How many of its announced heartbeat intervals an agency may miss before the hub
    /// publishes that it went silent.
    public var presenceMissedHeartbeats: Int
    /// A fixed silence after which an agency counts as silent, whatever interval its agents
    /// announce; `nil` uses ``presenceMissedHeartbeats``.
    public var presenceTimeout: Duration?
    /// CURVE and access control, or none (`.insecure`, local development only).
    public var security: HubSecurity
    /// The most frames a message may have; the rest of a longer message is dropped unread.
    public var maxFrames: Int
    /// How fast each agency may publish; `nil` for no limit.
    public var rateLimit: RateLimit?
    /// What the referral registry enforces: deadlines, the coordinator, closed referrals' retention.
    public var registry: RegistryRules
    /// The checks on values (notes, case references, worker ids, vocabularies) applied with
    /// `full` body validation.
    public var privacy: PrivacyRules
    /// Where the hub's HTTP listener (metrics, health, agencies) binds, `HOST:PORT`; `nil`
    /// for none. Only the command serves it (`TansiqMonitoring`); the library carries the setting.
    public var http: String? = nil
    /// Where confirmed publishers connect (a ROUTER socket: each message is acknowledged once
    /// journaled, or refused with a reason); `nil` binds none. `tansiq hub` binds
    /// ``defaultPublishEndpoint``.
    public var publish: String?

    /// The confirmed publish endpoint `tansiq hub` binds unless told otherwise.
    public static let defaultPublishEndpoint = "tcp://127.0.0.1:5563"

    /// Creates a configuration; every parameter has the documented default.
    public init(
        hubID: String = "main",
        ingress: String = "tcp://127.0.0.1:5560",
        egress: String = "tcp://127.0.0.1:5561",
        maxMessageBytes: Int = 256 * 1024,
        statisticsInterval: Duration = .seconds(5),
        highWaterMark: Int32 = 100_000,
        bodyValidation: BodyValidation = .full,
        journal: JournalConfiguration? = nil,
        replay: String = "tcp://127.0.0.1:5562",
        presenceMissedHeartbeats: Int = 3,
        presenceTimeout: Duration? = nil,
        security: HubSecurity = .insecure,
        maxFrames: Int = 8,
        rateLimit: RateLimit? = RateLimit(),
        registry: RegistryRules = RegistryRules(),
        privacy: PrivacyRules = .standard,
        publish: String? = nil
    ) {
        self.hubID = hubID
        self.ingress = ingress
        self.egress = egress
        self.maxMessageBytes = maxMessageBytes
        self.statisticsInterval = statisticsInterval
        self.highWaterMark = highWaterMark
        self.bodyValidation = bodyValidation
        self.journal = journal
        self.replay = replay
        self.presenceMissedHeartbeats = presenceMissedHeartbeats
        self.presenceTimeout = presenceTimeout
        self.security = security
        self.maxFrames = maxFrames
        self.rateLimit = rateLimit
        self.registry = registry
        self.privacy = privacy
        self.publish = publish
    }
}
