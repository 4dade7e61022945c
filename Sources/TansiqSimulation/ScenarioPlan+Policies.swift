import Foundation
import TansiqAgent
import TansiqMessages

extension ScenarioPlan {
    /// Simulated seconds between two periodic availability publications of a provider (it also
    /// publishes on every change); more often floods the hub of a large network at ×86400.
    static let serviceStatusInterval: TimeInterval = 86_400

    static func makeAgents(_ topology: Topology, cases: [Case], seed: UInt64) -> [Agent] {
        var byAgent: [String: [PlannedCase]] = [:]
        for planned in cases {
            byAgent[planned.agent, default: []].append(PlannedCase(
                at: planned.at.seconds,
                needs: planned.needs, priority: planned.priority, receivers: planned.receivers))
        }
        // The categories some case refers without a receiver: the only open referrals of the run.
        var open: Set<ServiceCategory> = []
        for planned in cases { open.formUnion(planned.needs.lazy.filter { planned.receivers[$0] == nil }) }
        var agents: [Agent] = []
        for node in topology.nodes {
            for number in 1...max(1, node.agents) {
                let name = agentName(node.id, number)
                let planned = byAgent[name] ?? []
                var agentSeed = SeededGenerator(seed: seed, stream: "agent/\(name)")
                agents.append(Agent(
                    agency: node.id, agent: name, role: node.role,
                    coordinates: node.isCoordinator && number == 1,
                    provider: number == 1 && !node.services.isEmpty ? ProviderPolicy(node, openReferralCategories: open) : nil,
                    // Simulated referrers decide automatically and have no desk: no directory.
                    referrer: planned.isEmpty ? nil : ReferrerPolicy(cases: planned, keepsServiceDirectory: false),
                    subscriptions: node.subscribe, seed: agentSeed.next()))
            }
        }
        return agents
    }
}


extension ProviderPolicy {
    /// The policy of a topology node's desk: its offers, delays and acceptance; it takes the open
    /// referrals of `openReferralCategories` (`nil`: of every category it offers).
    ///
    /// The node's `acceptance` splits decisions with capacity left into complete, fail and
    /// reject; the provider first accepts (`accept + fail`) then fails a share of what it accepted.
    public init(_ node: Topology.Node, openReferralCategories: Set<ServiceCategory>? = nil) {
        let accepted = node.acceptance.accept + node.acceptance.fail
        self.init(
            offers: Dictionary(uniqueKeysWithValues: node.services.map {
                ($0.category, Offer(capacity: $0.capacity, unit: $0.unit.rawValue))
            }),
            acknowledgeDelay: node.acknowledge,
            decideDelay: node.decide,
            serviceTime: node.complete,
            acceptProbability: accepted,
            failureProbability: accepted > 0 ? node.acceptance.fail / accepted : 0,
            takesOpenReferrals: true,
            openReferralCategories: openReferralCategories,
            serviceStatusInterval: ScenarioPlan.serviceStatusInterval)
    }
}
