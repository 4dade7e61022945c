import TansiqAgent
import TansiqMessages
import Yams

/// A reference to something defined elsewhere in the file, kept with its place for errors.
struct TopologyReference {
    var id: String
    var path: String
    var node: Yams.Node
}

struct LinkDraft {
    var path: String
    var from: TopologyReference?
    var to: TopologyReference?
    /// `nil` when the link says nothing: everything `to` offers.
    var services: [(category: ServiceCategory, path: String, node: Yams.Node)]?
    var weight: Double
}

struct ScenarioDraft {
    var path: String
    var node: Yams.Node
    /// `nil` when the scenario says nothing: every iom node.
    var referrers: [(reference: TopologyReference, weight: Double)]?
    var arrivals: Topology.Arrivals
    var needs: [(category: ServiceCategory, weight: Double, path: String, node: Yams.Node)]
    var needsPerCase: ClosedRange<Int>
    var priorities: Topology.WeightedChoice<Priority>
    var cases: Int?
}

struct FaultDraft {
    var path: String
    var fault: Topology.Fault
    var target: TopologyReference
    var times: [(name: String, value: SimulatedDuration, node: Yams.Node)]
}

extension TopologyParser {
    static let linkKeys = ["from", "to", "services", "weight"]
    static let scenarioKeys = ["referrers", "arrivals", "needs", "needs_per_case", "priorities", "cases"]
    static let arrivalParameters: [String: [String]] = ["poisson": ["rate"], "fixed": ["interval"], "burst": ["count", "at"]]
    static let faultParameters: [String: [String]] = [
        "offline": ["node", "from", "until", "signal"], "slow": ["node", "factor", "from", "until"], "hub-restart": ["hub", "at", "down"],
    ]
    static let requiredFaultParameters: [String: [String]] = ["offline": ["node"], "slow": ["node", "factor"], "hub-restart": ["hub", "at"]]
    static let maximumCases = 10_000_000

    mutating func reference(_ node: Yams.Node?, at path: String, what: String) -> TopologyReference? {
        guard let node, let id = reader.identifier(node, at: path, what: what) else { return nil }
        return TopologyReference(id: id, path: path, node: node)
    }

    // MARK: links

    mutating func parseLinks(_ node: Yams.Node, at path: String) -> [LinkDraft] {
        guard let items = reader.sequence(node, at: path, expected: "a list of links such as { from: iom-morocco, to: health-delegation, services: [health] }") else {
            return []
        }
        var drafts: [LinkDraft] = []
        for (index, item) in items.enumerated() {
            let linkPath = TopologyDocumentReader.join(path, index: index)
            guard let spec = reader.mapping(item, at: linkPath, allowed: Self.linkKeys, required: ["from", "to"]) else { continue }
            var draft = LinkDraft(
                path: linkPath,
                from: reference(spec["from"], at: spec.path("from"), what: "agency id"),
                to: reference(spec["to"], at: spec.path("to"), what: "agency id"),
                services: nil, weight: 1)
            if let servicesNode = spec["services"],
               let entries = reader.sequence(servicesNode, at: spec.path("services"), expected: "a list of service categories") {
                draft.services = []
                for (position, entry) in entries.enumerated() {
                    let entryPath = TopologyDocumentReader.join(spec.path("services"), index: position)
                    if let text = reader.string(entry, at: entryPath, expected: "a service category"),
                       let category = reader.code(text, as: ServiceCategory.self, at: entryPath, node: entry, error: .unknownServiceCategory, what: "service category") {
                        draft.services?.append((category, entryPath, entry))
                    }
                }
                if entries.isEmpty {
                    reader.report(.outOfRange, "an empty list routes nothing; list categories, or remove services: to route everything the receiver offers", at: spec.path("services"), node: servicesNode)
                }
            }
            if let weightNode = spec["weight"], let weight = reader.number(weightNode, at: spec.path("weight"), what: "a weight") {
                if weight > 0 {
                    draft.weight = weight
                } else {
                    reader.report(.outOfRange, "weight is \(TopologyDocumentReader.format(weight)); expected a number > 0", at: spec.path("weight"), node: weightNode)
                }
            }
            drafts.append(draft)
        }
        return drafts
    }

    // MARK: scenario

    mutating func parseScenario(_ node: Yams.Node, at path: String, general: Topology.General?) -> ScenarioDraft? {
        guard let spec = reader.mapping(node, at: path, allowed: Self.scenarioKeys, required: ["arrivals", "needs"]) else {
            return nil
        }
        let referrers = spec["referrers"].flatMap { parseReferrers($0, at: spec.path("referrers")) }
        let arrivals = spec["arrivals"].flatMap { parseArrivals($0, at: spec.path("arrivals"), general: general) }
        var needs: [(category: ServiceCategory, weight: Double, path: String, node: Yams.Node)] = []
        var needsValid = false
        if let needsNode = spec["needs"], let entries = reader.entries(needsNode, at: spec.path("needs"), expected: "a mapping from service category to weight, e.g. { health: 0.3, legal: 0.2 }") {
            needsValid = true
            for (key, keyNode, value) in entries {
                let needPath = TopologyDocumentReader.join(spec.path("needs"), key)
                let category = reader.code(key, as: ServiceCategory.self, at: needPath, node: keyNode, error: .unknownServiceCategory, what: "service category")
                let weight = reader.weight(value, at: needPath)
                if let category, let weight { needs.append((category, weight, needPath, value)) } else { needsValid = false }
            }
            if needsValid && needs.reduce(0, { $0 + $1.weight }) <= 0 {
                reader.report(.outOfRange, "no need has a positive weight; expected at least one category with weight > 0", at: spec.path("needs"), node: needsNode)
                needsValid = false
            }
        }
        let distinctNeeds = needs.filter { $0.weight > 0 }.count
        var needsPerCase = 1...1
        if let perCaseNode = spec["needs_per_case"] {
            let perCasePath = spec.path("needs_per_case")
            var bounds: (Int, Int)?
            if perCaseNode.tagName == .int {
                bounds = reader.integer(perCaseNode, at: perCasePath, in: 1...Int.max, what: "needs per case").map { ($0, $0) }
            } else if let range = reader.mapping(perCaseNode, at: perCasePath, allowed: ["min", "max"], expected: "a whole number or a mapping { min, max }") {
                let low = range["min"].map { reader.integer($0, at: range.path("min"), in: 1...Int.max, what: "min") } ?? 1
                let high = range["max"].map { reader.integer($0, at: range.path("max"), in: 1...Int.max, what: "max") } ?? low
                if let low, let high {
                    if high < low {
                        reader.report(.outOfRange, "max (\(high)) is below min (\(low)); expected min ≤ max", at: range.path("max"), node: range["max"])
                    } else {
                        bounds = (low, high)
                    }
                }
            }
            if let (low, high) = bounds {
                needsPerCase = low...high
                if needsValid && high > distinctNeeds {
                    reader.report(.outOfRange, "a case may have \(high) distinct needs but the mix has only \(distinctNeeds) categories with weight > 0", at: perCasePath, node: perCaseNode)
                }
            }
        }
        var priorities = Topology.WeightedChoice<Priority>([(.routine, 1)])
        if let prioritiesNode = spec["priorities"], let entries = reader.entries(prioritiesNode, at: spec.path("priorities"), expected: "a mapping from priority to weight, e.g. { routine: 0.8, urgent: 0.2 }") {
            var pairs: [(Priority, Double)] = []
            var valid = true
            for (key, keyNode, value) in entries {
                let priorityPath = TopologyDocumentReader.join(spec.path("priorities"), key)
                let priority = reader.code(key, as: Priority.self, at: priorityPath, node: keyNode, error: .unknownPriority, what: "priority")
                let weight = reader.weight(value, at: priorityPath)
                if let priority, let weight { pairs.append((priority, weight)) } else { valid = false }
            }
            if valid && pairs.reduce(0, { $0 + $1.1 }) > 0 {
                priorities = Topology.WeightedChoice(pairs)
            } else if valid {
                reader.report(.outOfRange, "no priority has a positive weight; expected at least one with weight > 0", at: spec.path("priorities"), node: prioritiesNode)
            }
        }
        let cases = spec["cases"].flatMap { reader.integer($0, at: spec.path("cases"), in: 1...Self.maximumCases, what: "the number of cases") }
        guard let arrivals, needsValid else { return nil }
        return ScenarioDraft(
            path: path, node: node, referrers: referrers, arrivals: arrivals, needs: needs,
            needsPerCase: needsPerCase, priorities: priorities, cases: cases)
    }

    mutating func parseReferrers(_ node: Yams.Node, at path: String) -> [(reference: TopologyReference, weight: Double)]? {
        var result: [(reference: TopologyReference, weight: Double)] = []
        if case .sequence(let items) = node {
            for (index, item) in items.enumerated() {
                if let reference = reference(item, at: TopologyDocumentReader.join(path, index: index), what: "agency id") {
                    result.append((reference, 1))
                }
            }
        } else if let entries = reader.entries(node, at: path, expected: "a list of agency ids, or a mapping from agency id to weight") {
            for (key, keyNode, value) in entries {
                let entryPath = TopologyDocumentReader.join(path, key)
                let valid = reader.checkIdentifier(key, at: entryPath, node: keyNode, what: "agency id")
                if let weight = reader.weight(value, at: entryPath), valid {
                    result.append((TopologyReference(id: key, path: entryPath, node: keyNode), weight))
                }
            }
        } else {
            return nil
        }
        var seen = Set<String>()
        for (reference, _) in result where !seen.insert(reference.id).inserted {
            reader.report(.duplicate, "\(reference.id) is listed twice; list each referrer once", at: reference.path, node: reference.node)
        }
        if result.isEmpty {
            reader.report(.outOfRange, "no referrer; list who opens cases, or remove referrers: to use every iom node", at: path, node: node)
            return nil
        }
        if result.allSatisfy({ $0.weight == 0 }) {
            reader.report(.outOfRange, "no referrer has a positive weight; expected at least one with weight > 0", at: path, node: node)
            return nil
        }
        return result
    }

    mutating func parseArrivals(_ node: Yams.Node, at path: String, general: Topology.General?) -> Topology.Arrivals? {
        let processes = ["poisson", "fixed", "burst"]
        var process: String?
        if case .mapping(let mapping) = node, let processNode = mapping["process"], !processNode.isNull {
            let processPath = TopologyDocumentReader.join(path, "process")
            if let text = reader.string(processNode, at: processPath, expected: "an arrival process") {
                if processes.contains(text) {
                    process = text
                } else {
                    let hint = TopologyDocumentReader.suggestion(for: text, among: processes).map { "did you mean \"\($0)\"? " } ?? ""
                    reader.report(.unknownValue, "unknown arrival process \"\(text)\"; \(hint)expected one of: \(processes.joined(separator: ", "))", at: processPath, node: processNode)
                }
            }
        }
        let parameters = process.map { Self.arrivalParameters[$0]! } ?? ["at", "count", "interval", "rate"]
        let required = process.map { ["process"] + (Self.arrivalParameters[$0]!.filter { $0 != "at" }) } ?? ["process"]
        guard let spec = reader.mapping(
            node, at: path, allowed: ["process"] + parameters, required: required,
            expected: "a mapping such as { process: poisson, rate: 12/d }"), let process
        else { return nil }
        switch process {
        case "poisson":
            guard let rateNode = spec["rate"], let text = reader.string(rateNode, at: spec.path("rate"), expected: "a rate such as 12/d") else { return nil }
            guard let rate = Topology.Rate(parsing: text) else {
                reader.report(.invalidRate, "\"\(text)\" is not a rate; expected a positive number of cases per unit or duration, e.g. 12/d, 0.5/h or 3/2h", at: spec.path("rate"), node: rateNode)
                return nil
            }
            return .poisson(rate: rate)
        case "fixed":
            guard let intervalNode = spec["interval"], let interval = reader.duration(intervalNode, at: spec.path("interval")) else { return nil }
            guard interval.seconds > 0 else {
                reader.report(.outOfRange, "interval is 0; expected a positive duration such as 2h", at: spec.path("interval"), node: intervalNode)
                return nil
            }
            return .fixed(interval: interval)
        default:
            let count = spec["count"].flatMap { reader.integer($0, at: spec.path("count"), in: 1...Self.maximumCases, what: "the number of cases") }
            let at = spec["at"].map { reader.duration($0, at: spec.path("at")) } ?? .zero
            guard let count, let at else { return nil }
            if let general, at >= general.stopTime {
                reader.report(.outOfRange, "the burst at \(at) comes after stop_time (\(general.stopTime)), when no case arrives any more", at: spec.path("at"), node: spec["at"])
                return nil
            }
            return .burst(count: count, at: at)
        }
    }

    // MARK: faults

    mutating func parseFaults(_ node: Yams.Node, at path: String) -> [FaultDraft] {
        guard let items = reader.sequence(node, at: path, expected: "a list of faults such as { kind: offline, node: x, from: 5d, until: 7d }") else {
            return []
        }
        let kinds = ["offline", "slow", "hub-restart"]
        var drafts: [FaultDraft] = []
        for (index, item) in items.enumerated() {
            let faultPath = TopologyDocumentReader.join(path, index: index)
            var kind: String?
            if case .mapping(let mapping) = item, let kindNode = mapping["kind"], !kindNode.isNull {
                let kindPath = TopologyDocumentReader.join(faultPath, "kind")
                if let text = reader.string(kindNode, at: kindPath, expected: "a fault kind") {
                    if kinds.contains(text) {
                        kind = text
                    } else {
                        let hint = TopologyDocumentReader.suggestion(for: text, among: kinds).map { "did you mean \"\($0)\"? " } ?? ""
                        reader.report(.unknownValue, "unknown fault kind \"\(text)\"; \(hint)expected one of: \(kinds.joined(separator: ", "))", at: kindPath, node: kindNode)
                    }
                }
            }
            let parameters = kind.map { Self.faultParameters[$0]! } ?? Array(Set(Self.faultParameters.values.joined())).sorted()
            guard let spec = reader.mapping(
                item, at: faultPath, allowed: ["kind"] + parameters,
                required: ["kind"] + (kind.map { Self.requiredFaultParameters[$0]! } ?? [])),
                let kind
            else { continue }
            var times: [(name: String, value: SimulatedDuration, node: Yams.Node)] = []
            func time(_ name: String, _ parser: inout TopologyParser) -> SimulatedDuration? {
                guard let timeNode = spec[name], let value = parser.reader.duration(timeNode, at: spec.path(name)) else { return nil }
                times.append((name, value, timeNode))
                return value
            }
            switch kind {
            case "hub-restart":
                guard let hub = reference(spec["hub"], at: spec.path("hub"), what: "hub id"), let at = time("at", &self) else { continue }
                let down = time("down", &self) ?? .zero
                drafts.append(FaultDraft(path: faultPath, fault: .hubRestart(hub: hub.id, at: at, down: down), target: hub, times: times))
            default:
                let target = reference(spec["node"], at: spec.path("node"), what: "agency id")
                let from = time("from", &self) ?? .zero
                let until = time("until", &self)
                var factor = 1.0
                if kind == "slow" {
                    guard let factorNode = spec["factor"], let value = reader.number(factorNode, at: spec.path("factor"), what: "a slow-down factor") else { continue }
                    guard value >= 1 else {
                        reader.report(.outOfRange, "factor is \(TopologyDocumentReader.format(value)); expected a number ≥ 1 (3 means three times slower)", at: spec.path("factor"), node: factorNode)
                        continue
                    }
                    factor = value
                }
                var signal = Topology.StopSignal.kill
                if let signalNode = spec["signal"] {
                    guard let text = reader.string(signalNode, at: spec.path("signal"), expected: "a stop signal"),
                          let value = reader.code(text, as: Topology.StopSignal.self, at: spec.path("signal"), node: signalNode, error: .unknownValue, what: "stop signal")
                    else { continue }
                    signal = value
                }
                guard let target else { continue }
                // An absent `until` lasts to the end of the run; checkFaults fills it in.
                let end = until ?? SimulatedDuration(seconds: .greatestFiniteMagnitude)
                if let until, until <= from {
                    reader.report(.outOfRange, "until (\(until)) is not after from (\(from)); expected from < until", at: spec.path("until"), node: spec["until"])
                    continue
                }
                let fault: Topology.Fault = kind == "slow"
                    ? .slow(node: target.id, factor: factor, from: from, until: end)
                    : .offline(node: target.id, from: from, until: end, signal: signal)
                drafts.append(FaultDraft(path: faultPath, fault: fault, target: target, times: times))
            }
        }
        return drafts
    }
}
