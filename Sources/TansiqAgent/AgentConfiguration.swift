import TansiqMessages
import TansiqVault

/// Who an agent is, where its hub is, and how often it speaks.
public struct AgentConfiguration: Sendable {
    /// The agency this agent acts for (`iom-morocco`).
    public var agency: String
    /// This agent's identifier within its agency (`iom-morocco-1`).
    public var agent: String
    /// The agency's role.
    public var role: AgentRole
    /// The coordinating agency, told of every escalation.
    public var coordinator: String
    /// The hub's ingress, where the agent publishes.
    public var ingress: String
    /// The hub's egress, where the agent subscribes.
    public var egress: String
    /// Subscription prefixes beyond those the role and behaviour imply.
    public var extraSubscriptions: [String]
    /// Real time between presence heartbeats.
    public var heartbeatInterval: Duration
    /// Real time between two checks of the referral deadlines.
    public var deadlineCheckInterval: Duration
    /// The clock: real time for deployed agents, a shared scaled clock in simulations.
    public var clock: AgentClock
    /// Seeds the agent's random choices, so that a run can be repeated.
    public var seed: UInt64
    /// The software version announced in presence messages.
    public var version: String
    /// The agency's keys and the hub's public key for a secure hub; `nil` talks to an insecure one.
    public var hubKeys: HubClientKeys?
    /// The agent's state file (SQLite); nil keeps the state in memory, lost when the agent stops.
    public var state: String?
    /// Seals the referral content of ``state`` at rest; `nil` stores it as JSON.
    public var stateKey: MasterKey? = nil
    /// The most page cache SQLite keeps for ``state``, in KiB (`nil`: SQLite's 2 MiB): the
    /// caches of a thousand simulated agents grow with their files, up to 2 GB together.
    public var stateCacheKiB: Int? = nil
    /// How far a commit of ``state`` reaches the disk before it returns (``AgentStore/Durability``).
    public var stateDurability: AgentStore.Durability = .normal
    /// The value checks applied before sending: a deployment's vocabulary additions and
    /// case-reference pattern, as its hub has them (default: the protocol's).
    public var privacy: PrivacyRules = .standard
    /// The hub's replay endpoint, from which the agent catches up before it goes live and
    /// recovers gaps; nil disables catch-up.
    public var replay: String?
    /// How long the agent waits for the hub's replay endpoint to answer.
    public var replayTimeout: Duration
    /// Whether the replay connection stays open between exchanges (the default), or is opened
    /// for each catch-up and check and closed after it: three descriptors and some 100 KB of
    /// connection buffers fewer an agent, for a handshake per exchange (which, a thousand
    /// agents checking every heartbeat, slowed the hub's replay endpoint past its timeouts).
    public var keepsReplayConnection = true
    /// Messages asked for in one replay page.
    public var replayPageSize: Int
    /// How many times a referral nobody acknowledged is published again, each after one more
    /// acknowledgement window, before it is escalated.
    public var republishAttempts: Int
    /// The receive high-water mark of the agent's subscription, in messages (0: no limit). With
    /// the hub's send high-water mark it bounds how far the agent may fall behind before the hub
    /// drops messages to it; the agent sees the gap in the topic's sequence and replays it.
    public var receiveHighWaterMark: Int32
    /// The hub's confirmed publish endpoint: every message but the heartbeat goes there, stays
    /// in the state file's outbox until the hub confirms it, and is paced to the hub's limits.
    /// nil publishes to the ingress unconfirmed.
    public var publish: String?
    /// How long the agent waits for an acknowledgement before sending a message again.
    public var ackTimeout: Duration
    /// How long the agent waits for its first handshake with the hub (or after losing it)
    /// before it warns that it cannot reach the hub, and how often it repeats the warning.
    public var hubWarnings = HubWarnings()
    /// Who decides on referrals: the behaviours (the library's default, simulations) or people
    /// at the agency's desk.
    public var decisions: DecisionMode = .automatic

    /// When an agent that cannot talk to its hub says so.
    public struct HubWarnings: Sendable, Equatable {
        /// Silence before the first warning.
        public var after: Duration = .seconds(3)
        /// The shortest time between two warnings (the repeats are counted).
        public var every: Duration = .seconds(30)

        public init(after: Duration = .seconds(3), every: Duration = .seconds(30)) {
            self.after = after
            self.every = every
        }
    }

    /// Creates a configuration; optional parameters have working defaults for a local hub.
    public init(
        agency: String,
        agent: String? = nil,
        role: AgentRole,
        coordinator: String,
        ingress: String = "tcp://127.0.0.1:5560",
        egress: String = "tcp://127.0.0.1:5561",
        extraSubscriptions: [String] = [],
        heartbeatInterval: Duration = .seconds(10),
        deadlineCheckInterval: Duration = .milliseconds(200),
        clock: AgentClock = AgentClock(),
        seed: UInt64 = 1,
        version: String = TansiqVersion.current,
        hubKeys: HubClientKeys? = nil,
        state: String? = nil,
        replay: String? = nil,
        replayTimeout: Duration = .seconds(5),
        replayPageSize: Int = 500,
        republishAttempts: Int = 1,
        receiveHighWaterMark: Int32 = 100_000,
        publish: String? = nil,
        ackTimeout: Duration = .seconds(10)
    ) {
        self.agency = agency
        self.agent = agent ?? "\(agency)-1"
        self.role = role
        self.coordinator = coordinator
        self.ingress = ingress
        self.egress = egress
        self.extraSubscriptions = extraSubscriptions
        self.heartbeatInterval = heartbeatInterval
        self.deadlineCheckInterval = deadlineCheckInterval
        self.clock = clock
        self.seed = seed
        self.version = version
        self.hubKeys = hubKeys
        self.state = state
        self.replay = replay
        self.replayTimeout = replayTimeout
        self.replayPageSize = replayPageSize
        self.republishAttempts = max(0, republishAttempts)
        self.receiveHighWaterMark = receiveHighWaterMark
        self.publish = publish
        self.ackTimeout = ackTimeout
    }
}

/// The version of Tansiq's software (not of the wire protocol).
public enum TansiqVersion {
    /// The current release.
    public static let current = "0.1.0"
}
