import Foundation
import TansiqAgent
import TansiqMessages

/// What a live network's history says that a topology needs: every referral's parties,
/// category, priority, times and outcome, and what the agencies said of themselves (role,
/// agents, capacity). Ids, codes, counts and times only: never a case reference, a note or a
/// referral's body.
///
/// Read one from a hub's database with ``init(journal:)``; ``TopologyFit`` turns it into a
/// topology.
public struct NetworkHistory: Sendable, Equatable {
    /// One referral the hub accepted, as its registry holds it (times on the hub's clock).
    public struct Referral: Sendable, Equatable {
        public var referrer: String
        /// The addressed receiver, or the claimant of an open referral; `nil` while unclaimed.
        public var receiver: String?
        public var open: Bool
        public var category: ServiceCategory
        public var priority: Priority
        public var createdAt: Date
        public var receivedAt: Date?
        public var decidedAt: Date?
        public var closedAt: Date?
        public var state: ReferralState
        /// The coded reason of the move that closed it (`at-capacity`, `not-eligible`…).
        public var closeReason: String?

        public init(
            referrer: String, receiver: String?, open: Bool, category: ServiceCategory, priority: Priority,
            createdAt: Date, receivedAt: Date? = nil, decidedAt: Date? = nil, closedAt: Date? = nil,
            state: ReferralState, closeReason: String? = nil
        ) {
            self.referrer = referrer
            self.receiver = receiver
            self.open = open
            self.category = category
            self.priority = priority
            self.createdAt = createdAt
            self.receivedAt = receivedAt
            self.decidedAt = decidedAt
            self.closedAt = closedAt
            self.state = state
            self.closeReason = closeReason
        }

        /// Accepted at some point (the decision was not a rejection).
        public var wasAccepted: Bool { decidedAt != nil && state != .rejected }
    }

    /// What an agency published of itself: its presence (role, agents) and its services'
    /// availability (capacity). Absent when those messages were sealed and no key was given,
    /// or retention removed them.
    public struct Agency: Sendable, Equatable {
        public var id: String
        public var role: AgentRole?
        /// The distinct agents seen announcing their presence.
        public var agents: Set<String> = []
        /// The largest capacity each service announced, and its unit.
        public var capacities: [ServiceCategory: Int] = [:]
        public var units: [ServiceCategory: String] = [:]

        public init(id: String) { self.id = id }
    }

    /// Every referral with a creation time, in creation order.
    public var referrals: [Referral]
    /// The agencies that announced themselves, by id.
    public var agencies: [String: Agency]
    /// The agency that acknowledged escalations: the coordinator, when the registry shows one.
    public var coordinator: String?
    /// The latest time the history covers (its last message or registry change).
    public var end: Date?
    /// Registry records without times (written by a hub before protocol 1.2), left out.
    public var untimedReferrals: Int
    /// Whether presence and service-status bodies were sealed and could not be read.
    public var housekeepingSealed: Bool

    public init(
        referrals: [Referral], agencies: [String: Agency] = [:], coordinator: String? = nil, end: Date? = nil,
        untimedReferrals: Int = 0, housekeepingSealed: Bool = false
    ) {
        self.referrals = referrals.sorted { $0.createdAt < $1.createdAt }
        self.agencies = agencies
        self.coordinator = coordinator
        self.end = end
        self.untimedReferrals = untimedReferrals
        self.housekeepingSealed = housekeepingSealed
    }
}
