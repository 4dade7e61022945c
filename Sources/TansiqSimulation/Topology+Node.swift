import TansiqAgent
import TansiqMessages

extension Topology {
    /// One agency of the network (`topology.nodes.<id>`), with role defaults already applied.
    public struct Node: Sendable, Equatable {
        /// The agency identifier, e.g. `health-delegation-agadir`.
        public var id: String
        /// The display name (`name`, default: the identifier).
        public var name: String
        /// What kind of stakeholder this is.
        public var role: AgentRole
        /// True for the single commune that coordinates the network.
        public var isCoordinator: Bool
        /// The identifier of the hub the agency's agents connect to.
        public var hub: String
        /// How many agents (processes or threads) the agency runs, at least 1.
        public var agents: Int
        /// What the agency offers, in file order; empty for a pure referrer.
        public var services: [ServiceOffer]
        /// Delay from a referral's arrival to marking it received.
        public var acknowledge: Distribution
        /// Delay from received to accepted or rejected.
        public var decide: Distribution
        /// Service time from in progress to completed (or failed).
        public var complete: Distribution
        /// How the agency decides when it has capacity left.
        public var acceptance: Acceptance
        /// Subscription prefixes beyond the ones its role always has.
        public var subscribe: [String]

        /// The offer for `category`, if the agency has one.
        public func offer(for category: ServiceCategory) -> ServiceOffer? {
            services.first { $0.category == category }
        }

        /// True when the agency offers `category`.
        public func offers(_ category: ServiceCategory) -> Bool { offer(for: category) != nil }
    }

    /// What an agency offers in one category, and how much of it at once.
    public struct ServiceOffer: Sendable, Equatable {
        /// The category offered.
        public var category: ServiceCategory
        /// How many referrals it can hold accepted or in progress at once, at least 1; a
        /// referral beyond that is rejected as at capacity.
        public var capacity: Int
        /// What one unit of capacity is called; every unit holds one referral.
        public var unit: CapacityUnit
    }

    /// The name of one unit of capacity, for reports; the simulation counts them all the same.
    public enum CapacityUnit: String, Sendable, Hashable, CaseIterable {
        /// Open cases (the default).
        case cases
        /// Places, e.g. beds in a shelter.
        case places
        /// Seats, e.g. in a language class.
        case seats
        /// Appointments, e.g. consultations.
        case appointments
    }

    /// The outcome probabilities of a decision taken with capacity left (`acceptance:`).
    ///
    /// A decision draws one outcome: with probability ``accept`` the referral is accepted,
    /// goes in progress and completes; with probability ``fail`` it is accepted, goes in
    /// progress and then fails; otherwise (``reject``) it is rejected as not eligible.
    public struct Acceptance: Sendable, Equatable {
        /// Probability that an accepted referral is completed.
        public var accept: Double
        /// Probability that an accepted referral fails before completion.
        public var fail: Double

        /// The default of `acceptance`: accept 0.9, fail 0.02.
        public static let `default` = Acceptance(accept: 0.9, fail: 0.02)

        /// Creates outcome probabilities; `accept + fail` must not exceed 1.
        public init(accept: Double, fail: Double) {
            self.accept = accept
            self.fail = fail
        }

        /// Probability of rejection: what `accept` and `fail` leave.
        public var reject: Double { max(0, 1 - accept - fail) }
    }
}

extension Topology.Node {
    /// The delay to mark a referral received when neither the node nor its kind says:
    /// lognormal, median 1h, p90 4h.
    public static let defaultAcknowledge = Distribution.lognormal(median: .hours(1), p90: .hours(4))
    /// The delay to decide when neither the node nor its kind says: lognormal, median 4h, p90 1d.
    public static let defaultDecide = Distribution.lognormal(median: .hours(4), p90: .days(1))
    /// The service time when neither the node nor its kind says: exponential, mean 7d.
    public static let defaultComplete = Distribution.exponential(mean: .days(7))
}
