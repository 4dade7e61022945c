extension Topology {
    /// One line for `tansiq topology validate`: `13 nodes, 17 agents, 14 links, needs health 25%, …`.
    public var summaryLine: String {
        let needs = scenario.needs.values.map { "\($0) \(Self.percent(scenario.needs.probability(of: $0)))" }
        return "\(Self.count(nodes.count, "node")), \(Self.count(agentCount, "agent")), \(Self.count(links.count, "link")), needs \(needs.joined(separator: ", "))"
    }

    /// A short human overview for `tansiq topology show`: run settings, hubs, nodes with their
    /// roles, services and capacities, links, scenario and faults.
    public var overview: String {
        var lines: [String] = []
        lines.append(description.isEmpty ? name : "\(name) — \(description)")
        let realTime = general.realSeconds
        lines.append("run: seed \(general.seed), stop_time \(general.stopTime), drain \(general.drain), time_scale \(Self.number(general.timeScale)) (≈ \(Self.number(realTime.rounded())) s of real time)")
        for hub in hubs {
            lines.append("hub \(hub.id): ingress \(hub.ingress), egress \(hub.egress), replay \(hub.replay)")
        }
        lines.append("nodes (\(nodes.count), \(Self.count(agentCount, "agent"))):")
        let width = nodes.map(\.id.count).max() ?? 0
        for node in nodes {
            let id = node.id.padding(to: width)
            let role = (node.role.rawValue + (node.isCoordinator ? " (coordinator)" : "")).padding(to: 26)
            lines.append("  \(id)  \(role) \(Self.count(node.agents, "agent").padding(to: 10)) \(node.name)")
            if !node.services.isEmpty {
                let offers = node.services.map { "\($0.category) \($0.capacity) \($0.unit.rawValue)" }
                lines.append("  \(String(repeating: " ", count: width))  offers \(offers.joined(separator: ", "))")
            }
        }
        lines.append("links (\(links.count)):")
        for link in links {
            let weight = link.weight == 1 ? "" : " (weight \(Self.number(link.weight)))"
            lines.append("  \(link.from) → \(link.to): \(link.services.map(\.rawValue).joined(separator: ", "))\(weight)")
        }
        let referrers = scenario.referrers.values.map { "\($0) \(Self.percent(scenario.referrers.probability(of: $0)))" }
        lines.append("scenario: \(Self.describe(scenario.arrivals))\(scenario.cases.map { ", at most \($0) cases" } ?? "")")
        lines.append("  referrers: \(referrers.joined(separator: ", "))")
        lines.append("  needs (\(scenario.needsPerCase.lowerBound == scenario.needsPerCase.upperBound ? "\(scenario.needsPerCase.lowerBound)" : "\(scenario.needsPerCase.lowerBound)–\(scenario.needsPerCase.upperBound)") per case): \(scenario.needs.values.map { "\($0) \(Self.percent(scenario.needs.probability(of: $0)))" }.joined(separator: ", "))")
        lines.append("  priorities: \(scenario.priorities.values.map { "\($0) \(Self.percent(scenario.priorities.probability(of: $0)))" }.joined(separator: ", "))")
        if !faults.isEmpty {
            lines.append("faults (\(faults.count)):")
            for fault in faults {
                switch fault {
                case let .offline(node, from, until, signal):
                    lines.append("  \(node) offline from \(from) until \(until) (SIG\(signal.rawValue.uppercased()))")
                case let .slow(node, factor, from, until):
                    lines.append("  \(node) \(Self.number(factor))× slower from \(from) until \(until)")
                case let .hubRestart(hub, at, down):
                    lines.append("  hub \(hub) restarts at \(at), down \(down)")
                }
            }
        }
        return lines.joined(separator: "\n")
    }

    private static func describe(_ arrivals: Arrivals) -> String {
        switch arrivals {
        case .poisson(let rate): return "poisson arrivals, \(rate)"
        case .fixed(let interval): return "one case every \(interval)"
        case let .burst(count, at): return "a burst of \(count) cases at \(at)"
        }
    }

    private static func count(_ value: Int, _ noun: String) -> String { "\(value) \(noun)\(value == 1 ? "" : "s")" }

    private static func percent(_ share: Double) -> String {
        let value = share * 100
        return value >= 1 || value == 0 ? "\(Int(value.rounded()))%" : "<1%"
    }

    private static func number(_ value: Double) -> String { TopologyDocumentReader.format(value) }
}

extension String {
    fileprivate func padding(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
