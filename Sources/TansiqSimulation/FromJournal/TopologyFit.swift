import Foundation
import TansiqAgent
import TansiqMessages

/// A topology fitted from a network's history: its agencies (roles, services, capacities),
/// referral routes, arrival mix and delay distributions, so that a plan can be tried on the
/// real network ("what if the health delegation doubled its capacity?").
///
/// Only agency ids, categories, priorities, counts and durations go into the file. How each
/// figure was fitted is written beside it as a comment, and listed in ``notes``.
public struct TopologyFit: Sendable {
    /// What the history cannot say, and limits of the fit.
    public struct Options: Sendable {
        /// The fitted topology's `name`.
        public var name: String
        /// Its `general.seed`.
        public var seed: UInt64
        /// The coordinating commune, when the history shows none.
        public var coordinator: String?
        /// Roles of agencies whose presence could not be read, by id.
        public var roles: [String: AgentRole]
        /// The simulated time after arrivals stop (default: what the history covers after its last case).
        public var drain: SimulatedDuration?
        /// The fewest referrals a fit is made from.
        public var minimumReferrals: Int
        /// The fewest times a delay is fitted from for one agency; fewer: its role's, then everybody's.
        public var minimumSample: Int

        public init(
            name: String = "fitted", seed: UInt64 = Topology.General.defaultSeed, coordinator: String? = nil,
            roles: [String: AgentRole] = [:], drain: SimulatedDuration? = nil, minimumReferrals: Int = 10, minimumSample: Int = 5
        ) {
            self.name = name
            self.seed = seed
            self.coordinator = coordinator
            self.roles = roles
            self.drain = drain
            self.minimumReferrals = minimumReferrals
            self.minimumSample = minimumSample
        }
    }

    /// The topology file, with comments saying how each figure was fitted.
    public var yaml: String
    /// The file as `tansiq sim` reads it.
    public var topology: Topology
    /// How the history was read and what had to be assumed, one line each.
    public var notes: [String]

    /// Fits a topology to `history`; `source` names the history in the file's header.
    public init(history: NetworkHistory, source: String, options: Options = Options()) throws(TopologyFitError) {
        var model = try Model(history: history, options: options)
        model.notes.insert("fitted by `tansiq topology from-journal` from \(source)", at: 0)
        yaml = model.yaml(name: options.name)
        do {
            topology = try Topology.parse(yaml: yaml, file: "\(options.name).yaml")
        } catch let failure as TopologyValidationFailure {
            throw TopologyFitError(.invalidFit, "the fitted topology does not validate (a bug of the fit): \(failure.description)")
        } catch {
            throw TopologyFitError(.invalidFit, "the fitted topology does not validate: \(error)")
        }
        notes = model.notes
    }
}

extension TopologyFit {
    /// One case: the referrals one referrer sent at one instant with one priority, one per need.
    struct Case {
        var referrer: String
        var priority: Priority
        var at: Date
        var categories: [ServiceCategory]
    }

    struct Service {
        var category: ServiceCategory
        var capacity: Int
        var unit: String?
        var how: String
    }

    struct Node {
        var id: String
        var role: AgentRole
        var coordinator: Bool
        var agents: Int
        var services: [Service] = []
        var acknowledge: Fitted?
        var decide: Fitted?
        var complete: Fitted?
        var acceptance: (accept: Double, fail: Double, how: String)?
    }

    struct Link {
        var from: String
        var to: String
        var categories: [ServiceCategory]
        var weight: Double?
    }

    /// Everything fitted, before it is written.
    struct Model {
        var notes: [String] = []
        var description = "Fitted from a network's history: agencies, routes, arrivals and delays"
        var nodes: [Node] = []
        var links: [Link] = []
        var referrers: [(String, Int)] = []
        var arrivals = ""
        var needs: [(ServiceCategory, Int)] = []
        var needsPerCase = 1...1
        var priorities: [(Priority, Int)] = []
        var seed: UInt64 = 1
        var stopTime = SimulatedDuration.zero
        var drain = SimulatedDuration.zero

        init(history: NetworkHistory, options: Options) throws(TopologyFitError) {
            let referrals = history.referrals
            let untimed = history.untimedReferrals > 0 ? " (and \(history.untimedReferrals) without times, written before protocol 1.2, left out)" : ""
            guard referrals.count >= options.minimumReferrals else {
                throw TopologyFitError(
                    .tooLittleHistory,
                    "the registry holds \(referrals.count) referrals with times\(untimed); at least \(options.minimumReferrals) are needed to fit arrivals and delays")
            }
            let cases = Self.cases(referrals)
            guard let first = cases.first?.at, let last = cases.last?.at, last > first else {
                throw TopologyFitError(.tooLittleHistory, "all \(referrals.count) referrals were sent at one instant: no arrival rate can be fitted")
            }
            seed = options.seed
            notes.append("\(referrals.count) referrals in \(cases.count) cases (referrals one referrer sent at one instant with one priority)\(untimed)")
            if history.housekeepingSealed {
                notes.append("presence and service-status bodies are sealed and no master key was given: roles, agents and capacities are estimated from the registry")
            }
            let end = history.end ?? referrals.compactMap(\.closedAt).max() ?? last
            try fitAgencies(history, options: options, end: end)
            fitLinks(referrals)
            fitScenario(cases, referrals: referrals, first: first, last: last, end: end, options: options)
        }

        /// Groups referrals into cases: same referrer, priority and instant (within a second), distinct needs.
        static func cases(_ referrals: [NetworkHistory.Referral]) -> [Case] {
            var cases: [Case] = []
            var latest: [String: Int] = [:]
            for referral in referrals {
                if let index = latest[referral.referrer], cases[index].priority == referral.priority,
                   referral.createdAt.timeIntervalSince(cases[index].at) < 1, !cases[index].categories.contains(referral.category) {
                    cases[index].categories.append(referral.category)
                    continue
                }
                latest[referral.referrer] = cases.count
                cases.append(Case(referrer: referral.referrer, priority: referral.priority, at: referral.createdAt, categories: [referral.category]))
            }
            return cases
        }
    }
}
