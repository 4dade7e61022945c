import TansiqAgent
import Yams

/// Turns a composed YAML document into a ``Topology`` in two passes: first every section on its
/// own (types, ranges, codes), then the references between sections (nodes, hubs, services).
/// Every mistake is recorded; a topology comes out only when there is none.
struct TopologyParser {
    var reader: TopologyDocumentReader

    /// Agency ids in file order, kept even when a node is malformed so that references to it
    /// are not reported as unknown as well.
    var declaredNodeIDs: [String] = []
    var declaredHubIDs: [String] = []

    static let rootKeys = ["name", "description", "general", "topology", "scenario", "faults"]
    static let generalKeys = ["seed", "stop_time", "time_scale", "drain"]
    static let topologyKeys = ["hubs", "kinds", "nodes", "links"]
    static let hubKeys = ["ingress", "egress", "replay"]

    init(file: String) {
        reader = TopologyDocumentReader(file: file)
    }

    var errors: [TopologyError] { reader.errors }

    mutating func parse(_ root: Yams.Node) -> Topology? {
        guard let document = reader.mapping(
            root, at: "", allowed: Self.rootKeys, required: ["name", "general", "topology", "scenario"],
            expected: "a topology (a mapping with name, general, topology and scenario)")
        else { return nil }

        let name = document["name"].flatMap { reader.identifier($0, at: "name", what: "topology name") }
        let description = document["description"].flatMap { reader.string($0, at: "description") } ?? ""
        let general = document["general"].flatMap { parseGeneral($0, at: "general") }

        var hubs: [Topology.Hub] = []
        var kinds: [AgentRole: NodeSettings] = [:]
        var nodes: [Topology.Node] = []
        var linkDrafts: [LinkDraft] = []
        if let section = document["topology"],
           let topology = reader.mapping(section, at: "topology", allowed: Self.topologyKeys, required: ["nodes"]) {
            hubs = parseHubs(topology["hubs"], at: topology.path("hubs"))
            if let kindsNode = topology["kinds"] {
                kinds = parseKinds(kindsNode, at: topology.path("kinds"))
            }
            if let nodesNode = topology["nodes"] {
                nodes = parseNodes(nodesNode, at: topology.path("nodes"), kinds: kinds, hubs: hubs)
            }
            if let linksNode = topology["links"] {
                linkDrafts = parseLinks(linksNode, at: topology.path("links"))
            }
        }
        let scenarioDraft = document["scenario"].flatMap { parseScenario($0, at: "scenario", general: general) }
        let faultDrafts = document["faults"].map { parseFaults($0, at: "faults") } ?? []

        let links = checkLinks(linkDrafts, nodes: nodes)
        let scenario = scenarioDraft.flatMap { checkScenario($0, nodes: nodes, links: links) }
        let faults = checkFaults(faultDrafts, end: general?.end)

        guard reader.errors.isEmpty, let name, let general, let scenario else { return nil }
        return Topology(
            name: name, description: description, general: general, hubs: hubs, nodes: nodes,
            links: links, scenario: scenario, faults: faults)
    }

    // MARK: general

    mutating func parseGeneral(_ node: Yams.Node, at path: String) -> Topology.General? {
        guard let general = reader.mapping(node, at: path, allowed: Self.generalKeys, required: ["stop_time"]) else {
            return nil
        }
        var seed = Topology.General.defaultSeed
        if let seedNode = general["seed"] {
            if seedNode.tagName == .int, let scalar = seedNode.scalar, let value = UInt64(scalar.string.trimmingWhitespace()) {
                seed = value
            } else if seedNode.tagName == .int {
                reader.report(.outOfRange, "seed is \(seedNode.scalar?.string ?? ""); expected a whole number from 0 to \(UInt64.max)", at: general.path("seed"), node: seedNode)
            } else {
                reader.report(.wrongType, "expected a seed (a whole number ≥ 0), found \(TopologyDocumentReader.describe(seedNode))", at: general.path("seed"), node: seedNode)
            }
        }
        var stopTime: SimulatedDuration?
        if let stopNode = general["stop_time"], let value = reader.duration(stopNode, at: general.path("stop_time")) {
            if value.seconds > 0 {
                stopTime = value
            } else {
                reader.report(.outOfRange, "stop_time is 0; expected a positive duration such as 30d", at: general.path("stop_time"), node: stopNode)
            }
        }
        var timeScale = Topology.General.defaultTimeScale
        if let scaleNode = general["time_scale"], let value = reader.number(scaleNode, at: general.path("time_scale"), what: "a time scale") {
            if value > 0 {
                timeScale = value
            } else {
                reader.report(.outOfRange, "time_scale is \(TopologyDocumentReader.format(value)); expected simulated seconds per real second, > 0 (e.g. 3600)", at: general.path("time_scale"), node: scaleNode)
            }
        }
        let drain = general["drain"].flatMap { reader.duration($0, at: general.path("drain")) } ?? .zero
        guard let stopTime else { return nil }
        return Topology.General(seed: seed, stopTime: stopTime, timeScale: timeScale, drain: drain)
    }

    // MARK: hubs

    mutating func parseHubs(_ node: Yams.Node?, at path: String) -> [Topology.Hub] {
        guard let node else {
            declaredHubIDs = [Topology.Hub.defaultID]
            return [Topology.Hub(id: Topology.Hub.defaultID)]
        }
        guard let entries = reader.entries(node, at: path, expected: "a mapping from hub id to its endpoints") else {
            return []
        }
        if entries.isEmpty {
            reader.report(.outOfRange, "no hub; name at least one, or remove hubs: to get the default hub \"main\"", at: path, node: node)
        }
        var hubs: [Topology.Hub] = []
        var boundEndpoints: [String: String] = [:]
        for (id, keyNode, value) in entries {
            let hubPath = TopologyDocumentReader.join(path, id)
            declaredHubIDs.append(id)
            let validID = reader.checkIdentifier(id, at: hubPath, node: keyNode, what: "hub id")
            var hub = Topology.Hub(id: id)
            if !value.isNull, let spec = reader.mapping(value, at: hubPath, allowed: Self.hubKeys) {
                for key in Self.hubKeys {
                    guard let endpointNode = spec[key], let text = reader.string(endpointNode, at: spec.path(key), expected: "a ZeroMQ endpoint") else {
                        continue
                    }
                    switch Topology.Endpoint.parse(text) {
                    case .failure(let error):
                        reader.report(.invalidEndpoint, "\"\(text)\" is not an endpoint a hub can bind: \(error.message)", at: spec.path(key), node: endpointNode)
                    case .success(let endpoint):
                        if !endpoint.isWildcardPort {
                            if let first = boundEndpoints[endpoint.description] {
                                reader.report(.duplicate, "\(endpoint) is already bound by \(first); each hub socket needs its own endpoint", at: spec.path(key), node: endpointNode)
                            } else {
                                boundEndpoints[endpoint.description] = spec.path(key)
                            }
                        }
                        switch key {
                        case "ingress": hub.ingress = endpoint
                        case "egress": hub.egress = endpoint
                        default: hub.replay = endpoint
                        }
                    }
                }
            }
            if validID { hubs.append(hub) }
        }
        return hubs
    }
}
