import Foundation
import TansiqAgent
import TansiqMessages

extension TopologyFit.Model {
    typealias Referral = NetworkHistory.Referral

    /// Roles, agents, services with capacities, delays and acceptance of every agency.
    mutating func fitAgencies(_ history: NetworkHistory, options: TopologyFit.Options, end: Date) throws(TopologyFitError) {
        let referrals = history.referrals
        var ids = Set(referrals.map(\.referrer) + referrals.compactMap(\.receiver) + history.agencies.keys)
        for id in options.roles.keys where !ids.contains(id) {
            throw TopologyFitError(.badOption, "--role names \(id), which the history does not know (agencies: \(ids.sorted().joined(separator: ", ")))")
        }
        if let coordinator = options.coordinator, !ids.contains(coordinator) {
            throw TopologyFitError(.badOption, "--coordinator names \(coordinator), which the history does not know")
        }
        let receivers = Set(referrals.compactMap(\.receiver))
        var inferred: [String] = []
        var roles: [String: AgentRole] = [:]
        for id in ids {
            if let role = options.roles[id] ?? history.agencies[id]?.role {
                roles[id] = role
            } else {
                roles[id] = receivers.contains(id) ? .service : .iom
                inferred.append(id)
            }
        }
        let communes = roles.filter { $0.value == .commune }.map(\.key)
        guard let coordinator = options.coordinator ?? history.coordinator ?? (communes.count == 1 ? communes.first : nil) else {
            throw TopologyFitError(
                .noCoordinator,
                "cannot tell which agency coordinates: no escalation acknowledgement in the registry and \(communes.isEmpty ? "no commune" : "\(communes.count) communes (\(communes.sorted().joined(separator: ", ")))") among the agencies; give --coordinator AGENCY")
        }
        if let given = options.roles[coordinator], given != .commune {
            throw TopologyFitError(.badOption, "the coordinator \(coordinator) must be a commune, not \(given)")
        }
        if roles[coordinator] != .commune {
            notes.append("\(coordinator) coordinates (it acknowledged escalations or was named): written as a commune")
            roles[coordinator] = .commune
        }
        inferred.removeAll { $0 == coordinator }
        if !inferred.isEmpty {
            notes.append("roles inferred (receives referrals: service; only refers: iom) for \(inferred.sorted().joined(separator: ", ")); give --role AGENCY=ROLE to correct")
        }
        ids.remove(coordinator)
        let order = [coordinator] + ids.sorted()

        // Samples per agency, pooled by role and then over everybody when an agency has few.
        var acknowledge: [String: (addressed: TopologyFit.Sample, all: TopologyFit.Sample)] = [:]
        var decide: [String: TopologyFit.Sample] = [:]
        var complete: [String: TopologyFit.Sample] = [:]
        for referral in referrals {
            guard let receiver = referral.receiver else { continue }
            if let received = referral.receivedAt {
                let time = received.timeIntervalSince(referral.createdAt)
                if !referral.open { acknowledge[receiver, default: (TopologyFit.Sample(), TopologyFit.Sample())].addressed.observed.append(time) }
                acknowledge[receiver, default: (TopologyFit.Sample(), TopologyFit.Sample())].all.observed.append(time)
                if let decided = referral.decidedAt { decide[receiver, default: .init()].observed.append(decided.timeIntervalSince(received)) }
            }
            guard referral.wasAccepted, let decided = referral.decidedAt else { continue }
            switch referral.state {
            case .completed, .failed:
                complete[receiver, default: .init()].observed.append((referral.closedAt ?? end).timeIntervalSince(decided))
            case .cancelled:
                break
            default:
                complete[receiver, default: .init()].censored.append(end.timeIntervalSince(decided))
            }
        }
        let minimum = options.minimumSample
        func pick(_ own: TopologyFit.Sample, _ id: String, _ samples: (String) -> TopologyFit.Sample) -> (TopologyFit.Sample, String?)? {
            if own.observed.count >= minimum { return (own, nil) }
            let role = roles[id]
            let sameRole = receivers.filter { roles[$0] == role }.map(samples).reduce(TopologyFit.Sample(), +)
            if sameRole.observed.count >= minimum { return (sameRole, "pooled over the \(role?.rawValue ?? "") agencies: \(id) has \(own.observed.count)") }
            let everybody = receivers.map(samples).reduce(TopologyFit.Sample(), +)
            if everybody.observed.count >= minimum { return (everybody, "pooled over every agency: \(id) has \(own.observed.count)") }
            return nil
        }
        func ackSample(_ id: String) -> TopologyFit.Sample {
            let own = acknowledge[id] ?? (TopologyFit.Sample(), TopologyFit.Sample())
            // An open referral's acknowledgement is the quickest of its providers' (the claim):
            // addressed referrals say how fast the agency itself answers.
            return own.addressed.observed.count >= minimum ? own.addressed : own.all
        }

        for id in order {
            let role = roles[id] ?? .service
            var node = TopologyFit.Node(
                id: id, role: role, coordinator: id == coordinator, agents: max(1, history.agencies[id]?.agents.count ?? 0))
            let received = referrals.filter { $0.receiver == id }
            let announced = history.agencies[id]?.capacities ?? [:]
            let categories = Set(received.map(\.category)).union(announced.keys)
            for category in ServiceCategory.allCases where categories.contains(category) {
                node.services.append(Self.service(category, received: received, announced: announced[category], unit: history.agencies[id]?.units[category], end: end))
            }
            if receivers.contains(id) {
                if let (sample, pooled) = pick(ackSample(id), id, ackSample) {
                    node.acknowledge = TopologyFit.answerTime(sample, pooled: pooled)
                }
                if let (sample, pooled) = pick(decide[id] ?? .init(), id, { decide[$0] ?? .init() }) {
                    node.decide = TopologyFit.answerTime(sample, pooled: pooled)
                }
                if let (sample, pooled) = pick(complete[id] ?? .init(), id, { complete[$0] ?? .init() }) {
                    node.complete = TopologyFit.serviceTime(sample, pooled: pooled)
                }
                node.acceptance = Self.acceptance(received, pooled: referrals.filter { $0.receiver.map { roles[$0] == role } ?? false }, minimum: minimum)
            }
            nodes.append(node)
        }
    }

    /// The capacity announced, else the most referrals held accepted at once: reached when some
    /// were rejected at capacity, otherwise a lower bound, doubled for headroom.
    static func service(_ category: ServiceCategory, received: [Referral], announced: Int?, unit: String?, end: Date) -> TopologyFit.Service {
        let unit = unit.flatMap { Topology.CapacityUnit(rawValue: $0) }?.rawValue
        if let announced, announced > 0 {
            return TopologyFit.Service(category: category, capacity: announced, unit: unit, how: "capacity announced in its service status")
        }
        let mine = received.filter { $0.category == category }
        var changes: [(Date, Int)] = []
        for referral in mine where referral.wasAccepted {
            guard let decided = referral.decidedAt else { continue }
            changes.append((decided, 1))
            changes.append((referral.closedAt ?? end, -1))
        }
        var inUse = 0, peak = 0
        for (_, change) in changes.sorted(by: { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }) {
            inUse += change
            peak = max(peak, inUse)
        }
        let full = mine.count { $0.state == .rejected && $0.closeReason == "at-capacity" }
        if full > 0 {
            return TopologyFit.Service(category: category, capacity: max(1, peak), unit: unit,
                                       how: "capacity: at most \(peak) held at once, \(full) rejected at capacity")
        }
        return TopologyFit.Service(category: category, capacity: max(1, 2 * peak), unit: unit,
                                   how: "capacity: at most \(peak) held at once and never full; doubled as headroom")
    }

    /// With capacity left: the share accepted, split into completed and failed by the closed ones.
    static func acceptance(_ received: [Referral], pooled: [Referral], minimum: Int) -> (accept: Double, fail: Double, how: String)? {
        func shares(_ referrals: [Referral]) -> (Double, Double, Int)? {
            let decided = referrals.filter { $0.decidedAt != nil && !($0.state == .rejected && $0.closeReason == "at-capacity") }
            guard !decided.isEmpty else { return nil }
            let accepted = decided.count(where: \.wasAccepted)
            let completed = decided.count { $0.state == .completed }
            let failed = decided.count { $0.state == .failed }
            let acceptedShare = Double(accepted) / Double(decided.count)
            let failedShare = completed + failed > 0 ? Double(failed) / Double(completed + failed) : 0
            return (acceptedShare * (1 - failedShare), acceptedShare * failedShare, decided.count)
        }
        let own = shares(received)
        var chosen = own
        var how = "from \(own?.2 ?? 0) decisions with capacity left"
        if (own?.2 ?? 0) < minimum, let pooled = shares(pooled) {
            chosen = pooled
            how += "; pooled over its role's \(pooled.2)"
        }
        guard let (accept, fail, _) = chosen else { return nil }
        let roundedFail = (fail * 1000).rounded() / 1000
        let roundedAccept = min((accept * 1000).rounded() / 1000, 1 - roundedFail)
        return (roundedAccept, roundedFail, how)
    }

    /// Routes: a referrer's addressed referrals of a category become links to their receivers,
    /// weighted by their shares where several receivers compete; a category it mostly sent open
    /// gets no link.
    mutating func fitLinks(_ referrals: [Referral]) {
        struct Route: Hashable { var from: String; var category: ServiceCategory }
        var addressed: [Route: [String: Int]] = [:]
        var open: [Route: Int] = [:]
        for referral in referrals {
            let route = Route(from: referral.referrer, category: referral.category)
            if referral.open {
                open[route, default: 0] += 1
            } else if let receiver = referral.receiver, receiver != referral.referrer {
                addressed[route, default: [:]][receiver, default: 0] += 1
            }
        }
        var pairs: [String: [String: (categories: [ServiceCategory], shares: [Double])]] = [:]
        var mixed = 0
        for (route, receivers) in addressed {
            let total = receivers.values.reduce(0, +)
            if let opened = open[route] {
                mixed += 1
                if opened > total { continue }
            }
            for (receiver, count) in receivers {
                var pair = pairs[route.from, default: [:]][receiver] ?? ([], [])
                pair.categories.append(route.category)
                if receivers.count > 1 { pair.shares.append(Double(count) / Double(total)) }
                pairs[route.from, default: [:]][receiver] = pair
            }
        }
        if mixed > 0 {
            notes.append("\(mixed) referrer/category pairs were sent both open and addressed: each follows its majority")
        }
        for from in pairs.keys.sorted() {
            for (to, pair) in pairs[from]!.sorted(by: { $0.key < $1.key }) {
                let weight = pair.shares.isEmpty ? nil : max(0.01, (pair.shares.reduce(0, +) / Double(pair.shares.count) * 100).rounded() / 100)
                links.append(TopologyFit.Link(
                    from: from, to: to, categories: ServiceCategory.allCases.filter(pair.categories.contains), weight: weight))
            }
        }
    }

    /// Arrivals, referrers, needs, needs per case and priorities; the run's length.
    mutating func fitScenario(_ cases: [TopologyFit.Case], referrals: [Referral], first: Date, last: Date, end: Date, options: TopologyFit.Options) {
        let offered = Set(nodes.flatMap { $0.services.map(\.category) })
        let unserved = referrals.filter { !offered.contains($0.category) }
        if !unserved.isEmpty {
            let categories = Set(unserved.map(\.category.rawValue)).sorted().joined(separator: ", ")
            notes.append("\(unserved.count) referrals for \(categories) were never taken by any agency: no node offers it, so it is left out of the needs")
        }
        var referrerCases: [String: Int] = [:]
        var priorityCases: [Priority: Int] = [:]
        for item in cases {
            referrerCases[item.referrer, default: 0] += 1
            priorityCases[item.priority, default: 0] += 1
        }
        referrers = referrerCases.sorted { $0.value == $1.value ? $0.key < $1.key : $0.value > $1.value }
        priorities = Priority.allCases.compactMap { priority in priorityCases[priority].map { (priority, $0) } }
        var needCounts: [ServiceCategory: Int] = [:]
        for referral in referrals where offered.contains(referral.category) { needCounts[referral.category, default: 0] += 1 }
        needs = ServiceCategory.allCases.compactMap { category in needCounts[category].map { (category, $0) } }
        let sizes = cases.map { $0.categories.filter(offered.contains).count }.filter { $0 > 0 }
        // The file draws a case's size uniformly in min...max: min is the smallest case, max
        // the one that gives the observed mean (a few cases merged by chance must not widen it).
        let smallest = max(1, sizes.min() ?? 1)
        let meanSize = sizes.isEmpty ? 1 : Double(sizes.reduce(0, +)) / Double(sizes.count)
        let largest = min(max(smallest, Int((2 * meanSize - Double(smallest)).rounded())), max(smallest, sizes.max() ?? 1), max(1, needs.count))
        needsPerCase = smallest...max(smallest, largest)
        if (sizes.max() ?? 1) > largest {
            notes.append("needs per case: \(smallest) to \(largest), uniform, for the observed mean of \(Self.number(meanSize, digits: 2)) (the largest case had \(sizes.max() ?? 1))")
        }
        // Whole sizes drawn uniformly cannot give every mean (1.33 comes out as 1...2, 1.5):
        // providers see referrals, not cases, so Poisson cases come at the rate that keeps the
        // observed referrals per day (each category's load, which sets rejections at capacity).
        let drawnSize = Double(needsPerCase.lowerBound + needsPerCase.upperBound) / 2
        let referralRate = abs(meanSize / drawnSize - 1) > 0.02 ? meanSize / drawnSize : 1

        // Arrival gaps as regular as a clock are a fixed interval; otherwise Poisson arrivals.
        let times = cases.map { $0.at.timeIntervalSince(first) }
        let gap = times.last! / Double(times.count - 1)
        let gaps = zip(times.dropFirst(), times).map { $0 - $1 }
        let gapMean = gaps.reduce(0, +) / Double(gaps.count)
        let gapSpread = gaps.count > 1 ? (gaps.reduce(0) { $0 + ($1 - gapMean) * ($1 - gapMean) } / Double(gaps.count - 1)).squareRoot() : 0
        let span = last.timeIntervalSince(first)
        let days = String(format: "%.1f", span / 86_400)
        if gapSpread / gap < 0.05 {
            let interval = TopologyFit.duration(gap)
            // The first case comes one interval after the start; the last one before stop_time.
            stopTime = TopologyFit.duration(span + interval.seconds * 1.5)
            arrivals = "{ process: fixed, interval: \(Self.text(interval)) }"
            notes.append("arrivals: one case every \(Self.text(interval)) (the gaps between \(cases.count) cases vary by under 5%)")
        } else {
            // Poisson: the mean gap before the first case and after the last one.
            stopTime = TopologyFit.duration(span + 2 * gap)
            let perDay = Double(cases.count) / stopTime.seconds * 86_400 * referralRate
            arrivals = "{ process: poisson, rate: \(Self.number(perDay, digits: 2))/d }"
            notes.append("arrivals: Poisson, \(cases.count) cases over \(days) days (coefficient of variation of the gaps \(String(format: "%.2f", gapSpread / gap)))")
            if referralRate != 1 {
                notes.append("arrivals: the case rate times \(Self.number(referralRate, digits: 3)) (observed \(Self.number(meanSize, digits: 2)) needs per case, \(Self.number(drawnSize, digits: 2)) drawn): the same referrals per day")
            }
        }
        let arrivalsEnd = first.addingTimeInterval(-gap + stopTime.seconds)
        drain = options.drain ?? TopologyFit.duration(max(0, end.timeIntervalSince(arrivalsEnd)))
    }

    static func number(_ value: Double, digits: Int) -> String {
        let scale = pow(10, Double(digits))
        let rounded = (value * scale).rounded() / scale
        return rounded == rounded.rounded() ? "\(Int(rounded))" : "\(rounded)"
    }
}
