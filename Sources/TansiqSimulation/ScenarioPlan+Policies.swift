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
                needs: planned.needs.map { ServiceCategory(rawValue: $0.rawValue) },
                priority: Priority(rawValue: planned.priority.rawValue) ?? .routine,
                receivers: Dictionary(uniqueKeysWithValues: planned.receivers.map {
                    (ServiceCategory(rawValue: $0.key.rawValue), $0.value)
                })))
        }
        var agents: [Agent] = []
        for node in topology.nodes {
            for number in 1...max(1, node.agents) {
                let name = agentName(node.id, number)
                let planned = byAgent[name] ?? []
                var agentSeed = SeededGenerator(seed: seed, stream: "agent/\(name)")
                agents.append(Agent(
                    agency: node.id, agent: name, role: AgentRole(node.role),
                    coordinates: node.isCoordinator && number == 1,
                    provider: number == 1 && !node.services.isEmpty ? ProviderPolicy(node) : nil,
                    referrer: planned.isEmpty ? nil : ReferrerPolicy(cases: planned),
                    subscriptions: node.subscribe, seed: agentSeed.next()))
            }
        }
        return agents
    }
}

extension AgentRole {
    /// The agent role of a topology node's role.
    public init(_ role: Topology.Role) {
        switch role {
        case .commune: self = .commune
        case .iom: self = .iom
        case .service: self = .service
        case .civilSociety: self = .civilSociety
        }
    }
}

extension ProviderPolicy {
    /// The policy of a topology node's desk: its offers, delays and acceptance.
    ///
    /// The node's `acceptance` splits decisions with capacity left into complete, fail and
    /// reject; the provider first accepts (`accept + fail`) then fails a share of what it accepted.
    public init(_ node: Topology.Node) {
        let accepted = node.acceptance.accept + node.acceptance.fail
        self.init(
            offers: Dictionary(uniqueKeysWithValues: node.services.map {
                (ServiceCategory(rawValue: $0.category.rawValue), Offer(capacity: $0.capacity, unit: $0.unit.rawValue))
            }),
            acknowledgeDelay: Delay(node.acknowledge),
            decideDelay: Delay(node.decide),
            serviceTime: Delay(node.complete),
            acceptProbability: accepted,
            failureProbability: accepted > 0 ? node.acceptance.fail / accepted : 0,
            takesOpenReferrals: true,
            serviceStatusInterval: ScenarioPlan.serviceStatusInterval)
    }
}

extension Delay {
    /// The agent delay, in agent-clock seconds, with the shape of a topology distribution,
    /// stretched by `factor`.
    public init(_ distribution: Distribution, factor: Double = 1) {
        switch distribution {
        case .fixed(let value): self = .fixed(value.seconds * factor)
        case let .uniform(min, max): self = .uniform(min: min.seconds * factor, max: max.seconds * factor)
        case .exponential(let mean): self = .exponential(mean: mean.seconds * factor)
        case let .lognormal(median, p90): self = .logNormal(median: median.seconds * factor, p90: p90.seconds * factor)
        }
    }
}

extension Distribution {
    /// The topology distribution with the shape of an agent delay (negative values read as zero).
    public init(_ delay: Delay) {
        func span(_ seconds: TimeInterval) -> SimulatedDuration { .seconds(Swift.max(0, seconds)) }
        switch delay {
        case .fixed(let value): self = .fixed(span(value))
        case let .uniform(min, max): self = .uniform(min: span(min), max: span(max))
        case .exponential(let mean): self = .exponential(mean: span(mean))
        case let .logNormal(median, p90): self = .lognormal(median: span(median), p90: span(p90))
        }
    }
}
