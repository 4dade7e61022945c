import Foundation
import TansiqAgent
import TansiqMessages
import Testing
@testable import TansiqSimulation

/// A small valid topology that tests break one way at a time.
enum TopologyFixture {
    static let file = "test.yaml"

    static let valid = """
        name: test-net
        general:
          stop_time: 10d
          drain: 2d
        topology:
          nodes:
            commune-a:
              role: commune
              services:
                social-assistance: 5
            iom-a:
              role: iom
              agents: 2
            health-a:
              role: service
              services:
                health: { capacity: 10 }
              acknowledge: { distribution: lognormal, median: 2h, p90: 8h }
              acceptance: { accept: 0.9, fail: 0.05 }
            assoc-a:
              role: civil-society
              services:
                legal: 5
          links:
            - { from: iom-a, to: health-a, services: [health] }
        scenario:
          arrivals: { process: poisson, rate: 4/d }
          needs: { health: 2, legal: 1 }
        faults:
          - { kind: offline, node: assoc-a, from: 1d, until: 2d }
        """

    /// The fixture with `original` replaced by `replacement`; the original must occur.
    static func replacing(_ original: String, with replacement: String, sourceLocation: SourceLocation = #_sourceLocation) -> String {
        #expect(valid.contains(original), "fixture has no \"\(original)\"", sourceLocation: sourceLocation)
        return valid.replacingOccurrences(of: original, with: replacement)
    }

    /// The errors `yaml` produces; records an issue when it parses.
    static func errors(_ yaml: String, sourceLocation: SourceLocation = #_sourceLocation) -> [TopologyError] {
        do {
            _ = try Topology.parse(yaml: yaml, file: file)
            Issue.record("expected validation errors", sourceLocation: sourceLocation)
            return []
        } catch let failure as TopologyValidationFailure {
            return failure.errors
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
            return []
        }
    }

    /// The repository's `Topologies` directory, found from this file's path.
    static var topologiesDirectory: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Topologies")
    }
}

@Suite("Topology validation")
struct TopologyValidationTests {
    private typealias Code = TopologyError.Code

    /// The fixture with one mistake gives exactly one error with this code and key path.
    private func expectSingleError(
        _ yaml: String, _ code: Code, at keyPath: String, mentioning words: [String] = [],
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let errors = TopologyFixture.errors(yaml, sourceLocation: sourceLocation)
        #expect(errors.map(\.code) == [code], "\(errors)", sourceLocation: sourceLocation)
        #expect(errors.first?.keyPath == keyPath, sourceLocation: sourceLocation)
        #expect(errors.first?.file == TopologyFixture.file, sourceLocation: sourceLocation)
        for word in words {
            #expect(errors.first?.message.contains(word) == true, "\"\(errors.first?.message ?? "")\" lacks \"\(word)\"", sourceLocation: sourceLocation)
        }
    }

    @Test func fixtureIsValid() throws {
        let topology = try Topology.parse(yaml: TopologyFixture.valid, file: TopologyFixture.file)
        #expect(topology.coordinator.id == "commune-a")
        #expect(topology.agentCount == 5)
        #expect(topology.node(id: "health-a")?.acceptance == Topology.Acceptance(accept: 0.9, fail: 0.05))
        #expect(topology.node(id: "assoc-a")?.acknowledge == Topology.Node.defaultAcknowledge)
        #expect(topology.scenario.referrers.values == ["iom-a"])
        #expect(topology.faults == [.offline(node: "assoc-a", from: .days(1), until: .days(2))])
    }

    @Test func yamlSyntaxErrorHasLineAndColumn() {
        let errors = TopologyFixture.errors(TopologyFixture.replacing("name: test-net", with: "name: [test-net"))
        #expect(errors.map(\.code) == [.yamlSyntax])
        #expect(errors.first?.line != nil)
        #expect(errors.first?.message.contains("line") == true)
    }

    @Test func unknownKeySuggestsTheClosestKey() {
        let errors = TopologyFixture.errors(TopologyFixture.replacing("  drain: 2d", with: "  drian: 2d"))
        #expect(errors.map(\.code) == [.unknownKey])
        #expect(errors.first?.keyPath == "general.drian")
        #expect(errors.first?.message.contains("did you mean \"drain\"") == true)
    }

    @Test func unknownKeyFarFromAnyKeyHasNoSuggestion() {
        let errors = TopologyFixture.errors(TopologyFixture.replacing("  drain: 2d", with: "  colour: blue"))
        #expect(errors.map(\.keyPath) == ["general.colour"])
        #expect(errors.first?.message.contains("did you mean") == false)
    }

    @Test func missingRequiredKey() {
        expectSingleError(TopologyFixture.replacing("  stop_time: 10d\n", with: ""), .missingKey, at: "general.stop_time")
        expectSingleError(TopologyFixture.replacing("name: test-net\n", with: ""), .missingKey, at: "name")
        expectSingleError(TopologyFixture.replacing("      role: iom\n", with: ""), .missingKey, at: "topology.nodes.iom-a.role")
    }

    @Test func wrongType() {
        expectSingleError(TopologyFixture.replacing("agents: 2", with: "agents: two"), .wrongType, at: "topology.nodes.iom-a.agents", mentioning: ["whole number", "\"two\""])
        expectSingleError(TopologyFixture.replacing("  needs: { health: 2, legal: 1 }", with: "  needs: [health, legal]"), .wrongType, at: "scenario.needs", mentioning: ["a list"])
    }

    @Test func invalidIdentifier() {
        let yaml = TopologyFixture.valid.replacingOccurrences(of: "assoc-a", with: "Assoc_A")
        let errors = TopologyFixture.errors(yaml)
        #expect(errors.map(\.code) == [.invalidIdentifier, .invalidIdentifier])
        #expect(errors.map(\.keyPath) == ["faults[0].node", "topology.nodes.Assoc_A"])
        let long = String(repeating: "a", count: 64)
        expectSingleError(TopologyFixture.replacing("name: test-net", with: "name: \(long)"), .invalidIdentifier, at: "name", mentioning: ["1–63"])
    }

    @Test func unknownRole() {
        expectSingleError(TopologyFixture.replacing("role: civil-society", with: "role: civil_society"), .unknownRole, at: "topology.nodes.assoc-a.role", mentioning: ["did you mean \"civil-society\""])
    }

    @Test func unknownServiceCategory() {
        expectSingleError(TopologyFixture.replacing("legal: 5", with: "legal: 5\n        dentistry: 3"), .unknownServiceCategory, at: "topology.nodes.assoc-a.services.dentistry")
        expectSingleError(TopologyFixture.replacing("services: [health]", with: "services: [helth]"), .unknownServiceCategory, at: "topology.links[0].services[0]", mentioning: ["did you mean \"health\""])
    }

    @Test func unknownPriority() {
        expectSingleError(TopologyFixture.replacing("  needs: { health: 2, legal: 1 }", with: "  needs: { health: 2, legal: 1 }\n  priorities: { routine: 1, emergency: 1 }"), .unknownPriority, at: "scenario.priorities.emergency")
    }

    @Test func badDurations() {
        expectSingleError(TopologyFixture.replacing("stop_time: 10d", with: "stop_time: 10 days"), .invalidDuration, at: "general.stop_time", mentioning: ["unknown unit"])
        expectSingleError(TopologyFixture.replacing("stop_time: 10d", with: "stop_time: 10"), .invalidDuration, at: "general.stop_time", mentioning: ["no unit"])
        expectSingleError(TopologyFixture.replacing("from: 1d", with: "from: -1d"), .invalidDuration, at: "faults[0].from", mentioning: ["negative"])
    }

    @Test func badDistributionParameters() {
        expectSingleError(TopologyFixture.replacing("median: 2h, p90: 8h", with: "median: 8h, p90: 2h"), .invalidDistribution, at: "topology.nodes.health-a.acknowledge.p90", mentioning: ["p90 ≥ median"])
        expectSingleError(TopologyFixture.replacing("{ distribution: lognormal, median: 2h, p90: 8h }", with: "{ distribution: exponential, mean: 0 }"), .invalidDistribution, at: "topology.nodes.health-a.acknowledge.mean")
        expectSingleError(TopologyFixture.replacing("{ distribution: lognormal, median: 2h, p90: 8h }", with: "{ distribution: uniform, min: 2h, max: 1h }"), .invalidDistribution, at: "topology.nodes.health-a.acknowledge.max")
        expectSingleError(TopologyFixture.replacing("{ distribution: lognormal, median: 2h, p90: 8h }", with: "{ distribution: lognormal, median: 2h }"), .missingKey, at: "topology.nodes.health-a.acknowledge.p90")
        expectSingleError(TopologyFixture.replacing("{ distribution: lognormal, median: 2h, p90: 8h }", with: "{ distribution: lognormal, median: 2h, p90: 8h, mean: 3h }"), .unknownKey, at: "topology.nodes.health-a.acknowledge.mean")
        expectSingleError(TopologyFixture.replacing("distribution: lognormal", with: "distribution: log-normal"), .unknownValue, at: "topology.nodes.health-a.acknowledge.distribution", mentioning: ["did you mean \"lognormal\""])
    }

    @Test func probabilitiesOutOfRangeOrSummingAboveOne() {
        expectSingleError(TopologyFixture.replacing("accept: 0.9, fail: 0.05", with: "accept: 1.2, fail: 0.05"), .invalidProbability, at: "topology.nodes.health-a.acceptance.accept")
        expectSingleError(TopologyFixture.replacing("accept: 0.9, fail: 0.05", with: "accept: 0.9, fail: 0.2"), .invalidProbability, at: "topology.nodes.health-a.acceptance", mentioning: ["at most 1"])
    }

    @Test func capacityOutOfRangeNamesTheFullKeyPath() {
        expectSingleError(TopologyFixture.replacing("health: { capacity: 10 }", with: "health: { capacity: 0 }"), .outOfRange, at: "topology.nodes.health-a.services.health.capacity")
    }

    @Test func referencesToUnknownNodes() {
        expectSingleError(TopologyFixture.replacing("to: health-a", with: "to: health-b"), .unknownNode, at: "topology.links[0].to", mentioning: ["did you mean \"health-a\""])
        expectSingleError(TopologyFixture.replacing("node: assoc-a", with: "node: assoc-z"), .unknownNode, at: "faults[0].node")
        expectSingleError(TopologyFixture.replacing("  arrivals:", with: "  referrers: [iom-a, iom-b]\n  arrivals:"), .unknownNode, at: "scenario.referrers[1]")
    }

    @Test func linkToACategoryTheReceiverDoesNotOffer() {
        expectSingleError(TopologyFixture.replacing("services: [health]", with: "services: [health, legal]"), .serviceNotOffered, at: "topology.links[0].services[1]", mentioning: ["health-a does not offer legal"])
    }

    @Test func nodeOnAnUnknownHub() {
        expectSingleError(TopologyFixture.replacing("      role: iom\n", with: "      role: iom\n      hub: backup\n"), .unknownHub, at: "topology.nodes.iom-a.hub", mentioning: ["main"])
    }

    @Test func coordinatorRules() {
        // Two communes, neither marked.
        let two = TopologyFixture.replacing("    iom-a:\n", with: "    commune-b:\n      role: commune\n    iom-a:\n")
        expectSingleError(two, .coordinator, at: "topology.nodes", mentioning: ["commune-a", "commune-b"])
        // Two communes, both marked.
        let both = two.replacingOccurrences(of: "role: commune\n", with: "role: commune\n      coordinator: true\n")
        expectSingleError(both, .coordinator, at: "topology.nodes", mentioning: ["2 nodes"])
        // Two communes, one marked: fine.
        let one = two.replacingOccurrences(of: "commune-b:\n      role: commune\n", with: "commune-b:\n      role: commune\n      coordinator: true\n")
        #expect(throws: Never.self) { try Topology.parse(yaml: one, file: "x") }
        #expect((try? Topology.parse(yaml: one, file: "x"))?.coordinator.id == "commune-b")
        // No commune at all.
        let none = TopologyFixture.replacing("role: commune", with: "role: service")
        expectSingleError(none, .coordinator, at: "topology.nodes", mentioning: ["no coordinator"])
        // A coordinator that is not a commune.
        expectSingleError(TopologyFixture.replacing("      role: iom\n", with: "      role: iom\n      coordinator: true\n"), .coordinator, at: "topology.nodes.iom-a.coordinator")
    }

    @Test func needThatNoNodeOffers() {
        expectSingleError(TopologyFixture.replacing("{ health: 2, legal: 1 }", with: "{ health: 2, legal: 1, shelter: 1 }"), .unofferedNeed, at: "scenario.needs.shelter")
        // The commune refers too, and is the only one offering social assistance: its open
        // referrals for it would reach nobody (the hub never offers a referral to its sender).
        let selfOnly = TopologyFixture.replacing("  arrivals: { process: poisson, rate: 4/d }\n  needs: { health: 2, legal: 1 }",
            with: "  referrers: { iom-a: 2, commune-a: 1 }\n  arrivals: { process: poisson, rate: 4/d }\n  needs: { health: 2, legal: 1, social-assistance: 1 }")
        expectSingleError(selfOnly, .unofferedNeed, at: "scenario.needs.social-assistance")
        // IOM alone refers: the commune answers its social-assistance referrals.
        #expect(throws: Never.self) { try Topology.parse(yaml: TopologyFixture.replacing("{ health: 2, legal: 1 }", with: "{ health: 2, legal: 1, social-assistance: 1 }"), file: "x") }
        // Weight 0 keeps the category in the file without requiring a provider.
        #expect(throws: Never.self) { try Topology.parse(yaml: TopologyFixture.replacing("{ health: 2, legal: 1 }", with: "{ health: 2, legal: 1, shelter: 0 }"), file: "x") }
    }

    @Test func endpointSyntax() {
        let hubs = "topology:\n  hubs:\n    main: { ingress: \"tcp://127.0.0.1\", egress: \"udp://127.0.0.1:5561\", replay: \"tcp://127.0.0.1:70000\" }\n"
        let errors = TopologyFixture.errors(TopologyFixture.replacing("topology:\n", with: hubs))
        #expect(errors.map(\.code) == [.invalidEndpoint, .invalidEndpoint, .invalidEndpoint])
        #expect(errors.map(\.keyPath) == ["topology.hubs.main.egress", "topology.hubs.main.ingress", "topology.hubs.main.replay"])
        let good = "topology:\n  hubs:\n    main: { ingress: \"tcp://*:5560\", egress: \"ipc:///tmp/tansiq-egress\", replay: \"inproc://replay\" }\n"
        let hub = try? Topology.parse(yaml: TopologyFixture.replacing("topology:\n", with: good), file: "x").hubs.first
        #expect(hub?.egress.transport == .ipc)
        #expect(hub?.replay.description == "inproc://replay")
    }

    @Test func sameFixedEndpointTwice() {
        let hubs = "topology:\n  hubs:\n    main: { ingress: \"tcp://127.0.0.1:5560\", egress: \"tcp://127.0.0.1:5560\" }\n"
        expectSingleError(TopologyFixture.replacing("topology:\n", with: hubs), .duplicate, at: "topology.hubs.main.egress")
    }

    @Test func repeatedKey() {
        expectSingleError(TopologyFixture.replacing("  drain: 2d", with: "  drain: 2d\n  drain: 3d"), .duplicateKey, at: "general.drain")
    }

    @Test func faultAfterTheEndOfTheRun() {
        expectSingleError(TopologyFixture.replacing("until: 2d", with: "until: 20d"), .outOfRange, at: "faults[0].until", mentioning: ["12d"])
    }

    @Test func collectsEveryErrorSortedByKeyPath() throws {
        let yaml = TopologyFixture.valid
            .replacingOccurrences(of: "stop_time: 10d", with: "stop_time: soon")
            .replacingOccurrences(of: "role: civil-society", with: "role: charity")
            .replacingOccurrences(of: "rate: 4/d", with: "rate: often")
            .replacingOccurrences(of: "to: health-a", with: "to: nowhere")
            .replacingOccurrences(of: "accept: 0.9", with: "accept: -1")
        let failure = try #require(throws: TopologyValidationFailure.self) {
            try Topology.parse(yaml: yaml, file: "net.yaml")
        }
        #expect(failure.errors.map(\.keyPath) == [
            "general.stop_time",
            "scenario.arrivals.rate",
            "topology.links[0].to",
            "topology.nodes.assoc-a.role",
            "topology.nodes.health-a.acceptance.accept",
        ])
        #expect(failure.codes == [.invalidDuration, .invalidRate, .unknownNode, .unknownRole, .invalidProbability])
        let lines = failure.description.split(separator: "\n")
        #expect(lines.count == 5)
        #expect(lines.allSatisfy { $0.hasPrefix("net.yaml: ") })
        #expect(lines.first?.hasPrefix("net.yaml: general.stop_time: ") == true)
    }

    @Test func listIndicesSortNumerically() {
        let errors = (0..<12).map { TopologyError(code: .unknownNode, message: "m", file: "f", keyPath: "topology.links[\($0)].to") }
        let failure = TopologyValidationFailure(errors: errors.reversed())
        #expect(failure.errors.map(\.keyPath) == errors.map(\.keyPath))
    }

    @Test func unreadableFile() {
        let missing = URL(fileURLWithPath: "no-such-dir/none.yaml")
        let failure = #expect(throws: TopologyValidationFailure.self) { try Topology.load(contentsOf: missing) }
        #expect(failure?.codes == [.unreadableFile])
        #expect(failure?.errors.first?.file == "no-such-dir/none.yaml")
    }

    @Test func kindsApplyUnderEachNode() throws {
        let yaml = TopologyFixture.replacing("  nodes:\n", with: "  kinds:\n    civil-society: { agents: 3, complete: 2d }\n  nodes:\n")
        let topology = try Topology.parse(yaml: yaml, file: "x")
        #expect(topology.node(id: "assoc-a")?.agents == 3)
        #expect(topology.node(id: "assoc-a")?.complete == .fixed(.days(2)))
        #expect(topology.node(id: "iom-a")?.agents == 2)
        expectSingleError(TopologyFixture.replacing("  nodes:\n", with: "  kinds:\n    ngo: { agents: 3 }\n  nodes:\n"), .unknownRole, at: "topology.kinds.ngo")
    }
}

@Suite("Topology shorthands and defaults")
struct TopologyShorthandTests {
    @Test func acceptsTheDocumentedShorthands() throws {
        let yaml = TopologyFixture.valid
            .replacingOccurrences(of: "topology:\n", with: "topology:\n  hubs:\n    main:\n")
            .replacingOccurrences(of: "arrivals: { process: poisson, rate: 4/d }", with: "arrivals: { process: burst, count: 20, at: 1d }\n  referrers: [iom-a, commune-a]\n  needs_per_case: 2\n  cases: 10")
            .replacingOccurrences(of: "  drain: 2d", with: "  drain: 0\n  seed: 18446744073709551615")
        let topology = try Topology.parse(yaml: yaml, file: "x")
        #expect(topology.hubs == [Topology.Hub(id: "main")])
        #expect(topology.scenario.arrivals == .burst(count: 20, at: .days(1)))
        #expect(topology.scenario.referrers.values == ["iom-a", "commune-a"])
        #expect(topology.scenario.needsPerCase == 2...2)
        #expect(topology.scenario.cases == 10)
        #expect(topology.general.drain == .zero)
        #expect(topology.general.seed == .max)
    }

    @Test func appliesDefaults() throws {
        let topology = try Topology.parse(yaml: TopologyFixture.valid, file: "x")
        let association = try #require(topology.node(id: "assoc-a"))
        #expect(association.name == "assoc-a")
        #expect(association.hub == "main")
        #expect(association.agents == 1)
        #expect(association.services == [Topology.ServiceOffer(category: .legal, capacity: 5, unit: .cases)])
        #expect(association.decide == Topology.Node.defaultDecide)
        #expect(association.complete == Topology.Node.defaultComplete)
        #expect(association.acceptance == .default)
        #expect(topology.general.seed == 1)
        #expect(topology.general.timeScale == 3600)
        #expect(topology.scenario.priorities.values == [.routine])
        #expect(topology.scenario.needsPerCase == 1...1)
        // A link without services routes everything the receiver offers.
        let open = try Topology.parse(yaml: TopologyFixture.replacing("services: [health]", with: "weight: 2"), file: "x")
        #expect(open.links.first?.services == [.health])
        #expect(open.links.first?.weight == 2)
    }

    @Test func summaryLineCountsNodesAgentsLinksAndNeeds() throws {
        let topology = try Topology.parse(yaml: TopologyFixture.valid, file: "x")
        #expect(topology.summaryLine == "4 nodes, 5 agents, 1 link, needs health 67%, legal 33%")
        #expect(topology.overview.contains("commune-a"))
        #expect(topology.overview.contains("offers health 10 cases"))
        #expect(topology.overview.contains("iom-a → health-a: health"))
    }
}
