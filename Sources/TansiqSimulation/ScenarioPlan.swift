import TansiqMessages
import TansiqAgent

/// What a run of a topology will do, decided before any agent starts: every case (when, by whom,
/// which needs, how urgent, routed where) and every agent with its behaviour's policy.
///
/// The plan depends only on the topology and the seed, so the same file and seed always play
/// the same cases. Arrivals, needs, priorities and routes draw from separate seeded streams.
///
/// An agency with `agents: N` runs N agents. Its cases are dealt round-robin to them, but only
/// its first agent answers referrals, with the agency's whole capacity: a referral addressed to
/// an agency reaches all its agents, and the runtime has no claim between agents of one agency.
public struct ScenarioPlan: Sendable, Equatable {
    /// One case a referrer opens.
    public struct Case: Sendable, Equatable {
        /// The case's rank in the run, from 1.
        public var number: Int
        /// When it opens, in simulated time after the referrers start.
        public var at: SimulatedDuration
        /// The referring agency.
        public var referrer: String
        /// The agent of that agency that opens it.
        public var agent: String
        /// The distinct needs, one referral each.
        public var needs: [ServiceCategory]
        /// How urgent it is.
        public var priority: Priority
        /// The receiving agency of each need; a need absent here goes out as an open referral.
        public var receivers: [ServiceCategory: String]
    }

    /// One agent to start and what it does.
    public struct Agent: Sendable, Equatable {
        /// The agency it acts for.
        public var agency: String
        /// Its identifier, `<agency>-<n>`.
        public var agent: String
        /// The agency's role.
        public var role: AgentRole
        /// True for the coordinator's first agent, which also runs ``CoordinatorBehaviour``.
        public var coordinates: Bool
        /// How it answers referrals, when it does.
        public var provider: ProviderPolicy?
        /// The cases it opens, when it refers.
        public var referrer: ReferrerPolicy?
        /// Subscription prefixes beyond its role's and behaviour's (the node's `subscribe`).
        public var subscriptions: [String]
        /// Seed of the agent's own random draws (delays, decisions, referral ids).
        public var seed: UInt64

        /// True when the agent opens cases: it is started last.
        public var refers: Bool { !(referrer?.cases.isEmpty ?? true) }
    }

    /// The seed the plan was drawn from.
    public var seed: UInt64
    /// Every case, in order of opening.
    public var cases: [Case]
    /// Every agent, in topology order.
    public var agents: [Agent]

    /// Draws the plan of `topology` from `seed` (default: the topology's `general.seed`).
    public init(topology: Topology, seed: UInt64? = nil) {
        let seed = seed ?? topology.general.seed
        self.seed = seed
        cases = Self.drawCases(topology, seed: seed)
        agents = Self.makeAgents(topology, cases: cases, seed: seed)
    }

    /// The number of referrals the plan sends: one per need of every case.
    public var referralCount: Int { cases.reduce(0) { $0 + $1.needs.count } }
}
