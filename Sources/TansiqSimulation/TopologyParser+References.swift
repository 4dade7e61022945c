import TansiqAgent
import TansiqMessages
import Yams

/// The second pass: references between sections (nodes, hubs, services offered).
extension TopologyParser {
    @discardableResult
    mutating func checkNode(_ reference: TopologyReference) -> Bool {
        guard declaredNodeIDs.contains(reference.id) else {
            let hint = TopologyDocumentReader.suggestion(for: reference.id, among: declaredNodeIDs).map { "did you mean \"\($0)\"? " } ?? ""
            reader.report(.unknownNode, "unknown node \"\(reference.id)\"; \(hint)topology.nodes defines no such agency", at: reference.path, node: reference.node)
            return false
        }
        return true
    }

    mutating func checkLinks(_ drafts: [LinkDraft], nodes: [Topology.Node]) -> [Topology.Link] {
        var links: [Topology.Link] = []
        var seen: [String: String] = [:]
        for draft in drafts {
            guard let from = draft.from, let to = draft.to else { continue }
            let fromKnown = checkNode(from)
            let toKnown = checkNode(to)
            guard fromKnown, toKnown else { continue }
            if from.id == to.id {
                reader.report(.invalidLink, "a link from \(from.id) to itself; expected two different agencies", at: to.path, node: to.node)
                continue
            }
            let pair = "\(from.id)→\(to.id)"
            if let first = seen[pair] {
                reader.report(.duplicate, "\(from.id) → \(to.id) is already linked at \(first); list its services in one link", at: draft.path, node: from.node)
                continue
            }
            seen[pair] = draft.path
            // A malformed receiver was reported where it is defined.
            guard let receiver = nodes.first(where: { $0.id == to.id }) else { continue }
            let offered = receiver.services.map(\.category.rawValue).joined(separator: ", ")
            var categories: [ServiceCategory] = []
            if let services = draft.services {
                for service in services {
                    if receiver.offers(service.category) {
                        if !categories.contains(service.category) { categories.append(service.category) }
                    } else {
                        reader.report(.serviceNotOffered, "\(to.id) does not offer \(service.category); it offers: \(offered.isEmpty ? "nothing" : offered)", at: service.path, node: service.node)
                    }
                }
            } else {
                categories = receiver.services.map(\.category)
                if categories.isEmpty {
                    reader.report(.serviceNotOffered, "\(to.id) offers no service, so nothing can be referred to it", at: to.path, node: to.node)
                }
            }
            links.append(Topology.Link(from: from.id, to: to.id, services: categories, weight: draft.weight))
        }
        return links
    }

    mutating func checkScenario(_ draft: ScenarioDraft, nodes: [Topology.Node], links: [Topology.Link]) -> Topology.Scenario? {
        var referrerPairs: [(String, Double)] = []
        if let referrers = draft.referrers {
            for (reference, weight) in referrers where checkNode(reference) {
                referrerPairs.append((reference.id, weight))
            }
        } else {
            referrerPairs = nodes.filter { $0.role == .iom }.map { ($0.id, 1) }
            if referrerPairs.isEmpty && !nodes.isEmpty && nodes.count == declaredNodeIDs.count {
                reader.report(.missingKey, "missing key \"referrers\": there is no iom node to open cases by default; list the referrers", at: TopologyDocumentReader.join(draft.path, "referrers"), node: draft.node)
            }
        }
        let offered = Set(nodes.flatMap { $0.services.map(\.category) })
        let everyNodeBuilt = nodes.count == declaredNodeIDs.count
        for need in draft.needs where need.weight > 0 && everyNodeBuilt && !offered.contains(need.category) {
            reader.report(.unofferedNeed, "no node offers \(need.category), so these needs could never be met; add it to a node's services or give it weight 0", at: need.path, node: need.node)
        }
        // A need with no link goes out as an open referral, which the hub offers to the category's
        // providers other than the referrer: when the referrer is the only one, nobody can answer.
        for (referrer, weight) in referrerPairs where weight > 0 && everyNodeBuilt {
            for need in draft.needs where need.weight > 0 && offered.contains(need.category) {
                let linked = links.contains { $0.from == referrer && $0.services.contains(need.category) }
                let others = nodes.contains { $0.id != referrer && $0.offers(need.category) }
                guard !linked, !others else { continue }
                reader.report(.unofferedNeed, "\(referrer) opens cases that need \(need.category), which only \(referrer) itself offers: its open referrals for \(need.category) could never be answered; add the service to another node, or give \(referrer) no referrer weight", at: need.path, node: need.node)
            }
        }
        guard !referrerPairs.isEmpty, referrerPairs.contains(where: { $0.1 > 0 }) else { return nil }
        return Topology.Scenario(
            referrers: Topology.WeightedChoice(referrerPairs), arrivals: draft.arrivals,
            needs: Topology.WeightedChoice(draft.needs.map { ($0.category, $0.weight) }),
            needsPerCase: draft.needsPerCase, priorities: draft.priorities, cases: draft.cases)
    }

    mutating func checkFaults(_ drafts: [FaultDraft], end: SimulatedDuration?) -> [Topology.Fault] {
        var faults: [Topology.Fault] = []
        for draft in drafts {
            switch draft.fault {
            case .hubRestart:
                if !declaredHubIDs.contains(draft.target.id) {
                    let hint = TopologyDocumentReader.suggestion(for: draft.target.id, among: declaredHubIDs).map { "did you mean \"\($0)\"? " } ?? ""
                    reader.report(.unknownHub, "unknown hub \"\(draft.target.id)\"; \(hint)topology.hubs defines: \(declaredHubIDs.joined(separator: ", "))", at: draft.target.path, node: draft.target.node)
                }
            case .offline, .slow:
                checkNode(draft.target)
            }
            guard let end else { continue }
            for time in draft.times where time.name != "down" && time.value > end {
                reader.report(.outOfRange, "\(time.name) (\(time.value)) is after the end of the run (stop_time + drain = \(end))", at: TopologyDocumentReader.join(draft.path, time.name), node: time.node)
            }
            switch draft.fault {
            case let .offline(node, from, until, signal):
                faults.append(.offline(node: node, from: from, until: min(until, end), signal: signal))
            case .slow(let node, let factor, let from, let until):
                faults.append(.slow(node: node, factor: factor, from: from, until: min(until, end)))
            case .hubRestart:
                faults.append(draft.fault)
            }
        }
        return faults
    }
}
