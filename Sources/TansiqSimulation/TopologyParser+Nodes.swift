import TansiqAgent
import TansiqMessages
import Yams

/// The settings a node may inherit from `topology.kinds.<role>`; `nil` means "not said here".
struct NodeSettings {
    var hub: (id: String, path: String, node: Yams.Node)?
    var agents: Int?
    var services: [Topology.ServiceOffer]?
    var acknowledge: Distribution?
    var decide: Distribution?
    var complete: Distribution?
    var acceptance: Topology.Acceptance?
    var subscribe: [String]?

    /// These settings, with `base` filling what they leave unsaid (a key replaces, never merges).
    func over(_ base: NodeSettings) -> NodeSettings {
        NodeSettings(
            hub: hub ?? base.hub, agents: agents ?? base.agents, services: services ?? base.services,
            acknowledge: acknowledge ?? base.acknowledge, decide: decide ?? base.decide,
            complete: complete ?? base.complete, acceptance: acceptance ?? base.acceptance,
            subscribe: subscribe ?? base.subscribe)
    }
}

extension TopologyParser {
    static let settingKeys = ["hub", "agents", "services", "acknowledge", "decide", "complete", "acceptance", "subscribe"]
    static let nodeKeys = ["name", "role", "coordinator"] + settingKeys
    static let serviceKeys = ["capacity", "unit"]
    static let acceptanceKeys = ["accept", "fail"]
    static let distributionParameters: [String: [String]] = [
        "fixed": ["value"], "uniform": ["min", "max"], "exponential": ["mean"], "lognormal": ["median", "p90"],
    ]
    static let maximumAgents = 1000
    static let maximumCapacity = 1_000_000

    // MARK: kinds

    mutating func parseKinds(_ node: Yams.Node, at path: String) -> [AgentRole: NodeSettings] {
        guard let entries = reader.entries(node, at: path, expected: "a mapping from role to default settings") else {
            return [:]
        }
        var kinds: [AgentRole: NodeSettings] = [:]
        for (key, keyNode, value) in entries {
            let kindPath = TopologyDocumentReader.join(path, key)
            let role = reader.code(key, as: AgentRole.self, at: kindPath, node: keyNode, error: .unknownRole, what: "role")
            guard !value.isNull, let settings = reader.mapping(value, at: kindPath, allowed: Self.settingKeys) else { continue }
            let parsed = parseSettings(settings)
            if let role { kinds[role] = parsed }
        }
        return kinds
    }

    // MARK: nodes

    mutating func parseNodes(
        _ node: Yams.Node, at path: String, kinds: [AgentRole: NodeSettings], hubs: [Topology.Hub]
    ) -> [Topology.Node] {
        guard let entries = reader.entries(node, at: path, expected: "a mapping from agency id to its settings") else {
            return []
        }
        if entries.isEmpty {
            reader.report(.missingKey, "no node; a topology needs at least a coordinating commune", at: path, node: node)
        }
        var nodes: [Topology.Node] = []
        var explicitlyNotCoordinator = Set<String>()
        var allBuilt = true
        for (id, keyNode, value) in entries {
            let nodePath = TopologyDocumentReader.join(path, id)
            declaredNodeIDs.append(id)
            let validID = reader.checkIdentifier(id, at: nodePath, node: keyNode, what: "agency id")
            guard let spec = reader.mapping(value, at: nodePath, allowed: Self.nodeKeys, required: ["role"]) else {
                allBuilt = false
                continue
            }
            let role = spec["role"].flatMap { roleNode in
                reader.string(roleNode, at: spec.path("role"), expected: "a role").flatMap {
                    reader.code($0, as: AgentRole.self, at: spec.path("role"), node: roleNode, error: .unknownRole, what: "role")
                }
            }
            let name = spec["name"].flatMap { reader.string($0, at: spec.path("name"), expected: "a display name") } ?? id
            let coordinator = spec["coordinator"].flatMap { reader.bool($0, at: spec.path("coordinator")) }
            if coordinator == false { explicitlyNotCoordinator.insert(id) }
            if coordinator == true, let role, role != .commune {
                reader.report(.coordinator, "only a commune can coordinate; this node's role is \(role)", at: spec.path("coordinator"), node: spec["coordinator"])
            }
            let own = parseSettings(spec)
            guard let role, validID else {
                allBuilt = false
                continue
            }
            let settings = own.over(kinds[role] ?? NodeSettings())
            let hubID: String
            if let hub = settings.hub {
                hubID = hub.id
                if !declaredHubIDs.contains(hub.id) {
                    let hint = TopologyDocumentReader.suggestion(for: hub.id, among: declaredHubIDs).map { "did you mean \"\($0)\"? " } ?? ""
                    reader.report(.unknownHub, "unknown hub \"\(hub.id)\"; \(hint)topology.hubs defines: \(declaredHubIDs.joined(separator: ", "))", at: hub.path, node: hub.node)
                }
            } else if declaredHubIDs.count == 1 {
                hubID = declaredHubIDs[0]
            } else {
                hubID = ""
                if declaredHubIDs.count > 1 {
                    reader.report(.missingKey, "missing required key \"hub\": there are several hubs (\(declaredHubIDs.joined(separator: ", "))); say which one this node uses", at: spec.path("hub"), node: value)
                }
            }
            nodes.append(Topology.Node(
                id: id, name: name, role: role, isCoordinator: coordinator == true, hub: hubID,
                agents: settings.agents ?? 1, services: settings.services ?? [],
                acknowledge: settings.acknowledge ?? Topology.Node.defaultAcknowledge,
                decide: settings.decide ?? Topology.Node.defaultDecide,
                complete: settings.complete ?? Topology.Node.defaultComplete,
                acceptance: settings.acceptance ?? .default, subscribe: settings.subscribe ?? []))
        }
        if allBuilt && !entries.isEmpty {
            assignCoordinator(&nodes, explicitlyNotCoordinator: explicitlyNotCoordinator, at: path, node: node)
        }
        return nodes
    }

    /// Exactly one coordinator: the commune marked `coordinator: true`, or else the only commune.
    mutating func assignCoordinator(_ nodes: inout [Topology.Node], explicitlyNotCoordinator: Set<String>, at path: String, node: Yams.Node) {
        let marked = nodes.filter(\.isCoordinator)
        if marked.count > 1 {
            reader.report(.coordinator, "\(marked.count) nodes are marked coordinator: true (\(marked.map(\.id).joined(separator: ", "))); expected exactly one", at: path, node: node)
            return
        }
        if marked.count == 1 { return }
        let communes = nodes.filter { $0.role == .commune }
        let candidates = communes.filter { !explicitlyNotCoordinator.contains($0.id) }
        switch (communes.count, candidates.count) {
        case (0, _):
            reader.report(.coordinator, "no coordinator: expected one node with role commune (the coordinating municipality)", at: path, node: node)
        case (_, 1) where communes.count == 1:
            let index = nodes.firstIndex { $0.id == candidates[0].id }!
            nodes[index].isCoordinator = true
        default:
            reader.report(.coordinator, "no coordinator among the communes (\(communes.map(\.id).joined(separator: ", "))); mark exactly one with coordinator: true", at: path, node: node)
        }
    }

    // MARK: settings shared by kinds and nodes

    mutating func parseSettings(_ spec: TopologyDocumentReader.Mapping) -> NodeSettings {
        var settings = NodeSettings()
        if let hubNode = spec["hub"], let id = reader.identifier(hubNode, at: spec.path("hub"), what: "hub id") {
            settings.hub = (id, spec.path("hub"), hubNode)
        }
        if let agentsNode = spec["agents"] {
            settings.agents = reader.integer(agentsNode, at: spec.path("agents"), in: 1...Self.maximumAgents, what: "the number of agents")
        }
        if let servicesNode = spec["services"] {
            settings.services = parseServices(servicesNode, at: spec.path("services"))
        }
        settings.acknowledge = spec["acknowledge"].flatMap { parseDistribution($0, at: spec.path("acknowledge")) }
        settings.decide = spec["decide"].flatMap { parseDistribution($0, at: spec.path("decide")) }
        settings.complete = spec["complete"].flatMap { parseDistribution($0, at: spec.path("complete")) }
        settings.acceptance = spec["acceptance"].flatMap { parseAcceptance($0, at: spec.path("acceptance")) }
        settings.subscribe = spec["subscribe"].flatMap { parseSubscriptions($0, at: spec.path("subscribe")) }
        return settings
    }

    mutating func parseServices(_ node: Yams.Node, at path: String) -> [Topology.ServiceOffer]? {
        guard let entries = reader.entries(node, at: path, expected: "a mapping from service category to capacity, e.g. { health: { capacity: 40 } }") else {
            return nil
        }
        var offers: [Topology.ServiceOffer] = []
        for (key, keyNode, value) in entries {
            let offerPath = TopologyDocumentReader.join(path, key)
            let category = reader.code(key, as: ServiceCategory.self, at: offerPath, node: keyNode, error: .unknownServiceCategory, what: "service category")
            var capacity: Int?
            var unit = Topology.CapacityUnit.cases
            if value.tagName == .int {
                capacity = reader.integer(value, at: TopologyDocumentReader.join(offerPath, "capacity"), in: 1...Self.maximumCapacity, what: "capacity")
            } else if value.isNull {
                reader.report(.missingKey, "missing required key \"capacity\"", at: TopologyDocumentReader.join(offerPath, "capacity"), node: keyNode)
            } else if let spec = reader.mapping(value, at: offerPath, allowed: Self.serviceKeys, required: ["capacity"], expected: "a capacity (a whole number) or a mapping { capacity, unit }") {
                capacity = spec["capacity"].flatMap { reader.integer($0, at: spec.path("capacity"), in: 1...Self.maximumCapacity, what: "capacity") }
                if let unitNode = spec["unit"] {
                    unit = reader.string(unitNode, at: spec.path("unit"), expected: "a capacity unit").flatMap {
                        reader.code($0, as: Topology.CapacityUnit.self, at: spec.path("unit"), node: unitNode, error: .unknownValue, what: "capacity unit")
                    } ?? unit
                }
            }
            // A bad capacity is already reported; keeping the offer avoids follow-on errors
            // ("nobody offers health") about the same mistake.
            if let category {
                offers.append(Topology.ServiceOffer(category: category, capacity: capacity ?? 0, unit: unit))
            }
        }
        return offers
    }

    mutating func parseDistribution(_ node: Yams.Node, at path: String) -> Distribution? {
        if case .scalar = node {
            return reader.duration(node, at: path).map(Distribution.fixed)
        }
        let names = ["fixed", "uniform", "exponential", "lognormal"]
        var kind: String?
        if case .mapping(let mapping) = node, let kindNode = mapping["distribution"], !kindNode.isNull {
            let kindPath = TopologyDocumentReader.join(path, "distribution")
            if let text = reader.string(kindNode, at: kindPath, expected: "a distribution name") {
                if names.contains(text) {
                    kind = text
                } else {
                    let hint = TopologyDocumentReader.suggestion(for: text, among: names).map { "did you mean \"\($0)\"? " } ?? ""
                    reader.report(.unknownValue, "unknown distribution \"\(text)\"; \(hint)expected one of: \(names.joined(separator: ", "))", at: kindPath, node: kindNode)
                }
            }
        }
        // Without a valid kind, accept every parameter name so that only the kind is reported.
        let parameters = kind.map { Self.distributionParameters[$0]! } ?? Array(Set(Self.distributionParameters.values.joined())).sorted()
        guard let spec = reader.mapping(
            node, at: path, allowed: ["distribution"] + parameters,
            required: kind == nil ? ["distribution"] : ["distribution"] + parameters,
            expected: "a duration or a distribution such as { distribution: lognormal, median: 2h, p90: 8h }")
        else { return nil }
        guard let kind else { return nil }
        var values: [String: SimulatedDuration] = [:]
        for parameter in parameters {
            if let value = spec[parameter].flatMap({ reader.duration($0, at: spec.path(parameter)) }) {
                values[parameter] = value
            }
        }
        switch kind {
        case "fixed":
            return values["value"].map(Distribution.fixed)
        case "uniform":
            guard let min = values["min"], let max = values["max"] else { return nil }
            guard min <= max else {
                reader.report(.invalidDistribution, "max (\(max)) is below min (\(min)); expected min ≤ max", at: spec.path("max"), node: spec["max"])
                return nil
            }
            return .uniform(min: min, max: max)
        case "exponential":
            guard let mean = values["mean"] else { return nil }
            guard mean.seconds > 0 else {
                reader.report(.invalidDistribution, "mean is 0; expected a positive duration (use fixed for no delay)", at: spec.path("mean"), node: spec["mean"])
                return nil
            }
            return .exponential(mean: mean)
        default:
            guard let median = values["median"], let p90 = values["p90"] else { return nil }
            guard median.seconds > 0 else {
                reader.report(.invalidDistribution, "median is 0; expected a positive duration (use fixed for no delay)", at: spec.path("median"), node: spec["median"])
                return nil
            }
            guard p90 >= median else {
                reader.report(.invalidDistribution, "p90 (\(p90)) is below the median (\(median)); nine in ten draws fall below p90, so expected p90 ≥ median", at: spec.path("p90"), node: spec["p90"])
                return nil
            }
            return .lognormal(median: median, p90: p90)
        }
    }

    mutating func parseAcceptance(_ node: Yams.Node, at path: String) -> Topology.Acceptance? {
        guard let spec = reader.mapping(node, at: path, allowed: Self.acceptanceKeys) else { return nil }
        let accept = spec["accept"].map { reader.probability($0, at: spec.path("accept")) } ?? Topology.Acceptance.default.accept
        let fail = spec["fail"].map { reader.probability($0, at: spec.path("fail")) } ?? Topology.Acceptance.default.fail
        guard let accept, let fail else { return nil }
        guard accept + fail <= 1 + 1e-9 else {
            reader.report(.invalidProbability, "accept + fail is \(TopologyDocumentReader.format(accept + fail)); expected at most 1 (the rest is the probability of rejection)", at: path, node: node)
            return nil
        }
        return Topology.Acceptance(accept: accept, fail: fail)
    }

    mutating func parseSubscriptions(_ node: Yams.Node, at path: String) -> [String]? {
        guard let items = reader.sequence(node, at: path, expected: "a list of topic prefixes") else { return nil }
        var prefixes: [String] = []
        for (index, item) in items.enumerated() {
            let itemPath = TopologyDocumentReader.join(path, index: index)
            guard let prefix = reader.string(item, at: itemPath, expected: "a topic prefix") else { continue }
            if prefix.isEmpty || prefix.utf8.count > 255 || prefix.contains(where: { $0.isWhitespace || $0.isNewline || $0.asciiValue.map { $0 < 0x20 || $0 == 0x7f } == true }) {
                reader.report(.invalidSubscription, "\"\(prefix)\" is not a topic prefix; expected 1–255 bytes of text without spaces or control characters, e.g. \"service/health/\"", at: itemPath, node: item)
            } else {
                prefixes.append(prefix)
            }
        }
        return prefixes
    }
}
