import TansiqAgent
import TansiqMessages
extension ScenarioPlan {
    /// The arrival times within `stop_time`, capped by `scenario.cases`.
    static func arrivalTimes(_ topology: Topology, seed: UInt64) -> [SimulatedDuration] {
        let stop = topology.general.stopTime.seconds
        let cap = topology.scenario.cases ?? Int.max
        var random = SeededGenerator(seed: seed, stream: "arrivals")
        var times: [Double] = []
        switch topology.scenario.arrivals {
        case .poisson(let rate):
            let gap = Distribution.exponential(mean: rate.meanInterval)
            var time = gap.sample(using: &random).seconds
            while time <= stop, times.count < cap {
                times.append(time)
                time += gap.sample(using: &random).seconds
            }
        case .fixed(let interval):
            guard interval.seconds > 0 else { break }
            var time = interval.seconds
            while time <= stop, times.count < cap {
                times.append(time)
                time += interval.seconds
            }
        case let .burst(count, at):
            if at.seconds <= stop { times = Array(repeating: at.seconds, count: min(count, cap)) }
        }
        return times.map { .seconds($0) }
    }

    static func drawCases(_ topology: Topology, seed: UInt64) -> [Case] {
        let scenario = topology.scenario
        var referrers = SeededGenerator(seed: seed, stream: "referrers")
        var needs = SeededGenerator(seed: seed, stream: "needs")
        var priorities = SeededGenerator(seed: seed, stream: "priorities")
        var routes = SeededGenerator(seed: seed, stream: "routes")
        var opened: [String: Int] = [:]
        var cases: [Case] = []
        let distinctNeeds = scenario.needs.values.count
        // Looked up once per referrer (and category): a generated network has tens of
        // thousands of links and a hundred thousand referrals.
        var agentsOf: [String: Int] = [:]
        var routesOf: [String: [ServiceCategory: [Topology.Link]]] = [:]
        for (index, time) in arrivalTimes(topology, seed: seed).enumerated() {
            let referrer = scenario.referrers.pick(using: &referrers)
            let agents = agentsOf[referrer] ?? {
                let agents = topology.node(id: referrer)?.agents ?? 1
                agentsOf[referrer] = agents
                return agents
            }()
            let rank = opened[referrer, default: 0]
            opened[referrer] = rank + 1

            let range = scenario.needsPerCase
            let span = Double(range.upperBound - range.lowerBound + 1)
            let wanted = min(distinctNeeds, range.lowerBound + Int(Distribution.unitInterval(&needs) * span))
            var chosen: [ServiceCategory] = []
            // Distinct needs by rejection; bounded so a skewed mix cannot loop for long.
            for _ in 0..<(wanted * 50) where chosen.count < wanted {
                let need = scenario.needs.pick(using: &needs)
                if !chosen.contains(need) { chosen.append(need) }
            }

            var receivers: [ServiceCategory: String] = [:]
            for need in chosen {
                let links = routesOf[referrer]?[need] ?? {
                    let links = topology.routes(from: referrer, for: need)
                    routesOf[referrer, default: [:]][need] = links
                    return links
                }()
                guard !links.isEmpty else { continue }
                let choice = Topology.WeightedChoice(links.map { ($0.to, $0.weight) })
                receivers[need] = choice.pick(using: &routes)
            }
            cases.append(Case(
                number: index + 1, at: time, referrer: referrer,
                agent: agentName(referrer, rank % agents + 1), needs: chosen,
                priority: scenario.priorities.pick(using: &priorities), receivers: receivers))
        }
        return cases
    }

    static func agentName(_ agency: String, _ number: Int) -> String { "\(agency)-\(number)" }
}
